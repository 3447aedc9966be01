"""What a campaign's SIPAS figures are computed with besides the answers: the method (a named setting) and
the population margins the weights are calibrated to. Both change an official figure, so each is proposed
by one coordinator and takes effect only when another confirms it (docs/decisions.md D205).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign, Unit


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
