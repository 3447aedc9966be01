"""The respondent registry: provinces, units, groups, campaigns, respondents and the imports that fed them.

Units and groups are dated data chosen per campaign (docs/methodology.md §8: districts were
abolished on 1 July 2025), never constants in code.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kit.text import match_key


class Province(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department, board or sector")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")
        COUNCIL = "council", _("Provincial People's Council")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Name without case and diacritics, for matching the free text that units type.
    name_key = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="unit_code_unique_in_province")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = match_key(self.name)
        super().save(*args, **kwargs)


class RespondentGroup(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # Other labels units write for this group (matched without case and diacritics).
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # A row from a unit of this kind with no group given belongs to this group (council -> hdnd).
    default_for_unit_kind = models.CharField(
        _("default for unit kind"), max_length=20, choices=Unit.Kind.choices, blank=True
    )

    class Meta:
        verbose_name = _("respondent group")
        verbose_name_plural = _("respondent groups")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


def default_list_deadline() -> datetime.date:
    # The list goes to the Ministry by 10 December (docs/methodology.md §5.1).
    return datetime.date(timezone.localdate().year, 12, 10)


class Campaign(models.Model):
    class Kind(models.TextChoices):
        PAR_OFFICIALS = "par_officials", _("PAR INDEX survey of officials")
        SIPAS_CITIZENS = "sipas_citizens", _("SIPAS survey of citizens and organisations")

    class Status(models.TextChoices):
        COLLECTING_LISTS = "collecting_lists", _("Collecting respondent lists")
        SURVEYING = "surveying", _("Survey open")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="campaigns")
    list_deadline = models.DateField(_("list deadline"), default=default_list_deadline)
    survey_opens = models.DateField(_("survey opens"), null=True, blank=True)
    survey_closes = models.DateField(_("survey closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.COLLECTING_LISTS
    )
    groups = models.ManyToManyField(RespondentGroup, related_name="campaigns", verbose_name=_("groups"))
    # Reminders: at most `reminder_limit` per respondent, at least `reminder_interval_days` apart.
    reminder_limit = models.PositiveSmallIntegerField(_("reminders per respondent"), default=3)
    reminder_interval_days = models.PositiveSmallIntegerField(_("days between reminders"), default=3)
    # Target response rate per group code, in percent, e.g. {"hdnd": 80}.
    response_targets = models.JSONField(_("response-rate targets"), default=dict, blank=True)
    units = models.ManyToManyField(Unit, related_name="campaigns", verbose_name=_("units"))
    # The SIPAS campaign whose figures feed this PAR campaign's domain 8; empty: the SIPAS campaign of the
    # same province and year (analysis.indices.sipas_campaign_for, docs/decisions.md D207).
    sipas_campaign = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_par_campaigns",
        limit_choices_to={"kind": "sipas_citizens"},
        verbose_name=_("SIPAS campaign"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "slug"]

    def __str__(self) -> str:
        return self.name

    def survey_closes_at(self) -> datetime.datetime | None:
        """The end of the last survey day, in the project's time zone; links expire then."""
        if self.survey_closes is None:
            return None
        end = datetime.datetime.combine(self.survey_closes, datetime.time.max)
        return timezone.make_aware(end)

    def has_survey_started(self, now=None) -> bool:
        """Whether the first survey day has come (in the project's time zone); links wait for it."""
        if self.survey_opens is None:
            return True
        return timezone.localdate(now or timezone.now()) >= self.survey_opens

    def is_survey_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status == self.Status.CLOSED:
            return False
        closes = self.survey_closes_at()
        return closes is None or now <= closes

    @property
    def requires_contacts(self) -> bool:
        """Officials get their questionnaire by e-mail and SMS, so both are required."""
        return self.kind == self.Kind.PAR_OFFICIALS


class UnitSuccession(models.Model):
    """A former unit continued by a new one from a date: districts abolished on 1 July 2025, communes
    merged, a merged province's units (methodology.md §6). A new unit formed from several predecessors has
    one row per predecessor; `population` weighs them when their figures are combined (docs/decisions.md
    D210)."""

    former = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successors")
    new = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessors")
    effective = models.DateField(_("effective from"))
    population = models.PositiveBigIntegerField(_("population of the former unit"), null=True, blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        ordering = ["new__name", "former__name"]
        constraints = [models.UniqueConstraint(fields=["former", "new"], name="unit_succession_once")]

    def __str__(self) -> str:
        return f"{self.former} → {self.new} ({self.effective})"


class Membership(models.Model):
    """What a user may do: coordinate a province, act as one unit's focal point, or analyse the province's
    campaigns (tracking and index results, pseudonymised unless a coordinator grants personal data)."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator (Department of Home Affairs)")
        FOCAL_POINT = "focal_point", _("Unit focal point")
        ANALYST = "analyst", _("Analyst")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "province", "unit"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["coordinator", "analyst"], unit__isnull=True)
                | Q(role="focal_point", unit__isnull=False),
                name="membership_unit_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit or self.province}"


class PersonalDataGrant(models.Model):
    """A coordinator lets one analyst see names, positions, phones and e-mails of one campaign until a day.

    Revoked grants stay (who revoked, when): together with the audit log they show who could see what."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="personal_data_grants")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_data_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    valid_until = models.DateField(_("valid until"), help_text=_("Last day of access (Vietnam time)."))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data access")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.analyst} · {self.campaign} · {self.valid_until}"

    def is_active(self, today: datetime.date | None = None) -> bool:
        return self.revoked_at is None and (today or timezone.localdate()) <= self.valid_until


class ImportBatch(models.Model):
    """One import of one file: what was asked, what happened, and the full report."""

    class Source(models.TextChoices):
        COMMAND = "command", _("Command line")
        WEB = "web", _("Web upload")
        API = "api", _("API")

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        REJECTED = "rejected", _("Rejected")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    skip_invalid = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class RespondentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class Respondent(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="respondents")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="respondents", verbose_name=_("unit")
    )
    group = models.ForeignKey(
        RespondentGroup, on_delete=models.PROTECT, related_name="respondents", verbose_name=_("group")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=255, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +84912345678"))
    alternate_phones = models.JSONField(_("alternate phones"), default=list, blank=True)
    # What the unit wrote, cell by cell: evidence when a normalised value is disputed.
    raw = models.JSONField(default=dict, blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    source_sheet = models.CharField(max_length=100, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a unit's re-import drops this person; the row stays as history.
    retired_at = models.DateTimeField(null=True, blank=True, db_index=True)
    retired_by = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="retired_respondents"
    )

    objects = RespondentQuerySet.as_manager()

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        ordering = ["unit__name", "group__order", "full_name"]
        indexes = [models.Index(fields=["campaign", "unit", "retired_at"], name="respondent_campaign_unit")]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email"],
                condition=Q(retired_at__isnull=True) & ~Q(email=""),
                name="respondent_email_unique_in_campaign",
            ),
            models.UniqueConstraint(
                fields=["campaign", "phone"],
                condition=Q(retired_at__isnull=True) & ~Q(phone=""),
                name="respondent_phone_unique_in_campaign",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class RespondentRevision(models.Model):
    """The values a respondent had before an import changed them."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="revisions")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="revisions")
    previous = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.respondent} @ {self.created_at:%Y-%m-%d %H:%M}"


class ListReminder(models.Model):
    """A reminder e-mail sent to a late unit's focal points."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="list_reminders")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.sent_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A user's API token (a field device's, or a coordinator's script's), stored only as the SHA-256 digest
    of its key, with an expiry (settings.API_TOKEN_DAYS) and when it was last used (docs/decisions.md D134).

    One per user: issuing a new one (`manage.py field_token USER --rotate`) replaces the old, which stops
    working at once. The key is shown once, when issued; nobody can read it back, the admin included.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token", verbose_name=_("user")
    )
    key_hash = models.CharField(_("key digest"), max_length=64, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=8, help_text=_("To recognise a key; not secret."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())


class AddressSuppression(models.Model):
    """An address (normalised e-mail or E.164 phone) that gets no message on its channel, in any campaign,
    until a coordinator lifts it: the person opted out (one-click unsubscribe, the opt-out link), or the
    address bounced or failed for good. docs/decisions.md D257."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Reason(models.TextChoices):
        OPT_OUT = "opt_out", _("Asked for no more messages")
        BOUNCED = "bounced", _("Bounced (address does not exist)")
        FAILED = "failed", _("Failed for good (number or address refused)")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, db_index=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    # Where it was recorded (plain values: the registry knows no messages).
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    respondent = models.ForeignKey(
        "Respondent", on_delete=models.SET_NULL, null=True, blank=True, related_name="suppressions"
    )
    message_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"],
                condition=Q(lifted_at__isnull=True),
                name="suppression_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address} ({self.get_reason_display()})"

    @property
    def active(self) -> bool:
        return self.lifted_at is None
