"""Annex-shaped files made from a tree definition, as the Ministry's annex looks and officials type it: a
title block, a header row (with or without diacritics), roman domains, criteria numbered inside their
domain, sub-criteria "1.1" or "a)", maxima with a decimal comma as text, merged cells and a method column
saying which items the surveys score."""

from decimal import Decimal
from pathlib import Path

import openpyxl

from scoring.services.definitions import parse_tree_file

ROOT = Path(__file__).resolve().parents[2]
TREE_892 = ROOT / "scoring" / "trees" / "par-province-892.yaml"
TREE_876 = ROOT / "scoring" / "trees" / "par-province-876.yaml"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
HEADER = [
    "STT",
    "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Điểm tối đa",
    "Phương pháp đánh giá",
    "Tài liệu kiểm chứng",
]


def comma(value) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def definition(path: Path = TREE_892) -> dict:
    return parse_tree_file(path).definition


def annex_rows(tree: dict, *, letters: bool = False) -> list[list]:
    """[STT, name, max, method, evidence] rows: roman domains, criteria 1, 2, … in each domain, sub-criteria
    1.1, 1.2 (or a), b) with `letters`), maxima as numbers or decimal-comma text, survey items' method."""
    rows = []
    for d_index, domain in enumerate(tree["domains"]):
        rows.append([ROMAN[d_index], domain["name"].upper(), comma(domain["max"]), "", ""])
        for c_index, criterion in enumerate(domain["children"], 1):
            method = _method(criterion) if not criterion["children"] else ""
            rows.append(
                [str(c_index), criterion["name"], float(Decimal(criterion["max"])), method, "Báo cáo"]
            )
            for s_index, sub in enumerate(criterion["children"], 1):
                number = f"{'abcdefghijklmnop'[s_index - 1]})" if letters else f"{c_index}.{s_index}"
                rows.append([number, sub["name"], comma(sub["max"]), _method(sub), ""])
    return rows


def _method(item: dict) -> str:
    if item.get("scored_by") != "survey":
        return "Đánh giá qua tài liệu kiểm chứng"
    if item.get("survey") == "sipas":
        return "Kết quả khảo sát Chỉ số SIPAS (sự hài lòng)"
    return "Điều tra XHH"


def write_xlsx(path: Path, rows: list[list], *, header=HEADER, merged_title: bool = True) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phụ lục"
    sheet.append(["BỘ NỘI VỤ"])
    sheet.append(["Bảng 2. BỘ TIÊU CHÍ XÁC ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP TỈNH"])
    if merged_title:
        sheet.merge_cells("A2:E2")
    sheet.append([])
    sheet.append(header)
    sheet.append(["(1)", "(2)", "(3)", "(4)", "(5)"])
    first = sheet.max_row + 1
    for row in rows:
        sheet.append(row)
    # A domain row merged across the number and name columns ("I. CÔNG TÁC …" in one cell), and the
    # method of two rows merged down, as officials lay annexes out.
    for i, row in enumerate(rows):
        if row[0] in ROMAN:
            r = first + i
            sheet.cell(r, 1).value = f"{row[0]}. {row[1]}"
            sheet.cell(r, 2).value = None
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            break
    sheet.append(["", "TỔNG CỘNG", 100, "", ""])
    book.save(path)
    return path


def write_docx(path: Path, rows: list[list], *, header=None) -> Path:
    """The annex as a Word table: a title paragraph, a header without diacritics, each domain row merged
    across the number and name cells, and the method cell of a criterion's sub-criteria merged down."""
    import docx

    document = docx.Document()
    document.add_paragraph("Phụ lục: Bảng tiêu chí xác định Chỉ số cải cách hành chính cấp tỉnh")
    header = header or [
        "STT",
        "Linh vuc/Tieu chi/Tieu chi thanh phan",
        "Diem toi da",
        "Cach cham",
        "Tai lieu kiem chung",
    ]
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = (
                ""
                if value is None
                else str(value).replace(".", ",")
                if isinstance(value, float)
                else str(value)
            )
        if row[0] in ROMAN:
            merged = cells[0].merge(cells[1])
            merged.text = f"{row[0]}. {row[1]}"
    # Merge the method cells of the first run of survey sub-criteria down (one text for the group).
    texts = [[c.text for c in r.cells] for r in table.rows]
    for i in range(1, len(texts) - 1):
        if texts[i][3] == "Điều tra XHH" and texts[i + 1][3] == "Điều tra XHH" and "." in texts[i][0]:
            top, below = table.cell(i, 3), table.cell(i + 1, 3)
            below.text = ""
            top.merge(below).text = "Điều tra XHH"
            break
    document.save(path)
    return path
