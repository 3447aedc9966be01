"""Benchmark: importing a 50,000-row respondent list, against openpyxl's read-only parse of the same file.

    .venv/bin/python bench/import_respondents.py [--rows N] [--repeat N] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_parindex .venv/bin/python bench/...

It runs on a throwaway test database (a temporary SQLite file, or test_<name> on PostgreSQL) created and
migrated here and dropped at the end, so it never touches real data. The generated workbook lives in a
temporary directory. Target: the whole import_list() call is faster than merely reading the file with
openpyxl in read-only mode, and under 4 s. The exit code is always 0; read the PASS/FAIL line.
"""

import argparse
import cProfile
import io
import itertools
import os
import pstats
import random
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)
from openpyxl import Workbook, load_workbook  # noqa: E402

from respondents.models import Campaign, Province, Respondent, RespondentGroup, Unit  # noqa: E402
from respondents.services import importing  # noqa: E402

TARGET_SECONDS = 4.0


def words(text: str) -> list[str]:
    return text.split()


HEADER = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Số điện thoại", "Email"]
SURNAMES = words("Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý Giàng Lò Vàng Hà Lương")
MIDDLE = words("Văn Thị Đức Minh Quang Thu Hữu Thanh Ngọc Xuân Mạnh Hồng")
GIVEN = words(
    "An Bình Cường Dũng Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long Mai Nam Nga Phong "
    "Phương Quân Sơn Tâm Thảo Thắng Trang Tuấn Việt Yến"
)
# Current 10-digit mobile prefixes, and the pre-2018 11-digit form some of them are still written in.
MOBILE_PREFIXES = words("032 033 034 035 036 037 038 039 070 076 077 078 079 081 082 083 084 085 086 088")
MOBILE_PREFIXES += words("091 094 096 097 098 090 093")
OLD_FORM = {"036": "0166", "038": "0168", "083": "0123", "070": "0120", "079": "0121"}
PLACES = words(
    "Bát Xát Bảo Thắng Bảo Yên Bắc Hà Mường Khương Sa Pa Si Ma Cai Văn Bàn Cốc San Quang Kim Bản Vược "
    "Trịnh Tường Y Tý A Mú Sung Nậm Chạc Phố Lu Xuân Quang Gia Phú Thái Niên Sơn Hải Phong Niên"
)
DEPARTMENT_NAMES = [
    "Nội vụ",
    "Tư pháp",
    "Tài chính",
    "Xây dựng",
    "Y tế",
    "Công Thương",
    "Giáo dục và Đào tạo",
    "Nông nghiệp và Môi trường",
    "Khoa học và Công nghệ",
    "Văn hóa, Thể thao và Du lịch",
    "Dân tộc và Tôn giáo",
    "Ngoại vụ",
]


# ------------------------------------------------------------------------------------------ the data


def ascii_text(text: str) -> str:
    """'Sở Giáo dục và Đào tạo' -> 'So Giao duc va Dao tao'."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def ascii_key(text: str) -> str:
    return "".join(ch for ch in ascii_text(text) if ch.isalnum()).lower()


def create_campaign() -> tuple[Campaign, list[Unit]]:
    """A province with ~300 units (council, departments, districts, communes) and a PAR campaign."""
    province = Province.objects.create(code="bench", name="Lào Cai")
    specs = [("HDND", "Hội đồng nhân dân tỉnh", Unit.Kind.COUNCIL)]
    specs += [(f"S{i:02d}", f"Sở {name}", Unit.Kind.DEPARTMENT) for i, name in enumerate(DEPARTMENT_NAMES)]
    specs += [(f"B{i:02d}", f"Ban Quản lý dự án số {i}", Unit.Kind.DEPARTMENT) for i in range(1, 21)]
    # Place names that stay distinct without accents and prefixes ("Bản Hải" and "Bàn Hải" would not).
    places = {}
    for a, b in itertools.permutations(sorted(set(PLACES)), 2):
        key = ascii_key(f"{a} {b}")
        if a not in ("Bản", "Bàn") and key not in places:
            places[key] = f"{a} {b}"
    places = list(places.values())
    random.Random(7).shuffle(places)
    specs += [(f"H{i:02d}", f"Huyện {places[i]}", Unit.Kind.DISTRICT) for i in range(9)]
    specs += [
        (f"X{i:03d}", f"{'Phường' if i % 7 == 0 else 'Xã'} {places[9 + i]}", Unit.Kind.COMMUNE)
        for i in range(270)
    ]
    units = [Unit(province=province, code=code, name=name, kind=kind) for code, name, kind in specs]
    for unit in units:
        unit.save()  # save() fills name_key
    campaign = Campaign.objects.create(
        slug="bench", name="PAR INDEX bench", kind=Campaign.Kind.PAR_OFFICIALS, year=2025, province=province
    )
    campaign.units.set(units)
    campaign.groups.set(
        RespondentGroup.objects.filter(code__in=["hdnd", "dept_leader", "division_leader", "district_leader"])
    )
    return campaign, units


def unit_as_written(unit: Unit, rng: random.Random) -> str:
    """Units write their name in many ways; all of these match (exact, no accents, short form, code)."""
    roll = rng.random()
    if roll < 0.6:
        return unit.name
    if roll < 0.75:
        return ascii_text(unit.name).upper()
    if roll < 0.9 and unit.kind != Unit.Kind.COUNCIL:
        return unit.name.split(" ", 1)[1]  # "Sở Tư pháp" -> "Tư pháp"
    if roll < 0.95:
        return f"  {unit.name.lower()} "
    return unit.code


GROUP_TEXT = {
    Unit.Kind.COUNCIL: ["Đại biểu HĐND tỉnh", "ĐB HĐND", "HĐND tỉnh", ""],  # "" -> taken from the unit
    Unit.Kind.DEPARTMENT: ["Lãnh đạo sở, ban, ngành", "Lãnh đạo sở", "Lãnh đạo cấp phòng", "LĐ phòng"],
    Unit.Kind.DISTRICT: ["Lãnh đạo UBND cấp huyện", "Lãnh đạo huyện", ""],
    Unit.Kind.COMMUNE: ["Lãnh đạo cấp phòng", "Lãnh đạo UBND cấp huyện", "Cấp huyện"],
}


def phone_as_written(national: str, index: int, rng: random.Random) -> object:
    """One unique 10-digit mobile number ("0912345678") in the shapes units type it in."""
    roll = rng.random()
    if roll < 0.30:
        return int(national)  # stored as a number: the leading zero is gone
    if roll < 0.50:
        return national
    if roll < 0.62:
        return f"{national[:4]}.{national[4:7]}.{national[7:]}"
    if roll < 0.70:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if roll < 0.78:
        return f"+84 {national[1:4]} {national[4:7]} {national[7:]}"
    if roll < 0.82:
        return "84" + national[1:]
    if roll < 0.88:  # two numbers: a second mobile, or the office landline (Lào Cai area code 0214)
        other = f"0987{index % 1_000_000:06d}"
        landline = f"0214 38{index % 100:02d} {index % 1000:03d}"
        return rng.choice([f"{national} / {other}", f"{national}\n{landline}", f"{national} - {landline}"])
    if roll < 0.90 and national[:3] in OLD_FORM:
        return OLD_FORM[national[:3]] + national[3:]  # still in the pre-2018 11-digit form
    return f"{national[:4]}-{national[4:7]}-{national[7:]}"


def generate_workbook(path: Path, units: list[Unit], rows: int, seed: int = 2025) -> None:
    """A realistic single-sheet list: title and document reference, header on row 4, unique people."""
    rng = random.Random(seed)
    names = list(itertools.product(SURNAMES, MIDDLE, MIDDLE, GIVEN))
    if rows > len(names):
        raise SystemExit(f"at most {len(names)} unique names: use --rows {len(names)} or fewer")
    names = rng.sample(names, rows)
    # Unique national numbers: a prefix and seven digits, drawn without replacement.
    numbers = rng.sample(range(len(MOBILE_PREFIXES) * 10_000_000), rows)
    # Most units are communes; departments and districts send longer lists.
    weights = [40 if u.kind == Unit.Kind.COUNCIL else 5 if u.kind == Unit.Kind.COMMUNE else 60 for u in units]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC THAM GIA KHẢO SÁT PAR INDEX NĂM 2025"])
    sheet.append(["(Kèm theo Công văn số 1234/SNV-CCHC ngày 15/11/2025 của Sở Nội vụ)"])
    sheet.append([])
    sheet.append(HEADER)
    for i, (unit, parts) in enumerate(zip(rng.choices(units, weights, k=rows), names, strict=True)):
        surname, middle1, middle2, given = parts
        name = f"{surname} {middle1} {middle2} {given}"
        initials = ascii_key(surname)[0] + ascii_key(middle1)[0]
        email = f"{ascii_key(given)}{initials}{i}@{unit.code.lower()}.gov.vn"
        roll = rng.random()
        if roll < 0.02:
            name = name.upper()
        elif roll < 0.04:
            name = unicodedata.normalize("NFD", name)  # combining accents from some keyboards
        elif roll < 0.06:
            email = f" {email.capitalize()} "
        prefix, tail = divmod(numbers[i], 10_000_000)
        national = f"{MOBILE_PREFIXES[prefix]}{tail:07d}"
        position = rng.choice(["Giám đốc", "Phó Giám đốc", "Trưởng phòng", "Phó Trưởng phòng", "Chủ tịch"])
        sheet.append(
            [
                i + 1,
                name,
                position,
                unit_as_written(unit, rng),
                rng.choice(GROUP_TEXT[unit.kind]),
                phone_as_written(national, i, rng),
                email,
            ]
        )
    sheet.append([])
    sheet.append(["", "Tổng cộng", f"{rows} người"])
    workbook.save(path)


# ----------------------------------------------------------------------------------------- measuring


def openpyxl_read(path: Path) -> int:
    """The reference: just reading every cell value with openpyxl in read-only mode."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for sheet in workbook.worksheets for _row in sheet.iter_rows(values_only=True))
    workbook.close()
    return count


class Stopwatch:
    """Wraps importing's steps in place so that one real import_list() call is timed step by step."""

    def __init__(self):
        self.steps = {
            "read": (importing, "read_sheets"),
            "parse": (importing, "parse_sheets"),
            "write": (importing, "_add_rows"),  # building the rows, then inserting them
            "insert": (importing, "insert_rows"),  # executemany (SQLite) or COPY (PostgreSQL) alone
        }
        self.seconds = dict.fromkeys(self.steps, 0.0)
        self._originals = {}

    def __enter__(self):
        for step, (owner, attr) in self.steps.items():
            original = self._originals[step] = getattr(owner, attr)
            setattr(owner, attr, self._timed(step, original))
        return self

    def __exit__(self, *exc):
        for step, (owner, attr) in self.steps.items():
            setattr(owner, attr, self._originals[step])

    def _timed(self, step, function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[step] += time.perf_counter() - start

        return timed


def timed_import(campaign: Campaign, path: Path, profile: bool) -> tuple[float, dict, object]:
    Respondent.objects.filter(campaign=campaign).delete()  # each run starts from an empty campaign
    profiler = cProfile.Profile() if profile else None
    with Stopwatch() as watch:
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        report = importing.import_list(campaign=campaign, path=path)
        if profiler:
            profiler.disable()
        total = time.perf_counter() - start
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    return total, watch.seconds, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the best is kept")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the last import")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        tmp = Path(tmp)
        db = connection.settings_dict
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db["TEST"]["NAME"] = str(tmp / "bench.sqlite3")  # a file, as in production, not :memory:
        setup_test_environment()
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            run(args, tmp)
        finally:
            teardown_databases(old_config, verbosity=0)
            teardown_test_environment()


def run(args, tmp: Path) -> None:
    campaign, units = create_campaign()
    path = tmp / "danh-sach-khao-sat.xlsx"
    start = time.perf_counter()
    generate_workbook(path, units, args.rows)
    print(
        f"database  {connection.vendor} ({connection.settings_dict['NAME']})\n"
        f"file      {args.rows:,} rows, {len(units)} units, {path.stat().st_size / 1e6:.1f} MB "
        f"(generated in {time.perf_counter() - start:.1f} s)"
    )

    openpyxl_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        openpyxl_read(path)
        openpyxl_times.append(time.perf_counter() - start)
    reference = min(openpyxl_times)

    runs = [timed_import(campaign, path, args.profile and n == args.repeat - 1) for n in range(args.repeat)]
    total, steps, report = min(runs, key=lambda r: r[0])
    if report.status != "imported" or report.imported != args.rows:
        print(f"unexpected report: {report.status}, {report.imported} imported, {len(report.errors)} errors")
        for p in report.errors[:10]:
            print(f"  {p.code} row {p.row}: {p.message}")
    other = total - steps["read"] - steps["parse"] - steps["write"]
    print(
        f"openpyxl read-only parse  {reference:6.2f} s   (reference, best of {args.repeat})\n"
        f"import_list total         {total:6.2f} s   (best of {args.repeat}; "
        f"{args.rows / total:,.0f} rows/s)\n"
        f"  calamine read           {steps['read']:6.2f} s\n"
        f"  parse and validate      {steps['parse']:6.2f} s\n"
        f"  database write          {steps['write']:6.2f} s   "
        f"(of which the insert statement {steps['insert']:.2f} s)\n"
        f"  other                   {other:6.2f} s   (context queries, batch record, commit, FK checks)\n"
        f"report    {report.status}: {report.imported:,} imported, {len(report.errors)} errors, "
        f"{len(report.warnings):,} warnings"
    )
    ok = report.status == "imported" and total < reference and total < TARGET_SECONDS
    print(
        f"{'PASS' if ok else 'FAIL'}: import {total:.2f} s vs openpyxl read-only {reference:.2f} s "
        f"and target {TARGET_SECONDS:.0f} s"
    )


if __name__ == "__main__":
    main()
