"""A long piece of work (a workbook of tens of thousands of rows), asked for on a page, run in the background.

Like audit's events, a job names its campaign by id and slug (no foreign key): the app sits at the bottom of
the dependency graph, so every app may start one, and a job is never part of a campaign's archive."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


def private_storage() -> FileSystemStorage:
    """Result files live outside MEDIA_ROOT and STATIC_ROOT: only the download view serves them."""
    return FileSystemStorage(location=settings.JOBS_ROOT)


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Not completed")

    kind = models.CharField(_("kind"), max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    campaign_id = models.PositiveIntegerField(null=True, blank=True)
    campaign_slug = models.CharField(_("campaign"), max_length=60, blank=True)
    campaign_name = models.CharField(_("campaign name"), max_length=200, blank=True)  # as it was then
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0–100
    message = models.CharField(max_length=200, blank=True)
    result = models.FileField(storage=private_storage, upload_to="%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)  # the file name the browser saves
    back_url = models.CharField(max_length=300, blank=True)  # the page the job was asked for on
    error = models.TextField(blank=True)  # shown to the user, in Vietnamese
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def expired(self) -> bool:
        """Done, and its file deleted after settings.JOBS_KEEP_DAYS (jobs.services.purge_expired_files)."""
        return self.state == self.State.DONE and not self.result
