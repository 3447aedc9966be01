"""The sample of a field campaign: its design (strata, stages, methods), the units drawn at each stage with
their selection probabilities, and the contact attempts on the final-stage units (the work lists).

Imported by fieldwork/models.py (Django finds them there). The probabilities stored here are what the
design weights of SIPAS use: weight = 1 / (π₁·π₂·π₃), each π conditional on the unit above being drawn
(docs/decisions.md D352, docs/reference/field-sample.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign, Unit


class SampleDesign(models.Model):
    """How a campaign's sample is drawn: three stages (communes/wards, villages or residential groups,
    households or people), a method per stage, the numbers drawn, the seed of the draw. One per campaign."""

    class Source(models.TextChoices):
        DRAWN = "drawn", _("Drawn in the system")
        FILE = "file", _("Loaded from a design file (drawn outside)")

    class Method(models.TextChoices):
        PPS = "pps_systematic", _("Probability proportional to size (systematic)")
        SRS = "srs", _("Simple random sampling")
        ALL = "all", _("Every unit (no sampling at this stage)")

    class Strata(models.TextChoices):
        NONE = "none", _("One stratum (the whole province)")
        DISTRICT = "district", _("By district (the commune's parent)")

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="sample_design")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.DRAWN)
    stratify_by = models.CharField(_("strata"), max_length=10, choices=Strata.choices, default=Strata.NONE)
    psu_method = models.CharField(
        _("stage 1 method (communes/wards)"), max_length=16, choices=Method.choices, default=Method.PPS
    )
    ssu_method = models.CharField(
        _("stage 2 method (villages)"), max_length=16, choices=Method.choices, default=Method.PPS
    )
    final_method = models.CharField(
        _("stage 3 method (households/people)"), max_length=16, choices=Method.choices, default=Method.SRS
    )
    psu_count = models.PositiveIntegerField(_("communes/wards drawn (in all)"), default=6)
    ssu_per_psu = models.PositiveIntegerField(_("villages drawn per commune"), default=3)
    units_per_ssu = models.PositiveIntegerField(_("households/people drawn per village"), default=30)
    reserves_per_ssu = models.PositiveIntegerField(_("reserves drawn per village"), default=5)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    # sha256 of the frame the draw read (units, villages, entries in draw order): a changed frame is seen.
    frame_checksum = models.CharField(max_length=64, blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sample design")
        verbose_name_plural = _("sample designs")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_source_display()}"


class DesignStratum(models.Model):
    """A stratum of the design: its PSUs in the frame, their total size and how many are drawn."""

    design = models.ForeignKey(SampleDesign, on_delete=models.CASCADE, related_name="strata")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255, blank=True)
    psu_frame = models.PositiveIntegerField(_("communes/wards in the frame"), default=0)
    size = models.PositiveIntegerField(_("size (households/people)"), default=0)
    psu_drawn = models.PositiveIntegerField(_("communes/wards drawn"), default=0)

    class Meta:
        verbose_name = _("design stratum")
        verbose_name_plural = _("design strata")
        ordering = ["design", "code"]
        constraints = [models.UniqueConstraint(fields=["design", "code"], name="design_stratum_code_unique")]

    def __str__(self) -> str:
        return self.name or self.code


class DrawnUnit(models.Model):
    """A unit drawn at one stage: a commune/ward (stage 1), a village or residential group (stage 2), a
    household or person of the frame (stage 3). `probability` is its inclusion probability within its
    stage, given that its parent was drawn; reserves (stage 3) are drawn in order and released one by one
    to replace a main unit, by the replacement rule (fieldwork/services/contacts.py)."""

    class Stage(models.IntegerChoices):
        PSU = 1, _("Commune / ward")
        SSU = 2, _("Village / residential group")
        FINAL = 3, _("Household / person")

    design = models.ForeignKey(SampleDesign, on_delete=models.CASCADE, related_name="units")
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices)
    stratum = models.ForeignKey(DesignStratum, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    frame_entry = models.ForeignKey(
        "fieldwork.SamplingFrameEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drawn_units",
    )
    assignment = models.ForeignKey(
        "fieldwork.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="work_list"
    )
    code = models.CharField(_("code"), max_length=100)
    name = models.CharField(_("name"), max_length=255, blank=True)
    # Measure of size (households or people in the frame, or as the design file says); 1 at stage 3.
    size = models.PositiveIntegerField(_("size"), default=1)
    probability = models.FloatField(_("inclusion probability within the stage"))
    certainty = models.BooleanField(_("drawn with certainty"), default=False)
    # Units under this one: in the frame (N of the next stage) and drawn (n, main units only).
    frame_count = models.PositiveIntegerField(_("units below in the frame"), default=0)
    drawn_count = models.PositiveIntegerField(_("units below drawn"), default=0)
    # Interviews reported by a design file for a village drawn on paper (informative).
    reported_interviews = models.PositiveIntegerField(null=True, blank=True)
    reserve = models.BooleanField(_("reserve"), default=False)
    reserve_order = models.PositiveIntegerField(_("reserve order"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("drawn unit")
        verbose_name_plural = _("drawn units")
        ordering = ["design", "stage", "stratum__code", "code", "reserve_order"]
        constraints = [
            models.UniqueConstraint(fields=["design", "stage", "parent", "code"], name="drawn_unit_once"),
        ]
        indexes = [models.Index(fields=["design", "stage"], name="drawn_unit_stage")]

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def in_work_list(self) -> bool:
        """A main unit, or a reserve released to replace one."""
        return not self.reserve or self.released_at is not None


class ContactAttempt(models.Model):
    """One visit or call to a drawn household/person and its outcome (AAPOR dispositions:
    fieldwork/dispositions.py). Idempotent by the device's UUID, like submissions."""

    class Outcome(models.TextChoices):
        INTERVIEWED = "interviewed", _("Interviewed")
        PARTIAL = "partial", _("Partial interview")
        REFUSED = "refused", _("Refused")
        NOT_AT_HOME = "not_at_home", _("Not at home / no one available")
        MOVED = "moved", _("Moved away")
        INELIGIBLE = "ineligible", _("Not eligible")
        NOT_FOUND = "not_found", _("Address not found")
        OTHER = "other", _("Other (ill, language, …)")

    drawn_unit = models.ForeignKey(DrawnUnit, on_delete=models.CASCADE, related_name="attempts")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    attempted_at = models.DateTimeField(_("attempted at"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_uuid = models.UUIDField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["drawn_unit", "attempted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.drawn_unit} · {self.get_outcome_display()}"
