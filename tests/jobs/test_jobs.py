"""Jobs (jobs/): the request is written first and handed over on commit: to a thread of the web process
without a broker, to a Celery worker with one (the PostgreSQL + Redis run); progress and the file on the
job's page; failures keep the request with a clear Vietnamese message and can be run again; only the owner
(or a coordinator of the campaign) sees a job."""

import io
import json
import threading

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jobs import registry, services
from jobs.models import Job
from tests.factories import MembershipFactory, UserFactory
from tests.faults.workers import wait_for
from tests.jobs.follow import started_job

FAILING = "tests.failing"


@pytest.fixture
def failing_kind():
    calls = []

    def fail(*, job_params, progress):
        calls.append(job_params)
        progress(40, "Đang làm")
        if job_params.get("bug"):
            raise RuntimeError("boom")
        raise registry.JobError("Tệp nguồn không đọc được.")

    registry.register(FAILING, fail, may_see=lambda user, campaign_id: True)
    yield calls


def join_threads():
    for thread in list(services.background_threads):
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in services.background_threads)


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_thread_makes_the_tracking_workbook_and_the_page_offers_it(
    client, campaign, coordinator, settings, monkeypatch
):
    if services.broker_configured():
        pytest.skip("the thread runner is the embedded set-up's (no CELERY_BROKER_URL)")
    client.force_login(coordinator)
    services.background_threads.clear()
    # The suite's SQLite database is shared-cache memory, where a second writer gets "table is locked" at
    # once instead of waiting as on the file database `make run` uses: the thread is held until the
    # request (and its session save) has finished, then started as the runner would.
    held: list[threading.Thread] = []
    real_thread = threading.Thread

    class HeldThread(real_thread):
        def start(self):
            held.append(self)

    monkeypatch.setattr(services.threading, "Thread", HeldThread)
    response = client.post(reverse("campaign-tracking-export", args=[campaign.slug]))
    monkeypatch.setattr(services.threading, "Thread", real_thread)
    job = started_job(response)
    (thread,) = services.background_threads
    assert held == [thread] and thread.name == f"job-{job.pk}"
    real_thread.start(thread)
    join_threads()
    status = json.loads(client.get(reverse("job-status", args=[job.pk])).content)
    assert status["state"] == "done" and status["progress"] == 100
    download = client.get(status["download_url"])
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames[0] == "Theo nhóm"
    job.refresh_from_db()
    assert job.result.path.startswith(str(settings.JOBS_ROOT))


@pytest.mark.django_db
def test_a_failed_job_keeps_the_request_shows_why_and_runs_again(client, coordinator, failing_kind):
    job = services.start_job(kind_name=FAILING, owner=coordinator, params={"n": 1})
    job = services.run_job(job.pk)
    assert job.state == Job.State.FAILED and job.error == "Tệp nguồn không đọc được."
    client.force_login(coordinator)
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "Tệp nguồn không đọc được." in page and reverse("job-restart", args=[job.pk]) in page
    assert client.post(reverse("job-restart", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.error == "" and job.params == {"n": 1}
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 404  # no file yet


@pytest.mark.django_db
def test_a_bug_fails_the_job_with_a_general_message_and_its_number(coordinator, failing_kind):
    job = services.run_job(services.start_job(kind_name=FAILING, owner=coordinator, params={"bug": 1}).pk)
    assert job.state == Job.State.FAILED
    assert "lỗi hệ thống" in job.error and f"công việc số {job.pk}" in job.error and "boom" not in job.error
    assert services.run_job(job.pk).state == Job.State.FAILED and len(failing_kind) == 1  # finished: left


@pytest.mark.django_db
def test_only_the_owner_or_a_coordinator_of_the_campaign_sees_a_job(client, campaign, coordinator, province):
    analyst, other = UserFactory(username="analyst"), UserFactory(username="analyst-2")
    for user in (analyst, other):
        MembershipFactory(user=user, province=province, role="analyst")
    client.force_login(analyst)
    job = started_job(client.post(reverse("campaign-tracking-export", args=[campaign.slug])))
    services.run_job(job.pk)
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 200
    client.force_login(other)
    for name in ("job", "job-status", "job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    client.force_login(coordinator)
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_a_celery_worker_runs_the_job(client, campaign, coordinator, celery_workers, settings):
    settings.JOBS_CELERY_QUEUE = celery_workers.queue
    celery_workers.start()
    client.force_login(coordinator)
    job = started_job(client.post(reverse("campaign-tracking-export", args=[campaign.slug])))
    assert not services.background_threads or all(
        t.name != f"job-{job.pk}" for t in services.background_threads
    )

    def finished():
        job.refresh_from_db()
        return job.finished

    wait_for(finished, timeout=60, what="the worker to finish the job")
    assert job.state == Job.State.DONE, job.error
    download = client.get(reverse("job-download", args=[job.pk]))
    assert load_workbook(io.BytesIO(b"".join(download.streaming_content))).sheetnames[-1] == "Chưa trả lời"
