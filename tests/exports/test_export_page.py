"""The campaign's export page: who may open it, what an analyst's download holds, the zip."""

import io
import zipfile

import pandas as pd

from audit.models import AuditEvent
from respondents.models import PersonalDataGrant
from tests.exports.conftest import ADDED, PLAN
from tests.factories import UserFactory
from tests.jobs.follow import follow_job

URL = "/campaigns/{}/exports/responses/"


def download(client, campaign, **fields):
    started = client.post(URL.format(campaign.slug), {"format": "csv", "labels": "codes", **fields})
    done = follow_job(client, started)  # a background job (D450), its page offering the zip
    assert done.headers["Content-Disposition"].startswith("attachment")
    bundle = zipfile.ZipFile(io.BytesIO(done.content))
    names = sorted(bundle.namelist())
    assert names == [f"phieu-tra-loi-{campaign.slug}.codebook.xlsx", f"phieu-tra-loi-{campaign.slug}.csv"]
    return pd.read_csv(bundle.open(names[1]), encoding="utf-8-sig")


def test_an_analyst_gets_a_pseudonymised_file_without_the_personal_box(client, sipas, analyst):
    campaign, _, _ = sipas
    client.force_login(analyst)
    page = client.get(URL.format(campaign.slug))
    assert page.status_code == 200 and 'name="personal"' not in page.content.decode()
    frame = download(client, campaign, personal="on")  # the box is not there: ignored
    assert len(frame) == len(PLAN) and ADDED not in frame.columns
    assert AuditEvent.objects.filter(action="export.pseudonymised", actor=analyst).count() == 1


def test_an_analyst_with_a_grant_may_tick_personal_data(client, sipas, analyst, coordinator):
    import datetime

    campaign, _, _ = sipas
    PersonalDataGrant.objects.create(
        campaign=campaign, analyst=analyst, granted_by=coordinator, valid_until=datetime.date(2100, 1, 1)
    )
    client.force_login(analyst)
    assert 'name="personal"' in client.get(URL.format(campaign.slug)).content.decode()
    frame = download(client, campaign, personal="on")
    assert ADDED in frame.columns
    assert AuditEvent.objects.filter(action="export.personal", actor=analyst).count() == 1


def test_a_coordinators_file_is_pseudonymised_unless_asked(client, sipas, coordinator):
    campaign, _, _ = sipas
    client.force_login(coordinator)
    assert ADDED not in download(client, campaign).columns
    assert ADDED in download(client, campaign, personal="on").columns


def test_others_may_not_open_the_page(client, sipas):
    campaign, _, _ = sipas
    client.force_login(UserFactory(username="someone"))
    assert client.get(URL.format(campaign.slug)).status_code == 403
    assert client.post(URL.format(campaign.slug), {"format": "csv"}).status_code == 403
