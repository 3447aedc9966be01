"""XLSForm workbooks of the shapes met in the wild, built here so the tests show every cell they rely on.

- `hand_made`: a coordinator's own form: Vietnamese and English labels, groups (one nested), a likert grid
  in a field-list group, an and/or relevance, a constraint with its message, or_other, date and note.
- `kobo_export`: what KoboToolbox's "Download XLS" gives: `label` without a language, its editor's
  `$kuid`/`$autoname` columns, `start`/`end` metadata rows, `select_one list` with a space, a settings
  sheet with `version` and `form_id`, and "select all that apply" spelled ODK's old way.
"""

from pathlib import Path

from openpyxl import Workbook


def workbook(path: Path, survey: list[list], choices: list[list] | None = None, settings=None, extra=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices is not None:
        sheet = book.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    if settings is not None:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(row)
    for name, rows in (extra or {}).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


VI, EN = "label::Tiếng Việt (vi)", "label::English (en)"

HAND_MADE_SURVEY = [
    [
        "type",
        "name",
        VI,
        EN,
        "hint::Tiếng Việt (vi)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::Tiếng Việt (vi)",
        "constraint_message::English (en)",
        "appearance",
        "feeds",
    ],
    [
        "begin_group",
        "about",
        "Thông tin chung",
        "About you",
        "Phần này hỏi về bạn",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "select_one yn",
        "used",
        "Bạn đã dùng dịch vụ chưa?",
        "Have you used the service?",
        "",
        "yes",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "integer",
        "age",
        "Tuổi của bạn",
        "Your age",
        "Số năm tròn",
        "yes",
        "",
        ". >= 18 and . <= 99",
        "Tuổi từ 18 đến 99",
        "Age from 18 to 99",
        "",
        "",
    ],
    [
        "select_multiple channel or_other",
        "channels",
        "Bạn nộp hồ sơ qua đâu?",
        "How did you apply?",
        "",
        "",
        "${used} = 'yes' and (${age} >= 30 or ${age} < 20)",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "begin_group",
        "contact",
        "Liên hệ",
        "Contact",
        "",
        "",
        "selected(${channels}, 'online')",
        "",
        "",
        "",
        "",
        "",
    ],
    ["text", "portal", "Cổng nào?", "Which portal?", "", "no", "", "", "", "", "", ""],
    ["end_group", "", "", "", "", "", "", "", "", "", "", ""],
    ["end_group", "", "", "", "", "", "", "", "", "", "", ""],
    [
        "begin_group",
        "elements",
        "Đánh giá",
        "Your rating",
        "",
        "",
        "${used} = 'yes'",
        "",
        "",
        "",
        "field-list",
        "",
    ],
    [
        "select_one sat",
        "access",
        "Tiếp cận dịch vụ",
        "Access",
        "",
        "yes",
        "",
        "",
        "",
        "",
        "likert",
        "sipas.access",
    ],
    [
        "select_one sat",
        "procedure",
        "Thủ tục hành chính",
        "Procedure",
        "",
        "yes",
        "",
        "",
        "",
        "",
        "likert",
        "sipas.procedure",
    ],
    [
        "select_one sat",
        "staff",
        "Công chức",
        "Staff",
        "",
        "yes",
        "not(selected(${channels}, 'post'))",
        "",
        "",
        "",
        "likert",
        "sipas.staff",
    ],
    ["end_group", "", "", "", "", "", "", "", "", "", "", ""],
    ["date", "visit", "Ngày đến", "Date of visit", "", "no", "", "", "", "", "", ""],
    ["note", "bye", "Cảm ơn bạn!", "Thank you!", "", "", "", "", "", "", "", ""],
]
HAND_MADE_CHOICES = [
    ["list_name", "name", VI, EN, "missing"],
    ["yn", "yes", "Có", "Yes", ""],
    ["yn", "no", "Không", "No", ""],
    ["channel", "office", "Bộ phận một cửa", "One-stop office", ""],
    ["channel", "online", "Dịch vụ công trực tuyến", "Online", ""],
    ["channel", "post", "Bưu điện", "Post office", ""],
    ["sat", "1", "Rất không hài lòng", "Very dissatisfied", ""],
    ["sat", "2", "Không hài lòng", "Dissatisfied", ""],
    ["sat", "3", "Bình thường", "Neutral", ""],
    ["sat", "4", "Hài lòng", "Satisfied", ""],
    ["sat", "5", "Rất hài lòng", "Very satisfied", ""],
    ["sat", "0", "Không biết", "Don't know", "yes"],
]
HAND_MADE_SETTINGS = [
    ["form_title", "form_id", "default_language", "groups"],
    ["Phiếu khảo sát thử", "phieu-thu", "Tiếng Việt (vi)", "citizen organisation"],
]


def hand_made(path: Path) -> Path:
    return workbook(path, HAND_MADE_SURVEY, HAND_MADE_CHOICES, HAND_MADE_SETTINGS)


KOBO_SURVEY = [
    ["type", "name", "label", "required", "relevant", "hint", "appearance", "$kuid", "$autoname"],
    ["start", "start", "", "", "", "", "", "a1b2c3", "start"],
    ["end", "end", "", "", "", "", "", "d4e5f6", "end"],
    ["select_one ke8rj47", "Q1_gender", "Giới tính", "true", "", "", "", "hh3kq1", "Q1_gender"],
    ["integer", "Q2_age", "Tuổi", "true", "", "", "", "ab12cd", "Q2_age"],
    [
        "select all that apply ab9xy01",
        "Q3_services",
        "Dịch vụ đã dùng",
        "false",
        "${Q2_age} >= 18",
        "",
        "",
        "zz9911",
        "Q3_services",
    ],
    ["text", "Q4_comment", "Góp ý", "false", "", "Không bắt buộc", "", "kk0011", "Q4_comment"],
]
KOBO_CHOICES = [
    ["list_name", "name", "label", "$kuid", "$autoname"],
    ["ke8rj47", "male", "Nam", "c1", "male"],
    ["ke8rj47", "female", "Nữ", "c2", "female"],
    ["ab9xy01", "land", "Đất đai", "c3", "land"],
    ["ab9xy01", "birth", "Khai sinh", "c4", "birth"],
]
KOBO_SETTINGS = [["form_title", "version", "form_id"], ["Khảo sát nhanh", "vK7nq2pYx3", "aXc9Kobo"]]


def kobo_export(path: Path) -> Path:
    return workbook(path, KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS)
