"""manage.py survey_link RESPONDENT: a fresh personal link that opens, recorded in the audit log."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from audit.models import AuditEvent
from tests.factories import RespondentFactory
from tests.surveys.respondent_setup import make_link, make_questionnaire

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("survey_link", *args, stdout=out)
    return out.getvalue().splitlines()


@override_settings(SITE_URL="http://192.0.2.7:9000")
def test_a_link_is_issued_by_email_id_or_phone_and_opens_the_questionnaire(client, campaign, units):
    invitation, _token = make_link(campaign, units["STP"], full_name="Trần Thị Hoa")
    respondent = invitation.respondent
    for key in (respondent.email.upper(), str(respondent.pk), "0" + respondent.phone.removeprefix("+84")):
        who, url = run(key)
        assert who.startswith("Trần Thị Hoa · Sở Tư pháp")
        assert url.startswith("http://192.0.2.7:9000/s/")
        response = client.get(url.removeprefix("http://192.0.2.7:9000"))
        assert response.status_code == 200 and 'id="survey"' in response.content.decode()
    events = AuditEvent.objects.filter(action=AuditEvent.Action.LINK_ISSUED)
    assert events.count() == 3 and events.first().detail == {"respondent": respondent.pk}


def test_a_respondent_not_yet_invited_is_invited_first(client, campaign, units):
    respondent = RespondentFactory(campaign=campaign, unit=units["SNV"])
    make_questionnaire(campaign).groups.add(respondent.group)
    _who, url = run(respondent.email)
    assert client.get(url.split("8000", 1)[-1]).status_code == 200
    assert respondent.invitation.questionnaire.campaign == campaign


def test_an_unknown_respondent_is_a_clear_error(campaign):
    with pytest.raises(CommandError, match=r"no current respondent 'khong-co@x\.vn'"):
        run("khong-co@x.vn")
