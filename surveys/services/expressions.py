"""The XLSForm expression language of `relevant` and `constraint` (a small XPath 1.0 subset), parsed and
evaluated without eval. static/surveys/conditions.js is the same parser and evaluator in the browser; both
run the cases of tests/surveys/expression_cases.json (docs/decisions.md D251).

Supported: `${name}` (an answer), `.` (the answer being checked, in constraints), 'text' and "text",
numbers, `= != < <= > >=`, `and`, `or`, `+ - * div mod`, unary minus, parentheses, and the functions
not(), selected(), count-selected(), string-length(), true(), false(). Anything else is refused when the
questionnaire is loaded, so a respondent's page never meets an expression it cannot evaluate.

Values follow XPath 1.0: an answer is its text (a multiple choice: the chosen values joined by spaces; no
answer: the empty text); `=` and `!=` compare as booleans if either side is one, else as numbers if either
side is one, else as texts; `<` and the other orderings compare numbers; a text that is not a number is
NaN, and every comparison with NaN is false except `!=`.
"""

import math
import re
from dataclasses import dataclass

Value = bool | float | str  # XPath's boolean, number and string

MAX_LENGTH = 2000  # characters of one expression
MAX_DEPTH = 40  # nesting of parentheses and operators; deeper is refused, never a RecursionError

FUNCTIONS = {  # name -> number of arguments
    "not": 1,
    "selected": 2,
    "count-selected": 1,
    "string-length": 1,
    "true": 0,
    "false": 0,
}

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)\s*\})
    | (?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
    | (?P<dot>\.)
    | (?P<word>[A-Za-z][A-Za-z0-9\-]*)
    )""",
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """An expression that cannot be parsed; `position` is the 0-based character where the problem is."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Parsed:
    tree: list  # nested lists, e.g. ["or", ["=", ["ref", "q1"], ["str", "yes"]], ["cur"]]
    references: tuple[str, ...]  # ${names} in order of appearance, each once
    uses_current: bool  # whether `.` appears


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, position) tokens; kind is ref, num, str, op, dot or word."""
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            start = position + (len(text[position:]) - len(text[position:].lstrip()))
            raise ExpressionError(f"unexpected character {text[start]!r}", start)
        kind = next(k for k in ("ref", "num", "str", "op", "dot", "word") if match.group(k) is not None)
        start = match.start(kind)
        value = match.group("name") if kind == "ref" else match.group(kind)
        if kind == "str":
            value = value[1:-1]
        tokens.append((kind, value, start))
        position = match.end()
    return tokens


def parse(text: str) -> Parsed:
    """Parse an expression; raises ExpressionError naming the position of the first problem."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression", 0)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(tokenize(text), len(text))
    tree = parser.expression(0)
    if parser.index < len(parser.tokens):
        _kind, value, position = parser.tokens[parser.index]
        raise ExpressionError(f"unexpected {value!r}", position)
    return Parsed(tree=tree, references=tuple(dict.fromkeys(parser.references)), uses_current=parser.current)


class _Parser:
    # Binary operators by precedence, lowest first (XPath 1.0).
    LEVELS = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod"))

    def __init__(self, tokens: list[tuple[str, str, int]], length: int) -> None:
        self.tokens, self.length, self.index = tokens, length, 0
        self.references: list[str] = []
        self.current = False
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "", self.length)

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        self.index += 1
        return token

    def operator_at(self, level: int) -> str | None:
        kind, value, _position = self.peek()
        if kind in ("op", "word") and value in self.LEVELS[level]:
            return value
        return None

    def deeper(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"nested more than {MAX_DEPTH} levels", position)

    def expression(self, level: int) -> list:
        if level == len(self.LEVELS):
            return self.unary()
        self.deeper(self.peek()[2])
        left = self.expression(level + 1)
        while (operator := self.operator_at(level)) is not None:
            self.take()
            left = [operator, left, self.expression(level + 1)]
        self.depth -= 1
        return left

    def unary(self) -> list:
        kind, value, position = self.peek()
        if kind == "op" and value == "-":
            self.take()
            self.deeper(position)
            operand = self.unary()
            self.depth -= 1
            return ["neg", operand]
        return self.primary()

    def primary(self) -> list:
        kind, value, position = self.take()
        if kind == "num":
            return ["num", float(value)]
        if kind == "str":
            return ["str", value]
        if kind == "ref":
            self.references.append(value)
            return ["ref", value]
        if kind == "dot":
            self.current = True
            return ["cur"]
        if kind == "op" and value == "(":
            self.deeper(position)
            inner = self.expression(0)
            self.depth -= 1
            self.expect(")")
            return inner
        if kind == "word":
            if self.peek()[:2] != ("op", "("):
                raise ExpressionError(f"unknown word {value!r} (answers are written ${{name}})", position)
            if value not in FUNCTIONS:
                raise ExpressionError(f"unsupported function {value}()", position)
            self.take()
            arguments = []
            if self.peek()[:2] != ("op", ")"):
                self.deeper(position)
                arguments.append(self.expression(0))
                while self.peek()[:2] == ("op", ","):
                    self.take()
                    arguments.append(self.expression(0))
                self.depth -= 1
            self.expect(")")
            if len(arguments) != FUNCTIONS[value]:
                raise ExpressionError(f"{value}() takes {FUNCTIONS[value]} argument(s)", position)
            return ["call", value, arguments]
        if kind == "end":
            raise ExpressionError("the expression ends too early", position)
        raise ExpressionError(f"unexpected {value!r}", position)

    def expect(self, symbol: str) -> None:
        kind, value, position = self.take()
        if (kind, value) != ("op", symbol):
            raise ExpressionError(f"{symbol!r} expected", position)


# --------------------------------------------------------------------------------------------- evaluation


def evaluate(tree: list, answers: dict, current: object = None) -> bool:
    """The expression's truth for these answers (typed values as stored, or text as typed)."""
    return _boolean(_value(tree, answers, current))


def holds(text: str, answers: dict, current: object = None) -> bool:
    return evaluate(parse(text).tree, answers, current)


def answer_text(value: object) -> str:
    """An answer as XPath sees it: its text; a list (multiple choice) joined by spaces; none: ''."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(answer_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(float(value))
    return str(value)


def _value(node: list, answers: dict, current: object) -> Value:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "str":
        return node[1]
    if kind == "ref":
        return answer_text(answers.get(node[1]))
    if kind == "cur":
        return answer_text(current)
    if kind == "neg":
        return -_number(_value(node[1], answers, current))
    if kind == "call":
        return _call(node[1], [_value(a, answers, current) for a in node[2]])
    left = _value(node[1], answers, current)
    if kind == "or":
        return _boolean(left) or _boolean(_value(node[2], answers, current))
    if kind == "and":
        return _boolean(left) and _boolean(_value(node[2], answers, current))
    right = _value(node[2], answers, current)
    if kind in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            same = _boolean(left) == _boolean(right)
        elif isinstance(left, float) or isinstance(right, float):
            same = _number(left) == _number(right)
        else:
            same = left == right
        return same if kind == "=" else not same
    a, b = _number(left), _number(right)
    if kind == "<":
        return a < b
    if kind == "<=":
        return a <= b
    if kind == ">":
        return a > b
    if kind == ">=":
        return a >= b
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if kind == "mod":
        return math.nan if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b) else math.fmod(a, b)
    raise ValueError(f"unknown node {kind}")  # a bug: parse() makes no other node


def _call(name: str, arguments: list) -> Value:
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "not":
        return not _boolean(arguments[0])
    if name == "selected":
        return _text(arguments[1]).strip() in _text(arguments[0]).split()
    if name == "count-selected":
        return float(len(_text(arguments[0]).split()))
    if name == "string-length":
        return float(len(_text(arguments[0])))
    raise ValueError(f"unknown function {name}")


_NUMBER = re.compile(r"^\s*-?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$")


def _number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    return float(value) if _NUMBER.match(value) else math.nan


def _boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    return value


def _number_text(number: float) -> str:
    """XPath's string(): 5 not 5.0; NaN and Infinity spelled out (as JavaScript's String does)."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    return repr(number)
