"""Who may see a job: its owner while they still may ask for its kind, or whoever oversees its campaign."""

from django.contrib.auth.models import AnonymousUser, User

from .models import Job
from .registry import kind


def may_see_job(user: User | AnonymousUser, job: Job) -> bool:
    if not user.is_authenticated:
        return False
    job_kind = kind(job.kind)
    if job.owner_id == user.pk and job_kind.may_see(user, job.campaign_id):
        return True
    return job_kind.oversees(user, job.campaign_id)
