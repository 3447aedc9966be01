"""Kinds of job: an app registers each with the function that does the work and who may see the result.

`fn(*, job_params, progress)` gets the job's params (JSON) and a callable `progress(percent, message)`;
it returns a JobOutput (file name and bytes) or raises JobError with a message for the user (Vietnamese).
Any other exception is a bug or an outage: the job fails with a generic message, the traceback is logged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class JobOutput:
    filename: str
    content: bytes


class JobError(Exception):
    """A failure the user can understand (or fix): its text is shown on the job's page."""


class Progress(Protocol):
    def __call__(self, percent: int, message: str = "") -> None: ...


@dataclass(frozen=True)
class JobKind:
    name: str
    fn: Callable[..., JobOutput]
    # May this user still see (and download) a job of this kind for this campaign? The owner must pass it too
    # (a role taken away takes the file with it); `oversees` lets a coordinator see other people's jobs.
    may_see: Callable[[Any, int | None], bool]
    oversees: Callable[[Any, int | None], bool] = lambda user, campaign_id: False
    title: str = ""


_KINDS: dict[str, JobKind] = {}


def register(
    name: str,
    fn: Callable[..., JobOutput],
    *,
    may_see: Callable[[Any, int | None], bool],
    oversees: Callable[[Any, int | None], bool] | None = None,
    title: str = "",
) -> JobKind:
    kind = JobKind(name, fn, may_see, oversees or (lambda user, campaign_id: False), title)
    _KINDS[name] = kind
    return kind


def kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no job kind {name!r} is registered") from None


def registered() -> list[str]:
    return sorted(_KINDS)
