"""Privacy fixtures: an analyst of the province and a campaign whose tracking has small and large rows.

Invited (all in the 2023 campaign): HDND 5 council delegates (2 submitted); STP 6 department leaders
(3 submitted) and 2 division leaders (none); SNV 3 department leaders (1 submitted). So by unit SNV (3) is
small, by group division_leader (2) is small; HDND 5, STP 8, dept_leader 9 and hdnd 5 are shown.
"""

import datetime

import pytest

from respondents.models import RespondentGroup
from surveys.models import Response
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    QuestionnaireFactory,
    RespondentFactory,
    UserFactory,
)

SUBMITTED = datetime.datetime(2023, 12, 5, 3, 0, tzinfo=datetime.UTC)
# unit, group, how many, how many submitted
PLAN = [
    ("HDND", "hdnd", 5, 2),
    ("STP", "dept_leader", 6, 3),
    ("STP", "division_leader", 2, 0),
    ("SNV", "dept_leader", 3, 1),
]


@pytest.fixture
def analyst(province):
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, province=province, role="analyst")
    return user


@pytest.fixture
def tracked(campaign, units):
    """The people of PLAN, invited; returns them by unit code (list of Respondent)."""
    questionnaire = QuestionnaireFactory(campaign=campaign)
    groups = {g.code: g for g in RespondentGroup.objects.all()}
    people: dict[str, list] = {}
    n = 0
    for unit, group, count, submitted in PLAN:
        for i in range(count):
            n += 1
            person = RespondentFactory(
                campaign=campaign,
                unit=units[unit],
                group=groups[group],
                full_name=f"Trần Thị Bí Mật {n}",
                position="Phó Giám đốc",
                email=f"bimat{n}@laocai.gov.vn",
                phone=f"+849120000{n:02d}",
            )
            done = SUBMITTED if i < submitted else None
            invitation = InvitationFactory(respondent=person, questionnaire=questionnaire, submitted_at=done)
            if done:
                Response.objects.create(
                    campaign=campaign,
                    questionnaire=questionnaire,
                    invitation=invitation,
                    status=Response.Status.SUBMITTED,
                    submitted_at=done,
                )
            people.setdefault(unit, []).append(person)
    return people
