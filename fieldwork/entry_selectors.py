"""Read queries of the entry pages: the assignments a clerk keys forms for, the forms waiting for a
second entry, and the double-entry mismatches laid out for the supervisor. Scopes build on
fieldwork/access.py; sampling and resolution are fieldwork/services/{sampling,verification}.py."""

from django.db.models import QuerySet

from .access import keyable_assignments
from .models import Assignment, FieldMember, FieldTeam, Mismatch
from .services.sampling import forms_to_verify

WORKER_ROLES = (FieldMember.Role.ENUMERATOR, FieldMember.Role.CLERK)


def is_field_worker(user) -> bool:
    return user.is_authenticated and FieldMember.objects.filter(user=user, role__in=WORKER_ROLES).exists()


def worker_assignments(user) -> QuerySet[Assignment]:
    """The assignments a user enters forms for (access.may_key): an enumerator its team's team-wide ones
    and its own, a clerk every one of its team. Supervisors and coordinators watch and review; they do
    not key in forms."""
    return (
        keyable_assignments(user)
        .select_related("questionnaire", "area", "campaign", "team", "enumerator")
        .order_by("campaign__year", "team__code", "area__name", "pk")
    )


def forms_awaiting_second_entry(user, assignments) -> dict[int, list[str]]:
    """Form numbers chosen for double entry and not re-entered yet, by assignment id; forms this user
    entered first are left out (the second entry is another person's)."""
    by_assignment: dict[int, list[str]] = {a.pk: [] for a in assignments}
    for team in FieldTeam.objects.filter(pk__in={a.team_id for a in assignments}):
        for record in forms_to_verify(team):
            if record.assignment_id in by_assignment and record.response.entered_by_id != user.pk:
                by_assignment[record.assignment_id].append(record.form_number)
    return by_assignment


def mismatch_rows(mismatches: QuerySet[Mismatch]) -> list[dict]:
    """One row per mismatch: form number, question number and text, both values with their labels."""
    rows = []
    for mismatch in mismatches.select_related(
        "entry__record__response__questionnaire", "entry__record__area"
    ):
        record = mismatch.entry.record
        definition = record.response.questionnaire.definition
        numbered = _numbered_questions(definition)
        number, question = numbered.get(mismatch.question_code, (None, {}))
        first = describe_value(question, mismatch.first_value)
        second = describe_value(question, mismatch.second_value)
        rows.append(
            {
                "mismatch": mismatch,
                "record": record,
                "number": number,
                "question": question.get("text", mismatch.question_code),
                "sides": [
                    ("first", first, record.response.entered_by),
                    ("second", second, mismatch.entry.clerk),
                ],
            }
        )
    return rows


def _numbered_questions(definition: dict) -> dict[str, tuple[int, dict]]:
    numbered = {}
    for section in definition["sections"]:
        for question in section["questions"]:
            numbered[question["code"]] = (len(numbered) + 1, question)
    return numbered


def describe_value(question: dict, value) -> str:
    """An answer as the clerk saw it on paper: '4 · Hài lòng' for an option, the text or number itself,
    '—' when there is no answer."""
    if value is None or value == [] or value == "":
        return "—"
    labels = {o["value"]: o["label"] for o in question.get("options", [])}
    values = value if isinstance(value, list) else [value]
    return "; ".join(
        f"{v} · {labels[v]}" if isinstance(v, int | str) and v in labels else str(v) for v in values
    )
