"""Demo scoring for the demo province: the criteria set valid for the campaign's year (892 from 2024, 876
for 2022–2023; docs/methodology.md §1.1), scorers and a council member, a plausible self-assessment and a
partial appraisal. Synthetic figures; running it again changes nothing."""

import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from respondents.models import Campaign, Unit
from scoring.models import Criterion, Score, ScoringRole
from scoring.services.campaigns import open_province_assessment
from scoring.services.scoring import appraise_score, save_self_score
from scoring.services.trees import load_criteria_tree

TREES = Path(__file__).resolve().parents[2] / "scoring" / "trees"
TREE_FILES = [TREES / "par-province-876.yaml", TREES / "par-province-892.yaml"]


def load_shipped_trees() -> None:
    """The shipped province trees (876 for 2022–2023, the 892 placeholder from 2024); reloading changes
    nothing."""
    for path in TREE_FILES:
        report = load_criteria_tree(path=path)
        if not report.ok:
            raise ValueError(f"{path.name}: {report.errors}")


USERS = [  # username, unit code (None: council), full name
    ("cham-snv", "SNV", "Chấm điểm Sở Nội vụ"),
    ("cham-stp", "STP", "Chấm điểm Sở Tư pháp"),
    ("cham-vpubnd", "VPUBND", "Chấm điểm Văn phòng UBND tỉnh"),
    ("cham-stc", "STC", "Chấm điểm Sở Tài chính"),
    ("cham-stttt", "STTTT", "Chấm điểm Sở Thông tin và Truyền thông"),
    ("cham-skhdt", "SKHDT", "Chấm điểm Sở Kế hoạch và Đầu tư"),
    ("hdtd", None, "Thành viên Hội đồng thẩm định"),
]
# Sở KH&ĐT's indicators (this year, previous year) or (achieved, target), docs/methodology.md §3 style.
INDICATORS = {
    "8.2.1": {"value_current": "41250", "value_previous": "38900"},
    "8.3.1": {"value_current": "612", "value_previous": "655"},
    "8.3.2": {"value_current": "3120", "value_previous": "2980"},
    "8.4.1": {"achieved": "9870", "target": "10200"},
    "8.5.1": {"value_current": "7.4", "value_previous": "6.9"},
    "8.5.2": {"achieved": "23", "target": "24"},
    "3.3.2": {"achieved": "180840", "target": "185443"},
    "6.1.1": {"achieved": "96.23", "target": "100"},
    "7.2.1": {"achieved": "82.598", "target": "100"},
}


def seed_demo_scoring(*, campaign: Campaign, password: str, rng: random.Random) -> dict:
    load_shipped_trees()
    today = timezone.localdate()
    # Windows open around today, so that both pages can be tried in the demo (docs/decisions.md D21).
    assessment = open_province_assessment(
        campaign=campaign,
        self_opens=today - datetime.timedelta(days=10),
        self_closes=today + datetime.timedelta(days=15),
        appraisal_opens=today - datetime.timedelta(days=10),
        appraisal_closes=today + datetime.timedelta(days=36),
    )
    tree = assessment.tree
    users = _users(campaign, password)
    if Score.objects.filter(assessment=assessment).exists():
        return {"assessment": assessment, "scores": 0}
    scorers = {code: users[name] for name, code, _ in USERS if code}
    leads = tree.leads
    items = Criterion.objects.filter(tree=tree, is_leaf=True).exclude(scored_by="survey").order_by("order")
    scored = 0
    for item in items:
        user = scorers[leads[item.lead]["unit_code"]]
        if item.scored_by == "computed":
            result = save_self_score(
                assessment=assessment,
                criterion=item,
                user=user,
                figures=INDICATORS.get(item.code, {}),
                today=today,
            )
        else:
            share = Decimal(rng.choice([100, 100, 100, 90, 80, 75, 50]))
            points = (item.max_points * share / 100).quantize(Decimal("0.01"))
            result = save_self_score(
                assessment=assessment,
                criterion=item,
                user=user,
                points=points,
                explanation="Đã thực hiện theo kế hoạch; xem báo cáo kèm theo.",
                today=today,
            )
        scored += result.ok
        # Partial appraisal: the council has gone through domains 1 to 3 and lowered a few items.
        if result.ok and item.code.split(".")[0] in {"1", "2", "3"}:
            lower = rng.random() < 0.25 and result.score.self_points
            points = (
                (result.score.self_points * Decimal("0.8")).quantize(Decimal("0.01"))
                if lower
                else (result.score.self_points)
            )
            reason = "Tài liệu kiểm chứng chưa đầy đủ." if lower else ""
            appraise_score(
                assessment=assessment,
                criterion=item,
                user=users["hdtd"],
                points=points,
                reason=reason,
                today=today,
            )
    return {"assessment": assessment, "scores": scored}


def _users(campaign: Campaign, password: str) -> dict:
    User = get_user_model()
    units = {u.code: u for u in Unit.objects.filter(province=campaign.province)}
    users = {}
    for username, unit_code, full_name in USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "email": f"{username}@demo.laocai.gov.vn"}
        )
        if created:
            user.set_password(password)
            user.save()
        role = ScoringRole.Role.SCORER if unit_code else ScoringRole.Role.COUNCIL
        ScoringRole.objects.get_or_create(
            user=user, role=role, province=campaign.province, unit=units[unit_code] if unit_code else None
        )
        users[username] = user
    return users
