// Runs tests/surveys/expression_cases.json through static/surveys/conditions.js in Node; prints the results as JSON.
const c = require(process.argv[2]);
const S = require(process.argv[3]);
const out = {true_or_false: [], refused: [], references: []};
for (const k of c.true_or_false) out.true_or_false.push(S.holds(k.expr, k.answers, k.current === undefined ? null : k.current));
for (const k of c.refused) { try { S.parse(k.expr); out.refused.push(null); } catch (e) { out.refused.push(e.position === undefined ? String(e) : e.position); } }
for (const k of c.references) { const p = S.parse(k.expr); out.references.push([p.references, p.usesCurrent]); }
console.log(JSON.stringify(out));
