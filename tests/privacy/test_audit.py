"""The audit log: one event, with its actor and detail, per import, score, indicator entry, appraisal,
export of personal data and grant; the page (coordinators and superusers only) and the command."""

import datetime
import io
import json
import os

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import record
from respondents.services.exporting import export_respondents
from respondents.services.importing import import_list
from respondents.services.privacy import grant_personal_data, revoke_personal_data
from scoring.models import Criterion
from scoring.services.scoring import appraise_score, save_self_score
from tests.factories import CampaignFactory, MembershipFactory, ProvinceFactory, UserFactory
from tests.jobs.follow import follow_job
from tests.scoring.conftest import (  # noqa: F401  (fixtures)
    assessment,
    council,
    lead_units,
    scorer_skhdt,
    scorer_stp,
    tree876,
)
from tests.workbooks import STANDARD_HEADER, person, write_xlsx

pytestmark = pytest.mark.django_db
IN_WINDOW = datetime.date(2023, 12, 10)
APPRAISAL_DAY = datetime.date(2024, 1, 10)
FUTURE = datetime.date.today() + datetime.timedelta(days=30)


def _item(scored, code):
    return Criterion.objects.get(tree=scored.tree, code=code)


def _only(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def test_a_units_import_writes_one_event_naming_who_and_what_changed(campaign, units, focal_stp, tmp_path):
    first = write_xlsx(tmp_path / "stp.xlsx", {"DS": [STANDARD_HEADER, person(1), person(2), person(3)]})
    import_list(campaign=campaign, path=first, unit=units["STP"], user=focal_stp, source="web")
    event = _only("respondents.imported")
    assert (event.actor, event.actor_name, event.campaign_slug) == (focal_stp, "focal-stp", "par-2023")
    assert event.province_id == campaign.province_id and event.object_type == "respondents.importbatch"
    assert event.detail == {
        "file": "stp.xlsx",
        "unit": "STP",
        "source": "web",
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "retired": 0,
    }
    second = write_xlsx(
        tmp_path / "stp2.xlsx", {"DS": [STANDARD_HEADER, person(1), person(2, position="GĐ")]}
    )
    import_list(campaign=campaign, path=second, unit=units["STP"], user=focal_stp, source="web")
    latest = AuditEvent.objects.filter(action="respondents.imported").first()
    assert (latest.detail["updated"], latest.detail["unchanged"], latest.detail["retired"]) == (1, 1, 1)


def test_a_dry_run_or_a_rejected_file_changes_nothing_and_logs_nothing(campaign, units, focal_stp, tmp_path):
    path = write_xlsx(tmp_path / "stp.xlsx", {"DS": [STANDARD_HEADER, person(1)]})
    import_list(campaign=campaign, path=path, unit=units["STP"], user=focal_stp, dry_run=True)
    bad = write_xlsx(tmp_path / "bad.xlsx", {"DS": [STANDARD_HEADER, person(1)[:5]]})
    import_list(campaign=campaign, path=bad, unit=units["STP"], user=focal_stp)
    assert not AuditEvent.objects.exists()


def test_a_self_score_change_writes_one_event_with_before_and_after(assessment, scorer_stp):  # noqa: F811
    item = _item(assessment, "2.1.1")
    kwargs = {"assessment": assessment, "criterion": item, "user": scorer_stp, "today": IN_WINDOW}
    save_self_score(points="1,25", explanation="Ban hành", **kwargs)
    save_self_score(points="1.25", explanation="Ban hành", **kwargs)  # unchanged: no event
    save_self_score(points="1.5", explanation="Bổ sung", **kwargs)
    events = list(AuditEvent.objects.filter(action="score.self").order_by("pk"))
    assert [(e.actor, e.detail["item"], e.detail["before"], e.detail["points"]) for e in events] == [
        (scorer_stp, "2.1.1", None, "1.25"),
        (scorer_stp, "2.1.1", "1.25", "1.5"),
    ]
    assert events[0].campaign_slug == assessment.campaign.slug and events[0].object_type == "scoring.score"


def test_an_indicator_entry_is_logged_with_its_figures(assessment, scorer_skhdt):  # noqa: F811
    save_self_score(
        assessment=assessment,
        criterion=_item(assessment, "8.5.2"),
        user=scorer_skhdt,
        figures={"achieved": "23", "target": "24"},
        today=IN_WINDOW,
    )
    event = _only("score.indicator")
    assert event.actor == scorer_skhdt and event.detail["item"] == "8.5.2"
    assert event.detail["figures"] == {"achieved": "23", "target": "24"}


def test_an_appraisal_writes_one_event_with_the_reason(assessment, scorer_stp, council):  # noqa: F811
    item = _item(assessment, "2.1.1")
    save_self_score(assessment=assessment, criterion=item, user=scorer_stp, points="1.5", today=IN_WINDOW)
    appraise_score(
        assessment=assessment, criterion=item, user=council, points="1", reason="Thiếu", today=APPRAISAL_DAY
    )
    event = _only("score.appraisal")
    assert event.actor == council
    assert {k: event.detail[k] for k in ("item", "before", "points", "self_points", "reason")} == {
        "item": "2.1.1",
        "before": None,
        "points": "1",
        "self_points": "1.5",
        "reason": "Thiếu",
    }


def test_the_ministry_list_export_is_logged_as_personal_data(client, campaign, coordinator, tmp_path):
    client.force_login(coordinator)
    assert client.get(reverse("campaign-export", args=[campaign.slug])).status_code == 200
    event = _only("export.personal")
    assert event.actor == coordinator and event.detail == {
        "export": "respondent_list",
        "rows": 0,
        "source": "web",
    }
    export_respondents(campaign=campaign, path=tmp_path / "x.xlsx")
    assert (
        AuditEvent.objects.filter(action="export.personal", actor=None, detail__source="command").count() == 1
    )


def test_the_tracking_export_is_logged_personal_for_coordinators_and_pseudonymised_for_analysts(
    client, campaign, coordinator, province
):
    analyst = UserFactory(username="analyst")
    MembershipFactory(user=analyst, province=province, role="analyst")
    for user in (coordinator, analyst):
        client.force_login(user)
        follow_job(client, client.post(reverse("campaign-tracking-export", args=[campaign.slug])))
    assert _only("export.personal").actor == coordinator
    assert _only("export.pseudonymised").detail == {
        "export": "tracking",
        "personal": False,
        "suppressed": True,
    }


def test_grant_and_revoke_are_logged(campaign, coordinator, province):
    analyst = UserFactory(username="analyst")
    MembershipFactory(user=analyst, province=province, role="analyst")
    grant_personal_data(campaign=campaign, analyst=analyst, by=coordinator, valid_until=FUTURE, reason="R")
    revoke_personal_data(campaign=campaign, analyst=analyst, by=coordinator)
    granted, revoked = _only("access.granted"), _only("access.revoked")
    assert granted.actor == coordinator and granted.detail["analyst"] == "analyst"
    assert granted.detail["valid_until"] == FUTURE.isoformat()
    assert revoked.actor == coordinator and revoked.object_id == granted.object_id


def test_logins_and_failed_logins_are_logged_with_the_address(client, coordinator):
    coordinator.set_password("Mật-khẩu-đúng-1")
    coordinator.save()
    client.post(reverse("login"), {"username": "coordinator", "password": "sai"}, REMOTE_ADDR="10.0.0.7")
    client.post(
        reverse("login"), {"username": "coordinator", "password": "Mật-khẩu-đúng-1"}, REMOTE_ADDR="10.0.0.7"
    )
    failed, login = _only("auth.login_failed"), _only("auth.login")
    assert (failed.actor, failed.actor_name, failed.ip) == (None, "coordinator", "10.0.0.7")
    assert (login.actor, login.ip) == (coordinator, "10.0.0.7")


def test_events_cannot_be_changed_or_deleted(coordinator):
    event = record(actor=coordinator, action="export.personal")
    event.detail = {"forged": True}
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    admin = site._registry[AuditEvent]
    assert not admin.has_change_permission(request, event) and not admin.has_delete_permission(request, event)
    assert not admin.has_add_permission(request)


# --- the page and the command --------------------------------------------------------------------------


@pytest.fixture
def events(campaign, coordinator, focal_stp):
    other = CampaignFactory(province=ProvinceFactory(code="yb", name="Yên Bái"), slug="yb-2023")
    record(actor=focal_stp, action="respondents.imported", campaign=campaign, detail={"added": 3})
    record(
        actor=coordinator, action="export.personal", campaign=campaign, detail={"export": "respondent_list"}
    )
    record(actor=None, actor_name="someone", action="export.personal", campaign=other)
    return other


def test_the_coordinator_sees_the_provinces_events_and_filters_them(client, coordinator, events):
    client.force_login(coordinator)
    html = client.get(reverse("audit-log")).content.decode()
    assert html.count("<tr data-action=") == 2 and "yb-2023" not in html
    filtered = client.get(reverse("audit-log"), {"action": "respondents.imported", "campaign": "par-2023"})
    assert filtered.content.decode().count("<tr data-action=") == 1
    by_actor = client.get(reverse("audit-log"), {"actor": "coordinator"}).content.decode()
    assert by_actor.count('data-action="export.personal"') == 1
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert (
        client.get(reverse("audit-log"), {"since": tomorrow}).content.decode().count("<tr data-action=") == 0
    )


def test_the_audit_page_is_paginated(client, coordinator, campaign):
    for n in range(55):
        record(actor=coordinator, action="export.personal", campaign=campaign, detail={"n": n})
    client.force_login(coordinator)
    first = client.get(reverse("audit-log")).content.decode()
    second = client.get(reverse("audit-log"), {"page": 2}).content.decode()
    assert first.count("<tr data-action=") == 50 and second.count("<tr data-action=") == 5


def test_superusers_see_every_province(client, events):
    client.force_login(UserFactory(username="root", is_superuser=True))
    html = client.get(reverse("audit-log")).content.decode()
    assert html.count('<tr data-action="export.personal"') == 2 and "yb-2023" in html
    assert '<tr data-action="auth.login"' in html  # logins belong to no province: superusers only


@pytest.mark.parametrize("role", ["focal_point", "analyst", "enumerator", "none"])
def test_others_get_403_on_the_audit_page(client, province, units, campaign, role):
    user = UserFactory(username=f"u-{role}")
    if role == "focal_point":
        MembershipFactory(user=user, province=province, role="focal_point", unit=units["STP"])
    elif role == "analyst":
        MembershipFactory(user=user, province=province, role="analyst")
    elif role == "enumerator":
        from fieldwork.models import FieldMember, FieldTeam

        team = FieldTeam.objects.create(campaign=campaign, code="t1", name="Đội 1")
        FieldMember.objects.create(team=team, user=user, role="enumerator")
    client.force_login(user)
    assert client.get(reverse("audit-log")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(reverse("audit-log")).status_code == 302


def test_the_command_prints_a_campaigns_events_as_json_or_a_table(events, coordinator):
    out = io.StringIO()
    call_command("audit_log", "--campaign", "par-2023", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("coordinator", "export.personal"),
        ("focal-stp", "respondents.imported"),
    ]
    assert rows[1]["detail"] == {"added": 3}
    out = io.StringIO()
    call_command("audit_log", "--campaign", "par-2023", "--action", "export.personal", stdout=out)
    assert "coordinator" in out.getvalue() and "focal-stp" not in out.getvalue()
    assert out.getvalue().strip().endswith("1 event(s)")
    out = io.StringIO()
    call_command(
        "audit_log", "--campaign", "par-2023", "--since", "2999-01-01", "--format", "json", stdout=out
    )
    assert json.loads(out.getvalue()) == []


def test_a_day_that_is_not_a_date_is_a_usage_error_not_a_traceback():
    import subprocess
    import sys
    from pathlib import Path

    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit_log", "--campaign", "par-2023", "--since", "1/12/2026")
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, "manage.py", "audit_log", "--campaign", "x", "--until", "hôm qua"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
        timeout=120,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "không phải ngày dạng YYYY-MM-DD: 'hôm qua'" in run.stderr


def test_the_access_command_grants_lists_and_revokes(campaign, coordinator, province):
    analyst = UserFactory(username="analyst")
    MembershipFactory(user=analyst, province=province, role="analyst")
    out = io.StringIO()
    args = ["--campaign", "par-2023", "--by", "coordinator"]
    call_command("personal_data_access", *args, "grant", "analyst", "--until", FUTURE.isoformat(), stdout=out)
    call_command("personal_data_access", *args, "list", stdout=out)
    call_command("personal_data_access", *args, "revoke", "analyst", stdout=out)
    assert "active" in out.getvalue() and "revoked 1 active grant(s)" in out.getvalue()
    assert _only("access.granted").actor == coordinator


def test_an_edit_in_the_admin_is_logged_with_before_and_after(client, campaign, units):
    from respondents.models import Respondent
    from tests.factories import RespondentFactory

    person = RespondentFactory(campaign=campaign, unit=units["STP"], full_name="Lê Văn Cũ", position="PGĐ")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    url = reverse("admin:respondents_respondent_change", args=[person.pk])
    form = {
        "campaign": campaign.pk,
        "unit": person.unit_id,
        "group": person.group_id,
        "full_name": "Lê Văn Mới",
        "position": "PGĐ",
        "email": person.email,
        "phone": person.phone,
        "alternate_phones": "[]",
        "retired_at_0": "",
        "retired_at_1": "",
    }
    assert client.post(url, form).status_code == 302
    assert Respondent.objects.get().full_name == "Lê Văn Mới"
    event = _only("respondent.changed")
    assert event.actor == root and event.object_id == str(person.pk)
    assert event.detail["before"] == {"full_name": "Lê Văn Cũ"} and event.detail["after"] == {
        "full_name": "Lê Văn Mới"
    }
