"""The response-tracking workbook: figures by group, unit, district and day, and the non-responders to chase.

Headers are in Vietnamese (the file goes to units as is); every cell goes through respondents' `put`, so a
name typed as '=HYPERLINK(…)' stays text. For analysts (docs/decisions.md D32) the small rows are hidden
("< 5") and, without a coordinator's grant, non-responders appear as pseudonyms; every export is in the
audit log.
"""

import datetime
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.contrib.auth.models import AnonymousUser, User
from openpyxl import Workbook

from audit.services import Action, record
from kit.phones import national_phone
from kit.xlsx import stream_table
from respondents.models import Campaign
from respondents.services.privacy import MIN_CELL, pseudonym

from ..models import Invitation
from ..selectors import non_responders, response_rates
from .tracking_privacy import FIGURES, suppress_small_rows, suppressed_unit_codes

FIGURE_HEADERS = ["Được mời", "E-mail đã gửi", "E-mail lỗi", "Đã mở", "Đã bắt đầu", "Đã nộp", "Tỷ lệ (%)"]
LEVELS = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}
PROGRESS = {
    "submitted": "Đã nộp",
    "started": "Đang trả lời",
    "opened": "Đã mở, chưa trả lời",
    "none": "Chưa mở",
}
EMAIL_STATUS = {
    "queued": "Đang chờ gửi",
    "sending": "Đang gửi",
    "sent": "Đã gửi",
    "delivered": "Đã nhận",
    "failed": "Lỗi",
    "bounced": "Bị trả lại",
}


SUPPRESSED = f"< {MIN_CELL}"
PROGRESS_EVERY = 2000  # non-responders written between two progress reports


def _no_progress(percent: int, message: str = "") -> None:
    return None


def _counted[T](items: Iterator[T], total: int, on_progress: Callable[..., None]) -> Iterator[T]:
    """The items, reporting progress from 20 % to 95 % as they are written (a job's page shows it)."""
    for i, item in enumerate(items, start=1):
        if i % PROGRESS_EVERY == 0:
            done = f"{i:,} / {total:,}".replace(",", ".")  # Vietnamese thousands separator
            on_progress(20 + 75 * i // max(total, 1), f"Đã ghi {done} người chưa trả lời")
        yield item


def export_tracking(
    *,
    campaign: Campaign,
    stream: BinaryIO,
    today: datetime.date | None = None,
    by: User | AnonymousUser | None = None,
    personal: bool = True,
    suppress: bool = False,
    on_progress: Callable[..., None] = _no_progress,
) -> dict:
    """Writes the workbook to `stream`; returns the figures it was made from. `personal` False writes
    pseudonyms instead of names, positions, phones and e-mails; `suppress` hides rows of fewer than 5
    invited people (analysts), and their non-responders with them."""
    on_progress(5, "Đang tính tỷ lệ trả lời")
    report = response_rates(campaign, today=today)
    if suppress:
        report = suppress_small_rows(report)
    on_progress(15, "Đang ghi các bảng tổng hợp")
    # Write-only: the non-responders sheet can hold 100,000 rows, streamed instead of kept in memory.
    workbook = Workbook(write_only=True)
    stream_table(
        workbook.create_sheet("Theo nhóm"),
        [
            "Nhóm đối tượng",
            *FIGURE_HEADERS,
            "Chỉ tiêu (%)",
            "Đạt chỉ tiêu",
            "Số phiếu cần",
            "Còn thiếu (phiếu)",
        ],
        [
            [r["name"], *_figures(r), r["target"], _met(r["target_met"]), r["required"], r["needed"]]
            for r in report["by_group"]
        ]
        + [
            [
                "Tổng cộng",
                *_figures(report["overall"]),
                report["overall"]["target"],
                _met(report["overall"]["target_met"]),
                report["overall"]["required"],
                report["overall"]["needed"],
            ]
        ],
        [34, *[12] * len(FIGURE_HEADERS), 12, 12, 12, 14],
    )
    stream_table(
        workbook.create_sheet("Theo đơn vị"),
        ["Mã đơn vị", "Đơn vị", *FIGURE_HEADERS],
        [[r["code"], r["name"], *_figures(r)] for r in report["by_unit"]],
        [12, 40, *[12] * len(FIGURE_HEADERS)],
    )
    stream_table(
        workbook.create_sheet("Theo huyện"),
        ["Cấp", "Huyện", *FIGURE_HEADERS],
        [[LEVELS[r["level"]], r["name"], *_figures(r)] for r in report["by_district"]],
        [12, 34, *[12] * len(FIGURE_HEADERS)],
    )
    stream_table(
        workbook.create_sheet("Theo ngày"),
        ["Ngày", "Đã mở", "Đã bắt đầu", "Đã nộp", "Lũy kế đã nộp"],
        [
            [r["date"], r["opened"], r["started"], r["submitted"], r["submitted_cumulative"]]
            for r in report["by_day"]
        ],
        [14, 12, 12, 12, 14],
        number_formats={1: "DD/MM/YYYY"},
    )
    people = non_responders(campaign)
    if suppress:
        people = people.exclude(unit__code__in=suppressed_unit_codes(report))
    total = people.count() if on_progress is not _no_progress else 0
    rows = _counted(people.iterator(chunk_size=2000), total, on_progress)
    stream_table(
        workbook.create_sheet("Chưa trả lời"),
        [
            "STT",
            "Đơn vị",
            "Họ và tên",
            "Chức vụ",
            "Nhóm đối tượng",
            "Điện thoại",
            "E-mail",
            "Tình trạng",
            "E-mail mời",
        ]
        if personal
        else ["STT", "Mã ẩn danh", "Đơn vị", "Nhóm đối tượng", "Tình trạng", "E-mail mời"],
        (  # a generator: one row at a time from the database to the file
            [
                i,
                p.unit.name,
                p.full_name,
                p.position,
                p.group.name,
                national_phone(p.phone),
                p.email,
                PROGRESS[progress(p.invitation)],
                EMAIL_STATUS.get(p.email_status, "Chưa gửi"),
            ]
            for i, p in enumerate(rows, start=1)
        )
        if personal
        else (
            [
                i,
                pseudonym(p.pk),
                p.unit.name,
                p.group.name,
                PROGRESS[progress(p.invitation)],
                EMAIL_STATUS.get(p.email_status, "Chưa gửi"),
            ]
            for i, p in enumerate(rows, start=1)
        ),
        [6, 32, 28, 30, 28, 16, 32, 20, 14] if personal else [6, 14, 32, 28, 20, 14],
    )
    on_progress(96, "Đang lưu tệp")
    workbook.save(stream)
    record(
        actor=by,
        action=Action.EXPORT_PERSONAL if personal else Action.EXPORT_PSEUDONYMISED,
        campaign=campaign,
        detail={"export": "tracking", "personal": personal, "suppressed": suppress},
    )
    return report


def progress(invitation: Invitation) -> str:
    """How far a respondent got: submitted, started, opened or none."""
    if invitation.submitted_at:
        return "submitted"
    if invitation.started_at:
        return "started"
    if invitation.opened_at:
        return "opened"
    return "none"


def _figures(row: dict) -> list:
    if row.get("suppressed"):
        return [SUPPRESSED] + [None] * (len(FIGURES) - 1)
    return [row[key] for key in FIGURES]


def _met(met: bool | None) -> str:
    return "" if met is None else ("Đạt" if met else "Chưa đạt")
