"""Files of unsent forms: an enumerator whose device cannot reach the server exports its queue to a file
(static/fieldwork/offline.js), a supervisor imports it. Each form goes through the same checks and the
same idempotency as the API (a form already sent answers "duplicate"), in the name of the enumerator or
clerk who keyed it, with the importer recorded (FieldRecord.imported_by, source "import").

The file is signed in the browser with a key the server gives only to that user's entry page
(HMAC-SHA256 over the items exactly as written), so that a supervisor cannot make up forms in an
enumerator's name (docs/decisions.md D350, D359).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action
from respondents.models import Campaign

from ..access import supervised_team_ids
from ..api.parsers import MAX_DEPTH, nesting_depth
from ..api.serializers import SubmissionSerializer, VerificationSerializer, parse_submission
from ..models import Assignment, FieldRecord
from .submissions import SubmissionContext, submit_field_response
from .verification import submit_verification

FORMAT = "parindex-field-queue"
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ITEMS = 2000


def export_key(user: User) -> str:
    """The key the user's entry page signs its exported queue with (never shown to anyone else)."""
    return salted_hmac("fieldwork.queue-export", str(user.pk), algorithm="sha256").hexdigest()


@dataclass
class QueueImportReport:
    file_name: str
    user: User | None = None
    results: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r["status"] == status)


def import_queue_file(
    *, content: bytes, file_name: str, supervisor: User, campaign: Campaign | None = None
) -> QueueImportReport:
    report = QueueImportReport(file_name=file_name)
    try:
        text = content.decode("utf-8")
        if nesting_depth(text) > MAX_DEPTH + 2:
            raise ValueError("too deep")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        report.errors.append(_("%(file)s is not a file of unsent forms (JSON).") % {"file": file_name})
        return report
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("items"), str):
        report.errors.append(_("%(file)s is not a file of unsent forms.") % {"file": file_name})
        return report
    user = (
        get_user_model()
        .objects.filter(pk=data.get("user") if isinstance(data.get("user"), int) else 0)
        .first()
    )
    expected = (
        hmac.new(export_key(user).encode(), data["items"].encode("utf-8"), hashlib.sha256).hexdigest()
        if user
        else ""
    )
    if user is None or not hmac.compare_digest(expected, str(data.get("signature", ""))):
        report.errors.append(
            _(
                "%(file)s was changed or not made by an entry page of this server: "
                "its signature does not match."
            )
            % {"file": file_name}
        )
        return report
    try:
        items = json.loads(data["items"])
    except ValueError:
        items = None
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        report.errors.append(_("%(file)s has no readable list of forms.") % {"file": file_name})
        return report
    report.user = user
    context = SubmissionContext(user, imported_by=supervisor)
    teams = supervised_team_ids(supervisor)
    for item in items:
        report.results.append(_import_item(item, context, teams))
    audit.record(
        actor=supervisor,
        action=Action.FIELD_FORMS_IMPORTED,
        campaign=campaign,
        detail={
            "file": file_name,
            "keyed_by": user.get_username(),
            "created": report.count("created"),
            "duplicate": report.count("duplicate"),
            "refused": len(report.results) - report.count("created") - report.count("duplicate"),
        },
    )
    return report


def _import_item(item: object, context: SubmissionContext, teams: set[int]) -> dict:
    if not isinstance(item, dict) or not isinstance(item.get("payload"), dict):
        return {
            "client_uuid": None,
            "form_number": "",
            "status": "invalid",
            "errors": {"": [_("Not a form.")]},
        }
    payload, kind = item["payload"], item.get("kind", "response")
    result = {"client_uuid": payload.get("client_uuid"), "form_number": payload.get("form_number", "")}
    assignment = Assignment.objects.filter(
        pk=payload.get("assignment") if isinstance(payload.get("assignment"), int) else 0
    ).first()
    if assignment is None or assignment.team_id not in teams:
        return result | {
            "status": "forbidden",
            "errors": {"assignment": [_("Not an assignment of your teams.")]},
        }
    if kind == "verification":
        serializer = VerificationSerializer(data=payload)
        if not serializer.is_valid():
            return result | {"status": "invalid", "errors": serializer.errors}
        outcome = submit_verification(
            submission=serializer.submission(source=FieldRecord.Source.IMPORT), context=context
        )
        return result | {"status": outcome.status, "errors": outcome.errors}
    submission = parse_submission(payload, source=FieldRecord.Source.IMPORT)
    if submission is None:
        serializer = SubmissionSerializer(data=payload)
        if not serializer.is_valid():
            return result | {"status": "invalid", "errors": serializer.errors}
        submission = serializer.submission(source=FieldRecord.Source.IMPORT)
    outcome = submit_field_response(submission=submission, context=context)
    return result | {"status": outcome.status, "errors": outcome.errors, "id": outcome.response_id}
