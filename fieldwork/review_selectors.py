"""Read queries of the review pages: the interviews to review with the flags that propose a hold, one
interview's answers and history, and the gaps and duplicates of the paper form numbers."""

from collections import defaultdict
from collections.abc import Collection

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from respondents.models import Campaign

from .entry_selectors import _numbered_questions, describe_value
from .models import AnswerCorrection, FieldRecord, FormNumberNote, ReviewEvent, ReviewState
from .paperforms import MAX_LISTED_GAP, form_number_problems, missing_numbers, normalise
from .selectors import quality_flags


def person(user) -> str:
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def scoped_records(campaign: Campaign, team_ids: Collection[int] | None) -> QuerySet[FieldRecord]:
    records = FieldRecord.objects.filter(assignment__campaign=campaign)
    return records if team_ids is None else records.filter(assignment__team_id__in=team_ids)


def flag_reasons(campaign: Campaign, team_ids: Collection[int] | None) -> dict[int, list[str]]:
    """Record id → the data-quality flags on it (fieldwork/quality.py): the holds they propose."""
    found: dict[int, list[str]] = defaultdict(list)
    for flag in quality_flags(campaign, team_ids=team_ids):
        if flag.record_id is not None and flag.reason not in found[flag.record_id]:
            found[flag.record_id].append(flag.reason)
    return dict(found)


def review_rows(
    campaign: Campaign, team_ids: Collection[int] | None, *, state: str | None, flags: dict[int, list[str]]
) -> list[dict]:
    """Interviews in a review state (None: received and on hold), flagged ones first, then by form."""
    records = scoped_records(campaign, team_ids).select_related(
        "enumerator", "response__entered_by", "area", "assignment__team", "reviewed_by"
    )
    states = [state] if state else [ReviewState.RECEIVED, ReviewState.ON_HOLD]
    rows = [
        {
            "record": r,
            "flags": flags.get(r.pk, []),
            "enumerator": person(r.enumerator),
            "keyer": person(r.response.entered_by),
        }
        for r in records.filter(review_state__in=states).order_by("interviewed_at", "pk")
    ]
    return sorted(rows, key=lambda row: (not row["flags"], row["record"].form_number, row["record"].pk))


def review_counts(campaign: Campaign, team_ids: Collection[int] | None) -> dict[str, int]:
    counts = {state: 0 for state in ReviewState.values}
    for state in scoped_records(campaign, team_ids).values_list("review_state", flat=True):
        counts[state] += 1
    return counts


def record_detail(record: FieldRecord) -> dict:
    """The interview's answers as the paper shows them, and its history (review and corrections)."""
    definition = record.response.questionnaire.definition
    numbered = _numbered_questions(definition)
    answers = record.response.answers
    original = record.original_answers or {}
    rows = []
    for code, (number, question) in numbered.items():
        rows.append(
            {
                "code": code,
                "number": number,
                "text": question.get("text", code),
                "value": describe_value(question, answers.get(code)),
                "original": describe_value(question, original.get(code)) if record.original_answers else None,
                "changed": bool(record.original_answers) and original.get(code) != answers.get(code),
                "type": question.get("type"),
            }
        )
    history = [
        {"at": e.at, "by": person(e.by), "what": "review", "event": e}
        for e in ReviewEvent.objects.filter(record=record).select_related("by")
    ] + [
        {"at": c.corrected_at, "by": person(c.corrected_by), "what": "correction", "event": c}
        for c in AnswerCorrection.objects.filter(response_id=record.response_id).select_related(
            "corrected_by"
        )
    ]
    return {"answers": rows, "history": sorted(history, key=lambda h: h["at"])}


def form_problems(campaign: Campaign, team_ids: Collection[int] | None) -> dict:
    """Gaps (each missing number explained or not) and duplicates of paper form numbers, per enumerator."""
    records = scoped_records(campaign, team_ids).exclude(form_number="")
    rows = list(records.values_list("pk", "enumerator_id", "form_number"))
    gaps, duplicates = form_number_problems(rows)
    notes = {
        (n.enumerator_id, n.form_number): n
        for n in FormNumberNote.objects.filter(campaign=campaign).select_related("by")
    }
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(
            pk__in={g.enumerator_id for g in gaps} | {d.enumerator_id for d in duplicates}
        )
    }
    gap_rows = []
    for gap in gaps:
        numbers = missing_numbers(gap) or [gap.first]  # a wide hole is explained once, on its first number
        missing = [{"number": n, "note": notes.get((gap.enumerator_id, normalise(n)))} for n in numbers]
        gap_rows.append(
            {
                "gap": gap,
                "enumerator": person(users.get(gap.enumerator_id)),
                "missing": missing,
                "wide": gap.count > MAX_LISTED_GAP,
                "explained": all(m["note"] is not None for m in missing),
            }
        )
    forms = dict(records.values_list("pk", "form_number"))
    duplicate_rows = [
        {
            "duplicate": d,
            "enumerator": person(users.get(d.enumerator_id)),
            "forms": [(pk, forms.get(pk, "")) for pk in d.record_ids],
        }
        for d in duplicates
    ]
    return {
        "gaps": gap_rows,
        "unexplained": sum(1 for g in gap_rows if not g["explained"]),
        "duplicates": duplicate_rows,
    }
