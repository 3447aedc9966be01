"""Self-assessment, appraisal and evidence: one transaction each, every change kept as a ScoreEvent.

Windows (docs/methodology.md §10, Lào Cai 2023 plan; docs/decisions.md D20): self-assessment 1–25 December,
appraisal by 15 January; the dates are on each Assessment and compared with Vietnam's date.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, record
from kit import safeinput
from kit.numbers import NotANumber, parse_decimal
from kit.text import clean_multiline
from respondents.models import Campaign, Unit

from .. import selectors
from ..models import Assessment, CriteriaTree, Criterion, Evidence, Score, ScoreEvent
from ..rules import RuleInputMissing, apply_rule

EVIDENCE_TYPES = {
    # extension → accepted first bytes (so that a renamed text file is refused)
    ".pdf": (b"%PDF",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}
FIGURES = ("value_current", "value_previous", "target", "achieved")


def evidence_max_bytes() -> int:
    return getattr(settings, "SCORING_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


@dataclass
class ScoreResult:
    score: Score | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field → message
    changed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def default_windows(year: int) -> dict[str, datetime.date]:
    return {
        "self_opens": datetime.date(year, 12, 1),
        "self_closes": datetime.date(year, 12, 25),
        "appraisal_opens": datetime.date(year, 12, 26),
        "appraisal_closes": datetime.date(year + 1, 1, 15),
    }


class TreeNotValid(ValueError):
    """A tree whose years do not cover the campaign's year (the message says so, in Vietnamese)."""


def tree_not_valid_message(tree: CriteriaTree, year: int) -> str:
    return _(
        "The criteria set %(code)s (%(decision)s) applies to %(years)s, not to a campaign of %(year)s."
    ) % {"code": tree.code, "decision": tree.decision or "–", "years": tree.years_label, "year": year}


def open_assessment(
    *, campaign: Campaign, tree: CriteriaTree, unit: Unit | None = None, **dates: datetime.date
) -> Assessment:
    """The campaign's assessment of a unit (or of the province) against a tree, created with the default
    calendar unless dates are given. A tree whose years do not cover the campaign is refused
    (docs/decisions.md D152)."""
    if not tree.covers(campaign.year):
        raise TreeNotValid(tree_not_valid_message(tree, campaign.year))
    windows = default_windows(campaign.year) | dates
    assessment, _created = Assessment.objects.get_or_create(
        campaign=campaign, tree=tree, unit=unit, defaults=windows
    )
    return assessment


def parse_points(raw: object, *, max_points: Decimal) -> tuple[Decimal | None, str]:
    """Points as typed, "1,5" or "1.5" and nothing else (docs/decisions.md D100): between 0 and max, at most
    two decimals. The range is checked before the decimals (kit.safeinput): a huge number is out of range,
    never a 500."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None, ""
    try:
        value = parse_decimal(text)
    except NotANumber as error:
        return None, error.message
    if not Decimal(0) <= value <= max_points:
        return None, _("Between 0 and %(max)s.") % {"max": max_points}
    if safeinput.parse_decimal(value, places=2, max_abs=max_points) is None:
        return None, _("At most two decimals.")
    return value, ""


def save_self_score(
    *,
    assessment: Assessment,
    criterion: Criterion,
    user: User,
    points: object = None,
    explanation: str = "",
    figures: dict | None = None,
    today: datetime.date | None = None,
) -> ScoreResult:
    """A lead department's self-assessed points (or, for a computed item, its figures → points by rule)."""
    _check_item(assessment, criterion)
    if not selectors.may_score_item(selectors.scorable_leads(user, assessment), _as_item(criterion)):
        raise PermissionDenied
    today = today or timezone.localdate()
    if not assessment.self_opens <= today <= assessment.self_closes:
        return ScoreResult(errors={"__all__": _window_message(assessment.self_opens, assessment.self_closes)})
    errors: dict[str, str] = {}
    values = _figures(figures or {}, errors)
    if criterion.scored_by == Criterion.ScoredBy.COMPUTED:
        value = _computed(criterion, values, errors)
    else:
        value, message = parse_points(points, max_points=criterion.max_points)
        if message:
            errors["points"] = message
    if errors:
        return ScoreResult(errors=errors)
    explanation = _clean_text(explanation)
    with transaction.atomic():
        score = _locked_score(assessment, criterion)
        before = (score.self_points, score.explanation, *(getattr(score, f) for f in FIGURES))
        after = (value, explanation, *(values.get(f) for f in FIGURES))
        if before == after:
            return ScoreResult(score=score)
        score.self_points, score.explanation = value, explanation
        for name in FIGURES:
            setattr(score, name, values.get(name))
        score.self_by, score.self_at = user, timezone.now()
        score.save()
        ScoreEvent.objects.create(
            score=score,
            kind=ScoreEvent.Kind.SELF,
            points=value,
            text=explanation,
            by=user,
            figures={k: str(v) for k, v in values.items()},
        )
        computed = criterion.scored_by == Criterion.ScoredBy.COMPUTED
        record(
            actor=user,
            action=Action.SCORE_INDICATOR if computed else Action.SCORE_SELF,
            obj=score,
            campaign=assessment.campaign,
            detail={
                "assessment": assessment.pk,
                "item": criterion.code,
                "before": _audit_points(before[0]),
                "points": _audit_points(value),
                **({"figures": {k: str(v) for k, v in values.items()}} if computed else {}),
            },
        )
    return ScoreResult(score=score, changed=True)


def appraise_score(
    *,
    assessment: Assessment,
    criterion: Criterion,
    user: User,
    points: object,
    reason: str = "",
    today: datetime.date | None = None,
) -> ScoreResult:
    """The council's appraised points; a reason is required whenever they differ from the self-assessment."""
    _check_item(assessment, criterion)
    if not selectors.can_appraise(user, assessment) or criterion.scored_by == Criterion.ScoredBy.SURVEY:
        raise PermissionDenied
    today = today or timezone.localdate()
    if not assessment.appraisal_opens <= today <= assessment.appraisal_closes:
        return ScoreResult(
            errors={"__all__": _window_message(assessment.appraisal_opens, assessment.appraisal_closes)}
        )
    value, message = parse_points(points, max_points=criterion.max_points)
    if message:
        return ScoreResult(errors={"appraised_points": message})
    if value is None:
        return ScoreResult(errors={"appraised_points": _("Enter the appraised points.")})
    reason = _clean_text(reason)
    with transaction.atomic():
        score = _locked_score(assessment, criterion)
        if value != score.self_points and not reason:
            return ScoreResult(
                score=score,
                errors={
                    "reason": _("Give the reason: the appraised points differ from the self-assessment.")
                },
            )
        if (score.appraised_points, score.appraisal_reason) == (value, reason):
            return ScoreResult(score=score)
        before = score.appraised_points
        score.appraised_points, score.appraisal_reason = value, reason
        score.appraised_by, score.appraised_at = user, timezone.now()
        score.save()
        ScoreEvent.objects.create(
            score=score, kind=ScoreEvent.Kind.APPRAISAL, points=value, text=reason, by=user
        )
        record(
            actor=user,
            action=Action.SCORE_APPRAISAL,
            obj=score,
            campaign=assessment.campaign,
            detail={
                "assessment": assessment.pk,
                "item": criterion.code,
                "before": _audit_points(before),
                "points": _audit_points(value),
                "self_points": _audit_points(score.self_points),
                "reason": reason,
            },
        )
    return ScoreResult(score=score, changed=True)


def add_evidence(
    *,
    assessment: Assessment,
    criterion: Criterion,
    user: User,
    upload: UploadedFile,
    today: datetime.date | None = None,
) -> ScoreResult:
    """Attach a supporting document: allowed types only (checked by content too), at most the size limit."""
    _check_item(assessment, criterion)
    if not selectors.may_score_item(selectors.scorable_leads(user, assessment), _as_item(criterion)):
        raise PermissionDenied
    today = today or timezone.localdate()
    if not assessment.self_opens <= today <= assessment.self_closes:
        return ScoreResult(errors={"__all__": _window_message(assessment.self_opens, assessment.self_closes)})
    message = check_evidence(upload)
    if message:
        return ScoreResult(errors={"evidence": message})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        score = _locked_score(assessment, criterion)
        name = Path(upload.name).name[:200]
        evidence = Evidence(
            score=score, original_name=name, size=upload.size, sha256=digest.hexdigest(), uploaded_by=user
        )
        evidence.file.save(name, upload, save=False)
        evidence.save()
        ScoreEvent.objects.create(score=score, kind=ScoreEvent.Kind.EVIDENCE_ADDED, text=name, by=user)
    return ScoreResult(score=score, changed=True)


def check_evidence(upload: UploadedFile) -> str:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        return _("Accepted files: %(types)s.") % {"types": ", ".join(sorted(EVIDENCE_TYPES))}
    limit = evidence_max_bytes()
    if upload.size > limit:
        return _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[suffix]):
        return _("The file's content is not a %(type)s file.") % {"type": suffix}
    return ""


def _check_item(assessment: Assessment, criterion: Criterion) -> None:
    if criterion.tree_id != assessment.tree_id or not criterion.is_leaf:
        raise ValueError("not a scored item of this assessment's tree")
    if assessment.is_replaced:  # read-only: its scores were carried to the newer version (D156)
        raise PermissionDenied


def _as_item(criterion: Criterion) -> selectors.SheetItem:
    return selectors.SheetItem(
        code=criterion.code,
        name=criterion.name,
        domain_code="",
        criterion_code="",
        max_points=criterion.max_points,
        source=criterion.scored_by,
        lead=criterion.lead,
        rule=criterion.rule,
        confirmed=criterion.confirmed,
        reference=criterion.reference,
        criterion_id=criterion.pk,
    )


def _locked_score(assessment: Assessment, criterion: Criterion) -> Score:
    score, _created = Score.objects.get_or_create(assessment=assessment, criterion=criterion)
    return Score.objects.select_for_update().get(pk=score.pk)


def _figures(raw: dict, errors: dict) -> dict[str, Decimal]:
    values = {}
    for name in FIGURES:
        text = str(raw.get(name) or "").strip()
        if not text:
            continue
        try:
            value = parse_decimal(text)
        except NotANumber as error:
            errors[name] = error.message
            continue
        if abs(value) >= Decimal("1e15") or value != value.quantize(Decimal("0.0001")):
            errors[name] = _("Enter a number with at most four decimals.")
        else:
            values[name] = value
    return values


def _computed(criterion: Criterion, values: dict, errors: dict) -> Decimal | None:
    figures = {
        "current": values.get("value_current"),
        "previous": values.get("value_previous"),
        "target": values.get("target"),
        "achieved": values.get("achieved"),
    }
    try:
        return apply_rule(criterion.rule, max_points=criterion.max_points, figures=figures)
    except RuleInputMissing:
        errors["__all__"] = _("Enter the figures this indicator's rule needs.")
        return None


def _audit_points(value: Decimal | None) -> str | None:
    """Points as plain text whatever the database returned (SQLite gives 1.2500 for 1.25)."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def _clean_text(text: str) -> str:
    """An explanation or reason as stored: NFC, no invisible, direction-override or control characters."""
    return clean_multiline(text or "")[:5000]


def _window_message(opens: datetime.date, closes: datetime.date) -> str:
    return _("Outside the period for this step (%(opens)s – %(closes)s).") % {
        "opens": opens.strftime("%d/%m/%Y"),
        "closes": closes.strftime("%d/%m/%Y"),
    }
