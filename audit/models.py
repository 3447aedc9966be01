"""The audit log: who changed respondents, scores and appraisals, who exported personal data, who granted
access to it. Append-only. The app sits at the bottom of the dependency graph: events name their campaign
and province by id and slug (no foreign key), so every app may record, and an event outlives its campaign."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        RESPONDENTS_IMPORTED = "respondents.imported", _("Respondent list imported")
        RESPONDENT_CHANGED = "respondent.changed", _("Respondent changed")
        RESPONDENT_RETIRED = "respondent.retired", _("Respondent retired")
        SCORE_SELF = "score.self", _("Self-assessment score")
        SCORE_INDICATOR = "score.indicator", _("Indicator figures entered")
        SCORE_APPRAISAL = "score.appraisal", _("Appraisal")
        EXPORT_PERSONAL = "export.personal", _("Personal data exported")
        EXPORT_PSEUDONYMISED = "export.pseudonymised", _("Pseudonymised data exported")
        ACCESS_GRANTED = "access.granted", _("Personal-data access granted")
        ACCESS_REVOKED = "access.revoked", _("Personal-data access revoked")
        LINK_ISSUED = "link.issued", _("Personal survey link issued")
        LOGIN = "auth.login", _("Logged in")
        LOGIN_FAILED = "auth.login_failed", _("Failed login")
        LOCKED_OUT = "auth.locked_out", _("Locked out")
        CAMPAIGN_CREATED = "campaign.created", _("Campaign created")
        CAMPAIGN_CHANGED = "campaign.changed", _("Campaign settings changed")
        QUESTIONNAIRE_LOADED = "questionnaire.loaded", _("Questionnaire loaded")
        TEST_LINKS_DELETED = "test_links.deleted", _("Test links deleted")
        MESSAGES_TEXT_CHANGED = "messages.text_changed", _("Message wording changed")
        ROUND_STARTED = "messages.round", _("Sending round started")
        SUPPRESSION_LIFTED = "suppression.lifted", _("Suppressed address lifted")
        FIELD_ANSWER_CORRECTED = "field.answer_corrected", _("Field interview answer corrected")
        FIELD_REVIEWED = "field.reviewed", _("Field interview reviewed")
        FIELD_SAMPLE_DRAWN = "field.sample_drawn", _("Field sample drawn")
        FIELD_DESIGN_LOADED = "field.design_loaded", _("Sample design loaded from a file")
        FIELD_FORMS_IMPORTED = "field.forms_imported", _("Unsent field forms imported from a file")
        SIPAS_MARGINS_PROPOSED = "sipas.margins_proposed", _("Population margins proposed")
        SIPAS_MARGINS_CONFIRMED = "sipas.margins_confirmed", _("Population margins confirmed")
        SIPAS_MARGINS_REJECTED = "sipas.margins_rejected", _("Population margins rejected")
        SIPAS_METHOD_PROPOSED = "sipas.method_proposed", _("SIPAS method proposed")
        SIPAS_METHOD_CONFIRMED = "sipas.method_confirmed", _("SIPAS method confirmed")
        SIPAS_METHOD_REJECTED = "sipas.method_rejected", _("SIPAS method rejected")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # The user name at the time (kept when the account is deleted; the name tried on a failed login).
    actor_name = models.CharField(_("actor"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    campaign_id = models.PositiveIntegerField(null=True, blank=True)
    campaign_slug = models.CharField(_("campaign"), max_length=60, blank=True, db_index=True)
    province_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["province_id", "-at"], name="audit_province_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are append-only")
