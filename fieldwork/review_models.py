"""Review before data counts: a campaign's field rules (which interviews count, quotas enforced, the
replacement rule) and the history of each interview's review state. Imported by fieldwork/models.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign


class ReviewState(models.TextChoices):
    RECEIVED = "received", _("Received, not reviewed")
    APPROVED = "approved", _("Approved")
    ON_HOLD = "on_hold", _("On hold")
    REJECTED = "rejected", _("Rejected")


def default_release_at_once() -> list[str]:
    return ["refused", "moved", "ineligible"]


class FieldSettings(models.Model):
    """A campaign's rules of field work; a campaign without a row has the defaults
    (fieldwork.selectors.field_settings). docs/decisions.md D356, D360."""

    class Counting(models.TextChoices):
        APPROVED = "approved", _("Only approved interviews count")
        NOT_REJECTED = "not_rejected", _("Every interview not rejected counts")

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="field_settings")
    counting = models.CharField(
        _("interviews that count"), max_length=14, choices=Counting.choices, default=Counting.APPROVED
    )
    enforce_quotas = models.BooleanField(
        _("refuse interviews beyond a reached quota"),
        default=False,
    )
    replace_after_attempts = models.PositiveSmallIntegerField(
        _("replacement released after this many failed attempts"), default=3
    )
    # Outcomes of the last attempt that release a replacement at once (final refusals, out of scope).
    replace_at_once = models.JSONField(_("outcomes replaced at once"), default=default_release_at_once)

    class Meta:
        verbose_name = _("field-work settings")
        verbose_name_plural = _("field-work settings")

    def __str__(self) -> str:
        return str(self.campaign)


class ReviewEvent(models.Model):
    """One change of an interview's review state, with who, when and why (append-only)."""

    record = models.ForeignKey("fieldwork.FieldRecord", on_delete=models.CASCADE, related_name="reviews")
    from_state = models.CharField(max_length=10, choices=ReviewState.choices)
    to_state = models.CharField(max_length=10, choices=ReviewState.choices)
    reason = models.TextField(_("reason"), blank=True)
    # The data-quality flags that proposed the hold, when the supervisor took the proposal.
    flags = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["record", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.from_state} → {self.to_state}"


class FormNumberNote(models.Model):
    """Why a paper form number is missing from an enumerator's series (spoilt, not used, found later …):
    until explained, a missing number is a lost questionnaire (fieldwork/paperforms.py)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="form_number_notes")
    enumerator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    form_number = models.CharField(_("form number"), max_length=40)  # normalised (paperforms.normalise)
    note = models.TextField(_("explanation"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("missing form explanation")
        verbose_name_plural = _("missing form explanations")
        ordering = ["campaign", "form_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enumerator", "form_number"], name="form_number_note_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form_number}: {self.note[:40]}"
