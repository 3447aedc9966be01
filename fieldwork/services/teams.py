"""Setting up field teams from a workbook: one row per enumerator (or supervisor/clerk) and assignment.

Columns (Vietnamese or English headers, without case and diacritics): team, username, full name, phone,
e-mail, role (enumerator/supervisor/clerk, default enumerator), area code, service area, quota; the team may
instead come from the sheet's name or a heading row ("Đội Bưu điện Sa Pa"). The sheets are walked by
kit/tabular/walker.py. A row with an area creates an assignment for that enumerator. New users get an
unusable password (they log in with a device token or after a coordinator sets a password). Running the
same file again changes nothing.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from kit.emails import normalise_email
from kit.phones import normalise_phones
from kit.tabular.layout import Layout
from kit.tabular.problems import Problem, problem
from kit.tabular.walker import SheetWalk, walk_sheets
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import match_key
from respondents.models import Campaign, Unit
from surveys.models import Questionnaire

from ..models import Assignment, FieldMember, FieldTeam

LAYOUT = Layout(
    labels={
        "team": ["team", "doi", "to", "nhom", "doi bd", "doi buu dien", "ten doi"],
        "username": ["username", "ten dang nhap", "tai khoan", "login"],
        "full_name": ["full name", "name", "ho va ten", "ho ten", "dieu tra vien"],
        "phone": ["phone", "dien thoai", "so dien thoai", "sdt"],
        "email": ["email", "e mail", "thu dien tu"],
        "role": ["role", "vai tro"],
        "area": ["area", "area code", "ma dia ban", "ma don vi", "dia ban", "ma huyen", "ma xa"],
        "service_area": ["service area", "linh vuc"],
        "quota": ["quota", "chi tieu", "so phieu", "so mau"],
        "stt": ["stt", "tt", "so tt"],
    },
    names={
        "team": "Đội",
        "username": "Tên đăng nhập",
        "full_name": "Họ và tên",
        "area": "Mã địa bàn",
        "phone": "Điện thoại",
        "email": "Email",
        "role": "Vai trò",
        "service_area": "Lĩnh vực",
        "quota": "Chỉ tiêu",
        "stt": "STT",
    },
    required=("username",),  # the team may come from the sheet's name or a heading ("Đội Bưu điện Sa Pa")
    min_fields=2,
    data_fields=("username",),
    fill_down=("team", "role", "area", "service_area"),
)
ROLES = {
    "enumerator": FieldMember.Role.ENUMERATOR,
    "dieu tra vien": FieldMember.Role.ENUMERATOR,
    "supervisor": FieldMember.Role.SUPERVISOR,
    "giam sat": FieldMember.Role.SUPERVISOR,
    "giam sat vien": FieldMember.Role.SUPERVISOR,
    "clerk": FieldMember.Role.CLERK,
    "nhap lieu": FieldMember.Role.CLERK,
}


@dataclass
class TeamsReport:
    file_name: str
    teams_created: int = 0
    users_created: list[str] = field(default_factory=list)
    members_created: int = 0
    assignments_created: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def import_field_teams(
    *, campaign: Campaign, path: Path, questionnaire: Questionnaire | None = None
) -> TeamsReport:
    path = Path(path)
    report = TeamsReport(file_name=path.name)
    try:
        sheets = read_sheets(
            path, file_name=path.name, max_bytes=settings.RESPONDENT_FILE_MAX_BYTES, max_rows=20_000
        )
    except UnreadableFile as exc:
        report.errors.append(problem(exc.code, file=path.name, detail=exc.detail))
        return report
    if questionnaire is None:
        current = list(campaign.questionnaires.filter(is_current=True)[:2])
        questionnaire = current[0] if len(current) == 1 else None
    units = {match_key(u.code): u for u in Unit.objects.filter(province_id=campaign.province_id)}
    walks = walk_sheets(
        sheets,
        LAYOUT,
        file_name=path.name,
        errors=report.errors,
        warnings=report.warnings,
        heading=_team_heading,
    )
    rows = []
    for walk in walks:
        rows += _TeamSheet(walk, units, questionnaire, report.errors).rows()
    if walks and not rows and not report.errors:
        report.errors.append(problem("no_rows", file=path.name, sheet=walks[0].name))
    if report.errors:
        return report
    User = get_user_model()
    with transaction.atomic():
        for values, role, phone, email, area, quota in rows:
            team, created = FieldTeam.objects.get_or_create(
                campaign=campaign,
                code=slugify(values["team"])[:40] or "team",
                defaults={"name": values["team"]},
            )
            report.teams_created += created
            user = User.objects.filter(username=values["username"]).first()
            if user is None:
                user = User(username=values["username"], first_name=values.get("full_name", ""), email=email)
                user.set_unusable_password()
                user.save()
                report.users_created.append(user.username)
            _member, created = FieldMember.objects.get_or_create(
                team=team, user=user, defaults={"role": role, "phone": phone}
            )
            report.members_created += created
            if area is not None:
                _assignment, created = Assignment.objects.get_or_create(
                    campaign=campaign,
                    team=team,
                    enumerator=user,
                    area=area,
                    service_area=values.get("service_area", ""),
                    defaults={"questionnaire": questionnaire, "quota": quota},
                )
                report.assignments_created += created
    return report


_TEAM_WORDS = ("doi", "to", "nhom", "team", "buu dien")


def _limits() -> dict[str, int]:
    """The most characters each field is stored in (a longer value is a row error, D57)."""
    user = get_user_model()._meta
    return {
        "team": FieldTeam._meta.get_field("name").max_length,
        "username": user.get_field("username").max_length,
        "full_name": user.get_field("first_name").max_length,
        "email": user.get_field("email").max_length,
        "service_area": Assignment._meta.get_field("service_area").max_length,
    }


def _team_heading(title: str) -> dict[str, object] | None:
    """A sheet or a heading that names a team ("Đội Bưu điện Bát Xát", "Tổ 2", "Bưu điện Sa Pa") gives the
    team of the rows below it."""
    key = match_key(title)
    if any(key.startswith(word + " ") for word in _TEAM_WORDS):
        return {"team": title}
    return None


class _TeamSheet:
    """The row validator of one sheet of the teams file."""

    def __init__(
        self,
        walk: SheetWalk,
        units: dict[str, Unit],
        questionnaire: Questionnaire | None,
        errors: list[Problem],
    ) -> None:
        self.walk, self.units, self.questionnaire, self.errors = walk, units, questionnaire, errors
        self.fields = [name for name in walk.columns if name != "stt"]
        self.limits = _limits()

    def rows(self) -> list[tuple[dict[str, str], str, str, str, Unit | None, int]]:
        walk, errors = self.walk, self.errors
        rows = []
        for excel_row, _cells, texts in walk:
            values = {name: walk.text(texts, name) for name in self.fields}
            values["team"] = values.get("team") or str(walk.context.get("team", ""))
            missing = [f for f in ("team", "username") if not values.get(f)]
            for fld in missing:
                errors.append(
                    walk.problem("value_missing", excel_row, fld, variant="label", label=LAYOUT.names[fld])
                )
            if missing:
                continue
            for fld, limit in self.limits.items():
                if too_long := walk.too_long(excel_row, fld, values.get(fld, ""), limit):
                    errors.append(too_long)
            role = ROLES.get(match_key(values.get("role", "")) or "enumerator")
            if role is None:
                errors.append(walk.problem("role_unknown", excel_row, "role", value=values["role"]))
            email = normalise_email(values.get("email", ""))
            if email.invalid:
                errors.append(walk.problem("email_invalid", excel_row, "email", value=email.value))
            phone = self._phone(excel_row, values.get("phone", ""))
            area = self._area(excel_row, values.get("area", ""))
            quota = self._quota(excel_row, values.get("quota", ""))
            rows.append((values, role or "", phone, email.value, area, quota))
        return rows

    def _phone(self, excel_row: int, text: str) -> str:
        phone = normalise_phones(text).primary if text else ""
        if text and not phone:
            self.errors.append(self.walk.problem("phone_invalid", excel_row, "phone", value=text))
        return phone

    def _area(self, excel_row: int, text: str) -> Unit | None:
        if not text:
            return None
        area = self.units.get(match_key(text))
        if area is None:
            self.errors.append(
                self.walk.problem("unit_unknown", excel_row, "area", variant="province", value=text)
            )
        elif self.questionnaire is None:
            self.errors.append(self.walk.problem("questionnaire_missing", excel_row))
        return area

    def _quota(self, excel_row: int, text: str) -> int:
        if not text:
            return 0
        try:
            quota = int(float(text.replace(",", ".")))
        except (ValueError, OverflowError):  # "mười", "inf"
            quota = -1
        if quota < 0:
            self.errors.append(self.walk.problem("quota_invalid", excel_row, "quota", value=text))
        return max(quota, 0)
