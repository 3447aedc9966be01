"""The archive format: which rows of which models make up a campaign, and how values are written.

An archive is a zip: `manifest.json` plus one JSON Lines member per part below (one object per row, keys
sorted, stable order) and the evidence files. Rows inside the archive point at each other by `ref` (their
1-based line number in their member); objects that live outside the campaign are named by natural keys:
units by code (the campaign's province), groups by code, users by username, criteria trees by their row
in `scoring/trees.jsonl` (code + version, checked against the checksum on import).
"""

import datetime
import decimal
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from analysis.models import IndexSettings, MarginSet, PopulationMargin, SipasMethodChoice
from fieldwork.models import (
    AnswerCorrection,
    Assignment,
    ContactAttempt,
    DesignStratum,
    DrawnUnit,
    FieldMember,
    FieldRecord,
    FieldSettings,
    FieldTeam,
    FormNumberNote,
    Mismatch,
    ReviewEvent,
    SampleDesign,
    SamplingFrameEntry,
    VerificationEntry,
)
from kit.text import nfc
from respondents.models import (
    AddressSuppression,
    Campaign,
    ImportBatch,
    ListReminder,
    Membership,
    PersonalDataGrant,
    Province,
    Respondent,
    RespondentGroup,
    RespondentRevision,
    Unit,
)
from scoring.models import (
    Assessment,
    CampaignTree,
    CriteriaTree,
    Criterion,
    Evidence,
    Score,
    ScoreEvent,
    ScoringRole,
)
from surveys.models import (
    Invitation,
    InvitationToken,
    Message,
    MessageEvent,
    MessageTemplate,
    Questionnaire,
    Response,
)

FORMAT_NAME = "par-campaign-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
EVIDENCE_DIR = "scoring/evidence"

# Natural-key targets of a foreign key (anything else names another part, by ref). LINKED names another
# campaign by its slug (a PAR campaign's SIPAS campaign): restored when that campaign exists, else empty.
USER, UNIT, GROUP, CAMPAIGN, PROVINCE = "@user", "@unit", "@group", "@campaign", "@province"
LINKED = "@linked-campaign"


class ArchiveError(Exception):
    """An archive that cannot be written or read; the message names the member (and line) at fault."""


@dataclass(frozen=True)
class Part:
    """One member of the archive: the rows of `model` that belong to a campaign, in a stable order."""

    name: str  # member path without ".jsonl"
    model: type[models.Model]
    rows: Callable[[Campaign], models.QuerySet]
    # Every foreign key of the model: a natural-key target above or the name of another part.
    refs: dict[str, str] = field(default_factory=dict)
    m2m: dict[str, str] = field(default_factory=dict)  # many-to-many field -> UNIT or GROUP (codes)
    skip: tuple[str, ...] = ()  # fields not written (derived, or stored as a file member)

    @property
    def member(self) -> str:
        return f"{self.name}.jsonl"

    def plain_fields(self) -> list[models.Field]:
        return [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key and not f.is_relation and f.name not in self.skip
        ]

    def relation_fields(self) -> list[models.ForeignKey]:
        return [f for f in self.model._meta.concrete_fields if f.is_relation]


User = get_user_model()

# In import order: a part only points at parts above it (criteria and units point at themselves too).
PARTS: list[Part] = [
    Part("respondents/province", Province, lambda c: Province.objects.filter(pk=c.province_id)),
    # Users, groups and units are written with the rows that name them (export.py collects them).
    Part("auth/users", User, lambda c: User.objects.none()),
    Part("respondents/groups", RespondentGroup, lambda c: RespondentGroup.objects.none()),
    Part(
        "respondents/units",
        Unit,
        lambda c: Unit.objects.none(),
        refs={"province": PROVINCE, "parent": UNIT},
        skip=("name_key",),
    ),
    Part(
        "respondents/campaign",
        Campaign,
        lambda c: Campaign.objects.filter(pk=c.pk),
        refs={"province": PROVINCE, "sipas_campaign": LINKED},
        m2m={"groups": GROUP, "units": UNIT},
    ),
    Part(
        "respondents/memberships",
        Membership,
        lambda c: Membership.objects.filter(province=c.province_id).order_by("pk"),
        refs={"user": USER, "province": PROVINCE, "unit": UNIT},
    ),
    Part(
        "scoring/scoring_roles",
        ScoringRole,
        lambda c: ScoringRole.objects.filter(province=c.province_id).order_by("pk"),
        refs={"user": USER, "province": PROVINCE, "unit": UNIT},
    ),
    Part(
        "respondents/import_batches",
        ImportBatch,
        lambda c: ImportBatch.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "unit": UNIT, "uploaded_by": USER},
    ),
    Part(
        "respondents/respondents",
        Respondent,
        lambda c: Respondent.objects.filter(campaign=c).order_by("pk"),
        refs={
            "campaign": CAMPAIGN,
            "unit": UNIT,
            "group": GROUP,
            "batch": "respondents/import_batches",
            "retired_by": "respondents/import_batches",
        },
    ),
    Part(
        "respondents/revisions",
        RespondentRevision,
        lambda c: RespondentRevision.objects.filter(respondent__campaign=c).order_by("pk"),
        refs={"respondent": "respondents/respondents", "batch": "respondents/import_batches"},
    ),
    # Addresses suppressed while this campaign ran (opt-outs, bounces), with who lifted them (D257).
    Part(
        "respondents/suppressions",
        AddressSuppression,
        lambda c: AddressSuppression.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "respondent": "respondents/respondents", "lifted_by": USER},
    ),
    # Analysts' access to the campaign's personal data (docs/decisions.md D29), like the memberships: who may
    # see what.
    Part(
        "respondents/personal_data_grants",
        PersonalDataGrant,
        lambda c: PersonalDataGrant.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "analyst": USER, "granted_by": USER, "revoked_by": USER},
    ),
    Part(
        "respondents/list_reminders",
        ListReminder,
        lambda c: ListReminder.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "unit": UNIT, "sent_by": USER},
    ),
    Part(
        "surveys/questionnaires",
        Questionnaire,
        lambda c: Questionnaire.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN},
        m2m={"groups": GROUP},
    ),
    Part(
        "surveys/message_templates",
        MessageTemplate,
        lambda c: MessageTemplate.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "updated_by": USER},
    ),
    Part(
        "surveys/invitations",
        Invitation,
        lambda c: Invitation.objects.filter(campaign=c).order_by("pk"),
        refs={
            "campaign": CAMPAIGN,
            "respondent": "respondents/respondents",
            "questionnaire": "surveys/questionnaires",
        },
    ),
    # Only SHA-256 digests of the personal links: kept so that links already sent keep working after a
    # restore; a digest does not give the link back (docs/decisions.md D42).
    Part(
        "surveys/invitation_tokens",
        InvitationToken,
        # Test links are not archived (docs/decisions.md D253), nor their tokens.
        lambda c: InvitationToken.objects.filter(invitation__campaign=c, invitation__is_test=False).order_by(
            "pk"
        ),
        refs={"invitation": "surveys/invitations"},
    ),
    Part(
        "surveys/messages",
        Message,
        lambda c: Message.objects.filter(invitation__campaign=c).order_by("pk"),
        refs={"invitation": "surveys/invitations"},
    ),
    Part(
        "surveys/message_events",
        MessageEvent,
        lambda c: MessageEvent.objects.filter(message__invitation__campaign=c).order_by("pk"),
        refs={"message": "surveys/messages"},
    ),
    Part(
        "surveys/responses",
        Response,
        lambda c: Response.objects.filter(campaign=c).order_by("pk"),
        refs={
            "campaign": CAMPAIGN,
            "questionnaire": "surveys/questionnaires",
            "invitation": "surveys/invitations",
            "unit": UNIT,
            "entered_by": USER,
        },
    ),
    Part(
        "scoring/trees",
        CriteriaTree,
        lambda c: CriteriaTree.objects.filter(assessments__campaign=c).distinct().order_by("code", "version"),
    ),
    Part(
        "scoring/criteria",
        Criterion,
        lambda c: (
            Criterion.objects.filter(tree__assessments__campaign=c)
            .distinct()
            .order_by("tree__code", "tree__version", "order", "code")
        ),
        refs={"tree": "scoring/trees", "parent": "scoring/criteria"},
    ),
    # An assessment replaced by a newer version of its tree points at its twin (set after the part is in).
    Part(
        "scoring/assessments",
        Assessment,
        lambda c: Assessment.objects.filter(campaign=c).order_by("pk"),
        refs={
            "campaign": CAMPAIGN,
            "tree": "scoring/trees",
            "unit": UNIT,
            "replaced_by": "scoring/assessments",
        },
    ),
    Part(
        "scoring/campaign_tree",
        CampaignTree,
        lambda c: CampaignTree.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "chosen_by": USER},
    ),
    Part(
        "scoring/scores",
        Score,
        lambda c: Score.objects.filter(assessment__campaign=c).order_by("pk"),
        refs={
            "assessment": "scoring/assessments",
            "criterion": "scoring/criteria",
            "self_by": USER,
            "appraised_by": USER,
        },
    ),
    Part(
        "scoring/score_events",
        ScoreEvent,
        lambda c: ScoreEvent.objects.filter(score__assessment__campaign=c).order_by("pk"),
        refs={"score": "scoring/scores", "by": USER},
    ),
    # The file itself is the member scoring/evidence/<ref> (its stored path embeds database ids).
    Part(
        "scoring/evidence",
        Evidence,
        lambda c: Evidence.objects.filter(score__assessment__campaign=c).order_by("pk"),
        refs={"score": "scoring/scores", "uploaded_by": USER},
        skip=("file",),
    ),
    Part(
        "analysis/index_settings",
        IndexSettings,
        lambda c: IndexSettings.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "chosen_by": USER},
    ),
    Part(
        "fieldwork/teams",
        FieldTeam,
        lambda c: FieldTeam.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN},
    ),
    Part(
        "fieldwork/members",
        FieldMember,
        lambda c: FieldMember.objects.filter(team__campaign=c).order_by("pk"),
        refs={"team": "fieldwork/teams", "user": USER},
    ),
    Part(
        "fieldwork/assignments",
        Assignment,
        lambda c: Assignment.objects.filter(campaign=c).order_by("pk"),
        refs={
            "campaign": CAMPAIGN,
            "team": "fieldwork/teams",
            "enumerator": USER,
            "questionnaire": "surveys/questionnaires",
            "area": UNIT,
        },
    ),
    Part(
        "fieldwork/sampling_frame",
        SamplingFrameEntry,
        lambda c: SamplingFrameEntry.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "assignment": "fieldwork/assignments", "area": UNIT},
    ),
    Part(
        "fieldwork/settings",
        FieldSettings,
        lambda c: FieldSettings.objects.filter(campaign=c),
        refs={"campaign": CAMPAIGN},
    ),
    Part(
        "fieldwork/sample_designs",
        SampleDesign,
        lambda c: SampleDesign.objects.filter(campaign=c),
        refs={"campaign": CAMPAIGN, "drawn_by": USER},
    ),
    Part(
        "fieldwork/design_strata",
        DesignStratum,
        lambda c: DesignStratum.objects.filter(design__campaign=c).order_by("pk"),
        refs={"design": "fieldwork/sample_designs"},
    ),
    # parent and replaces point at rows of this part: set once all exist (import_.SELF_REFERENCING).
    Part(
        "fieldwork/drawn_units",
        DrawnUnit,
        lambda c: DrawnUnit.objects.filter(design__campaign=c).order_by("pk"),
        refs={
            "design": "fieldwork/sample_designs",
            "stratum": "fieldwork/design_strata",
            "parent": "fieldwork/drawn_units",
            "unit": UNIT,
            "frame_entry": "fieldwork/sampling_frame",
            "assignment": "fieldwork/assignments",
            "replaces": "fieldwork/drawn_units",
        },
    ),
    Part(
        "fieldwork/contact_attempts",
        ContactAttempt,
        lambda c: ContactAttempt.objects.filter(drawn_unit__design__campaign=c).order_by("pk"),
        refs={"drawn_unit": "fieldwork/drawn_units", "recorded_by": USER},
    ),
    Part(
        "fieldwork/records",
        FieldRecord,
        lambda c: FieldRecord.objects.filter(response__campaign=c).order_by("pk"),
        refs={
            "response": "surveys/responses",
            "assignment": "fieldwork/assignments",
            "enumerator": USER,
            "area": UNIT,
            "district": UNIT,
            "drawn_unit": "fieldwork/drawn_units",
            "drawn_village": "fieldwork/drawn_units",
            "reviewed_by": USER,
            "imported_by": USER,
        },
    ),
    Part(
        "fieldwork/form_number_notes",
        FormNumberNote,
        lambda c: FormNumberNote.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "enumerator": USER, "by": USER},
    ),
    Part(
        "fieldwork/review_events",
        ReviewEvent,
        lambda c: ReviewEvent.objects.filter(record__response__campaign=c).order_by("pk"),
        refs={"record": "fieldwork/records", "by": USER},
    ),
    Part(
        "fieldwork/verifications",
        VerificationEntry,
        lambda c: VerificationEntry.objects.filter(record__response__campaign=c).order_by("pk"),
        refs={"record": "fieldwork/records", "clerk": USER},
    ),
    Part(
        "fieldwork/mismatches",
        Mismatch,
        lambda c: Mismatch.objects.filter(entry__record__response__campaign=c).order_by("pk"),
        refs={"entry": "fieldwork/verifications", "resolved_by": USER},
    ),
    Part(
        "fieldwork/corrections",
        AnswerCorrection,
        lambda c: AnswerCorrection.objects.filter(response__campaign=c).order_by("pk"),
        refs={"response": "surveys/responses", "mismatch": "fieldwork/mismatches", "corrected_by": USER},
    ),
    Part(
        "analysis/sipas_methods",
        SipasMethodChoice,
        lambda c: SipasMethodChoice.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "proposed_by": USER, "decided_by": USER},
    ),
    Part(
        "analysis/margin_sets",
        MarginSet,
        lambda c: MarginSet.objects.filter(campaign=c).order_by("pk"),
        refs={"campaign": CAMPAIGN, "proposed_by": USER, "decided_by": USER},
    ),
    Part(
        "analysis/population_cells",
        PopulationMargin,
        lambda c: PopulationMargin.objects.filter(margin_set__campaign=c).order_by("pk"),
        refs={"margin_set": "analysis/margin_sets", "area": UNIT},
    ),
]
PARTS_BY_NAME = {part.name: part for part in PARTS}

# User fields kept: who the person is, never credentials or privileges (docs/decisions.md D44: an imported
# user gets an unusable password and no staff or superuser flag).
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active")


def encode(field_: models.Field, value: Any) -> Any:  # noqa: ANN401 (any field's value, any JSON value)
    """A field's value as JSON: Decimal as a string with the field's places, datetimes ISO in UTC."""
    if value is None:
        return None
    if isinstance(field_, models.DateTimeField):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(field_, models.DateField):
        return value.isoformat()
    if isinstance(field_, models.DecimalField):
        return str(decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field_.decimal_places)))
    if isinstance(field_, models.UUIDField):
        return str(value)
    return nfc(value)


def decode(field_: models.Field, value: Any) -> Any:  # noqa: ANN401 (any JSON value, any field's value)
    if value is None:
        return None
    if isinstance(field_, models.DateTimeField):
        parsed = datetime.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("a date-time without time zone")
        return parsed
    if isinstance(field_, models.DateField):
        return datetime.date.fromisoformat(value)
    if isinstance(field_, models.DecimalField):
        return decimal.Decimal(str(value))
    if isinstance(field_, models.UUIDField):
        return uuid.UUID(str(value))
    if isinstance(field_, models.JSONField):
        return nfc(value)
    if isinstance(field_, (models.CharField, models.TextField)) and not isinstance(value, str):
        raise ValueError("text expected")
    return nfc(value)


def dump_line(row: dict) -> bytes:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
