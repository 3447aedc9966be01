"""The Celery task that runs a job on a worker (with CELERY_BROKER_URL); jobs.services decides who runs it."""

from celery import shared_task


@shared_task(acks_late=True)
def run_job_task(job_id: int) -> str:
    from .services import run_job

    return run_job(job_id).state
