"""A job's page (progress, then the download link), the JSON it polls, the file, and "run again"."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Job
from .registry import kind
from .selectors import jobs_of, may_see_job
from .services import kept_until, restart_job

# A job queued or running longer than this was most likely lost with its process: offer to run it again.
STALE_AFTER = timedelta(minutes=15)


def _job(request, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if not may_see_job(request.user, job):
        raise Http404  # not the caller's: as if it did not exist
    return job


def _may_restart(job: Job) -> bool:
    return (
        job.state == Job.State.FAILED
        or job.expired
        or (not job.finished and timezone.now() - job.created_at > STALE_AFTER)
    )


def _status(job: Job) -> dict:
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "download_url": reverse("job-download", args=[job.pk]) if job.state == "done" and job.result else "",
        "expired": job.expired,
    }


@login_required
def job_page(request, pk):
    job = _job(request, pk)
    context = {
        "job": job,
        "title": kind(job.kind).title,
        "status": _status(job),
        "may_restart": _may_restart(job) and job.owner_id == request.user.pk,
        "kept_until": kept_until(job),
        "keep_days": settings.JOBS_KEEP_DAYS,
    }
    return render(request, "jobs/job.html", context)


@login_required
def my_jobs(request):
    """The caller's own jobs, newest first: where "you may leave this page" leads back to."""
    rows = [
        {"job": job, "title": kind(job.kind).title, "status": _status(job), "kept_until": kept_until(job)}
        for job in jobs_of(request.user)
    ]
    return render(request, "jobs/list.html", {"rows": rows, "keep_days": settings.JOBS_KEEP_DAYS})


@login_required
def job_status(request, pk):
    return JsonResponse(_status(_job(request, pk)))


@login_required
def job_download(request, pk):
    job = _job(request, pk)
    if job.state != Job.State.DONE or not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:  # removed from the disk by hand: as if expired
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def job_restart(request, pk):
    job = _job(request, pk)
    if job.owner_id != request.user.pk or not _may_restart(job):
        raise Http404
    restart_job(job=job)
    return redirect("job", pk=job.pk)
