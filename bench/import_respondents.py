"""Benchmark: importing a respondent list as a whole process, against merely reading the same file.

    .venv/bin/python bench/import_respondents.py [--rows N] [--repeat N] [--profile] [--no-memory]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_parindex .venv/bin/python bench/...

Each measure is a fresh process, timed from its start to its exit, with its resident peak (ru_maxrss from
os.wait4), and the three run in turn in every round so that they share the machine's load:
- project: `manage.py import_respondents FILE --campaign bench` (start-up, read, check, write, commit);
- peer:    a process that reads every cell with openpyxl in read-only mode (the target: <= 1.0x);
- floor:   a process that reads every cell with python-calamine (what reading alone costs).
Speed: a 50,000-row list (7 columns). Memory: an 80,000-row list of 30 columns (target <= 200 MB resident).
It runs on a throwaway test database (a temporary SQLite file, or test_<name> on PostgreSQL) created and
migrated here and dropped at the end, so it never touches real data. Workbooks are generated in a
temporary directory. --profile prints a cProfile of one in-process import_list() call, step by step.
The exit code is always 0; read the PASS/FAIL lines.
"""

import argparse
import cProfile
import io
import itertools
import os
import pstats
import random
import statistics
import subprocess
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
from openpyxl import Workbook  # noqa: E402

from respondents.models import Campaign, Province, Respondent, RespondentGroup, Unit  # noqa: E402
from respondents.services import importing  # noqa: E402

TARGET_RATIO = 1.0  # the whole import, against the openpyxl read-only parse of the same file
TARGET_RSS_MB = 200.0  # resident peak of the import of 80,000 rows x 30 columns
ROOT = Path(__file__).resolve().parent.parent


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


def generate_workbook(path: Path, units: list[Unit], rows: int, seed: int = 2025, columns: int = 7) -> None:
    """A realistic single-sheet list: title and document reference, header on row 4, unique people; with
    more than 7 columns, the extra ones are notes the import does not read (a unit's own bookkeeping).
    BENCH_IMPORT_CACHE=DIR keeps generated files there for the next run (the units are always the same)."""
    cache = os.environ.get("BENCH_IMPORT_CACHE")
    if cache:
        kept = Path(cache) / f"list-{rows}x{columns}-{seed}.xlsx"
        if not kept.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            _generate(kept, units, rows, seed, columns)
        path.write_bytes(kept.read_bytes())
        return
    _generate(path, units, rows, seed, columns)


def _generate(path: Path, units: list[Unit], rows: int, seed: int, columns: int) -> None:
    extra = [f"Ghi chú {n}" for n in range(1, columns - len(HEADER) + 1)]
    rng = random.Random(seed)
    names = list(itertools.product(SURNAMES, MIDDLE, MIDDLE, GIVEN))
    # Unique names up to 77,760 rows; beyond, some people share a name (as they do: contacts stay unique).
    names = rng.sample(names, rows) if rows <= len(names) else rng.choices(names, k=rows)
    # Unique national numbers: a prefix and seven digits, drawn without replacement.
    numbers = rng.sample(range(len(MOBILE_PREFIXES) * 10_000_000), rows)
    # Most units are communes; departments and districts send longer lists.
    weights = [40 if u.kind == Unit.Kind.COUNCIL else 5 if u.kind == Unit.Kind.COMMUNE else 60 for u in units]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC THAM GIA KHẢO SÁT PAR INDEX NĂM 2025"])
    sheet.append(["(Kèm theo Công văn số 1234/SNV-CCHC ngày 15/11/2025 của Sở Nội vụ)"])
    sheet.append([])
    sheet.append(HEADER + extra)
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
                *(f"{note} dòng {i + 1}" for note in extra),
            ]
        )
    sheet.append([])
    sheet.append(["", "Tổng cộng", f"{rows} người"])
    workbook.save(path)


# ----------------------------------------------------------------------------------------- measuring

OPENPYXL_READ = """
import sys
from openpyxl import load_workbook
workbook = load_workbook(sys.argv[1], read_only=True, data_only=True)
count = sum(1 for sheet in workbook.worksheets for _row in sheet.iter_rows(values_only=True))
workbook.close()
"""
CALAMINE_READ = """
import sys
import python_calamine
workbook = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
count = sum(1 for name in workbook.sheet_names for _row in workbook.get_sheet_by_name(name).iter_rows())
"""


# Started by a small launcher process, not by this one: Linux carries a process's resident high-water mark
# over fork and exec (ru_maxrss of a child of this big process would start at this process's size).
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1], "ab"))
_pid, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def process(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, resident peak in MB, exit status) of one process from its start to its exit."""
    stderr = os.environ.get("BENCH_CHILD_STDERR", os.devnull)
    out = subprocess.run(
        [sys.executable, "-c", LAUNCHER, stderr, *argv], cwd=ROOT, env=env, capture_output=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])  # ru_maxrss is in KiB on Linux


def database_url() -> str:
    """The URL of the throwaway test database, for the import's own process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Stopwatch:
    """Wraps importing's steps in place so that one in-process import_list() call is timed step by step."""

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


def profiled_import(campaign: Campaign, path: Path) -> None:
    Respondent.objects.filter(campaign=campaign).delete()
    profiler = cProfile.Profile()
    with Stopwatch() as watch:
        start = time.perf_counter()
        profiler.enable()
        report = importing.import_list(campaign=campaign, path=path)
        profiler.disable()
        total = time.perf_counter() - start
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    print(out.getvalue())
    steps = watch.seconds
    print(
        f"in-process import_list {total:.2f} s (under the profiler): read {steps['read']:.2f} s, "
        f"parse {steps['parse']:.2f} s, write {steps['write']:.2f} s (insert {steps['insert']:.2f} s); "
        f"{report.status}, {report.imported:,} imported, {len(report.warnings):,} warnings"
    )


def compare(campaign: Campaign, path: Path, rows: int, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Rounds of peer, project and floor processes; each project run must import every row."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": database_url()}
    python = sys.executable
    commands = {
        "peer": [python, "-c", OPENPYXL_READ, str(path)],
        "project": [python, "manage.py", "import_respondents", str(path), "--campaign", campaign.slug],
        "floor": [python, "-c", CALAMINE_READ, str(path)],
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            if name == "project":
                Respondent.objects.filter(campaign=campaign).delete()  # each run starts from an empty list
            wall, rss, status = process(argv, env)
            if name == "project":
                imported = Respondent.objects.filter(campaign=campaign).count()
                if status != 0 or imported != rows:
                    raise SystemExit(
                        f"the import failed: exit status {status}, {imported:,} of {rows:,} rows"
                    )
            results[name].append((wall, rss))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--memory-rows", type=int, default=80_000)
    parser.add_argument("--memory-columns", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each measure; the best is kept")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one in-process import")
    parser.add_argument("--no-memory", action="store_true", help="skip the 30-column memory measure")
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


def summary(label: str, runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    return (
        f"{label:<44} {min(walls):6.2f} s (median {statistics.median(walls):5.2f}) "
        f"{max(r for _, r in runs):6.0f} MB"
    )


def run(args, tmp: Path) -> None:
    campaign, units = create_campaign()
    path = tmp / "danh-sach-khao-sat.xlsx"
    start = time.perf_counter()
    generate_workbook(path, units, args.rows)
    print(
        f"database  {connection.vendor} ({connection.settings_dict['NAME']})\n"
        f"file      {args.rows:,} rows x {len(HEADER)} columns, {len(units)} units, "
        f"{path.stat().st_size / 1e6:.1f} MB (generated in {time.perf_counter() - start:.1f} s)\n"
        f"load      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min) before measuring"
    )
    if args.profile:
        profiled_import(campaign, path)
    speed = compare(campaign, path, args.rows, args.repeat)
    best = {name: min(w for w, _ in runs) for name, runs in speed.items()}
    rounds = [p[0] / o[0] for p, o in zip(speed["project"], speed["peer"], strict=True)]
    print(
        f"speed, {args.rows:,} rows, whole processes, best of {args.repeat} rounds (wall, resident peak):\n"
        f"{summary('project: manage.py import_respondents', speed['project'])}\n"
        f"{summary('peer:    openpyxl read-only parse', speed['peer'])}\n"
        f"{summary('floor:   python-calamine parse', speed['floor'])}\n"
        f"ratio     project/peer {best['project'] / best['peer']:.2f}x (per round "
        f"{min(rounds):.2f}-{max(rounds):.2f}x), project/floor {best['project'] / best['floor']:.1f}x; "
        f"{args.rows / best['project']:,.0f} rows/s"
    )
    ratio = best["project"] / best["peer"]
    print(
        f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}: speed, import {ratio:.2f}x the openpyxl read-only "
        f"parse (target <= {TARGET_RATIO:.1f}x)"
    )
    if args.no_memory:
        return
    wide = tmp / "danh-sach-rong.xlsx"
    start = time.perf_counter()
    generate_workbook(wide, units, args.memory_rows, seed=2026, columns=args.memory_columns)
    print(
        f"file      {args.memory_rows:,} rows x {args.memory_columns} columns, "
        f"{wide.stat().st_size / 1e6:.1f} MB "
        f"(generated in {time.perf_counter() - start:.1f} s)"
    )
    memory = compare(campaign, wide, args.memory_rows, max(1, args.repeat - 1))
    peak = max(r for _, r in memory["project"])
    print(
        f"memory, {args.memory_rows:,} rows x {args.memory_columns} columns (wall, resident peak):\n"
        f"{summary('project: manage.py import_respondents', memory['project'])}\n"
        f"{summary('peer:    openpyxl read-only parse', memory['peer'])}\n"
        f"{summary('floor:   python-calamine parse', memory['floor'])}\n"
        f"ratio     project/peer {peak / max(r for _, r in memory['peer']):.2f}x resident, "
        f"project/floor {peak / max(r for _, r in memory['floor']):.1f}x\n"
        f"{'PASS' if peak <= TARGET_RSS_MB else 'FAIL'}: memory, import resident peak {peak:.0f} MB "
        f"(target <= {TARGET_RSS_MB:.0f} MB)\n"
        f"load      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min) after measuring"
    )


if __name__ == "__main__":
    main()
