"""Starting and running jobs: a Celery task with a broker configured, a thread of the web process otherwise.

start_job() writes the request as a row first, then hands it to the runner once the transaction commits, so
a request is never lost: if the runner never gets it (the process stopped), the row is still there, queued,
and its page offers to start it again. run_job() is what both runners call; it takes the row, runs the
kind's function, and stores the file or a message for the user. docs/decisions.md D325.
"""

import datetime
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.utils import timezone

from .models import Job
from .registry import JobError, kind

logger = logging.getLogger(__name__)

# Shown when a job failed for a reason that is not the user's (a bug, an outage): Vietnamese whatever the UI
# language, like every message stored with the row; the number lets an administrator find the log entry.
SYSTEM_ERROR = (
    "Không tạo được tệp do lỗi hệ thống (công việc số {pk}). Yêu cầu vẫn được lưu: bấm «Chạy lại» để thử "
    "lại; nếu lỗi lặp lại, hãy báo quản trị viên kèm số công việc."
)

background_threads: list[threading.Thread] = []  # started by run_in_thread, finished ones pruned


def broker_configured() -> bool:
    from .tasks import run_job_task

    return not run_job_task.app.conf.task_always_eager


def start_job(
    *,
    kind_name: str,
    owner: User,
    params: dict[str, Any],
    campaign_id: int | None = None,
    campaign_slug: str = "",
    campaign_name: str = "",
    back_url: str = "",
) -> Job:
    """Records the job and hands it to the runner once the caller's transaction commits."""
    kind(kind_name)  # an unknown kind is a bug: fail before writing anything
    job = Job.objects.create(
        kind=kind_name,
        owner=owner,
        params=params,
        campaign_id=campaign_id,
        campaign_slug=campaign_slug,
        campaign_name=campaign_name[:200],
        back_url=back_url,
    )
    transaction.on_commit(lambda: dispatch(job.pk))
    transaction.on_commit(_purge_quietly)  # housekeeping on each new job; `manage.py purge_jobs` too
    return job


def _purge_quietly() -> None:
    try:
        purge_expired_files()
    except Exception:  # housekeeping never costs the user the job they asked for
        logger.exception("Expired job files could not be deleted")


def restart_job(*, job: Job) -> Job:
    """Runs a failed (or forgotten) job again with the same params: the request is kept, the error cleared."""
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.QUEUED, progress=0, message="", error="", started_at=None, finished_at=None
    )
    transaction.on_commit(lambda: dispatch(job.pk))
    job.refresh_from_db()
    return job


def dispatch(job_id: int) -> None:
    if broker_configured():
        from .tasks import run_job_task

        run_job_task.apply_async((job_id,), queue=settings.JOBS_CELERY_QUEUE)
    else:
        run_in_thread(job_id)


def run_in_thread(job_id: int) -> threading.Thread:
    background_threads[:] = [t for t in background_threads if t.is_alive()]
    thread = threading.Thread(target=_run_then_close, args=(job_id,), name=f"job-{job_id}", daemon=True)
    thread.start()
    background_threads.append(thread)
    return thread


def _run_then_close(job_id: int) -> None:
    try:
        run_job(job_id)
    except Exception:
        logger.exception("Job %s could not be run", job_id)
    finally:
        connections.close_all()  # this thread's connections only


def _set_progress(job_id: int, percent: int, message: str = "") -> None:
    percent = max(0, min(99, int(percent)))  # 100 only once the file is stored
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(progress=percent, message=message[:200])


def run_job(job_id: int) -> Job:
    """Runs one queued job to its end (done or failed). A job already finished is left as it is; a job found
    running is one whose worker died (Celery delivers it again, acks_late) and is run again from the start."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return job
        job.state, job.started_at, job.progress, job.error = Job.State.RUNNING, timezone.now(), 0, ""
        job.save(update_fields=["state", "started_at", "progress", "error"])
    try:
        output = kind(job.kind).fn(
            job_params=job.params,
            progress=lambda percent, message="": _set_progress(job.pk, percent, message),
        )
    except JobError as error:
        return _fail(job, str(error))
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        return _fail(job, SYSTEM_ERROR.format(pk=job.pk))
    job.refresh_from_db()
    job.result.save(output.filename, ContentFile(output.content), save=False)
    job.result_name = output.filename
    job.state, job.progress, job.message, job.finished_at = Job.State.DONE, 100, "", timezone.now()
    job.save(update_fields=["result", "result_name", "state", "progress", "message", "finished_at"])
    return job


def _fail(job: Job, error: str) -> Job:
    job.refresh_from_db()
    job.state, job.error, job.finished_at = Job.State.FAILED, error, timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job


@dataclass
class PurgeReport:
    deleted: list[int] = field(default_factory=list)  # the jobs whose file was deleted


def kept_until(job: Job) -> datetime.datetime | None:
    """When a done job's file will be deleted (None while it is not done)."""
    if job.state != Job.State.DONE or job.finished_at is None:
        return None
    return job.finished_at + datetime.timedelta(days=settings.JOBS_KEEP_DAYS)


def purge_expired_files(*, now: datetime.datetime | None = None, keep_days: int | None = None) -> PurgeReport:
    """Deletes the files of jobs done more than `keep_days` (settings.JOBS_KEEP_DAYS) ago; the rows stay, so
    their pages say the file was deleted and offer to make it again (docs/decisions.md D454)."""
    now = now or timezone.now()
    keep = settings.JOBS_KEEP_DAYS if keep_days is None else keep_days
    cutoff = now - datetime.timedelta(days=keep)
    report = PurgeReport()
    for job in Job.objects.filter(state=Job.State.DONE, finished_at__lt=cutoff).exclude(result=""):
        job.result.delete(save=False)  # the file first: a row without a file is what "expired" means
        Job.objects.filter(pk=job.pk).update(result="")
        report.deleted.append(job.pk)
    return report
