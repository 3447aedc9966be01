"""Words and workbook for the supervisor's progress page: a flag's reason and evidence as a sentence, and the
xlsx export of progress and flags (text stays text: respondents/services/xlsx.py)."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .selectors import Flag

REASON_LABELS = {
    "straight_lining": gettext_lazy("Same answer on almost every scale item"),
    "below_floor": gettext_lazy("Interview too short"),
    "below_median_share": gettext_lazy("Interview far shorter than the median"),
    "duplicate_phone": gettext_lazy("Same respondent phone on several forms"),
    "distribution": gettext_lazy("Enumerator's answers differ from the others'"),
    "too_uniform": gettext_lazy("Enumerator's answers barely vary"),
}


def minutes(seconds) -> str:
    """180 → "3:00" (minutes:seconds)."""
    seconds = round(float(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _number(value, digits: int = 1) -> str:
    return formats.number_format(round(float(value), digits), digits)


def _percent(share) -> str:
    return _number(100 * float(share), 0)


def describe(flag: Flag) -> str:
    """The evidence of a flag as one sentence with its numbers."""
    e = flag.evidence
    if flag.reason == "straight_lining":
        return _("Answer %(value)s on %(same)d of %(answered)d scale items answered (%(share)s%%).") % {
            "value": _number(e["value"], 0),
            "same": e["same"],
            "answered": e["answered"],
            "share": _percent(e["share"]),
        }
    if flag.reason == "below_floor":
        return _("Lasted %(duration)s min; the floor is %(floor)s min (campaign median %(median)s min).") % {
            "duration": minutes(e["duration_seconds"]),
            "floor": minutes(e["floor_seconds"]),
            "median": minutes(e["median_seconds"]),
        }
    if flag.reason == "below_median_share":
        return _("Lasted %(duration)s min, %(share)s%% of the campaign median of %(median)s min.") % {
            "duration": minutes(e["duration_seconds"]),
            "share": _percent(e["ratio"]),
            "median": minutes(e["median_seconds"]),
        }
    if flag.reason == "duplicate_phone":
        return _("The same phone is on %(times)d forms by %(enumerators)d enumerator(s): %(forms)s.") % {
            "times": e["times"],
            "enumerators": e["enumerators"],
            "forms": e["forms"],
        }
    if flag.reason == "distribution":
        return _(
            "%(forms)d forms, mean %(mean)s against %(rest_mean)s for the others; answer %(value)s in "
            "%(share)s%% of answers against %(rest_share)s%%. Chi-square %(chi2)s (df %(df)d, design "
            "effect %(deff)s), Holm-adjusted p = %(p)s."
        ) % {
            "forms": e["forms"],
            "mean": _number(e["mean"], 2),
            "rest_mean": _number(e["rest_mean"], 2),
            "value": _number(e["value"], 0),
            "share": _percent(e["share"]),
            "rest_share": _percent(e["rest_share"]),
            "chi2": _number(e["chi2"], 1),
            "df": e["df"],
            "deff": _number(e["deff"], 2),
            "p": f"{e['p_adjusted']:.2g}",
        }
    if flag.reason == "too_uniform":
        return _("Standard deviation %(sd)s over %(answers)d answers in %(forms)d forms (mean %(mean)s).") % {
            "sd": _number(e["sd"], 2),
            "answers": e["answers"],
            "forms": e["forms"],
            "mean": _number(e["mean"], 2),
        }
    return ""


def flag_rows(flags: list[Flag]) -> list[dict]:
    return [
        {"flag": f, "label": str(REASON_LABELS.get(f.reason, f.reason)), "evidence": describe(f)}
        for f in flags
    ]


def export_progress(*, campaign, report: dict, flags: list[Flag], stream) -> None:
    """Workbook: overall and per-team, per-enumerator, per-area, per-day progress, then the flags."""
    from openpyxl import Workbook

    from kit.xlsx import write_table

    workbook = Workbook()
    ws = workbook.active
    ws.title = _("Teams")[:31]
    team_rows = [
        [r["code"], r["name"], r["quota"], r["submitted"], r["share"], r["today"]] for r in report["by_team"]
    ]
    overall = report["overall"]
    team_rows.append(
        ["", _("Total"), overall["quota"], overall["submitted"], overall["share"], overall["today"]]
    )
    write_table(
        ws,
        [_("Code"), _("Team"), _("Quota"), _("Submitted"), _("Share of quota (%)"), _("Today")],
        team_rows,
        [14, 40, 10, 12, 12, 10],
    )
    ws = workbook.create_sheet(_("Enumerators")[:31])
    headers = [_("Enumerator"), _("Username"), _("Team"), _("Personal quota"), _("Submitted")]
    headers += [_("Share of quota (%)"), _("Today"), _("Days worked")]
    keys = ("name", "username", "team", "quota", "submitted", "share", "today", "days")
    rows = [[r[k] for k in keys] for r in report["by_enumerator"]]
    write_table(ws, headers, rows, [30, 20, 30, 14, 12, 12, 10, 12])

    ws = workbook.create_sheet(_("Areas")[:31])
    headers = [_("District"), _("Area"), _("Code"), _("Service area"), _("Quota"), _("Submitted")]
    headers += [_("Share of quota (%)"), _("Remaining"), _("Enumerators")]
    keys = ("district", "name", "code", "service_area_label", "quota", "submitted", "share", "remaining")
    if not report.get("by_area_has_districts", True):  # communes under the province: no district column
        headers, keys = headers[1:], keys[1:]
    rows = [[*(r[k] for k in keys), r["enumerators"]] for r in report["by_area"]]
    write_table(ws, headers, rows, [26, 30, 14, 24, 10, 12, 12, 12, 12][-len(headers) :])

    ws = workbook.create_sheet(_("Days")[:31])
    rows = [[r["date"], r["submitted"], r["cumulative"]] for r in report["by_day"]]
    write_table(ws, [_("Day"), _("Interviews"), _("Cumulative")], rows, [14, 12, 12])
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "DD/MM/YYYY"

    ws = workbook.create_sheet(_("Flags")[:31])
    headers = [_("Reason"), _("Form number"), _("Record"), _("Enumerator"), _("Team"), _("Evidence")]
    rows = [
        [
            r["label"],
            r["flag"].form_label or _("all forms"),
            r["flag"].record_id,
            r["flag"].enumerator,
            r["flag"].team,
            r["evidence"],
        ]
        for r in flag_rows(flags)
    ]
    write_table(ws, headers, rows, [34, 16, 10, 28, 28, 90])
    workbook.save(stream)
