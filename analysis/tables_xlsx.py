"""The workbook of every question table: a sheet of contents and weighting, one sheet of choice tables, one
of numeric summaries, one of free-text answers (masked as on the page). Headers in Vietnamese, like every
workbook of the project; text through kit.xlsx, so an answer typed as a formula stays text. Percentages and
intervals are the page's numbers (both come from question_tables.campaign_tables)."""

from io import BytesIO

from django.utils import translation
from openpyxl import Workbook

from kit.numbers import XLSX_FORMATS
from kit.xlsx import write_table

from .question_tables import CampaignTables
from .tables import FrequencyTable, NumericSummary

SUPPRESSED = "< 5"
ALL = "Toàn bộ"
TYPES = {
    "single": "Một lựa chọn",
    "scale": "Thang đo",
    "multiple": "Nhiều lựa chọn",
    "number": "Số",
    "text": "Văn bản",
}


def _share_rows(code: str, text: str, table: FrequencyTable) -> list[list]:
    if table.suppressed:
        return [[code, text, table.label or ALL, "", "", table.n, None, None, SUPPRESSED, None, None]]
    return [
        [
            code,
            text,
            table.label or ALL,
            row.value,
            row.label,
            table.n,
            round(table.effective_n, 1),
            row.n,
            row.percent,
            row.low,
            row.high,
        ]
        for row in table.rows
    ]


def _numeric_row(code: str, text: str, s: NumericSummary) -> list:
    if s.suppressed:
        return [code, text, s.label or ALL, s.n, SUPPRESSED, None, None, None, None, None]
    return [code, text, s.label or ALL, s.n, s.mean, s.q1, s.median, s.q3, s.minimum, s.maximum]


def workbook_bytes(result: CampaignTables) -> bytes:
    with translation.override("vi"):
        return _bytes(result)


def _bytes(result: CampaignTables) -> bytes:
    workbook = Workbook()
    about = workbook.active
    about.title = "Thông tin"
    questionnaire = result.questionnaire
    write_table(
        about,
        ["Mục", "Giá trị"],
        [
            ["Đợt khảo sát", result.campaign.name],
            ["Phiếu", f"{questionnaire.title} (v{questionnaire.version})" if questionnaire else ""],
            ["Số phiếu được tính", result.responses],
            ["Trọng số", result.weighting_label],
            ["Phân tổ", result.breakdown_label],
            ["Nhóm đối tượng", dict(result.groups).get(result.group, "Tất cả")],
            ["Khoảng tin cậy 95 %", "Wilson, với cỡ mẫu hiệu dụng Kish n = (Σw)² / Σw²"],
            ["Ô dưới 5 người trả lời", "ẩn (< 5)" if result.suppress else "hiển thị"],
            *[["Ghi chú", note] for note in result.notes],
        ],
        [28, 80],
    )
    shares, numbers, texts = [], [], []
    for q in result.questions:
        if q.is_choice and isinstance(q.overall, FrequencyTable):
            for table in [q.overall, *q.breakdown]:
                shares += _share_rows(q.code, q.text, table)  # type: ignore[arg-type]
        elif isinstance(q.overall, NumericSummary):
            for summary in [q.overall, *q.breakdown]:
                numbers.append(_numeric_row(q.code, q.text, summary))  # type: ignore[arg-type]
        elif q.type == "text":
            if q.texts_hidden:
                texts.append([q.code, q.text, "", "Dưới 5 câu trả lời: không liệt kê"])
            texts += [[q.code, q.text, answer.who, answer.text] for answer in q.texts]
    percent = XLSX_FORMATS["percent"]
    write_table(
        workbook.create_sheet("Tần suất"),
        [
            "Mã câu hỏi",
            "Câu hỏi",
            "Phân tổ",
            "Mã lựa chọn",
            "Lựa chọn",
            "Số trả lời",
            "Cỡ mẫu hiệu dụng",
            "Số chọn",
            "Tỷ lệ (%)",
            "Cận dưới 95 %",
            "Cận trên 95 %",
        ],
        shares,
        [18, 50, 24, 12, 34, 10, 12, 10, 10, 12, 12],
    )
    sheet = workbook["Tần suất"]
    for column in "IJK":
        for cell in sheet[column][1:]:
            cell.number_format = percent
    write_table(
        workbook.create_sheet("Câu hỏi số"),
        [
            "Mã câu hỏi",
            "Câu hỏi",
            "Phân tổ",
            "Số trả lời",
            "Trung bình",
            "Tứ phân vị 1",
            "Trung vị",
            "Tứ phân vị 3",
            "Nhỏ nhất",
            "Lớn nhất",
        ],
        numbers,
        [18, 50, 24, 10, 12, 12, 12, 12, 10, 10],
    )
    write_table(
        workbook.create_sheet("Ý kiến"),
        ["Mã câu hỏi", "Câu hỏi", "Người trả lời", "Ý kiến"],
        texts,
        [18, 50, 16, 90],
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
