"""The world of the permission matrix: one province with a PAR campaign (registry, survey link,
self-assessment and appraisal with evidence) and a SIPAS campaign (field team, assignment, a record and a
double-entry mismatch), a second province with its own coordinator, and one user per role.

Built once per test module (see test_permission_matrix.py); everything here goes through the apps' own
services or the shared factories, so that the objects are the ones the pages really meet.
"""

import datetime
import importlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from analysis.models import MarginSet, SipasMethodChoice
from fieldwork.api.serializers import SubmissionSerializer, VerificationSerializer
from fieldwork.models import (
    Assignment,
    DesignStratum,
    DrawnUnit,
    FieldMember,
    FieldRecord,
    FieldTeam,
    Mismatch,
    SampleDesign,
    SamplingFrameEntry,
)
from fieldwork.services.submissions import SubmissionContext, submit_field_response
from fieldwork.services.verification import submit_verification
from respondents.models import Campaign, ImportBatch, Membership, Unit
from scoring.models import Criterion, Evidence, ScoringRole
from scoring.services.scoring import add_evidence, open_assessment, save_self_score
from scoring.services.trees import load_criteria_tree
from surveys.services.tokens import issue_token
from tests.factories import (
    CampaignFactory,
    InvitationFactory,
    MembershipFactory,
    ProvinceFactory,
    RespondentFactory,
    UnitFactory,
    UserFactory,
)
from tests.surveys.respondent_setup import make_questionnaire

# The campaign is of this year: scored under the 892 tree (876 covers 2022–2023 only, docs/decisions.md D151).
TREE_892 = Path(__file__).resolve().parents[2] / "scoring" / "trees" / "par-province-892.yaml"
PDF = b"%PDF-1.4\n% matrix\n"
# A well-formed personal link that belongs to nobody (same alphabet and length as issued tokens).
WRONG_TOKEN = "Zz" * 12

ROLES = (
    "anonymous",  # nobody logged in
    "respondent",  # nobody logged in, holding the personal link of one invitation
    "focal",  # Membership focal_point of unit STP (PAR campaign)
    "enumerator",  # FieldMember enumerator of team 1 (SIPAS campaign), one assignment of its own
    "supervisor",  # FieldMember supervisor of team 1
    "scorer",  # ScoringRole scorer of the lead department STP (self-assessment)
    "council",  # ScoringRole council: the appraisal council (appraises; reads the indices)
    "analyst",  # Membership analyst of the province: tracking and indices, pseudonymised unless granted
    "coordinator",  # Membership coordinator of the province (Sở Nội vụ)
    "outsider",  # Membership coordinator of ANOTHER province: everything here is out of its scope
    "superuser",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> user (None for the roles without a login)
    par: Campaign | None = None
    sipas: Campaign | None = None
    token: str = ""
    batch_id: int = 0
    assessment_id: int = 0
    item_code: str = ""  # an item led by STP (the scorer's), with a self score and evidence
    evidence_id: int = 0
    assignment_id: int = 0
    questionnaire_id: int = 0  # the SIPAS questionnaire the field API serves
    response_id: int = 0  # the field record's response
    mismatch_id: int = 0
    margin_set_id: int = 0  # a pending population table of the SIPAS campaign
    method_choice_id: int = 0  # a pending SIPAS method of the SIPAS campaign
    record_id: int = 0  # the field record of that response (review pages)
    unit_id: int = 0  # a household of the enumerator's work list (drawn sample)
    job_id: int = 0  # the analyst's tracking workbook job of the PAR campaign, done (a file to download)
    failed_job_id: int = 0  # the analyst's job that failed (may be run again)
    # The same kinds of objects just outside a role's scope: another unit's import, team 2's assignment,
    # record and mismatch, an item led by another department.
    other: dict = field(default_factory=dict)
    files: list = field(default_factory=list)


def _standard_groups():
    migration = importlib.import_module("respondents.migrations.0002_standard_groups")
    migration.create_groups(apps, None)


def build_world() -> World:
    _standard_groups()
    world = World()
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    province = ProvinceFactory(code="matrix-a", name="Tỉnh Ma Trận")
    other = ProvinceFactory(code="matrix-b", name="Tỉnh Bên Cạnh")
    specs = [
        ("HDND", Unit.Kind.COUNCIL),
        ("STP", Unit.Kind.DEPARTMENT),
        ("SNV", Unit.Kind.DEPARTMENT),
        ("STC", Unit.Kind.DEPARTMENT),
        ("VPUBND", Unit.Kind.DEPARTMENT),
        ("STTTT", Unit.Kind.DEPARTMENT),
        ("SKHDT", Unit.Kind.DEPARTMENT),
        ("BATXAT", Unit.Kind.DISTRICT),
        ("SAPA", Unit.Kind.DISTRICT),
    ]
    units = {
        code: UnitFactory(province=province, code=code, name=f"Đơn vị {code}", kind=kind)
        for code, kind in specs
    }

    # PAR campaign: registry, a survey link, a province assessment open for scoring and appraisal.
    par = CampaignFactory(
        province=province,
        slug="matrix-par",
        year=today.year,
        survey_opens=today - 10 * day,
        survey_closes=today + 30 * day,
        status=Campaign.Status.SURVEYING,
    )
    par.units.set(units.values())
    world.par = par
    invitation = InvitationFactory(
        respondent=RespondentFactory(campaign=par, unit=units["STP"], full_name="Nguyễn Thị Lan"),
        questionnaire=make_questionnaire(par),
    )
    world.token = issue_token(invitation)

    users = world.users
    users["anonymous"] = users["respondent"] = None
    users["focal"] = UserFactory(username="matrix-focal")
    MembershipFactory(
        user=users["focal"], province=province, role=Membership.Role.FOCAL_POINT, unit=units["STP"]
    )
    users["coordinator"] = MembershipFactory(
        user=UserFactory(username="matrix-coordinator"), province=province
    ).user
    users["outsider"] = MembershipFactory(user=UserFactory(username="matrix-outsider"), province=other).user
    users["scorer"] = UserFactory(username="matrix-scorer")
    ScoringRole.objects.create(
        user=users["scorer"], role=ScoringRole.Role.SCORER, province=province, unit=units["STP"]
    )
    users["council"] = UserFactory(username="matrix-council")
    ScoringRole.objects.create(user=users["council"], role=ScoringRole.Role.COUNCIL, province=province)
    users["analyst"] = UserFactory(username="matrix-analyst")
    MembershipFactory(user=users["analyst"], province=province, role=Membership.Role.ANALYST)
    users["superuser"] = get_user_model().objects.create_superuser("matrix-admin", "admin@example.vn", "pw")

    world.batch_id = ImportBatch.objects.create(
        campaign=par,
        unit=units["STP"],
        uploaded_by=users["focal"],
        source=ImportBatch.Source.WEB,
        file_name="stp.xlsx",
        sha256="0" * 64,
        status=ImportBatch.Status.IMPORTED,
    ).pk
    world.other["batch_id"] = ImportBatch.objects.create(
        campaign=par,
        unit=units["SNV"],
        source=ImportBatch.Source.WEB,
        file_name="snv.xlsx",
        sha256="1" * 64,
        status=ImportBatch.Status.IMPORTED,
    ).pk
    world.other["item_code"] = "3.1.1"  # domain 3 is led by another department

    tree = load_criteria_tree(path=TREE_892).tree
    assessment = open_assessment(
        campaign=par,
        tree=tree,
        self_opens=today - day,
        self_closes=today + day,
        appraisal_opens=today - day,
        appraisal_closes=today + day,
    )
    world.assessment_id = assessment.pk
    world.item_code = "2.1.1"  # domain 2 is led by Sở Tư pháp (STP) in the 892 tree
    criterion = Criterion.objects.get(tree=tree, code=world.item_code)
    assert save_self_score(
        assessment=assessment, criterion=criterion, user=users["scorer"], points="1", explanation="Đủ"
    ).ok
    upload = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    assert add_evidence(assessment=assessment, criterion=criterion, user=users["scorer"], upload=upload).ok
    evidence = Evidence.objects.get(score__assessment=assessment)
    world.evidence_id = evidence.pk
    world.files.append(evidence.file.path)

    # SIPAS campaign in its field window: team 1 with an enumerator, a clerk and a supervisor.
    sipas = CampaignFactory(
        province=province,
        slug="matrix-sipas",
        kind=Campaign.Kind.SIPAS_CITIZENS,
        year=today.year,
        groups=["citizen", "organisation"],
        survey_opens=today - 10 * day,
        survey_closes=today + 20 * day,
        status=Campaign.Status.SURVEYING,
    )
    sipas.units.set(units.values())
    world.sipas = sipas
    questionnaire = make_questionnaire(sipas, groups=["citizen"])
    world.questionnaire_id = questionnaire.pk
    users["enumerator"] = UserFactory(username="matrix-enumerator")
    users["supervisor"] = UserFactory(username="matrix-supervisor")
    world.assignment_id, world.response_id, world.mismatch_id = _field_team(
        sipas, questionnaire, units, "1", enumerator=users["enumerator"], supervisor=users["supervisor"]
    )
    world.record_id = FieldRecord.objects.get(response_id=world.response_id).pk
    world.unit_id = _drawn_household(sipas, world.assignment_id, units)
    # Team 2, out of the scope of team 1's enumerator and supervisor.
    other = world.other
    other["assignment_id"], other["response_id"], other["mismatch_id"] = _field_team(
        sipas,
        questionnaire,
        units,
        "2",
        enumerator=UserFactory(username="matrix-enumerator-2"),
        supervisor=UserFactory(username="matrix-supervisor-2"),
    )
    other["record_id"] = FieldRecord.objects.get(response_id=other["response_id"]).pk
    # A population table and a method waiting for a second coordinator's confirmation.
    world.margin_set_id = MarginSet.objects.create(
        campaign=sipas, file_name="dan-so.csv", sha256="0" * 64, proposed_by=users["analyst"]
    ).pk
    world.method_choice_id = SipasMethodChoice.objects.create(
        campaign=sipas, method="sipas-1001-pooled", proposed_by=users["analyst"]
    ).pk
    world.job_id, world.failed_job_id = _jobs(world.par, users["analyst"])
    return world


def _jobs(par: Campaign, analyst) -> tuple[int, int]:
    from django.core.files.base import ContentFile

    from jobs.models import Job
    from surveys.jobs import TRACKING_WORKBOOK

    common = {"kind": TRACKING_WORKBOOK, "owner": analyst, "campaign_id": par.pk, "campaign_slug": par.slug}
    done = Job(**common, state=Job.State.DONE, progress=100, result_name="theo-doi.xlsx")
    done.result.save("theo-doi.xlsx", ContentFile(b"PK matrix"), save=False)
    done.save()
    failed = Job.objects.create(**common, state=Job.State.FAILED, error="Đợt khảo sát không còn tồn tại.")
    return done.pk, failed.pk


def _drawn_household(sipas, assignment_id: int, units) -> int:
    """A one-household sample of the SIPAS campaign on the enumerator's own assignment."""
    design = SampleDesign.objects.create(campaign=sipas, seed=1)
    stratum = DesignStratum.objects.create(design=design, code="all", psu_frame=1, size=1, psu_drawn=1)
    entry = SamplingFrameEntry.objects.create(campaign=sipas, area=units["BATXAT"], name="Hộ Ma Trận")
    psu = DrawnUnit.objects.create(
        design=design, stage=1, stratum=stratum, unit=units["BATXAT"], code="BATXAT", probability=1.0
    )
    ssu = DrawnUnit.objects.create(
        design=design, stage=2, stratum=stratum, parent=psu, code="-", probability=1.0
    )
    household = DrawnUnit.objects.create(
        design=design,
        stage=3,
        stratum=stratum,
        parent=ssu,
        frame_entry=entry,
        assignment_id=assignment_id,
        code=str(entry.pk),
        name=entry.name,
        probability=1.0,
    )
    return household.pk


def _field_team(sipas, questionnaire, units, code, *, enumerator, supervisor) -> tuple[int, int, int]:
    """A team with an enumerator, a clerk and a supervisor; the enumerator's own assignment, and a paper
    form of the team-wide assignment entered twice with a difference (a mismatch). Returns the ids of
    the own assignment, the form's response and the mismatch."""
    # Every form of the team is drawn for double entry, so that its form can be re-entered.
    team = FieldTeam.objects.create(
        campaign=sipas, code=f"matrix-{code}", name=f"Bưu điện {code}", verify_percent=100
    )
    clerk = UserFactory(username=f"matrix-clerk-{code}")
    for user, role in ((enumerator, "enumerator"), (supervisor, "supervisor"), (clerk, "clerk")):
        FieldMember.objects.create(team=team, user=user, role=role)
    own = Assignment.objects.create(
        campaign=sipas,
        team=team,
        enumerator=enumerator,
        questionnaire=questionnaire,
        area=units["BATXAT"],
        quota=40,
    )
    # The paper form goes to a team-wide assignment, which the clerk may re-enter (double entry).
    team_wide = Assignment.objects.create(
        campaign=sipas, team=team, questionnaire=questionnaire, area=units["SAPA"], quota=30
    )
    body = {
        "client_uuid": str(uuid.uuid4()),
        "assignment": team_wide.pk,
        "questionnaire": questionnaire.pk,
        "mode": "paper",
        "form_number": f"BX-000{code}",
        "interviewed_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "duration_seconds": 900,
        "answers": {"q1": "no", "q3": 12, "q4": 4},
    }
    first = SubmissionSerializer(data=body)
    assert first.is_valid(), first.errors
    result = submit_field_response(submission=first.submission(), context=SubmissionContext(enumerator))
    assert result.status == "created", result.errors
    second = VerificationSerializer(
        data={**body, "client_uuid": str(uuid.uuid4()), "answers": {"q1": "no", "q3": 21, "q4": 4}}
    )
    assert second.is_valid(), second.errors
    verified = submit_verification(submission=second.submission(), context=SubmissionContext(clerk))
    assert verified.status == "created", verified.errors
    return own.pk, result.response_id, Mismatch.objects.get(entry_id=verified.entry_id).pk
