"""Analysis settings of a campaign and the Ministry's published results.

- IndexSettings: the named conversion of the officials' answers a campaign uses (docs/decisions.md D158).
- PublishedTable / PublishedResult: the PAR INDEX table the Ministry publishes for a year (every province,
  the eight component indices, SIPAS, rank), loaded by import_published_results (D160), so that a province
  sees where it stands among all provinces of that year.
- SipasMethodChoice, MarginSet / PopulationMargin: what a campaign's SIPAS figures are computed with
  besides the answers, the method and the population margins the weights are calibrated to. Both change an
  official figure, so each is proposed by one coordinator and takes effect only when another confirms it
  (docs/decisions.md D205).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign, Unit


class IndexSettings(models.Model):
    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="index_settings")
    officials_method = models.CharField(_("conversion of the officials' answers"), max_length=60)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("index settings")
        verbose_name_plural = _("index settings")

    def __str__(self) -> str:
        return f"{self.campaign}: {self.officials_method}"


class PublishedTable(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=300)
    illustrative = models.BooleanField(
        _("illustrative figures"),
        default=False,
        help_text=_("Generated for the demo, not published figures."),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("published PAR INDEX table")
        verbose_name_plural = _("published PAR INDEX tables")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"PAR INDEX {self.year} ({self.source})"


class PublishedResult(models.Model):
    table = models.ForeignKey(PublishedTable, on_delete=models.CASCADE, related_name="results")
    province = models.CharField(_("province"), max_length=120)
    name_key = models.CharField(max_length=120, db_index=True)  # kit.text.match_key, for matching
    index = models.DecimalField(_("PAR INDEX"), max_digits=6, decimal_places=2)
    components = models.JSONField(_("component indices"), default=dict)  # domain code → percent (text)
    sipas = models.DecimalField(_("SIPAS"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["table", "rank", "province"]
        constraints = [
            models.UniqueConstraint(fields=["table", "name_key"], name="published_result_province_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.index}"


class Proposal(models.Model):
    """Proposed by one person, confirmed (or rejected) by another; the latest confirmed one is in force."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-proposed_at", "-pk"]


class SipasMethodChoice(Proposal):
    """The SIPAS method of a campaign (analysis/sipas/methods.py) and its parameter."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sipas_methods")
    method = models.CharField(_("method"), max_length=40)
    # w of sipas-1001-weighted (the policy part's weight); empty: the method's default.
    policy_weight = models.DecimalField(
        _("policy part weight"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta(Proposal.Meta):
        verbose_name = _("SIPAS method of a campaign")
        verbose_name_plural = _("SIPAS methods of campaigns")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.method} ({self.get_status_display()})"


class MarginSet(Proposal):
    """A population table loaded for a campaign: commune/ward × gender × age group (provincial statistics
    office); the calibration it feeds is post-stratification on gender × age group or raking."""

    class Calibration(models.TextChoices):
        CELLS = "cells", _("Post-stratification on gender × age group")
        RAKING = "raking", _("Raking on gender and on age group")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="margin_sets")
    calibration = models.CharField(
        _("calibration"), max_length=10, choices=Calibration.choices, default=Calibration.CELLS
    )
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    population = models.BigIntegerField(_("population"), default=0)

    class Meta(Proposal.Meta):
        verbose_name = _("population margins")
        verbose_name_plural = _("population margins")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.file_name} ({self.get_status_display()})"


class PopulationMargin(models.Model):
    """One cell of the population table: people of one gender and age group in one area."""

    margin_set = models.ForeignKey(MarginSet, on_delete=models.CASCADE, related_name="cells")
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area_code = models.CharField(_("area code"), max_length=40)
    gender = models.CharField(_("gender"), max_length=20)
    age_group = models.CharField(_("age group"), max_length=20)
    population = models.PositiveBigIntegerField(_("population"))
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("population cell")
        verbose_name_plural = _("population cells")
        ordering = ["margin_set", "area_code", "gender", "age_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["margin_set", "area_code", "gender", "age_group"], name="population_cell_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_code} · {self.gender} · {self.age_group}: {self.population}"
