"""Setting up field teams from a workbook: one row per enumerator (or supervisor/clerk) and assignment.

Columns (Vietnamese or English headers, without case and diacritics): team, username, full name, phone,
e-mail, role (enumerator/supervisor/clerk, default enumerator), area code, service area, quota. A row with
an area creates an assignment for that enumerator. New users get an unusable password (they log in with
a device token or after a coordinator sets a password). Running the same file again changes nothing.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kit.emails import normalise_email
from kit.phones import normalise_phones
from kit.tabular.problems import Problem, column_letter
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text, match_key
from respondents.models import Campaign, Unit
from surveys.models import Questionnaire

from ..models import Assignment, FieldMember, FieldTeam

COLUMNS = {
    "team": {"team", "doi", "to", "nhom", "doi bd", "doi buu dien", "ten doi"},
    "username": {"username", "ten dang nhap", "tai khoan", "login"},
    "full_name": {"full name", "name", "ho va ten", "ho ten", "dieu tra vien"},
    "phone": {"phone", "dien thoai", "so dien thoai", "sdt"},
    "email": {"email", "e mail", "thu dien tu"},
    "role": {"role", "vai tro"},
    "area": {"area", "area code", "ma dia ban", "ma don vi", "dia ban", "ma huyen", "ma xa"},
    "service_area": {"service area", "linh vuc"},
    "quota": {"quota", "chi tieu", "so phieu", "so mau"},
}
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


def _header(rows) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:20]):
        columns = {}
        for col, cell in enumerate(row):
            key = match_key(cell)
            for name, labels in COLUMNS.items():
                if key in labels and name not in columns:
                    columns[name] = col
        if {"team", "username"} <= set(columns):
            return index, columns
    return None


def import_field_teams(
    *, campaign: Campaign, path: Path, questionnaire: Questionnaire | None = None
) -> TeamsReport:
    path = Path(path)
    report = TeamsReport(file_name=path.name)

    def error(code, message, sheet="", row=None, column=""):
        report.errors.append(
            Problem(code=code, message=message, file=path.name, sheet=sheet, row=row, column=column)
        )

    try:
        sheets = read_sheets(
            path, file_name=path.name, max_bytes=settings.RESPONDENT_FILE_MAX_BYTES, max_rows=20_000
        )
    except UnreadableFile as exc:
        error(exc.code, exc.detail)
        return report
    if questionnaire is None:
        current = list(campaign.questionnaires.filter(is_current=True)[:2])
        questionnaire = current[0] if len(current) == 1 else None
    units = {match_key(u.code): u for u in Unit.objects.filter(province_id=campaign.province_id)}
    rows = []
    for sheet in sheets:
        header = _header(sheet.rows)
        if header is None:
            continue
        start, columns = header
        for index in range(start + 1, len(sheet.rows)):
            raw = sheet.rows[index]
            values = {name: clean_text(raw[col]) if col < len(raw) else "" for name, col in columns.items()}
            if not any(values.values()):
                continue
            excel_row = index + 1

            def col(name, columns=columns):
                return column_letter(columns[name]) if name in columns else ""

            if not values.get("team") or not values.get("username"):
                error("column_missing", _("Team and username are required."), sheet.name, excel_row)
                continue
            role = ROLES.get(match_key(values.get("role", "")) or "enumerator")
            if role is None:
                error(
                    "role_unknown",
                    _("Unknown role “%(value)s”.") % {"value": values["role"]},
                    sheet.name,
                    excel_row,
                    col("role"),
                )
            phone = ""
            if values.get("phone"):
                phone = normalise_phones(values["phone"]).primary
                if not phone:
                    error(
                        "phone_invalid",
                        _("“%(value)s” is not a valid Vietnamese phone number.") % {"value": values["phone"]},
                        sheet.name,
                        excel_row,
                        col("phone"),
                    )
            email = normalise_email(values["email"]).value if values.get("email") else ""
            area = None
            if values.get("area"):
                area = units.get(match_key(values["area"]))
                if area is None:
                    error(
                        "unit_unknown",
                        _("Unit “%(value)s” is not a unit of this campaign.") % {"value": values["area"]},
                        sheet.name,
                        excel_row,
                        col("area"),
                    )
                elif questionnaire is None:
                    error(
                        "questionnaire_missing",
                        _("The campaign has no single current questionnaire: name one with --questionnaire."),
                        sheet.name,
                        excel_row,
                    )
            quota = 0
            if values.get("quota"):
                try:
                    quota = int(float(values["quota"].replace(",", ".")))
                    if quota < 0:
                        raise ValueError
                except ValueError:
                    error(
                        "quota_invalid",
                        _("The quota must be a whole number."),
                        sheet.name,
                        excel_row,
                        col("quota"),
                    )
            rows.append((values, role, phone, email, area, quota))
    if not rows and not report.errors:
        error("no_header", _("No header row with team and username columns was found."))
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
                user = User(
                    username=values["username"], first_name=values.get("full_name", "")[:150], email=email
                )
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
                    service_area=values.get("service_area", "")[:40],
                    defaults={"questionnaire": questionnaire, "quota": quota},
                )
                report.assignments_created += created
    return report
