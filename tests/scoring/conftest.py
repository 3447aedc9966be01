"""Scoring fixtures: the shipped 876 tree, the lead departments, scorers, a council member, an assessment."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from respondents.models import Unit
from scoring.models import ScoringRole
from scoring.services.scoring import open_assessment
from scoring.services.trees import load_criteria_tree
from tests.factories import MembershipFactory, UnitFactory, UserFactory

TREE_876 = Path(__file__).resolve().parents[2] / "scoring" / "trees" / "par-province-876.yaml"


@pytest.fixture
def tree876(db):
    return load_criteria_tree(path=TREE_876).tree


@pytest.fixture
def lead_units(province, units):
    extra = [
        ("VPUBND", "Văn phòng UBND tỉnh"),
        ("STTTT", "Sở Thông tin và Truyền thông"),
        ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ]
    found = dict(units)
    for code, name in extra:
        found[code] = UnitFactory(province=province, code=code, name=name, kind=Unit.Kind.DEPARTMENT)
    return found


def _scorer(province, unit, username):
    user = UserFactory(username=username)
    ScoringRole.objects.create(user=user, role=ScoringRole.Role.SCORER, province=province, unit=unit)
    return user


@pytest.fixture
def scorer_stp(province, lead_units):
    return _scorer(province, lead_units["STP"], "scorer-stp")


@pytest.fixture
def scorer_vpubnd(province, lead_units):
    return _scorer(province, lead_units["VPUBND"], "scorer-vpubnd")


@pytest.fixture
def scorer_skhdt(province, lead_units):
    return _scorer(province, lead_units["SKHDT"], "scorer-skhdt")


@pytest.fixture
def council(province):
    user = UserFactory(username="council")
    ScoringRole.objects.create(user=user, role=ScoringRole.Role.COUNCIL, province=province)
    return user


@pytest.fixture
def focal_sapa(province, units):
    user = UserFactory(username="focal-sapa")
    MembershipFactory(user=user, province=province, role="focal_point", unit=units["SAPA"])
    return user


@pytest.fixture
def assessment(campaign, tree876, lead_units):
    """The province's 876 assessment of 2023, with the calendar of docs/methodology.md §10."""
    return open_assessment(campaign=campaign, tree=tree876)


@pytest.fixture
def open_now(campaign, tree876, lead_units):
    """An assessment whose self-assessment and appraisal are both open today (for the pages)."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    return open_assessment(
        campaign=campaign,
        tree=tree876,
        self_opens=today - day,
        self_closes=today + day,
        appraisal_opens=today - day,
        appraisal_closes=today + day,
    )
