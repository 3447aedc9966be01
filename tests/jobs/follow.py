"""Following a job a page started to its file, in the test's own thread and transaction.

The runner hands a job over on commit (a thread or a Celery worker); in a test wrapped in a transaction that
never happens, so run_job() is called here, exactly what the thread and the task call. The thread and the
Celery worker themselves are tested in tests/jobs/test_jobs.py."""

from types import SimpleNamespace

from django.urls import resolve

from jobs.models import Job
from jobs.services import run_job


def started_job(response) -> Job:
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.url_name == "job", response["Location"]
    return Job.objects.get(pk=match.kwargs["pk"])


def follow_job(client, response) -> SimpleNamespace:
    """The file of the job `response` (a POST that started one) redirected to: runs it, checks its page
    offers the download, and returns the download's `content` (bytes) and `headers`."""
    job = started_job(response)
    assert job.state == Job.State.QUEUED
    job = run_job(job.pk)
    assert job.state == Job.State.DONE, job.error
    page = client.get(response["Location"])
    assert page.status_code == 200
    download = page.context["status"]["download_url"]
    assert download
    answer = client.get(download)
    assert answer.status_code == 200
    return SimpleNamespace(content=b"".join(answer.streaming_content), headers=answer.headers)
