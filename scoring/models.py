"""Criteria trees (versioned data), assessments, scores with their append-only history, and evidence.

A tree is loaded from a file (scoring/services/definitions.py); its nodes are rows so that scores can
point at them. A tree that has scores is never changed: loading a changed file makes the next version.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign, Province, Unit

POINTS = {"max_digits": 8, "decimal_places": 4}


class CriteriaTree(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province (Ministry's index)")
        DEPARTMENT = "department", _("Department (province's own index)")
        DISTRICT = "district", _("District (province's own index)")
        COMMUNE = "commune", _("Commune or ward (province's own index)")

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    decision = models.CharField(_("decision"), max_length=100, blank=True)
    year_from = models.PositiveSmallIntegerField(_("first year"))
    year_until = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    definition = models.JSONField()  # the validated, normalised file
    checksum = models.CharField(max_length=64)
    source_file = models.CharField(max_length=255, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("criteria tree")
        verbose_name_plural = _("criteria trees")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criteria_tree_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="criteria_tree_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def covers(self, year: int) -> bool:
        """Whether the tree is valid for a campaign of `year` (its `years` in the file)."""
        return self.year_from <= year and (self.year_until is None or year <= self.year_until)

    @property
    def years_label(self) -> str:
        return f"{self.year_from}–{self.year_until}" if self.year_until else f"{self.year_from}–"

    @property
    def basis(self) -> str:
        """The decision and version behind a figure, e.g. "892/QĐ-BNV · par-province-892 v2"."""
        return " · ".join(part for part in (self.decision, f"{self.code} v{self.version}") if part)

    @property
    def leads(self) -> dict[str, dict]:
        return self.definition.get("leads", {})

    @property
    def bands(self) -> str:
        return self.definition.get("bands", "")


class Criterion(models.Model):
    """A node of a tree: a domain, a criterion or a sub-criterion. Leaves (sub-criteria, and criteria
    without any) are the scored items."""

    class Kind(models.TextChoices):
        DOMAIN = "domain", _("Domain")
        CRITERION = "criterion", _("Criterion")
        SUB_CRITERION = "sub_criterion", _("Sub-criterion")

    class ScoredBy(models.TextChoices):
        SELF = "self", _("Self-assessment")
        SURVEY = "survey", _("Sociological survey")
        COMPUTED = "computed", _("Computed indicator")

    class Survey(models.TextChoices):
        OFFICIALS = "officials", _("Survey of officials")
        SIPAS = "sipas", _("SIPAS (satisfaction of people and organisations)")

    tree = models.ForeignKey(CriteriaTree, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.TextField(_("name"))
    order = models.PositiveIntegerField(default=0)  # position in the file, depth first
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    is_leaf = models.BooleanField(default=False)
    lead = models.CharField(_("lead"), max_length=40, blank=True)  # a key of the tree's leads
    scored_by = models.CharField(_("scored by"), max_length=10, choices=ScoredBy.choices, blank=True)
    # Which survey feeds an item scored by survey (docs/decisions.md D153); blank for other items.
    survey = models.CharField(_("survey"), max_length=10, choices=Survey.choices, blank=True)
    rule = models.JSONField(default=dict, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    reference = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["tree", "order"]
        constraints = [models.UniqueConstraint(fields=["tree", "code"], name="criterion_code_unique_in_tree")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ScoringRole(models.Model):
    """Who may score or appraise in a province: a lead department's scorer (for its unit) or a member of
    the appraisal council (Hội đồng thẩm định). Kept apart from respondents.Membership, whose roles are
    tied to the respondent lists."""

    class Role(models.TextChoices):
        SCORER = "scorer", _("Scorer for a unit")
        COUNCIL = "council", _("Appraisal council member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scoring_roles")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="scoring_roles")
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="scoring_roles"
    )

    class Meta:
        verbose_name = _("scoring role")
        verbose_name_plural = _("scoring roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "province", "unit"], name="scoring_role_unique"),
            models.CheckConstraint(
                condition=Q(role="council", unit__isnull=True) | Q(role="scorer", unit__isnull=False),
                name="scoring_role_unit_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit or self.province}"


class Assessment(models.Model):
    """One assessed unit's scoring in one campaign against one tree: the province itself (unit empty, the
    Ministry's index) or a department or district (the province's own index)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    tree = models.ForeignKey(CriteriaTree, on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("assessed unit"),
    )
    # Calendar (docs/methodology.md §10): self-assessment 1–25 December, appraisal by 15 January.
    self_opens = models.DateField(_("self-assessment opens"))
    self_closes = models.DateField(_("self-assessment closes"))
    appraisal_opens = models.DateField(_("appraisal opens"))
    appraisal_closes = models.DateField(_("appraisal closes"))
    # Set when a new version of the tree replaced this one and its scores were carried over
    # (scoring.services.carry, docs/decisions.md D156): the replaced assessment stays readable, read-only.
    # SET_NULL: deleting the twin (or the campaign) gives the old assessment back, never blocks the delete.
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["campaign", "tree", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "tree", "unit"],
                condition=Q(unit__isnull=False),
                name="assessment_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["campaign", "tree"], condition=Q(unit__isnull=True), name="assessment_province_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tree.title} · {self.unit or self.campaign.province} · {self.campaign.year}"

    @property
    def assessed_name(self) -> str:
        return str(self.unit or self.campaign.province)

    @property
    def is_replaced(self) -> bool:
        return self.replaced_by_id is not None


class CampaignTree(models.Model):
    """The criteria set a coordinator chose for a campaign's province assessment, by code (the current
    version is used). Without a row, the campaign uses the province-level tree valid for its year
    (scoring.selectors.campaign_tree, docs/decisions.md D152)."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="criteria_choice")
    tree_code = models.SlugField(_("criteria set"), max_length=60)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign's criteria set")
        verbose_name_plural = _("campaigns' criteria sets")

    def __str__(self) -> str:
        return f"{self.campaign} → {self.tree_code}"


class Score(models.Model):
    """The current self-assessed and appraised points of one scored item; every change is a ScoreEvent."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    self_points = models.DecimalField(_("self-assessed points"), null=True, blank=True, **POINTS)
    explanation = models.TextField(_("explanation"), blank=True)
    # Figures of a computed indicator (domain 8, entered by Sở KH&ĐT): this year, previous year, counts.
    value_current = models.DecimalField(
        _("this year's value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    value_previous = models.DecimalField(
        _("previous year's value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4, null=True, blank=True)
    achieved = models.DecimalField(_("achieved"), max_digits=20, decimal_places=4, null=True, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    self_at = models.DateTimeField(null=True, blank=True)
    appraised_points = models.DecimalField(_("appraised points"), null=True, blank=True, **POINTS)
    appraisal_reason = models.TextField(_("reason for the appraised score"), blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.self_points} / {self.appraised_points}"

    @property
    def final_points(self):
        return self.appraised_points if self.appraised_points is not None else self.self_points

    @property
    def over_max(self) -> bool:
        """Points above the item's maximum: only possible for points carried to a version whose maximum
        is lower; flagged for the department and the council, never capped (docs/decisions.md D156)."""
        top = self.criterion.max_points
        return any(p is not None and p > top for p in (self.self_points, self.appraised_points))


class ScoreEvent(models.Model):
    """Append-only history: who changed what, when. Rows are never updated or deleted by the app."""

    class Kind(models.TextChoices):
        SELF = "self", _("Self-assessment")
        APPRAISAL = "appraisal", _("Appraisal")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        CARRIED = "carried", _("Carried to a new version of the criteria")

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.DecimalField(_("points"), null=True, blank=True, **POINTS)
    text = models.TextField(_("explanation or reason"), blank=True)
    figures = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("score history is append-only")
        super().save(*args, **kwargs)


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"scoring/evidence/{instance.score.assessment_id}/{instance.score.criterion.code}/{filename}"


class Evidence(models.Model):
    """A supporting document (tài liệu kiểm chứng) for a score."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
