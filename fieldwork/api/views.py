"""Field API (v1): a device's assignments and questionnaires, submissions one by one or in batches,
double entry, and today's count. Token auth for devices, session + CSRF for the entry page."""

import uuid

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.models import Questionnaire

from ..access import visible_assignments, visible_records
from ..models import DrawnUnit, FieldRecord
from ..sample_selectors import work_list
from ..selectors import received_on
from ..services.contacts import record_attempt
from ..services.submissions import Submission, SubmissionContext, submit_field_response
from ..services.verification import submit_verification
from . import fast
from .authentication import FieldTokenAuthentication
from .parsers import BATCH_MAX_BYTES, SINGLE_MAX_BYTES, GuardedJSONParser
from .results import STATUS_CODES, result_body
from .serializers import (
    AssignmentSerializer,
    BatchEnvelopeSerializer,
    BatchRequestSerializer,
    BatchResultSerializer,
    ConflictSerializer,
    ContactAttemptResultSerializer,
    ContactAttemptSerializer,
    ErrorsSerializer,
    FieldRecordSerializer,
    QuestionnaireSerializer,
    SubmissionResultSerializer,
    SubmissionSerializer,
    TodayStatsSerializer,
    VerificationResultSerializer,
    VerificationSerializer,
    WorkListItemSerializer,
    parse_submission,
)


class FieldAuth:
    """Token first, so that a caller without credentials gets 401 with `WWW-Authenticate: Token`;
    the entry page's session still works (with its CSRF check)."""

    authentication_classes = [FieldTokenAuthentication, SessionAuthentication]


class FieldAPIView(FieldAuth, APIView):
    parser_classes = [GuardedJSONParser]
    max_body_bytes = SINGLE_MAX_BYTES

    def handle_exception(self, exc):
        """DRF's own errors (malformed body, authentication, media type) in the same {"errors": ...} shape."""
        response = super().handle_exception(exc)
        if isinstance(response.data, dict) and set(response.data) == {"detail"}:
            response.data = {"errors": {"detail": [str(response.data["detail"])]}}
        return response


class AssignmentList(FieldAuth, generics.ListAPIView):
    """The caller's assignments with the number of submissions stored for each."""

    serializer_class = AssignmentSerializer
    pagination_class = None

    def get_queryset(self):
        return (
            visible_assignments(self.request.user)
            .select_related("campaign", "team", "questionnaire", "area")
            .annotate(submitted=Count("records"))
            .order_by("pk")
        )


class QuestionnaireDetail(FieldAuth, APIView):
    @extend_schema(responses={200: QuestionnaireSerializer})
    def get(self, request, pk: int):
        assigned = visible_assignments(request.user).values(
            "questionnaire__campaign_id", "questionnaire__code"
        )
        questionnaire = Questionnaire.objects.filter(pk=pk).first()
        if (
            questionnaire is None
            or not assigned.filter(
                questionnaire__campaign_id=questionnaire.campaign_id, questionnaire__code=questionnaire.code
            ).exists()
        ):
            raise NotFound
        return Response(QuestionnaireSerializer(questionnaire).data)


class ResponseListCreate(FieldAPIView, generics.ListAPIView):
    """GET: the field submissions the caller may see (newest first). POST: one submission; a device's
    well-formed one takes fieldwork/api/fast.py, which answers exactly as this view does."""

    serializer_class = FieldRecordSerializer

    @classmethod
    def as_view(cls, **initkwargs):
        return fast.in_front_of(super().as_view(**initkwargs), cls(**initkwargs))

    def get_queryset(self):
        records = visible_records(self.request.user).select_related("response__entered_by", "enumerator")
        assignment = self.request.query_params.get("assignment", "")
        if assignment.isdigit():
            records = records.filter(assignment_id=int(assignment))
        return records.order_by("-received_at", "-pk")

    @extend_schema(
        request=SubmissionSerializer,
        responses={
            201: SubmissionResultSerializer,
            200: SubmissionResultSerializer,
            400: ErrorsSerializer,
            403: ErrorsSerializer,
            409: ConflictSerializer,
        },
    )
    def post(self, request):
        submission = _submission(request.data, source=_source(request))
        if isinstance(submission, dict):
            return Response({"errors": submission}, status=status.HTTP_400_BAD_REQUEST)
        result = submit_field_response(submission=submission, context=SubmissionContext(request.user))
        return Response(result_body(result), status=STATUS_CODES[result.status])


class ResponseDetail(FieldAuth, generics.RetrieveAPIView):
    serializer_class = FieldRecordSerializer
    lookup_field = "response_id"
    lookup_url_kwarg = "pk"

    def get_queryset(self):
        return visible_records(self.request.user).select_related("response__entered_by", "enumerator")


class ResponseBatch(FieldAPIView):
    """Up to 500 submissions; each is stored or refused on its own (its own transaction)."""

    max_body_bytes = BATCH_MAX_BYTES

    @extend_schema(
        request=BatchRequestSerializer, responses={200: BatchResultSerializer, 400: ErrorsSerializer}
    )
    def post(self, request):
        envelope = BatchEnvelopeSerializer(data=request.data)
        if not envelope.is_valid():
            return Response({"errors": envelope.errors}, status=status.HTTP_400_BAD_REQUEST)
        context = SubmissionContext(request.user)
        source = _source(request)
        results = []
        for item in envelope.validated_data["items"]:
            submission = _submission(item, source=source)
            if isinstance(submission, dict):
                results.append({"client_uuid": _item_uuid(item), "status": "invalid", "errors": submission})
                continue
            result = submit_field_response(submission=submission, context=context)
            results.append(result_body(result))
        return Response({"results": results})


class VerificationCreate(FieldAPIView):
    """Double entry: a second clerk re-enters a paper form (by its form number); not a response."""

    @extend_schema(
        request=VerificationSerializer,
        responses={
            201: VerificationResultSerializer,
            200: VerificationResultSerializer,
            400: ErrorsSerializer,
            403: ErrorsSerializer,
            409: OpenApiResponse(ErrorsSerializer),
        },
    )
    def post(self, request):
        serializer = VerificationSerializer(data=request.data)
        if not serializer.is_valid():
            return Response({"errors": serializer.errors}, status=status.HTTP_400_BAD_REQUEST)
        result = submit_verification(
            submission=serializer.submission(), context=SubmissionContext(request.user)
        )
        if result.status in ("created", "duplicate"):
            body = {
                "id": result.entry_id,
                "client_uuid": str(result.client_uuid),
                "status": result.status,
                "record": result.record_id,
                "mismatches": result.mismatches,
            }
        else:
            body = {"client_uuid": str(result.client_uuid), "status": result.status, "errors": result.errors}
        return Response(body, status=STATUS_CODES[result.status])


class TodayStats(FieldAuth, APIView):
    """How many submissions the caller entered today (Vietnam's date), by mode."""

    @extend_schema(responses={200: TodayStatsSerializer})
    def get(self, request):
        mine = FieldRecord.objects.filter(response__entered_by=request.user)
        rows = (
            received_on(mine, timezone.localdate())  # the same "today" as the supervisor's page
            .values("response__mode")
            .annotate(n=Count("pk"))
        )
        by_mode = {row["response__mode"]: row["n"] for row in rows}
        return Response({"today": sum(by_mode.values()), "by_mode": by_mode})


class WorkList(FieldAuth, APIView):
    """The caller's work list: households/people drawn for its assignments (main units and released
    reserves), with their attempts and status (docs/reference/field-sample.md)."""

    @extend_schema(responses={200: WorkListItemSerializer(many=True)})
    def get(self, request):
        assignment = request.query_params.get("assignment", "")
        rows = work_list(request.user, assignment_id=int(assignment) if assignment.isdigit() else None)
        return Response([_work_item(row) for row in rows])


class ContactAttemptCreate(FieldAPIView):
    """One visit or call to a household/person of the work list; idempotent by client_uuid. The
    replacement rule may release a reserve (its id in `released`)."""

    @extend_schema(
        request=ContactAttemptSerializer,
        responses={
            201: ContactAttemptResultSerializer,
            200: ContactAttemptResultSerializer,
            400: ErrorsSerializer,
        },
    )
    def post(self, request):
        serializer = ContactAttemptSerializer(data=request.data)
        if not serializer.is_valid():
            return Response({"errors": serializer.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = serializer.validated_data
        unit = (
            DrawnUnit.objects.filter(pk=data["drawn_unit"])
            .select_related("assignment", "design__campaign")
            .first()
        )
        if unit is None:
            return Response({"errors": {"drawn_unit": ["Not found."]}}, status=status.HTTP_404_NOT_FOUND)
        result = record_attempt(
            unit=unit,
            user=request.user,
            outcome=data["outcome"],
            attempted_at=data["attempted_at"],
            client_uuid=data["client_uuid"],
            note=data["note"],
        )
        if result.status not in ("created", "duplicate"):
            code = status.HTTP_403_FORBIDDEN if result.status == "forbidden" else status.HTTP_400_BAD_REQUEST
            return Response({"errors": result.errors}, status=code)
        body = {
            "id": result.attempt.pk,
            "client_uuid": str(result.attempt.client_uuid),
            "status": result.status,
            "released": result.released.pk if result.released else None,
            "no_reserve_left": result.no_reserve_left,
        }
        return Response(body, status=STATUS_CODES[result.status])


def _work_item(row: dict) -> dict:
    unit, entry = row["unit"], row["entry"]
    return {
        "id": unit.pk,
        "assignment": unit.assignment_id,
        "name": entry.name if entry else unit.name,
        "address": entry.address if entry else "",
        "phone": entry.phone if entry else "",
        "village": row["village"],
        "commune": row["commune"].name if row["commune"] else "",
        "reserve": unit.reserve,
        "replaces": unit.replaces_id,
        "attempts": len(row["attempts"]),
        "last_outcome": row["last"].outcome if row["last"] else None,
        "status": "interviewed" if row["interviewed"] else "replaced" if row["replaced"] else "open",
    }


def _submission(data, *, source: str) -> Submission | dict:
    """The submission in a body, or the serializer's errors. Well-formed bodies take the fast parser;
    the serializer (which documents the shape in the schema) judges everything else."""
    submission = parse_submission(data, source=source)
    if submission is not None:
        return submission
    serializer = SubmissionSerializer(data=data)
    if not serializer.is_valid():
        return serializer.errors
    return serializer.submission(source=source)


def _item_uuid(item) -> str | None:
    """An invalid item's client_uuid when it is one (results are in item order anyway)."""
    value = item.get("client_uuid") if isinstance(item, dict) else None
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _source(request) -> str:
    """Submissions from the entry page come with the session; devices with a token."""
    return FieldRecord.Source.API if request.auth is not None else FieldRecord.Source.PAGE
