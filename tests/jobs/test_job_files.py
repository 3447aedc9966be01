"""A job's file is kept settings.JOBS_KEEP_DAYS after it was made, then deleted (by the next job, or by
`manage.py purge_jobs`); its page then says so and offers to make it again. "My files" lists the user's own
jobs, and the site menu links to it once they have one."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jobs import registry, services
from jobs.models import Job
from tests.factories import UserFactory

MAKES_A_FILE = "tests.makes-a-file"


@pytest.fixture
def file_kind():
    def make(*, job_params, progress):
        return registry.JobOutput(f"tep-{job_params['n']}.txt", f"nội dung {job_params['n']}".encode())

    registry.register(MAKES_A_FILE, make, may_see=lambda user, campaign_id: True, title="Tệp thử")
    yield


def done_job(owner, n: int, *, days_ago: float) -> Job:
    job = services.run_job(services.start_job(kind_name=MAKES_A_FILE, owner=owner, params={"n": n}).pk)
    assert job.state == Job.State.DONE
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=days_ago))
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_files_older_than_the_keeping_time_are_deleted_and_their_page_offers_to_make_them_again(
    client, settings, file_kind
):
    settings.JOBS_KEEP_DAYS = 7
    owner = UserFactory(username="analyst")
    old, recent = done_job(owner, 1, days_ago=8), done_job(owner, 2, days_ago=6)
    old_file, recent_file = Path(old.result.path), Path(recent.result.path)
    assert old_file.exists() and recent_file.exists()

    out = StringIO()
    call_command("purge_jobs", stdout=out)
    assert "1 công việc" in out.getvalue()
    assert not old_file.exists() and recent_file.exists()
    old.refresh_from_db()
    assert old.expired and not old.result and old.result_name == "tep-1.txt"

    client.force_login(owner)
    assert client.get(reverse("job-download", args=[old.pk])).status_code == 404
    page = client.get(reverse("job", args=[old.pk])).content.decode()
    assert "Tệp đã bị xoá 7 ngày sau khi được tạo" in page and reverse("job-restart", args=[old.pk]) in page
    kept = (recent.finished_at + datetime.timedelta(days=7)).astimezone(timezone.get_current_timezone())
    recent_page = client.get(reverse("job", args=[recent.pk])).content.decode()
    assert f"Tệp được giữ đến {kept:%d/%m/%Y %H:%M}" in recent_page
    assert reverse("job-restart", args=[recent.pk]) not in recent_page

    assert client.post(reverse("job-restart", args=[old.pk])).status_code == 302
    again = services.run_job(old.pk)
    assert again.state == Job.State.DONE and not again.expired
    download = client.get(reverse("job-download", args=[old.pk]))
    assert b"".join(download.streaming_content) == "nội dung 1".encode()


@pytest.mark.django_db
def test_each_new_job_deletes_the_expired_files(
    settings, file_kind, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOBS_KEEP_DAYS = 2
    owner = UserFactory(username="analyst")
    old = done_job(owner, 1, days_ago=3)
    old_file = Path(old.result.path)
    assert old_file.exists()
    monkeypatch.setattr(services, "dispatch", lambda job_id: None)  # the new job itself is not run here
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.start_job(kind_name=MAKES_A_FILE, owner=owner, params={"n": 3})
    old.refresh_from_db()
    assert not old.expired  # nothing deleted before the new job's transaction commits
    for callback in callbacks:
        callback()
    old.refresh_from_db()
    assert old.expired and not old_file.exists()


@pytest.mark.django_db
def test_a_file_removed_from_the_disk_is_not_found_rather_than_an_error(client, file_kind):
    owner = UserFactory(username="analyst")
    job = done_job(owner, 1, days_ago=0)
    Path(job.result.path).unlink()
    client.force_login(owner)
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_my_files_lists_only_the_users_own_jobs_and_the_menu_links_to_it(client, file_kind):
    owner, other = UserFactory(username="analyst"), UserFactory(username="analyst-2")
    client.force_login(owner)
    menu_link = f'href="{reverse("my-jobs")}" aria-current="page"'
    empty = client.get(reverse("my-jobs")).content.decode()
    assert 'id="my-jobs-empty"' in empty and menu_link not in empty  # no job yet: not in the menu

    mine, theirs = done_job(owner, 1, days_ago=0), done_job(other, 2, days_ago=0)
    failed = Job.objects.create(kind=MAKES_A_FILE, owner=owner, state=Job.State.FAILED, error="x")
    page = client.get(reverse("my-jobs")).content.decode()
    assert menu_link in page
    assert f'data-job="{mine.pk}"' in page and f'data-job="{failed.pk}"' in page
    assert f'data-job="{theirs.pk}"' not in page
    assert reverse("job-download", args=[mine.pk]) in page and "tep-1.txt" in page
    assert reverse("job-download", args=[theirs.pk]) not in page
    assert page.index(f'data-job="{failed.pk}"') < page.index(f'data-job="{mine.pk}"')  # newest first
    assert "không tạo được" in page


@pytest.mark.django_db
def test_my_files_asks_the_rights_once_per_kind_and_campaign(client):
    asked = []

    def may_see(user, campaign_id):
        asked.append(campaign_id)
        return campaign_id != 2

    registry.register("tests.counted", lambda **kwargs: None, may_see=may_see)
    owner = UserFactory(username="analyst")
    for n in range(20):
        Job.objects.create(kind="tests.counted", owner=owner, campaign_id=1 + n % 2, state=Job.State.FAILED)
    client.force_login(owner)
    page = client.get(reverse("my-jobs")).content.decode()
    assert sorted(asked) == [1, 2]  # twenty jobs, two campaigns: two checks
    assert page.count("data-job=") == 10  # campaign 2's jobs are no longer the owner's to see
