"""The clerk's and enumerator's pages: keyboard-first entry of paper forms, double entry of sampled forms,
and the supervisor's list of double-entry mismatches to resolve.

Entry and double entry run in the browser (static/fieldwork/entry.js) and post to the field API; these
views only lay the questionnaire out and check who may open what (entry_selectors.py, access.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kit.collation import vi_key
from kit.numbers import number_messages
from respondents.models import Unit
from surveys.models import Response
from surveys.services.layout import page_sections

from .. import entry_selectors
from ..access import supervised_team_ids
from ..models import Assignment, DrawnUnit, FieldMember
from ..services.queue_files import export_key
from ..services.verification import mismatches_for, resolve_mismatch

ENTRY_MODES = [Response.Mode.PAPER, Response.Mode.TABLET, Response.Mode.PHONE, Response.Mode.WEB]


@require_GET
@login_required
def entry_home(request):
    assignments = list(_worker_assignments(request.user))
    pages = [reverse("field-entry-page", args=[a.pk]) for a in assignments]
    pages += [reverse("field-verify"), *(reverse("field-verify-page", args=[a.pk]) for a in assignments)]
    return render(
        request,
        "fieldwork/entry_home.html",
        {"assignments": assignments, "offline": _offline(request.user, pages)},
    )


@require_GET
@login_required
def entry_page(request, assignment_id: int):
    return _entry_form(request, assignment_id, kind="response")


@require_GET
@login_required
def verify_home(request):
    assignments = list(_worker_assignments(request.user))
    waiting = entry_selectors.forms_awaiting_second_entry(request.user, assignments)
    rows = [{"assignment": a, "forms": waiting[a.pk]} for a in assignments]
    return render(request, "fieldwork/entry_verify_home.html", {"rows": rows})


@require_GET
@login_required
def verify_page(request, assignment_id: int):
    return _entry_form(request, assignment_id, kind="verification")


@require_GET
@login_required
def mismatch_list(request):
    _require_supervisor(request.user)
    rows = entry_selectors.mismatch_rows(mismatches_for(request.user))
    return render(request, "fieldwork/entry_mismatches.html", {"rows": rows})


@require_POST
@login_required
def mismatch_resolve(request, mismatch_id: int):
    _require_supervisor(request.user)
    mismatch = get_object_or_404(mismatches_for(request.user, unresolved_only=False), pk=mismatch_id)
    keep = request.POST.get("keep")
    if keep not in ("first", "second"):
        messages.error(request, _("Choose which value to keep."))
        return redirect("field-mismatches")
    result = resolve_mismatch(mismatch=mismatch, user=request.user, keep=keep)
    labels = {"form": mismatch.entry.record.form_number, "code": mismatch.question_code}
    if result.status == "resolved":
        messages.success(request, _("Form %(form)s, question %(code)s: decided.") % labels)
    elif result.status == "already_resolved":
        messages.warning(request, _("Form %(form)s, question %(code)s was already decided.") % labels)
    elif result.status == "keyed":
        messages.error(
            request,
            _("Form %(form)s, question %(code)s: you keyed one of the two entries, another person decides.")
            % labels,
        )
    else:
        raise PermissionDenied
    return redirect("field-mismatches")


def _worker_assignments(user):
    if not entry_selectors.is_field_worker(user):
        raise PermissionDenied
    return entry_selectors.worker_assignments(user)


def _require_supervisor(user) -> None:
    if not supervised_team_ids(user):
        raise PermissionDenied


def _entry_form(request, assignment_id: int, *, kind: str):
    assignment = get_object_or_404(
        Assignment.objects.select_related("questionnaire", "area", "campaign", "team"), pk=assignment_id
    )
    if not entry_selectors.worker_assignments(request.user).filter(pk=assignment.pk).exists():
        raise PermissionDenied
    questionnaire = assignment.questionnaire
    sections, _progress = page_sections(questionnaire.definition, {}, {})
    drawn_unit = None
    if kind == "response" and request.GET.get("unit", "").isdigit():
        drawn_unit = (
            DrawnUnit.objects.filter(
                pk=int(request.GET["unit"]), assignment=assignment, stage=DrawnUnit.Stage.FINAL
            )
            .select_related("frame_entry")
            .first()
        )
    context = {
        "drawn_unit": drawn_unit,
        "interviewers": _interviewers(request.user, assignment) if kind == "response" else [],
        "offline": _offline(request.user, []),
        "kind": kind,
        "assignment": assignment,
        "questionnaire": questionnaire,
        "definition": questionnaire.definition,
        "sections": sections,
        "areas": _areas(assignment.area),
        "modes": [(m.value, m.label) for m in ENTRY_MODES],
        "default_mode": Response.Mode.PAPER,
        "js_text": _js_text(),
        "form_number": request.GET.get("form", "")[:40],
        "urls": {
            "send": reverse("field-api-verifications" if kind == "verification" else "field-api-responses"),
            "batch": "" if kind == "verification" else reverse("field-api-batch"),
            "stats": reverse("field-api-stats-today") if kind == "response" else "",
            "page": reverse("field-verify-page" if kind == "verification" else "field-entry-page", args=[0]),
        },
    }
    return render(request, "fieldwork/entry_form.html", context)


def _interviewers(user, assignment: Assignment) -> list:
    """The enumerators a clerk keys forms for on a team-wide assignment (the form names who interviewed);
    nobody to choose for an enumerator's own assignment or an enumerator keying its own interviews."""
    if assignment.enumerator_id is not None:
        return []
    roles = set(
        FieldMember.objects.filter(team_id=assignment.team_id, user=user).values_list("role", flat=True)
    )
    if FieldMember.Role.ENUMERATOR in roles:
        return []
    members = FieldMember.objects.filter(team_id=assignment.team_id, role=FieldMember.Role.ENUMERATOR)
    return [m.user for m in members.select_related("user").order_by("user__last_name", "user__username")]


def _offline(user, pages: list[str]) -> dict:
    """What static/fieldwork/offline.js needs: the service worker, pages to keep, the export key."""
    return {
        "sw_url": reverse("field-service-worker"),
        "scope": reverse("field-service-worker").rsplit("sw.js", 1)[0],
        "pages": pages,
        "export_key": export_key(user),
        "text": {
            "since": _("oldest saved %(when)s"),
            "persistent": _("This browser keeps the saved forms even when space runs short."),
            "not_persistent": _(
                "This browser may clear saved forms when space runs short: send them or export them often."
            ),
            "exported": _("%(n)s unsent form(s) written to the file. Give it to your supervisor."),
        },
    }


def _areas(area: Unit) -> list[Unit]:
    """The assignment's area and the units under it (communes of a district) that exist today
    (docs/methodology.md §8: units are dated; a commune merged away no longer takes interviews)."""
    today = timezone.localdate()
    below = (
        Unit.objects.filter(Q(parent=area) | Q(parent__parent=area))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
    )
    return [area, *sorted(below, key=lambda unit: vi_key(unit.name))]  # docs/decisions.md D103


def _js_text() -> dict[str, str]:
    """Messages of entry.js, translated here (the catalogue is Django's; no JavaScript catalogue)."""
    return {
        "required": _("This question needs an answer."),
        "number": number_messages()["not_number"],
        "number_grouped": number_messages()["grouped"],
        "range": _("Enter a number from %(min)s to %(max)s."),
        "too_long": _("At most %(n)s characters."),
        "form_number_required": _("Enter the form number printed on the paper form."),
        "date": _("Enter a date and time."),
        "future": _("The interview cannot be in the future."),
        "phone": _("Enter a phone number of 9 to 15 digits."),
        "no_option": _("No option has the key %(key)s."),
        "not_saved": _("Not saved: %(n)s problem(s) to fix first."),
        "stored": _("Form %(form)s saved. Next form."),
        "confirm_clear": _("Clear this form without saving?"),
        "form_label": _("Form %(form)s"),
        "waiting": _("Waiting"),
        "rejected": _("Rejected: please correct"),
        "correct": _("Correct"),
        "remove": _("Remove"),
        "confirm_remove": _("Remove form %(form)s from this device without sending it?"),
        "conflict": _("This form was already sent with different answers."),
        "mismatches": _(
            "Form %(form)s: %(n)s answer(s) differ from the first entry; a supervisor will decide."
        ),
        "connection_idle": _("Everything is sent."),
        "connection_sending": _("Sending…"),
        "connection_sent": _("Sent."),
        "connection_rejected": _("Some forms were refused by the server: correct them in the list below."),
        "connection_offline": _("No connection: forms are kept on this device and sent later."),
        "connection_retrying": _("The server did not answer: retrying…"),
        "connection_login": _("Your session has ended: log in again in another tab; forms are kept."),
    }
