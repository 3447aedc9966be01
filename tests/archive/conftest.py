"""A campaign with a row in every archived table: lists, questionnaire versions, invitations, messages,
web and field responses, double entry, scores with history and an evidence file."""

import datetime
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from analysis.models import MarginSet, PopulationMargin, SipasMethodChoice
from demo.services.questionnaires import random_answers
from fieldwork.models import (
    AnswerCorrection,
    Assignment,
    FieldMember,
    FieldRecord,
    FieldTeam,
    Mismatch,
    SamplingFrameEntry,
    VerificationEntry,
)
from respondents.models import (
    Campaign,
    ImportBatch,
    ListReminder,
    Membership,
    PersonalDataGrant,
    RespondentGroup,
    RespondentRevision,
)
from scoring.models import Criterion, ScoringRole
from scoring.services.scoring import add_evidence, appraise_score, open_assessment, save_self_score
from scoring.services.trees import load_criteria_tree
from surveys.models import Invitation, Message, MessageEvent, Questionnaire, Response
from surveys.services.invitations import create_invitations
from surveys.services.questionnaires import load_questionnaire
from surveys.services.tokens import issue_token
from tests.factories import RespondentFactory, UserFactory

REPO = Path(__file__).resolve().parents[2]
SELF_DAY = datetime.date(2023, 12, 10)
APPRAISAL_DAY = datetime.date(2023, 12, 28)
PDF = b"%PDF-1.4\n% bi\xc3\xaan b\xe1\xba\xa3n h\xe1\xbb\x8dp\n%%EOF\n"


def _at(day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2023, 12, day, hour, 15, 30, 123456))


@pytest.fixture
def rich_campaign(settings, tmp_path, campaign, units, coordinator, focal_stp):
    settings.MEDIA_ROOT = tmp_path / "media"
    rng = random.Random(7)
    units["SAPA"].parent = None
    sapa_commune = units["SAPA"].children.create(
        province=campaign.province, code="TAVAN", name="Xã Tả Văn", kind="commune"
    )
    sapa_commune.valid_from = datetime.date(2020, 1, 1)
    sapa_commune.save()
    campaign.units.add(sapa_commune)
    groups = {g.code: g for g in RespondentGroup.objects.all()}
    batch = ImportBatch.objects.create(
        campaign=campaign,
        unit=units["STP"],
        uploaded_by=focal_stp,
        source=ImportBatch.Source.WEB,
        file_name="Danh sách Sở Tư pháp.xlsx",
        sha256="a" * 64,
        status=ImportBatch.Status.IMPORTED,
        rows_read=3,
        added=3,
        report={"warnings": [{"code": "name_recased", "value": "NGUYỄN VĂN A"}]},
    )
    second = ImportBatch.objects.create(
        campaign=campaign,
        unit=units["STP"],
        uploaded_by=focal_stp,
        source=ImportBatch.Source.WEB,
        file_name="Danh sách Sở Tư pháp (2).xlsx",
        sha256="b" * 64,
        status=ImportBatch.Status.IMPORTED,
        updated=1,
        retired=1,
    )
    people = [
        RespondentFactory(
            campaign=campaign, unit=units[code], group=groups[group], batch=batch, raw={"Họ và tên": "x"}
        )
        for code, group in [("STP", "dept_leader"), ("STP", "division_leader"), ("HDND", "hdnd")] * 2
    ]
    people[1].retired_at, people[1].retired_by = _at(5), second
    people[1].save()
    RespondentRevision.objects.create(
        respondent=people[0], batch=second, previous={"position": "Phó Giám đốc"}
    )
    ListReminder.objects.create(
        campaign=campaign, unit=units["SNV"], sent_by=coordinator, recipients=["focal-snv@example.vn"]
    )
    path = REPO / "surveys" / "definitions" / "par_officials.yaml"
    assert not load_questionnaire(campaign=campaign, path=path).errors
    first = Questionnaire.objects.get(campaign=campaign, code="par-officials")
    first.is_current = False
    first.save()
    current = Questionnaire.objects.create(
        campaign=campaign,
        code=first.code,
        version=2,
        title=first.title + " (sửa đổi)",
        definition=first.definition,
        checksum="c" * 64,
    )
    current.groups.set(first.groups.all())
    create_invitations(campaign=campaign)
    for number, invitation in enumerate(Invitation.objects.filter(campaign=campaign).order_by("pk")):
        issue_token(invitation)
        message = Message.objects.create(
            invitation=invitation, channel="email", kind="invitation", to=invitation.respondent.email
        )
        Message.objects.filter(pk=message.pk).update(
            status="sent", attempts=1, sent_at=_at(2), provider_id="x"
        )
        MessageEvent.objects.create(message=message, status="sent", detail="250 OK")
        if number % 2 == 0:
            Response.objects.create(
                campaign=campaign,
                questionnaire=invitation.questionnaire,
                invitation=invitation,
                answers=random_answers(invitation.questionnaire.definition, rng),
                status="submitted" if number % 4 == 0 else "draft",
                submitted_at=_at(3) if number % 4 == 0 else None,
            )
    # Field work on the same campaign (a PAR campaign here: the archive does not care).
    team = FieldTeam.objects.create(
        campaign=campaign, code="bd-sapa", name="Bưu điện Sa Pa", verify_percent=20
    )
    enumerator = UserFactory(username="bd-sapa-a", first_name="Lò Thị Mai")
    clerk = UserFactory(username="bd-sapa-nhap")
    FieldMember.objects.create(team=team, user=enumerator, role="enumerator", phone="+84912000111")
    FieldMember.objects.create(team=team, user=clerk, role="clerk")
    assignment = Assignment.objects.create(
        campaign=campaign,
        team=team,
        enumerator=enumerator,
        questionnaire=current,
        area=sapa_commune,
        quota=12,
        strata={"capacity": "citizen"},
        starts_on=datetime.date(2023, 12, 1),
    )
    SamplingFrameEntry.objects.create(
        campaign=campaign, assignment=assignment, area=sapa_commune, name="Hoàng Văn Sử", phone="+84987000222"
    )
    answers = random_answers(current.definition, rng)
    field_response = Response.objects.create(
        campaign=campaign,
        questionnaire=current,
        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
        mode="paper",
        unit=sapa_commune,
        entered_by=clerk,
        answers=answers,
        status="submitted",
        submitted_at=_at(4),
    )
    record = FieldRecord.objects.create(
        response=field_response,
        assignment=assignment,
        enumerator=enumerator,
        form_number="BD-00001",
        interviewed_at=_at(4, 8),
        duration_seconds=900,
        area=sapa_commune,
        district=units["SAPA"],
        received_at=_at(4, 10),
        source="page",
        payload_hash="d" * 64,
    )
    question, value = next(iter(answers.items()))
    entry = VerificationEntry.objects.create(
        record=record,
        clerk=clerk,
        client_uuid=uuid.uuid4(),
        answers=answers | {question: "khác"},
        payload_hash="e",
    )
    mismatch = Mismatch.objects.create(
        entry=entry,
        question_code=question,
        first_value=value,
        second_value="khác",
        resolved_value=value,
        resolved_by=coordinator,
        resolved_at=_at(6),
    )
    AnswerCorrection.objects.create(
        response=field_response,
        question_code=question,
        old_value=value,
        new_value=value,
        mismatch=mismatch,
        corrected_by=coordinator,
    )
    # Scoring: the 876 tree, Sở Tư pháp's self-assessment with evidence, the council's appraisal.
    tree = load_criteria_tree(path=REPO / "scoring" / "trees" / "par-province-876.yaml").tree
    assessment = open_assessment(campaign=campaign, tree=tree)
    scorer, council = UserFactory(username="cham-stp"), UserFactory(username="hdtd")
    ScoringRole.objects.create(user=scorer, role="scorer", province=campaign.province, unit=units["STP"])
    ScoringRole.objects.create(user=council, role="council", province=campaign.province)
    lead = next(key for key, lead in tree.leads.items() if lead["unit_code"] == "STP")
    items = list(
        Criterion.objects.filter(tree=tree, lead=lead, is_leaf=True, scored_by="self").order_by("order")
    )
    for item in items[:2]:
        for share in (Decimal(1), Decimal("0.5")):
            points = (item.max_points * share).quantize(Decimal("0.01"))
            kwargs = {"points": points, "explanation": f"Đã thực hiện {share:%}", "today": SELF_DAY}
            assert save_self_score(assessment=assessment, criterion=item, user=scorer, **kwargs).ok
    upload = SimpleUploadedFile("Báo cáo kết quả.pdf", PDF, content_type="application/pdf")
    assert add_evidence(
        assessment=assessment, criterion=items[0], user=scorer, upload=upload, today=SELF_DAY
    ).ok
    result = appraise_score(
        assessment=assessment,
        criterion=items[0],
        user=council,
        points=Decimal("0.10"),
        reason="Thiếu tài liệu kiểm chứng.",
        today=APPRAISAL_DAY,
    )
    assert result.ok
    analyst = UserFactory(username="phan-tich")
    Membership.objects.create(user=analyst, role=Membership.Role.ANALYST, province=campaign.province)
    PersonalDataGrant.objects.create(
        campaign=campaign,
        analyst=analyst,
        granted_by=coordinator,
        valid_until=datetime.date(2024, 1, 31),
        reason="Đối chiếu danh sách chưa trả lời.",
    )
    sipas = Campaign.objects.create(
        slug="sipas-2023", name="SIPAS 2023", kind="sipas_citizens", year=2023, province=campaign.province
    )
    campaign.sipas_campaign = sipas
    campaign.save(update_fields=["sipas_campaign"])
    SipasMethodChoice.objects.create(
        campaign=campaign,
        method="sipas-1001-weighted",
        policy_weight=Decimal("0.600"),
        reason="So sánh",
        proposed_by=coordinator,
        status="confirmed",
        decided_by=analyst,
        decided_at=_at(20),
    )
    margins = MarginSet.objects.create(
        campaign=campaign,
        file_name="dan-so.xlsx",
        sha256="0" * 64,
        rows=1,
        population=1200,
        proposed_by=analyst,
    )
    PopulationMargin.objects.create(
        margin_set=margins,
        area=units["SAPA"],
        area_code="SAPA",
        gender="female",
        age_group="18-29",
        population=1200,
        source_row=2,
    )
    return campaign
