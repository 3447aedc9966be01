"""Who may see a job: its owner while they still may ask for its kind, or whoever oversees its campaign; a
user's own jobs."""

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


def jobs_of(user: User | AnonymousUser, *, limit: int = 100) -> list[Job]:
    """The user's own jobs they may still see, newest first (at most `limit`)."""
    if not user.is_authenticated:
        return []
    own = list(Job.objects.filter(owner=user).order_by("-created_at", "-pk")[:limit])
    # The rights are asked once per (kind, campaign), not once per job: a hundred jobs of one campaign
    # cost one check.
    allowed: dict[tuple[str, int | None], bool] = {}
    for job in own:
        key = (job.kind, job.campaign_id)
        if key not in allowed:
            allowed[key] = may_see_job(user, job)
    return [job for job in own if allowed[(job.kind, job.campaign_id)]]


def has_jobs(user: User | AnonymousUser) -> bool:
    """Whether the user ever asked for a job (the "My files" link)."""
    return user.is_authenticated and Job.objects.filter(owner=user).exists()
