"""Who may open the entry pages: enumerators and clerks their own assignments, supervisors and
coordinators the mismatch list; everyone else is refused."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import UserFactory


def client_for(client, user):
    client.force_login(user)
    return client


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, field):
    answer = client.get(reverse("field-entry-page", args=[field["assignments"]["a"].pk]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["field-entry", "field-verify"])
def test_a_user_without_a_field_role_is_refused(client, field, coordinator, name):
    assert client_for(client, coordinator).get(reverse(name)).status_code == 403
    assert client_for(client, UserFactory(username="nobody")).get(reverse(name)).status_code == 403


def test_an_enumerator_sees_its_own_and_its_teams_assignments_only(client, field):
    page = client_for(client, field["users"]["a"]).get(reverse("field-entry")).content.decode()
    assignments = field["assignments"]
    assert reverse("field-entry-page", args=[assignments["a"].pk]) in page
    assert reverse("field-entry-page", args=[assignments["team1"].pk]) in page
    assert reverse("field-entry-page", args=[assignments["c"].pk]) not in page


def test_an_enumerator_may_not_open_another_enumerators_or_another_teams_assignment(client, field):
    assignments = field["assignments"]
    b = client_for(client, field["users"]["b"])
    assert b.get(reverse("field-entry-page", args=[assignments["a"].pk])).status_code == 403  # a's own
    assert b.get(reverse("field-entry-page", args=[assignments["c"].pk])).status_code == 403  # team 2
    assert b.get(reverse("field-verify-page", args=[assignments["c"].pk])).status_code == 403
    assert b.get(reverse("field-entry-page", args=[assignments["team1"].pk])).status_code == 200
    assert b.get(reverse("field-entry-page", args=[999_999])).status_code == 404


def test_a_supervisor_does_not_key_in_forms(client, field):
    sup = client_for(client, field["users"]["sup1"])
    assert sup.get(reverse("field-entry")).status_code == 403
    assert sup.get(reverse("field-entry-page", args=[field["assignments"]["team1"].pk])).status_code == 403


def test_the_entry_page_lays_out_the_questionnaire_and_the_assignments_areas(client, field, commune):
    page = client_for(client, field["users"]["a"]).get(
        reverse("field-entry-page", args=[field["assignments"]["a"].pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    for code in ("q1", "q2", "q3", "q4", "q5"):
        assert f'id="q-{code}"' in html
    rule = re.search(r'id="q-q2"[^>]*data-show-if="([^"]+)"', html).group(1)
    assert json.loads(unescape(rule)) == {"question": "q1", "equals": "yes"}
    # The area list: the assignment's district first (selected), then its communes.
    areas = page.context["areas"]
    assert [unit.code for unit in areas] == ["BATXAT", commune.code]
    assert 'data-send-url="/api/v1/field/responses/"' in html
    assert 'data-batch-url="/api/v1/field/responses/batch/"' in html
    assert 'id="entry-definition"' in html and 'id="entry-messages"' in html


def test_the_double_entry_page_posts_to_the_verifications_endpoint(client, field):
    page = client_for(client, field["users"]["clerk"]).get(
        reverse("field-verify-page", args=[field["assignments"]["team1"].pk]) + "?form=BX-9"
    )
    html = page.content.decode()
    assert 'data-kind="verification"' in html
    assert 'data-send-url="/api/v1/field/verifications/"' in html
    assert 'value="BX-9"' in html


@pytest.mark.parametrize("user", ["a", "clerk"])
def test_enumerators_and_clerks_may_not_see_or_resolve_mismatches(client, field, user):
    c = client_for(client, field["users"][user])
    assert c.get(reverse("field-mismatches")).status_code == 403
    assert c.post(reverse("field-mismatch-resolve", args=[1]), {"keep": "first"}).status_code == 403


@pytest.mark.parametrize("user", ["sup1", "sup2"])
def test_supervisors_see_the_mismatch_list(client, field, user):
    assert client_for(client, field["users"][user]).get(reverse("field-mismatches")).status_code == 200


def test_a_coordinator_sees_the_mismatch_list(client, field, coordinator):
    assert client_for(client, coordinator).get(reverse("field-mismatches")).status_code == 200
