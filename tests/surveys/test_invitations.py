"""Creating invitations: one per current respondent, with the current questionnaire of their group."""

from django.utils import timezone

from respondents.models import RespondentGroup
from surveys.models import Invitation
from surveys.services.invitations import create_invitations, opt_out_url, survey_url
from tests.factories import QuestionnaireFactory, RespondentFactory
from tests.surveys import sending_setup
from tests.surveys.sending_setup import people

site_url, survey = sending_setup.site_url, sending_setup.survey  # fixtures


def test_every_current_respondent_gets_one_invitation_with_the_questionnaire_of_their_group(survey, units):
    leaders = people(survey, units, 3)
    hdnd = RespondentGroup.objects.get(code="hdnd")
    delegate = RespondentFactory(campaign=survey, unit=units["HDND"], group=hdnd)
    report = create_invitations(campaign=survey)
    assert report.created == 4 and report.missing_groups == {}
    by_person = {i.respondent_id: i.questionnaire.code for i in Invitation.objects.filter(campaign=survey)}
    assert by_person == {**{p.pk: "lanh-dao" for p in leaders}, delegate.pk: "hdnd"}


def test_running_it_again_creates_nothing(survey, units):
    people(survey, units, 2)
    create_invitations(campaign=survey)
    assert create_invitations(campaign=survey).created == 0
    assert Invitation.objects.filter(campaign=survey).count() == 2


def test_a_respondent_added_later_is_invited_on_the_next_run(survey, units):
    people(survey, units, 2)
    create_invitations(campaign=survey)
    late = RespondentFactory(campaign=survey, unit=units["STC"])
    assert create_invitations(campaign=survey).created == 1
    assert Invitation.objects.filter(respondent=late).exists()


def test_retired_respondents_are_not_invited(survey, units):
    RespondentFactory(campaign=survey, unit=units["STP"], retired_at=timezone.now())
    assert create_invitations(campaign=survey).created == 0


def test_groups_without_a_questionnaire_are_reported_and_not_invited(survey, units):
    district = RespondentGroup.objects.get(code="district_leader")
    RespondentFactory(campaign=survey, unit=units["BATXAT"], group=district)
    RespondentFactory(campaign=survey, unit=units["SAPA"], group=district)
    people(survey, units, 1)
    report = create_invitations(campaign=survey)
    assert report.created == 1
    assert report.missing_groups == {"district_leader": 2} and report.missing == 2


def test_only_the_current_version_of_a_questionnaire_is_used(survey, units):
    old = QuestionnaireFactory(campaign=survey, code="quan-ly", version=1, is_current=False)
    new = QuestionnaireFactory(campaign=survey, code="quan-ly", version=2)
    district = RespondentGroup.objects.filter(code="district_leader")
    old.groups.set(district)
    new.groups.set(district)
    person = RespondentFactory(campaign=survey, unit=units["SAPA"], group=district.get())
    create_invitations(campaign=survey)
    assert Invitation.objects.get(respondent=person).questionnaire == new


def test_links_are_absolute_short_and_built_on_site_url(site_url):
    token = "A" * 24
    assert survey_url(token) == f"{site_url}/s/{token}/"
    assert opt_out_url(token) == f"{site_url}/s/{token}/no-reminders/"
    assert len(survey_url(token)) < 78
