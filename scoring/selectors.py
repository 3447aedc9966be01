"""Read API of the scoring app (queries only; pure arithmetic lives in scoring/totals.py).

For the next layers (officials' survey points, the domain-8 join with SIPAS, compute_indices, dashboard,
Excel report):

- `current_tree(code) -> CriteriaTree | None`: the current version of a tree (e.g. "par-province-876").
- `tree_nodes(tree) -> list[Node]`: the tree as plain `scoring.totals.Node` objects (domain → criterion →
  sub-criterion; leaves are the scored items), ready for the pure functions of `scoring.totals`.
- `score_sheet(assessment) -> ScoreSheet`: per scored item its code, name, max, source (`self`, `survey`,
  `computed`), lead, self / appraised / final points (final = appraised if set, else self), explanation,
  reason, evidence count, nested under domains and criteria with their totals. Three queries.
- `final_scores(assessment, survey_points: dict[str, Decimal] | None = None) -> dict[str, Decimal | None]`:
  item code → final points; items whose source is `survey` take their points from `survey_points` (the
  officials' survey and SIPAS, computed elsewhere), never from entered scores.
- Permissions: `can_score(user, assessment, domain_code)`, `scorable_domains(user, assessment)`,
  `can_appraise(user, assessment)`, `can_view(user, assessment)`.
"""
