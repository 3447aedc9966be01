"""Self-assessment and appraisal: who may do what (pages and POSTs), windows, history, reasons, evidence."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import Criterion, Evidence, Score, ScoreEvent
from scoring.selectors import final_scores, score_sheet
from scoring.services.scoring import appraise_score, save_self_score

IN_WINDOW = datetime.date(2023, 12, 10)
APPRAISAL_DAY = datetime.date(2024, 1, 10)
PDF = b"%PDF-1.4\n% demo\n"


def _item(assessment, code):
    return Criterion.objects.get(tree=assessment.tree, code=code)


def _url(name, assessment, code=None):
    args = [assessment.campaign.slug, assessment.pk] + ([code] if code else [])
    return reverse(name, args=args)


# --- services ------------------------------------------------------------------------------------------


def test_a_self_score_is_kept_with_who_and_when_and_every_change_is_history(assessment, scorer_stp):
    item = _item(assessment, "2.1.1")
    first = save_self_score(
        assessment=assessment,
        criterion=item,
        user=scorer_stp,
        points="1,25",
        explanation="Ban hành 12/12 văn bản",
        today=IN_WINDOW,
    )
    again = save_self_score(
        assessment=assessment,
        criterion=item,
        user=scorer_stp,
        points="1.25",
        explanation="Ban hành 12/12 văn bản",
        today=IN_WINDOW,
    )
    second = save_self_score(
        assessment=assessment,
        criterion=item,
        user=scorer_stp,
        points="1.5",
        explanation="Bổ sung",
        today=IN_WINDOW,
    )
    assert (first.changed, again.changed, second.changed) == (True, False, True)
    score = Score.objects.get(assessment=assessment, criterion=item)
    assert (score.self_points, score.self_by) == (Decimal("1.5"), scorer_stp)
    events = list(ScoreEvent.objects.filter(score=score).order_by("at", "id"))
    assert [(e.kind, e.points, e.by) for e in events] == [
        ("self", Decimal("1.25"), scorer_stp),
        ("self", Decimal("1.5"), scorer_stp),
    ]
    assert all(e.at is not None for e in events)
    with pytest.raises(ValueError):
        events[0].save()  # append-only


@pytest.mark.parametrize(
    ("points", "field"),
    [("1.6", "points"), ("-0.1", "points"), ("0.125", "points"), ("abc", "points"), ("NaN", "points")],
)
def test_points_above_the_maximum_negative_or_with_three_decimals_are_refused(
    assessment, scorer_stp, points, field
):
    result = save_self_score(
        assessment=assessment,
        criterion=_item(assessment, "2.1.1"),
        user=scorer_stp,
        points=points,
        today=IN_WINDOW,
    )
    assert field in result.errors
    assert not Score.objects.filter(self_points__isnull=False).exists()


def test_self_assessment_outside_1_to_25_december_is_refused(assessment, scorer_stp):
    item = _item(assessment, "2.1.1")
    for day in (datetime.date(2023, 11, 30), datetime.date(2023, 12, 26)):
        result = save_self_score(
            assessment=assessment, criterion=item, user=scorer_stp, points="1", today=day
        )
        assert "__all__" in result.errors
    assert save_self_score(
        assessment=assessment, criterion=item, user=scorer_stp, points="1", today=datetime.date(2023, 12, 25)
    ).ok


def test_a_department_cannot_score_another_departments_items(assessment, scorer_stp, scorer_vpubnd):
    with pytest.raises(PermissionDenied):
        save_self_score(
            assessment=assessment,
            criterion=_item(assessment, "3.1.1"),
            user=scorer_stp,
            points="0.5",
            today=IN_WINDOW,
        )
    # Văn phòng UBND scores the Government-assigned tasks inside domain 1, not the rest of domain 1.
    assert save_self_score(
        assessment=assessment,
        criterion=_item(assessment, "1.6"),
        user=scorer_vpubnd,
        points="1.5",
        today=IN_WINDOW,
    ).ok
    with pytest.raises(PermissionDenied):
        save_self_score(
            assessment=assessment,
            criterion=_item(assessment, "1.2"),
            user=scorer_vpubnd,
            points="0.5",
            today=IN_WINDOW,
        )


def test_a_computed_indicator_is_scored_by_its_rule_from_the_figures(assessment, scorer_skhdt):
    targets = save_self_score(
        assessment=assessment,
        criterion=_item(assessment, "8.5.2"),
        user=scorer_skhdt,
        figures={"achieved": "23", "target": "24"},
        today=IN_WINDOW,
    )
    investment = save_self_score(
        assessment=assessment,
        criterion=_item(assessment, "8.2.1"),
        user=scorer_skhdt,
        figures={"value_current": "77.6", "value_previous": "100"},
        today=IN_WINDOW,
    )
    assert targets.score.self_points == Decimal("0.5")
    assert investment.score.self_points == Decimal(0)
    missing = save_self_score(
        assessment=assessment,
        criterion=_item(assessment, "8.5.1"),
        user=scorer_skhdt,
        figures={"value_current": "6.55"},
        today=IN_WINDOW,
    )
    assert "__all__" in missing.errors


def test_survey_items_are_not_entered_by_hand(assessment, scorer_stp):
    with pytest.raises(PermissionDenied):
        save_self_score(
            assessment=assessment,
            criterion=_item(assessment, "2.4.1"),
            user=scorer_stp,
            points="2",
            today=IN_WINDOW,
        )


def test_the_council_needs_a_reason_when_the_appraisal_differs(assessment, scorer_stp, council):
    item = _item(assessment, "2.1.1")
    save_self_score(assessment=assessment, criterion=item, user=scorer_stp, points="1.5", today=IN_WINDOW)
    refused = appraise_score(
        assessment=assessment, criterion=item, user=council, points="1", today=APPRAISAL_DAY
    )
    assert "reason" in refused.errors
    same = appraise_score(
        assessment=assessment, criterion=item, user=council, points="1.5", today=APPRAISAL_DAY
    )
    assert same.ok
    lower = appraise_score(
        assessment=assessment,
        criterion=item,
        user=council,
        points="1",
        reason="Thiếu tài liệu kiểm chứng",
        today=APPRAISAL_DAY,
    )
    assert lower.ok
    score = Score.objects.get(pk=lower.score.pk)
    assert (score.appraised_points, score.appraised_by, score.self_points) == (
        Decimal(1),
        council,
        Decimal("1.5"),
    )
    kinds = list(score.events.order_by("id").values_list("kind", "points", "text"))
    assert kinds[-2:] == [
        ("appraisal", Decimal("1.5"), ""),
        ("appraisal", Decimal(1), "Thiếu tài liệu kiểm chứng"),
    ]


def test_appraisal_after_15_january_is_refused_and_scorers_cannot_appraise(assessment, scorer_stp, council):
    item = _item(assessment, "2.1.1")
    late = appraise_score(
        assessment=assessment,
        criterion=item,
        user=council,
        points="1",
        reason="x",
        today=datetime.date(2024, 1, 16),
    )
    assert "__all__" in late.errors
    with pytest.raises(PermissionDenied):
        appraise_score(
            assessment=assessment,
            criterion=item,
            user=scorer_stp,
            points="1",
            reason="x",
            today=APPRAISAL_DAY,
        )


def test_the_score_sheet_takes_two_queries_and_final_scores_use_survey_points(
    assessment, scorer_stp, council
):
    item = _item(assessment, "2.1.1")
    save_self_score(assessment=assessment, criterion=item, user=scorer_stp, points="1.5", today=IN_WINDOW)
    save_self_score(
        assessment=assessment,
        criterion=_item(assessment, "2.1.2"),
        user=scorer_stp,
        points="1",
        today=IN_WINDOW,
    )
    appraise_score(
        assessment=assessment,
        criterion=item,
        user=council,
        points="1.25",
        reason="Chưa đủ",
        today=APPRAISAL_DAY,
    )
    with CaptureQueriesContext(connection) as queries:
        sheet = score_sheet(assessment)
    assert len(queries) == 2
    assert len(sheet.items) == 94  # 88 sub-criteria and the 6 criteria of domain 1 without any
    row = sheet.item("2.1.1")
    assert (row.self_points, row.appraised_points, row.final_points, row.source) == (
        Decimal("1.5"),
        Decimal("1.25"),
        Decimal("1.25"),
        "self",
    )
    domain2 = next(d for d in sheet.domains if d.code == "2")
    assert (domain2.self_total, domain2.final_total) == (Decimal("2.5"), Decimal("2.25"))
    final = final_scores(sheet, survey_points={"2.4.1": Decimal("1.8"), "2.1.2": Decimal(0)})
    assert final["2.1.1"] == Decimal("1.25")
    assert final["2.1.2"] == Decimal(1)  # not a survey item: the survey input is ignored
    assert final["2.4.1"] == Decimal("1.8")
    assert final["8.1.1"] is None


# --- pages ---------------------------------------------------------------------------------------------


def test_a_department_sees_only_its_own_domains_on_its_page(client, open_now, scorer_stp):
    client.force_login(scorer_stp)
    page = client.get(_url("scoring-self", open_now))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="item-2.1.1"' in html
    assert 'id="item-3.1.1"' not in html
    assert "Cải cách thủ tục hành chính" not in html


def test_posting_another_departments_item_is_forbidden(client, open_now, scorer_stp):
    client.force_login(scorer_stp)
    response = client.post(_url("scoring-self-save", open_now, "3.1.1"), {"points": "0.5"})
    assert response.status_code == 403
    assert not Score.objects.exists()


def test_a_department_saves_a_score_with_evidence_through_its_page(client, open_now, scorer_stp):
    client.force_login(scorer_stp)
    upload = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    response = client.post(
        _url("scoring-self-save", open_now, "2.1.1"),
        {"points": "1,5", "explanation": "Đủ", "evidence": upload},
    )
    assert response.status_code == 302
    score = Score.objects.get(criterion__code="2.1.1")
    assert score.self_points == Decimal("1.5")
    evidence = Evidence.objects.get(score=score)
    assert (evidence.original_name, evidence.size) == ("bao-cao.pdf", len(PDF))
    download = client.get(reverse("scoring-evidence", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    history = client.get(_url("scoring-history", open_now, "2.1.1")).content.decode()
    assert "bao-cao.pdf" in history and "scorer-stp" in history


@pytest.mark.parametrize(
    ("name", "content", "size_limit"),
    [
        ("ghi-chu.txt", b"hello", None),  # type not accepted
        ("gia.pdf", b"just text", None),  # a text file named .pdf
        ("lon.pdf", PDF + b"0" * 2000, 1000),  # over the size limit
    ],
)
def test_evidence_of_another_type_or_too_large_is_refused(
    client, open_now, scorer_stp, settings, name, content, size_limit
):
    if size_limit:
        settings.SCORING_EVIDENCE_MAX_BYTES = size_limit
    client.force_login(scorer_stp)
    response = client.post(
        _url("scoring-self-save", open_now, "2.1.1"),
        {"points": "1", "evidence": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_bad_score_re_renders_the_page_with_the_message(client, open_now, scorer_stp):
    client.force_login(scorer_stp)
    response = client.post(_url("scoring-self-save", open_now, "2.1.1"), {"points": "9"})
    assert response.status_code == 400
    assert 'value="9"' in response.content.decode()


def test_the_council_appraises_through_its_page_and_a_scorer_cannot_open_it(
    client, open_now, scorer_stp, council
):
    client.force_login(council)
    assert client.get(_url("scoring-appraisal", open_now)).status_code == 200
    missing_reason = client.post(_url("scoring-appraise", open_now, "2.1.1"), {"appraised_points": "1"})
    assert missing_reason.status_code == 400
    ok = client.post(
        _url("scoring-appraise", open_now, "2.1.1"), {"appraised_points": "1", "reason": "Thiếu"}
    )
    assert ok.status_code == 302
    assert Score.objects.get(criterion__code="2.1.1").appraised_points == Decimal(1)
    client.force_login(scorer_stp)
    assert client.get(_url("scoring-appraisal", open_now)).status_code == 403
    assert (
        client.post(_url("scoring-appraise", open_now, "2.1.2"), {"appraised_points": "1"}).status_code == 403
    )


def test_a_focal_point_of_another_unit_gets_403_everywhere(client, open_now, focal_sapa):
    client.force_login(focal_sapa)
    for url in (
        _url("scoring-overview", open_now),
        _url("scoring-self", open_now),
        _url("scoring-appraisal", open_now),
        _url("scoring-history", open_now, "2.1.1"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(_url("scoring-self-save", open_now, "2.1.1"), {"points": "1"}).status_code == 403


def test_the_overview_shows_domain_totals_self_and_appraised(
    client, open_now, scorer_stp, council, coordinator
):
    save_self_score(assessment=open_now, criterion=_item(open_now, "2.1.1"), user=scorer_stp, points="1.5")
    appraise_score(
        assessment=open_now, criterion=_item(open_now, "2.1.1"), user=council, points="1", reason="x"
    )
    client.force_login(coordinator)
    html = client.get(_url("scoring-overview", open_now)).content.decode()
    assert 'id="domain-2"' in html
    row = html.split('id="domain-2"')[1].split("</tr>")[0]
    assert "1,50" in row or "1.50" in row
    assert "1,00" in row or "1.00" in row


def test_the_score_sheet_lists_items_in_the_order_of_the_tree_file(assessment):
    codes = [item.code for item in score_sheet(assessment).items]
    assert codes[:8] == ["1.1.1", "1.1.2", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"]
    assert codes.index("2.1.1") < codes.index("2.2.1") < codes.index("3.1.1")


def test_an_explanation_is_stored_without_direction_override_characters(assessment, scorer_stp):
    item = _item(assessment, "2.1.1")
    save_self_score(
        assessment=assessment,
        criterion=item,
        user=scorer_stp,
        points="1",
        explanation="Ban hành \u202e12/12\u202c văn bản\u200b",
        today=IN_WINDOW,
    )
    assert Score.objects.get(assessment=assessment, criterion=item).explanation == "Ban hành 12/12 văn bản"
