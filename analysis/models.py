"""Analysis settings of a campaign and the Ministry's published results.

- IndexSettings: the named conversion of the officials' answers a campaign uses (docs/decisions.md D158).
- PublishedTable / PublishedResult: the PAR INDEX table the Ministry publishes for a year (every province,
  the eight component indices, SIPAS, rank), loaded by import_published_results (D160), so that a province
  sees where it stands among all provinces of that year.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign


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
