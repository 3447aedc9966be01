"""Field collection with the post office (Bưu điện) teams: teams, members, assignments with quotas, the
sampling frame, field records of submitted responses, and double entry of paper forms.

SIPAS field work is done by post-office teams, face to face, by phone, on paper or online
(docs/methodology.md §6.6). A field submission is a `surveys.Response` (mode, client_uuid,
unit, entered_by) plus a one-to-one FieldRecord holding what only the field knows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign, Unit
from surveys.models import Questionnaire, Response

from .review_models import FieldSettings, FormNumberNote, ReviewEvent, ReviewState
from .sample_models import ContactAttempt, DesignStratum, DrawnUnit, SampleDesign

__all__ = [
    "AnswerCorrection",
    "Assignment",
    "ContactAttempt",
    "DesignStratum",
    "DrawnUnit",
    "FieldMember",
    "FieldRecord",
    "FieldSettings",
    "FieldTeam",
    "FormNumberNote",
    "Mismatch",
    "ReviewEvent",
    "ReviewState",
    "SampleDesign",
    "SamplingFrameEntry",
    "VerificationEntry",
]


class FieldTeam(models.Model):
    """A Bưu điện team working for one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="field_teams")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    # Share of the team's paper forms that a second clerk re-enters (double entry), in percent.
    verify_percent = models.PositiveSmallIntegerField(_("share of forms re-entered (%)"), default=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("field team")
        verbose_name_plural = _("field teams")
        ordering = ["campaign", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="field_team_code_unique")]

    def __str__(self) -> str:
        return self.name


class FieldMember(models.Model):
    """A user's role in a team: enumerators interview, clerks key paper forms, supervisors check."""

    class Role(models.TextChoices):
        ENUMERATOR = "enumerator", _("Enumerator")
        SUPERVISOR = "supervisor", _("Supervisor")
        CLERK = "clerk", _("Data-entry clerk")

    team = models.ForeignKey(FieldTeam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.ENUMERATOR)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +84912345678"))

    class Meta:
        verbose_name = _("field team member")
        verbose_name_plural = _("field team members")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="field_member_once_per_team")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.team}"


class Assignment(models.Model):
    """Work given to a team (all its members) or to one enumerator of it: a questionnaire in an area,
    optionally one service area, with a quota of completed interviews (docs/methodology.md §7: the sample is
    allocated across districts and service areas)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="field_assignments")
    team = models.ForeignKey(FieldTeam, on_delete=models.CASCADE, related_name="assignments")
    # Empty: every member of the team works on it.
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_assignments",
        verbose_name=_("enumerator"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="field_assignments",
        verbose_name=_("questionnaire"),
    )
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    # An option value of the questionnaire's `screening.area` question (land, civil_status, ...), or empty.
    service_area = models.CharField(_("service area"), max_length=40, blank=True)
    quota = models.PositiveIntegerField(_("quota"), default=0)
    # Further strata of the sample design (e.g. {"capacity": "organisation", "level": "commune"}).
    strata = models.JSONField(_("other strata"), default=dict, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["team", "area__name", "service_area", "pk"]

    def __str__(self) -> str:
        who = self.enumerator or self.team
        return f"{who} · {self.area} · {self.service_area or '*'} ({self.quota})"


class SamplingFrameEntry(models.Model):
    """A citizen or organisation to contact, imported from the coordinator's xlsx."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        ORGANISATION = "organisation", _("Organisation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not contacted yet")
        CONTACTED = "contacted", _("Contacted")
        INTERVIEWED = "interviewed", _("Interviewed")
        REFUSED = "refused", _("Refused")
        UNREACHABLE = "unreachable", _("Unreachable")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sampling_frame")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="frame_entries"
    )
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CITIZEN)
    name = models.CharField(_("name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    # Village or residential group (thôn, bản, tổ dân phố): the second stage of the sample design.
    village = models.CharField(_("village / residential group"), max_length=200, blank=True)
    service_area = models.CharField(_("service area"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    raw = models.JSONField(default=dict, blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    source_sheet = models.CharField(max_length=100, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sampling-frame entry")
        verbose_name_plural = _("sampling frame")
        ordering = ["campaign", "area__name", "name"]
        indexes = [models.Index(fields=["campaign", "area", "status"], name="frame_campaign_area_status")]

    def __str__(self) -> str:
        return self.name


class FieldRecord(models.Model):
    """What the field adds to a submitted Response: who, where, when, how long, which paper form."""

    class Source(models.TextChoices):
        API = "api", _("API (device)")
        PAGE = "page", _("Entry page")
        IMPORT = "import", _("Import")

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="field_record")
    # Indexed by field_record_assignment / field_record_enumerator below (their first column).
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_records", db_index=False
    )
    form_number = models.CharField(_("form number"), max_length=40, blank=True, db_index=True)
    interviewed_at = models.DateTimeField(_("interviewed at"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    respondent_phone = models.CharField(_("respondent's phone"), max_length=20, blank=True)  # E.164
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")  # district or commune
    district = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    service_area = models.CharField(_("service area"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    # sha256 of the canonical submission: a client_uuid re-used with another payload is a conflict.
    payload_hash = models.CharField(max_length=64)
    # The final-stage unit of the sample design interviewed (household or person of the work list), or the
    # village for a design drawn on paper (docs/reference/field-sample.md).
    drawn_unit = models.OneToOneField(
        DrawnUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="record"
    )
    # For a design drawn on paper (loaded from a design file, households not listed): the village drawn.
    drawn_village = models.ForeignKey(
        DrawnUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="village_records"
    )
    # Review before data counts (docs/decisions.md D356): only approved interviews (or, by campaign
    # setting, those not rejected) enter SIPAS and its exports (fieldwork.selectors.counting_responses).
    review_state = models.CharField(
        _("review state"), max_length=10, choices=ReviewState.choices, default=ReviewState.RECEIVED
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The answers as first stored, kept from the first correction on (double entry or review).
    original_answers = models.JSONField(null=True, blank=True)
    # The supervisor who imported the form from an enumerator's file of unsent forms (source "import").
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("field record")
        verbose_name_plural = _("field records")
        indexes = [
            models.Index(fields=["assignment", "received_at"], name="field_record_assignment"),
            models.Index(fields=["enumerator", "received_at"], name="field_record_enumerator"),
            models.Index(fields=["assignment", "review_state"], name="field_record_review"),
        ]

    def __str__(self) -> str:
        return f"{self.form_number or self.response_id} · {self.enumerator}"


class VerificationEntry(models.Model):
    """A second clerk's re-entry of a paper form (double entry). Never counted as a response."""

    record = models.ForeignKey(FieldRecord, on_delete=models.CASCADE, related_name="verifications")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_uuid = models.UUIDField(unique=True)
    answers = models.JSONField(default=dict)
    payload_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verification entry")
        verbose_name_plural = _("verification entries")

    def __str__(self) -> str:
        return f"{self.record} · {self.clerk}"


class Mismatch(models.Model):
    """One question whose two entries differ; a supervisor keeps one value."""

    entry = models.ForeignKey(VerificationEntry, on_delete=models.CASCADE, related_name="mismatches")
    question_code = models.CharField(max_length=100)
    first_value = models.JSONField(null=True, blank=True)
    second_value = models.JSONField(null=True, blank=True)
    resolved_value = models.JSONField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("double-entry mismatch")
        verbose_name_plural = _("double-entry mismatches")
        ordering = ["entry", "question_code"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "question_code"], name="mismatch_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.question_code}"


class AnswerCorrection(models.Model):
    """History of a change to a submitted response's answers (e.g. a resolved double-entry mismatch)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="corrections")
    question_code = models.CharField(max_length=100)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    mismatch = models.ForeignKey(Mismatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"{self.response_id} {self.question_code}"
