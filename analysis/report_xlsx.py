"""The index report as an Excel workbook: a summary sheet with a bar chart, one sheet per domain, the
officials' survey, SIPAS with a bar chart, and the departments/districts when they are assessed.

Headers are in Vietnamese whatever the UI language, like the Ministry's forms (as the tracking export). Every
text cell goes through kit.xlsx, so user text (explanations, reasons) is never a formula.
"""

from decimal import Decimal
from io import BytesIO

from django.utils import translation
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from kit.numbers import XLSX_FORMATS, format_number
from kit.xlsx import put, write_table

from .dashboard import labels, problem_text
from .indices import CampaignIndices, as_dict
from .sipas.labels import element_label, part_label

SOURCES = {"self": "Tự chấm", "survey": "Điều tra xã hội học", "computed": "Chỉ tiêu tính toán"}
# The same decimals as the pages (kit/numbers.py, docs/decisions.md D101): points and indices 2.
NUMBER = XLSX_FORMATS["index"]
POINTS = XLSX_FORMATS["points"]


def _num(value):
    return float(value) if isinstance(value, Decimal) else value


def build_workbook(result: CampaignIndices) -> Workbook:
    data = as_dict(result)
    names = labels(result)  # codes of the results shown by their names, as on the dashboard
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Tổng hợp"
    _summary(summary, result, data)
    if result.main:
        _domain_sheets(workbook, result)
    _officials(workbook.create_sheet("Khảo sát CBCC"), data["survey"]["officials"], names)
    _sipas(workbook.create_sheet("SIPAS"), data["survey"]["sipas"], names)
    if data["units"]:
        _units(workbook.create_sheet("Sở, ngành, huyện"), data["units"])
    _standing(workbook.create_sheet("Xếp hạng toàn quốc"), data["standing"])
    return workbook


def _standing_source(standing: dict | None) -> str:
    if standing is None:
        return "Chưa nhập bảng kết quả công bố của Bộ Nội vụ"
    label = "MINH HOẠ, không phải số liệu công bố: " if standing["illustrative"] else ""
    return f"{label}{standing['source']} (bảng năm {standing['year']}, {standing['provinces']} tỉnh)"


def _standing(ws, standing: dict | None) -> None:
    put(ws, 1, 1, "Vị trí của tỉnh trong cả nước").font = Font(bold=True, size=14)
    put(ws, 2, 1, _standing_source(standing))
    if standing is None:
        return
    facts = [
        ("Chỉ số", _num(standing["index"])),
        ("Nguồn chỉ số", "Kết quả công bố" if standing["official"] else "Tỉnh tự tính, đặt vào bảng công bố"),
        ("Xếp hạng", f"{standing['rank']}/{standing['provinces']}"),
        ("Trung bình cả nước", _num(standing["mean"])),
        ("Còn thiếu để vào nhóm A (≥ 90)", _num(standing["to_group_a"])),
        (f"Kém tỉnh dẫn đầu ({standing['leader']})", _num(standing["to_leader"])),
    ]
    if standing["previous"]:
        previous = standing["previous"]
        combined = " + ".join(previous["combined_from"])
        facts.append(
            (
                f"Thay đổi so với {previous['year']}" + (f" (gộp {combined})" if combined else ""),
                _num(standing["change"]),
            )
        )
    for offset, (label, value) in enumerate(facts, start=4):
        put(ws, offset, 1, label).font = Font(bold=True)
        put(ws, offset, 2, value)
    first = len(facts) + 5
    write_table(
        ws,
        ["Lĩnh vực", "Tỉnh (%)", "Trung bình cả nước (%)", "Chênh lệch"],
        [[c["code"], _num(c["own"]), _num(c["mean"]), _num(c["gap"])] for c in standing["components"]],
        [12, 14, 22, 14],
        first_row=first,
    )


def workbook_bytes(result: CampaignIndices) -> bytes:
    buffer = BytesIO()
    build_workbook(result).save(buffer)
    return buffer.getvalue()


def _summary(ws, result: CampaignIndices, data: dict) -> None:
    put(ws, 1, 1, f"Chỉ số cải cách hành chính – {result.campaign.name}").font = Font(bold=True, size=14)
    facts = [
        ("Đơn vị được đánh giá", data.get("assessed") or ""),
        ("Chỉ số (0–100)", _num(data["index"])),
        ("Xếp loại", data["band"] or ""),
        ("Xếp hạng", f"{data['rank']}/{data['rank_of']}" if data.get("rank") else ""),
        ("Thay đổi so với năm trước (điểm)", _num(data["change"]) if data["change"] is not None else ""),
        # What every figure rests on (docs/decisions.md D152, D158): the criteria set and the conversions.
        ("Bộ tiêu chí", data["basis"]["tree_label"] + ("" if data["basis"]["confirmed"] else " (bảng tạm)")),
        ("Quy đổi phiếu khảo sát CBCC", data["basis"]["officials_method"]),
        ("Phương pháp SIPAS", data["basis"]["sipas_method"]),
        ("Nguồn xếp hạng", _standing_source(data["standing"])),
    ]
    for offset, (label, value) in enumerate(facts, start=3):
        put(ws, offset, 1, label).font = Font(bold=True)
        put(ws, offset, 2, value)
    first = len(facts) + 4
    headers = [
        "Mã",
        "Lĩnh vực",
        "Điểm tối đa",
        "Tự chấm",
        "Thẩm định",
        "Điều tra XHH",
        "Điểm đạt",
        "Tỷ lệ (%)",
    ]
    rows = [
        [
            d["code"],
            d["name"],
            _num(d["max"]),
            _num(d["self"]),
            _num(d["appraised"]),
            _num(d["survey"]),
            _num(d["final"]),
            _num(d["share"]),
        ]
        for d in data["domains"]
    ]
    write_table(ws, headers, rows, [8, 60, 12, 12, 12, 14, 12, 12], first_row=first)
    _formats(ws, first + 1, first + len(rows), range(3, 9), NUMBER)
    if rows:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Điểm đạt và điểm tối đa theo lĩnh vực"
        chart.y_axis.title = "Điểm"
        chart.x_axis.title = "Lĩnh vực"
        for column in (3, 7):
            chart.add_data(
                Reference(ws, min_col=column, min_row=first, max_row=first + len(rows)), titles_from_data=True
            )
        chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=first + len(rows)))
        chart.height, chart.width = 8, 16
        ws.add_chart(chart, f"J{first}")
    lost_first = first + len(rows) + 3
    put(ws, lost_first - 1, 1, "Điểm bị mất theo tiêu chí (nơi cần cải thiện)").font = Font(bold=True)
    lost = [
        [p["code"], p["name"], _num(p["max"]), _num(p["points"]), _num(p["lost"])]
        for p in data["points_lost"]
    ]
    write_table(
        ws,
        ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm đạt", "Điểm bị mất"],
        lost,
        [8, 60, 12, 12, 12],
        first_row=lost_first,
    )
    _formats(ws, lost_first + 1, lost_first + len(lost), range(3, 6), POINTS)
    ws.freeze_panes = None


def _domain_sheets(workbook: Workbook, result: CampaignIndices) -> None:
    main = result.main
    sheet = main.sheet
    headers = [
        "Mã",
        "Tiêu chí, tiêu chí thành phần",
        "Điểm tối đa",
        "Nguồn điểm",
        "Tự chấm",
        "Thẩm định",
        "Điểm điều tra",
        "Điểm đạt",
        "Điểm bị mất",
        "Giải trình",
        "Lý do điểm thẩm định",
    ]
    for domain in sheet.domains:
        ws = workbook.create_sheet(f"LV{domain.code}")
        put(ws, 1, 1, f"Lĩnh vực {domain.code}. {domain.name}").font = Font(bold=True, size=12)
        rows = []
        for item in domain.items:
            final = main.final_points.get(item.code)
            survey = final if item.source == "survey" else None
            rows.append(
                [
                    item.code,
                    item.name,
                    _num(item.max_points),
                    SOURCES.get(item.source, item.source),
                    _num(item.self_points),
                    _num(item.appraised_points),
                    _num(survey),
                    _num(final),
                    _num(item.max_points - (final or 0)),
                    item.explanation,
                    item.appraisal_reason,
                ]
            )
        write_table(ws, headers, rows, [9, 60, 11, 18, 10, 10, 11, 10, 11, 40, 40], first_row=3)
        _formats(ws, 4, 3 + len(rows), range(5, 10), POINTS)
        _formats(ws, 4, 3 + len(rows), [3], NUMBER)


def _officials(ws, officials: dict | None, names: dict) -> None:
    put(ws, 1, 1, "Điểm khảo sát cán bộ, công chức (điều tra xã hội học)").font = Font(bold=True, size=12)
    if not officials:
        put(ws, 3, 1, "Chưa có phiếu khảo sát cán bộ, công chức.")
        return
    put(ws, 2, 1, f"Phương pháp: {officials['method']} – {officials['method_description']}")
    rows = []
    for item in officials["items"]:
        groups = "; ".join(
            f"{names['groups'].get(g['group'], g['group'])}: {_group_score(g)} (n={g['respondents']})"
            for g in item["groups"]
        )
        rows.append(
            [
                item["code"],
                item["name"],
                _num(item["max"]),
                None if item["share"] is None else item["share"] * 100,
                _num(item["points"]),
                item["respondents"],
                groups,
            ]
        )
    headers = [
        "Mã",
        "Tiêu chí",
        "Điểm tối đa",
        "Điểm bình quân (%)",
        "Điểm",
        "Số phiếu",
        "Theo nhóm đối tượng",
    ]
    write_table(ws, headers, rows, [9, 60, 11, 14, 10, 10, 70], first_row=4)
    _formats(ws, 5, 4 + len(rows), [3, 5], POINTS)
    _formats(ws, 5, 4 + len(rows), [4], NUMBER)
    if officials["problems"]:
        start = 6 + len(rows)
        put(ws, start, 1, "Câu hỏi không được tính điểm").font = Font(bold=True)
        problems = [
            [p["title"] or p["questionnaire"], p["text"] or p["question"], p["feeds"], problem_text(p)]
            for p in officials["problems"]
        ]
        write_table(
            ws,
            ["Phiếu", "Câu hỏi", "Tính vào tiêu chí", "Lý do"],
            problems,
            [40, 60, 12, 60],
            first_row=start + 1,
        )
    ws.freeze_panes = None


def _group_score(group: dict) -> str:
    return "(ẩn, < 5 phiếu)" if group["suppressed"] else f"{format_number(group['score'] * 100, 'percent')}%"


WEIGHTS_VI = {
    "calibrated": "trọng số thiết kế hiệu chỉnh theo dân số (biên dân số đã xác nhận)",
    "design": "chỉ có trọng số thiết kế (chưa có biên dân số được xác nhận)",
    "equal": "không có trọng số (chưa có thiết kế mẫu và biên dân số)",
}


def _sipas(ws, sipas: dict | None, names: dict) -> None:
    put(ws, 1, 1, "Chỉ số hài lòng SIPAS").font = Font(bold=True, size=12)
    if not sipas:
        put(ws, 3, 1, "Chưa có kết quả SIPAS.")
        return
    weighting = WEIGHTS_VI.get((sipas.get("weighting") or {}).get("weights"), "")
    source = f"từ đợt khảo sát {sipas['campaign']}; " if sipas.get("campaign") else ""
    put(
        ws,
        2,
        1,
        f"Phương pháp {sipas['method']}; {source}{sipas['respondents']} phiếu; {weighting}; "
        "khoảng tin cậy 95%.",
    )

    def line(label, cell):
        return [
            label,
            None if cell.get("suppressed") else cell.get("estimate"),
            cell.get("ci_low"),
            cell.get("ci_high"),
            cell.get("n"),
            cell.get("unweighted"),
            cell.get("deff"),
        ]

    with translation.override("vi"):
        overall = {k: sipas.get(k) for k in ("index", "ci_low", "ci_high", "unweighted", "deff")}
        overall |= {"estimate": sipas["index"], "n": sipas["respondents"]}
        rows = [line(f"SIPAS ({sipas['method']})", overall)]
        rows += [line(part_label(p["part"]), p) for p in sipas.get("parts", [])]
        rows += [line(element_label(e["element"]), e) for e in sipas["elements"]]
    headers = ["Chỉ số, phần, nhóm chính sách, yếu tố", "Có trọng số (%)", "Cận dưới (%)", "Cận trên (%)"]
    headers += ["Số phiếu", "Không trọng số (%)", "Hệ số thiết kế"]
    write_table(ws, headers, rows, [40, 16, 14, 14, 10, 16, 14], first_row=4)
    _formats(ws, 5, 4 + len(rows), [2, 3, 4, 6, 7], NUMBER)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Tỷ lệ hài lòng theo yếu tố (%)"
    chart.y_axis.title = "%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.add_data(Reference(ws, min_col=2, min_row=4, max_row=4 + len(rows)), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=5, max_row=4 + len(rows)))
    chart.height, chart.width = 8, 16
    ws.add_chart(chart, "H4")
    start = 7 + len(rows)
    alternatives = [line(f"SIPAS theo {a['method']}", a) for a in sipas.get("alternatives", [])]
    if alternatives:
        put(ws, start - 1, 1, "So sánh với các phương pháp khác").font = Font(bold=True)
        write_table(ws, headers, alternatives, [40, 16, 14, 14, 10, 16, 14], first_row=start)
        start += len(alternatives) + 3
    put(ws, start - 1, 1, "Điểm vào lĩnh vực 8").font = Font(bold=True)
    points = [[code, _num(value)] for code, value in sipas["points"].items()]
    write_table(ws, ["Tiêu chí", "Điểm"], points, [28, 16], first_row=start)
    start += len(points) + 3
    put(ws, start - 1, 1, "Theo địa bàn, lĩnh vực dịch vụ (ẩn khi dưới 5 phiếu)").font = Font(bold=True)
    cells = [
        [
            names["by"].get(c["by"], c["by"]),
            (names["units"] if c["by"] in ("unit", "locality") else names["areas"]).get(
                str(c["group"]), str(c["group"])
            ),
            "(ẩn)" if c["suppressed"] else c["estimate"],
            None if c["suppressed"] else c["ci_low"],
            None if c["suppressed"] else c["ci_high"],
            c["n"],
        ]
        for c in sipas["breakdowns"]
    ]
    write_table(
        ws,
        ["Theo", "Nhóm", "SIPAS (%)", "Cận dưới (%)", "Cận trên (%)", "Số phiếu"],
        cells,
        [28, 30, 12, 14, 14, 10],
        first_row=start,
    )
    ws.freeze_panes = None


def _units(ws, units: list[dict]) -> None:
    rows = [
        [u["assessed"], u["unit"], _num(u["index"]), u["band"], u["rank"], _num(u["change"])] for u in units
    ]
    headers = ["Đơn vị", "Mã", "Chỉ số", "Xếp loại", "Xếp hạng", "Thay đổi so với năm trước"]
    write_table(ws, headers, rows, [40, 12, 10, 14, 10, 16])
    _formats(ws, 2, 1 + len(rows), [3, 6], NUMBER)


def _formats(ws, first_row: int, last_row: int, columns, number_format: str) -> None:
    for row in range(first_row, last_row + 1):
        for column in columns:
            ws.cell(row=row, column=column).number_format = number_format
