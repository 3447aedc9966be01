"""The consolidated respondent list in the shape the Ministry asks for: one sheet per group and a summary."""

from pathlib import Path

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _
from openpyxl import Workbook

from audit.services import Action, record
from kit.collation import vi_order
from kit.phones import national_phone
from kit.xlsx import write_table

from ..models import Campaign, Respondent
from ..selectors import campaign_groups, campaign_units

LIST_HEADERS = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Điện thoại", "E-mail"]
LIST_WIDTHS = [6, 28, 34, 36, 28, 16, 34]
SENT, NOT_SENT = "Đã gửi danh sách", "Chưa gửi danh sách"
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def export_respondents(
    *, campaign: Campaign, path: Path, by: User | AnonymousUser | None = None
) -> dict[str, int]:
    """Writes the workbook; returns the number of respondents per group code. Audited: names, phones and
    e-mails leave the system (`by` is the user; None from the command line)."""
    groups = campaign_groups(campaign)
    rows_by_group: dict[str, list] = {g.code: [] for g in groups}
    summary: dict[int, dict[str, int]] = {}
    respondents = (
        Respondent.objects.current()
        .filter(campaign=campaign)
        # Units in Vietnamese alphabetical order, each unit's people in the order of its file (rank).
        .order_by("group__order", "unit__kind", vi_order("unit__name"), "unit_id", "source_row", "pk")
        .values_list(
            "group__code", "unit_id", "full_name", "position", "unit__name", "group__name", "phone", "email"
        )
    )
    for code, unit_id, name, position, unit_name, group_name, phone, email in respondents.iterator(
        chunk_size=2000
    ):
        rows = rows_by_group.setdefault(code, [])
        rows.append([len(rows) + 1, name, position, unit_name, group_name, national_phone(phone), email])
        summary.setdefault(unit_id, {}).setdefault(code, 0)
        summary[unit_id][code] += 1

    workbook = Workbook()
    ws = workbook.active
    ws.title = _("Summary")[:31]
    codes = [g.code for g in groups]
    headers = ["STT", "Đơn vị", "Tình trạng", *[g.name for g in groups], "Tổng số"]
    table = []
    for unit in campaign_units(campaign):
        counts = summary.get(unit.pk)
        if counts is None:  # no list yet: said so, never a 0 that reads like "sent, nobody to survey"
            table.append([len(table) + 1, unit.name, NOT_SENT, *[None] * len(codes), None])
            continue
        table.append(
            [len(table) + 1, unit.name, SENT, *[counts.get(c, 0) for c in codes], sum(counts.values())]
        )
    totals = [sum(row[3 + i] or 0 for row in table) for i in range(len(codes))]
    missing = sum(1 for row in table if row[2] == NOT_SENT)
    status = f"{missing} đơn vị chưa gửi" if missing else SENT
    table.append(["", "Tổng cộng", status, *totals, sum(totals)])
    write_table(ws, headers, table, [6, 40, 22, *[18] * len(codes), 12])
    for group in groups:
        sheet = workbook.create_sheet(group.name.translate(_SHEET_FORBIDDEN)[:31])
        write_table(sheet, LIST_HEADERS, rows_by_group.get(group.code, []), LIST_WIDTHS)
    workbook.save(path)
    counts = {code: len(rows) for code, rows in rows_by_group.items()}
    record(
        actor=by,
        action=Action.EXPORT_PERSONAL,
        campaign=campaign,
        detail={
            "export": "respondent_list",
            "rows": sum(counts.values()),
            "source": "web" if by else "command",
        },
    )
    return counts
