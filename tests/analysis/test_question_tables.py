"""Tables of every question (analysis/question_tables.py), the page that filters them and the workbook job:
a small PAR case with weight 1 computed by hand, and a SIPAS case with design weights whose shares must be
the hand computation and campaign_sipas' own."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from statsmodels.stats.proportion import proportion_confint

from analysis.question_tables import campaign_tables
from analysis.sipas import sources
from analysis.sipas.campaign import campaign_sipas
from respondents.models import RespondentGroup
from respondents.services.privacy import pseudonym
from surveys.models import Response
from tests.analysis.test_campaign_sipas_weighted import design, sipas  # noqa: F401  (fixture)
from tests.factories import InvitationFactory, MembershipFactory, RespondentFactory, UserFactory
from tests.jobs.follow import follow_job
from tests.surveys.respondent_setup import make_questionnaire

pytestmark = pytest.mark.django_db

# unit, q1, q2, q3 (years), q4 (agree5; 0 = don't know), q5 (free text)
PLAN = [
    ("STP", "yes", ["direct", "online"], "2", "5", "Gọi tôi 0912 345 678 nhé, Trần Thị Lan"),
    ("STP", "yes", ["direct"], "4", "4", "Cần thêm tập huấn"),
    ("STP", "no", None, "10", "4", "Viết e-mail lan@laocai.gov.vn"),
    ("STP", "yes", ["online"], "6", "2", "Giảm giấy tờ"),
    ("STP", "no", None, "8", "0", "Ổn"),
    ("SNV", "yes", ["post"], "3", "5", ""),
]


@pytest.fixture
def answered(campaign, units):
    questionnaire = make_questionnaire(campaign)
    group = RespondentGroup.objects.get(code="dept_leader")
    for i, (unit, q1, q2, q3, q4, q5) in enumerate(PLAN):
        person = RespondentFactory(
            campaign=campaign,
            unit=units[unit],
            group=group,
            full_name="Trần Thị Lan" if i == 0 else f"Người {i}",
        )
        invitation = InvitationFactory(campaign=campaign, respondent=person, questionnaire=questionnaire)
        given = {"q1": q1, "q3": q3, "q4": q4, "q5": q5} | ({"q2": q2} if q2 else {})
        Response.objects.create(
            campaign=campaign,
            questionnaire=questionnaire,
            invitation=invitation,
            unit=units[unit],
            answers=given,
            status=Response.Status.SUBMITTED,
        )
    Response.objects.create(  # a draft counts nowhere
        campaign=campaign, questionnaire=questionnaire, answers={"q1": "no"}, status=Response.Status.DRAFT
    )
    return campaign


@pytest.fixture
def analyst(province):
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, province=province, role="analyst")
    return user


def by_code(result):
    return {q.code: q for q in result.questions}


def shares(table):
    return {row.value: row for row in table.rows}


def test_every_question_gets_its_table_computed_as_by_hand(answered):
    result = campaign_tables(campaign=answered, suppress=False, personal=True)
    assert result.responses == 6 and result.weighting == "equal"
    questions = by_code(result)
    assert list(questions) == ["q1", "q2", "q3", "q4", "q5"]
    q1 = shares(questions["q1"].overall)
    assert q1["yes"].percent == pytest.approx(400 / 6) and q1["yes"].n == 4
    # Weight 1: Kish's n is n, and the interval is Wilson's for 4 of 6.
    assert (q1["yes"].low, q1["yes"].high) == pytest.approx(
        [100 * b for b in proportion_confint(4, 6, method="wilson")]
    )
    q2 = shares(questions["q2"].overall)  # of the 4 who answered; shares of respondents
    assert (q2["direct"].percent, q2["online"].percent, q2["post"].percent) == pytest.approx((50, 50, 25))
    q4 = shares(questions["q4"].overall)  # "don't know" (0) is outside the base of 5
    assert questions["q4"].overall.n == 5 and q4["4"].percent == pytest.approx(40) and q4["0"].percent is None
    # Years 2, 3, 4, 6, 8, 10: mean 33/6; cumulative shares 1/6 … 1: Q1 = 3, median = 4, Q3 = 8.
    q3 = questions["q3"].overall
    assert (q3.n, q3.mean, q3.q1, q3.median, q3.q3) == (6, pytest.approx(5.5), 3, 4, 8)
    assert [a.text for a in questions["q5"].texts][:2] == [PLAN[0][5], "Cần thêm tập huấn"]


def test_breakdowns_by_unit_hide_small_cells_for_analysts(answered):
    result = campaign_tables(campaign=answered, breakdown="unit", suppress=True)
    q1 = {table.key: table for table in by_code(result)["q1"].breakdown}
    assert list(q1) == ["STP", "SNV"] and q1["STP"].label == "Sở Tư pháp"
    assert shares(q1["STP"])["yes"].percent == pytest.approx(60)
    assert q1["SNV"].suppressed and shares(q1["SNV"])["yes"].percent is None
    years = {s.key: s for s in by_code(result)["q3"].breakdown}
    assert years["STP"].median == 6 and years["SNV"].suppressed and years["SNV"].mean is None


def test_a_single_choice_question_is_a_breakdown_and_the_group_a_filter(answered):
    result = campaign_tables(campaign=answered, breakdown="q:q1", suppress=False)
    years = {s.key: s for s in by_code(result)["q3"].breakdown}
    assert years["yes"].label == "Có" and years["yes"].mean == pytest.approx((2 + 4 + 6 + 3) / 4)
    assert years["no"].mean == pytest.approx(9)
    assert campaign_tables(campaign=answered, group="dept_leader").responses == 6
    assert campaign_tables(campaign=answered, group="nope").group == ""  # unknown: ignored, all groups


def test_free_text_for_analysts_is_pseudonymised_and_masked(answered):
    texts = by_code(campaign_tables(campaign=answered, personal=False))["q5"].texts
    first = texts[0]
    person = Response.objects.get(answers__q5=PLAN[0][5]).invitation.respondent
    assert first.who == pseudonym(person.pk)
    assert first.text == "Gọi tôi [số điện thoại] nhé, [họ tên]"
    assert texts[2].text == "Viết e-mail [e-mail]"
    assert all("Trần Thị Lan" not in t.text and "@" not in t.text for t in texts)


def test_names_on_the_campaigns_lists_and_frame_are_masked_in_free_text_for_analysts(answered, units):
    from fieldwork.models import SamplingFrameEntry

    RespondentFactory(campaign=answered, unit=units["STP"], full_name="Lê Văn Bình")  # on the list, silent
    SamplingFrameEntry.objects.create(campaign=answered, name="Hoàng Thị Mai")
    text = "Ông lê văn bình và bà HOÀNG THỊ MAI làm tốt; anh Lê Văn Bìnhh thì không. CCCD 001234567890"
    first = Response.objects.filter(campaign=answered, status="submitted").order_by("pk")[1]
    first.answers = first.answers | {"q5": text}
    first.save()
    texts = [t.text for t in by_code(campaign_tables(campaign=answered, personal=False))["q5"].texts]
    assert texts[1] == "Ông [họ tên] và bà [họ tên] làm tốt; anh Lê Văn Bìnhh thì không. CCCD [số giấy tờ]"
    coordinator_view = by_code(campaign_tables(campaign=answered, personal=True))["q5"].texts
    assert coordinator_view[1].text == text  # personal: as typed


def test_the_page_filters_and_shows_the_hand_computed_figures(client, answered, analyst):
    client.force_login(analyst)
    url = reverse("question-tables", args=[answered.slug])
    html = client.get(url).content.decode()
    assert 'id="q-q1"' in html and 'data-option="yes"' in html and "66,7" in html
    assert "<svg" in html and "Không có trọng số" in html
    html = client.get(url, {"breakdown": "unit"}).content.decode()
    assert 'data-group="STP" data-option="yes"' in html and "60,0" in html
    assert 'data-group="SNV"' in html and "&lt; 5" in html  # one respondent: suppressed
    assert client.get(url, {"breakdown": "<script>", "questionnaire": "9" * 40}).status_code == 200


def test_the_workbook_job_has_the_pages_numbers(client, answered, coordinator):
    client.force_login(coordinator)
    started = client.post(reverse("question-tables-workbook", args=[answered.slug]), {"breakdown": "unit"})
    book = load_workbook(io.BytesIO(follow_job(client, started).content))
    assert book.sheetnames == ["Thông tin", "Tần suất", "Câu hỏi số", "Ý kiến"]
    rows = list(book["Tần suất"].iter_rows(min_row=2, values_only=True))
    yes = next(r for r in rows if r[0] == "q1" and r[2] == "Toàn bộ" and r[3] == "yes")
    assert yes[8] == pytest.approx(400 / 6) and yes[5] == 6
    stp = next(r for r in rows if r[0] == "q1" and r[2] == "Sở Tư pháp" and r[3] == "yes")
    assert stp[8] == pytest.approx(60)
    numbers = {r[2]: r for r in book["Câu hỏi số"].iter_rows(min_row=2, values_only=True)}
    assert numbers["Toàn bộ"][4:8] == (pytest.approx(5.5), 3, 4, 8)
    texts = [r[3] for r in book["Ý kiến"].iter_rows(min_row=2, values_only=True)]
    assert PLAN[0][5] in texts  # the coordinator sees the text as written


def test_focal_points_get_no_tables(client, answered, focal_stp):
    client.force_login(focal_stp)
    assert client.get(reverse("question-tables", args=[answered.slug])).status_code == 403
    assert client.post(reverse("question-tables-workbook", args=[answered.slug])).status_code == 403


def test_sipas_tables_use_the_pipelines_design_weights(sipas, monkeypatch):  # noqa: F811
    campaign, ids = sipas
    weights = [10.0] * 4 + [30.0] * 2 + [20.0] * 6
    frame = design(ids, weights)
    monkeypatch.setattr(sources, "design_frame", lambda *, campaign: frame)
    result = campaign_tables(campaign=campaign, breakdown="unit", suppress=False)
    assert result.weighting == "design" and result.responses == 12
    harassment = by_code(result)["perception.harassment"]
    # "No" (2): the four level-5 (w 10) and three level-4 (w 20): 100 of 220; Kish n = 220² / 4,600.
    no = shares(harassment.overall)["2"]
    assert no.percent == pytest.approx(100 * 100 / 220)
    assert harassment.overall.effective_n == pytest.approx(220**2 / 4600)
    assert (no.low, no.high) == pytest.approx(
        [100 * b for b in proportion_confint(100 / 220 * 220**2 / 4600, 220**2 / 4600, method="wilson")]
    )
    by_unit = {t.key: shares(t)["2"].percent for t in harassment.breakdown}
    assert by_unit == pytest.approx({"BATXAT": 40, "SAPA": 50})
    # The SIPAS pipeline's own weighted share of the same option agrees.
    pipeline = campaign_sipas(campaign, design=frame).shares
    row = pipeline[pipeline["by"].isna() & (pipeline["question"] == "perception.harassment")]
    assert float(row[row["option"].astype(str) == "2"]["estimate"].iloc[0]) == pytest.approx(100 / 220)
