"""What analysts see of response tracking: rows of fewer than 5 invited people hidden, no personal data.

docs/decisions.md D32: tracking figures count who took part, not what anyone answered, so within a row of at
least 5 invited people the counts (even a single submission) are shown; a row whose base (invited) is 1–4 is
hidden whole, since knowing a 3-person unit's figures is close to knowing each person's participation. Days
are not a set of people (their base is the whole campaign), so they are shown when the campaign has 5 or more
invited. Answers are never shown here; the index pages suppress answer cells under 5 on their own.
"""

import copy

from respondents.services.privacy import is_suppressed

FIGURES = ["invited", "email_sent", "email_failed", "opened", "started", "submitted", "response_rate"]
TARGET_FIGURES = ["required", "needed", "target_met"]


def suppress_small_rows(report: dict) -> dict:
    """A copy of `response_rates(...)` with every small group, unit and district row blanked (`suppressed:
    True`, figures None) and, when the whole campaign is small, the overall and day figures too."""
    report = copy.deepcopy(report)
    for key in ("by_group", "by_unit", "by_district"):
        for row in report[key]:
            _blank_if_small(row)
    if _blank_if_small(report["overall"]):
        report["by_day"] = []
    return report


def suppressed_unit_codes(report: dict) -> set[str]:
    return {row["code"] for row in report["by_unit"] if row.get("suppressed")}


def _blank_if_small(row: dict) -> bool:
    row["suppressed"] = is_suppressed(row["invited"])
    if row["suppressed"]:
        for name in FIGURES + TARGET_FIGURES:
            if name in row:
                row[name] = None
    return row["suppressed"]
