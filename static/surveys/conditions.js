/* Skip rules of a questionnaire in the browser, shared by the respondent's page (survey.js) and the field
   entry page (fieldwork/entry.js):
   - conditionMet: the `show_if` rule of surveys.services.answers.is_visible (equals / in, against one value
     or a list; "3" and "3,0" are the same number);
   - parse / evaluate / holds: the XLSForm expression language of `relevant` and `constraint`, the same
     parser and evaluator as surveys/services/expressions.py (never eval), checked against the same cases
     (tests/surveys/expression_cases.json; docs/decisions.md D251).
   Works in a browser (window.SurveyConditions) and in Node (module.exports), for the tests. */
(function (root) {
  "use strict";

  function same(a, b) {
    a = String(a);
    b = String(b);
    if (a === b) return true;
    var x = Number(a.replace(",", "."));
    var y = Number(b.replace(",", "."));
    return a.trim() !== "" && b.trim() !== "" && !isNaN(x) && !isNaN(y) && x === y;
  }

  function conditionMet(condition, given) {
    if (given === undefined || given === null) return false;
    var wanted = Object.prototype.hasOwnProperty.call(condition, "equals") ? [condition.equals] : condition["in"];
    var values = Array.isArray(given) ? given : [given];
    return values.some(function (value) {
      return wanted.some(function (w) { return same(value, w); });
    });
  }

  // ------------------------------------------------------------------------------ expressions (XPath subset)

  var MAX_LENGTH = 2000;
  var MAX_DEPTH = 40;
  var FUNCTIONS = { "not": 1, "selected": 2, "count-selected": 1, "string-length": 1, "true": 0, "false": 0 };
  var LEVELS = [["or"], ["and"], ["=", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];
  var TOKEN = /\s*(?:(\$\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\})|([0-9]+(?:\.[0-9]*)?|\.[0-9]+)|('[^']*'|"[^"]*")|(!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)|(\.)|([A-Za-z][A-Za-z0-9\-]*))/y;

  function ExpressionError(message, position) {
    this.message = message;
    this.position = position;
  }

  function tokenize(text) {
    var tokens = [];
    var position = 0;
    while (position < text.length) {
      if (text.slice(position).trim() === "") break;
      TOKEN.lastIndex = position;
      var m = TOKEN.exec(text);
      if (!m || TOKEN.lastIndex === position) {
        var start = position + (text.slice(position).length - text.slice(position).replace(/^\s+/, "").length);
        throw new ExpressionError("unexpected character " + text.charAt(start), start);
      }
      var at = TOKEN.lastIndex - m[0].replace(/^\s+/, "").length;
      if (m[1] !== undefined) tokens.push(["ref", m[2], at]);
      else if (m[3] !== undefined) tokens.push(["num", m[3], at]);
      else if (m[4] !== undefined) tokens.push(["str", m[4].slice(1, -1), at]);
      else if (m[5] !== undefined) tokens.push(["op", m[5], at]);
      else if (m[6] !== undefined) tokens.push(["dot", ".", at]);
      else tokens.push(["word", m[7], at]);
      position = TOKEN.lastIndex;
    }
    return tokens;
  }

  function parse(text) {
    if (typeof text !== "string" || text.trim() === "") throw new ExpressionError("empty expression", 0);
    if (text.length > MAX_LENGTH) throw new ExpressionError("longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
    var tokens = tokenize(text);
    var index = 0;
    var depth = 0;
    var references = [];
    var current = false;

    function peek() { return index < tokens.length ? tokens[index] : ["end", "", text.length]; }
    function take() { var t = peek(); index += 1; return t; }
    function isOp(token, value) { return token[0] === "op" && token[1] === value; }
    function deeper(position) {
      depth += 1;
      if (depth > MAX_DEPTH) throw new ExpressionError("nested more than " + MAX_DEPTH + " levels", position);
    }
    function expect(symbol) {
      var t = take();
      if (!isOp(t, symbol)) throw new ExpressionError("'" + symbol + "' expected", t[2]);
    }
    function operatorAt(level) {
      var t = peek();
      return (t[0] === "op" || t[0] === "word") && LEVELS[level].indexOf(t[1]) >= 0 ? t[1] : null;
    }
    function expression(level) {
      if (level === LEVELS.length) return unary();
      deeper(peek()[2]);
      var left = expression(level + 1);
      var operator;
      while ((operator = operatorAt(level)) !== null) {
        take();
        left = [operator, left, expression(level + 1)];
      }
      depth -= 1;
      return left;
    }
    function unary() {
      var t = peek();
      if (isOp(t, "-")) {
        take();
        deeper(t[2]);
        var operand = unary();
        depth -= 1;
        return ["neg", operand];
      }
      return primary();
    }
    function primary() {
      var t = take();
      var kind = t[0], value = t[1], position = t[2];
      if (kind === "num") return ["num", Number(value)];
      if (kind === "str") return ["str", value];
      if (kind === "ref") { references.push(value); return ["ref", value]; }
      if (kind === "dot") { current = true; return ["cur"]; }
      if (isOp(t, "(")) {
        deeper(position);
        var inner = expression(0);
        depth -= 1;
        expect(")");
        return inner;
      }
      if (kind === "word") {
        if (!isOp(peek(), "(")) throw new ExpressionError("unknown word '" + value + "' (answers are written ${name})", position);
        if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, value)) throw new ExpressionError("unsupported function " + value + "()", position);
        take();
        var args = [];
        if (!isOp(peek(), ")")) {
          deeper(position);
          args.push(expression(0));
          while (isOp(peek(), ",")) { take(); args.push(expression(0)); }
          depth -= 1;
        }
        expect(")");
        if (args.length !== FUNCTIONS[value]) throw new ExpressionError(value + "() takes " + FUNCTIONS[value] + " argument(s)", position);
        return ["call", value, args];
      }
      if (kind === "end") throw new ExpressionError("the expression ends too early", position);
      throw new ExpressionError("unexpected '" + value + "'", position);
    }

    var tree = expression(0);
    if (index < tokens.length) throw new ExpressionError("unexpected '" + tokens[index][1] + "'", tokens[index][2]);
    var seen = {};
    var unique = references.filter(function (r) { if (seen[r]) return false; seen[r] = true; return true; });
    return { tree: tree, references: unique, usesCurrent: current };
  }

  function numberText(n) {
    if (isNaN(n)) return "NaN";
    if (n === Infinity) return "Infinity";
    if (n === -Infinity) return "-Infinity";
    return String(n);
  }

  function answerText(value) {
    if (value === undefined || value === null) return "";
    if (Array.isArray(value)) return value.map(answerText).join(" ");
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") return numberText(value);
    return String(value);
  }

  var NUMBER = /^\s*-?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$/;

  function toNumber(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    return NUMBER.test(v) ? parseFloat(v) : NaN;
  }
  function toBoolean(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return !(v === 0 || isNaN(v));
    return v !== "";
  }
  function toText(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return numberText(v);
    return v;
  }
  function fmod(a, b) { return b === 0 ? NaN : a % b; }
  function divide(a, b) { return a / b; }  // IEEE: x/0 is ±Infinity, 0/0 NaN, as XPath and the server say

  function value(node, answers, current) {
    var kind = node[0];
    if (kind === "num" || kind === "str") return node[1];
    if (kind === "ref") return answerText(answers[node[1]]);
    if (kind === "cur") return answerText(current);
    if (kind === "neg") return -toNumber(value(node[1], answers, current));
    if (kind === "call") {
      var args = node[2].map(function (a) { return value(a, answers, current); });
      switch (node[1]) {
        case "true": return true;
        case "false": return false;
        case "not": return !toBoolean(args[0]);
        case "selected": return toText(args[0]).split(/\s+/).filter(Boolean).indexOf(toText(args[1]).trim()) >= 0;
        case "count-selected": return toText(args[0]).split(/\s+/).filter(Boolean).length;
        case "string-length": return Array.from(toText(args[0])).length;
      }
      throw new Error("unknown function " + node[1]);
    }
    var left = value(node[1], answers, current);
    if (kind === "or") return toBoolean(left) || toBoolean(value(node[2], answers, current));
    if (kind === "and") return toBoolean(left) && toBoolean(value(node[2], answers, current));
    var right = value(node[2], answers, current);
    if (kind === "=" || kind === "!=") {
      var equal;
      if (typeof left === "boolean" || typeof right === "boolean") equal = toBoolean(left) === toBoolean(right);
      else if (typeof left === "number" || typeof right === "number") equal = toNumber(left) === toNumber(right);
      else equal = left === right;
      return kind === "=" ? equal : !equal;
    }
    var a = toNumber(left), b = toNumber(right);
    switch (kind) {
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      case ">=": return a >= b;
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      case "div": return divide(a, b);
      case "mod": return fmod(a, b);
    }
    throw new Error("unknown node " + kind);
  }

  function evaluate(tree, answers, current) { return toBoolean(value(tree, answers || {}, current)); }

  var cache = {};
  function holds(text, answers, current) {
    if (!Object.prototype.hasOwnProperty.call(cache, text)) cache[text] = parse(text).tree;
    return evaluate(cache[text], answers, current);
  }

  var api = {
    same: same,
    conditionMet: conditionMet,
    parse: parse,
    evaluate: evaluate,
    holds: holds,
    answerText: answerText,
    ExpressionError: ExpressionError,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.SurveyConditions = api;
})(typeof window !== "undefined" ? window : this);
