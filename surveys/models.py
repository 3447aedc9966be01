"""Questionnaires, invitations with personal links, outbound messages and responses.

A questionnaire's content is a validated document (sections → questions) kept as JSON and versioned: a
version that has answers is never changed; loading a changed file creates the next version.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from respondents.models import Campaign, Respondent, RespondentGroup, Unit


class Questionnaire(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questionnaires")
    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    groups = models.ManyToManyField(RespondentGroup, related_name="questionnaires", verbose_name=_("groups"))
    definition = models.JSONField()  # validated by surveys.services.definitions
    checksum = models.CharField(max_length=64)  # sha256 of the canonical definition
    source_file = models.CharField(max_length=255, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["campaign", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code", "version"], name="questionnaire_version_unique"
            ),
            models.UniqueConstraint(
                fields=["campaign", "code"], condition=Q(is_current=True), name="questionnaire_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class RealQuerySet(models.QuerySet):
    pass


class RealManager(models.Manager.from_queryset(RealQuerySet)):
    """The default manager: rows of real respondents only. Test links' invitations and responses are left
    out of every count, rate, index and export by this one rule (docs/decisions.md D253); the pages
    behind a link and the coordinator's test-link page use `all_objects`."""

    def get_queryset(self):
        return super().get_queryset().filter(is_test=False)


class AllManager(models.Manager):
    """Every row, test links' included."""


class Invitation(models.Model):
    """One respondent's invitation to a campaign's survey; its links are InvitationTokens.

    A test link's invitation has no respondent and `is_test` set: it behaves like a real one behind the
    link, and nothing counts it (RealManager)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    respondent = models.OneToOneField(
        Respondent, on_delete=models.CASCADE, related_name="invitation", null=True, blank=True
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="invitations")
    is_test = models.BooleanField(_("test link"), default=False, db_index=True)
    test_label = models.CharField(_("test link name"), max_length=100, blank=True)
    reminders_opt_out = models.BooleanField(_("no reminders"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = RealManager()
    all_objects = AllManager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_test=True, respondent__isnull=True)
                | Q(is_test=False, respondent__isnull=False),
                name="invitation_test_has_no_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent or self.test_label} · {self.campaign}"


class InvitationToken(models.Model):
    """A personal link's token, stored only as its SHA-256; each message carries a fresh one, all valid."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"token for {self.invitation_id}"


class Message(models.Model):
    """One outbound e-mail or SMS. The unique key makes queuing idempotent: a re-run never queues twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(default=0)  # 0 for the invitation, 1.. for reminders
    to = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)  # Message-ID or Twilio SID
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "channel", "kind", "sequence"], name="message_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_kind_display()} → {self.to} ({self.status})"


class MessageEvent(models.Model):
    """Every attempt and delivery report of a message, for the record."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=Message.Status.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.status}"


class Response(models.Model):
    """Answers to one questionnaire version: a web respondent's (one per invitation) or a field entry."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Mode(models.TextChoices):
        WEB = "web", _("Web (personal link)")
        PAPER = "paper", _("Paper form")
        TABLET = "tablet", _("Face-to-face, tablet")
        PHONE = "phone", _("Phone interview")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    # Idempotency key of a field submission (client-generated UUID).
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, default=None)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.WEB)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Answers through a test link (the invitation's is_test, copied): never counted (RealManager).
    is_test = models.BooleanField(_("test"), default=False, db_index=True)

    objects = RealManager()
    all_objects = AllManager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.status}"


class MessageTemplate(models.Model):
    """A campaign's own wording of one message (e-mail or SMS, invitation or reminder), with placeholders
    such as {ten}, {lien_ket}, {han} (services/templates.py). Without one, the shipped wording is used."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="message_templates")
    channel = models.CharField(_("channel"), max_length=10, choices=Message.Channel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Message.Kind.choices)
    sender_name = models.CharField(_("sender's name"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "channel", "kind"], name="message_template_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.channel} {self.kind}"
