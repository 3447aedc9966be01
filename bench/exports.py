"""Benchmark: respondent-level exports (analysis.exports.service.export_responses) of 100,000 responses to a
60-question questionnaire, in every format, beside pandas writing the same frame (the floor).

    .venv/bin/python bench/exports.py [--responses N] [--formats csv,parquet,sav,dta,xlsx]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench_e .venv/bin/python bench/exports.py

A throwaway test database (a temporary SQLite file, or test_<name> on PostgreSQL) is created, migrated and
dropped here. The questionnaire has 60 questions: 48 five-point scales, 6 single choices with text values, 2
multiple choices of 4 options, 2 numbers and 2 free texts (a personal export: every column written). Each
format is timed in a forked child from the database to the file and its codebook, so its peak resident memory
is its own (plus the parent's pages it shares), taken before the floor runs. The floor is pandas writing the
frame the export wrote (DataFrame.to_csv, to_parquet, to_stata, to_excel; pyreadstat.write_sav without labels,
pandas having no SPSS writer), in the same child. Targets: CSV and Parquet < 5 s, sav and dta < 10 s, xlsx <
30 s, memory < 1 GB each; exit 1 on FAIL."""

import argparse
import datetime
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

from analysis.exports import service, writers  # noqa: E402
from respondents.models import Campaign, Province, Unit  # noqa: E402
from surveys.models import Questionnaire, Response  # noqa: E402

TARGETS = {"csv": 5.0, "parquet": 5.0, "sav": 10.0, "dta": 10.0, "xlsx": 30.0}
MEMORY_LIMIT_MB = 1024
SCALE = [
    {"value": v, "label": label}
    for v, label in enumerate(
        ["Không biết", "Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
    )
]
CHOICES = [{"value": v, "label": f"Lựa chọn {v}"} for v in ("a", "b", "c", "d")]


def definition() -> dict:
    questions = [
        {
            "code": f"q.scale_{i}",
            "type": "scale",
            "text": f"Mức hài lòng về nội dung {i}",
            "scale": "s5",
            "options": SCALE,
            "required": True,
        }
        for i in range(48)
    ]
    questions += [
        {"code": f"q.single_{i}", "type": "single", "text": f"Câu chọn một {i}", "options": CHOICES}
        for i in range(6)
    ]
    questions += [
        {"code": f"q.multi_{i}", "type": "multiple", "text": f"Câu chọn nhiều {i}", "options": CHOICES}
        for i in range(2)
    ]
    questions += [{"code": f"q.number_{i}", "type": "number", "text": f"Số {i}"} for i in range(2)]
    questions += [{"code": f"q.text_{i}", "type": "text", "text": f"Ý kiến {i}"} for i in range(2)]
    return {
        "code": "bench",
        "title": "Bench",
        "groups": ["citizen"],
        "scales": {"s5": SCALE},
        "sections": [{"code": "s", "title": "S", "questions": questions}],
    }


def create(responses: int) -> Campaign:
    province = Province.objects.create(name="Bench")
    units = [
        Unit.objects.create(province=province, code=f"U{i}", name=f"Xã {i}", kind=Unit.Kind.COMMUNE)
        for i in range(30)
    ]
    campaign = Campaign.objects.create(province=province, slug="bench", name="Bench", year=2026)
    questionnaire = Questionnaire.objects.create(
        campaign=campaign, code="bench", version=1, title="Bench", definition=definition(), checksum="b"
    )
    rng = random.Random(7)
    now = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    batch = []
    for n in range(responses):
        answers = {f"q.scale_{i}": rng.randint(0, 5) for i in range(48)}
        answers |= {f"q.single_{i}": rng.choice("abcd") for i in range(6)}
        answers |= {f"q.multi_{i}": rng.sample("abcd", rng.randint(1, 3)) for i in range(2)}
        answers |= {"q.number_0": rng.randint(18, 80), "q.number_1": round(rng.random() * 100, 2)}
        answers |= {"q.text_0": "=1+1 góp ý" if n % 97 == 0 else "Không có", "q.text_1": ""}
        batch.append(
            Response(
                campaign=campaign,
                questionnaire=questionnaire,
                mode="paper",
                unit=units[n % 30],
                answers=answers,
                status="submitted",
                submitted_at=now,
            )
        )
        if len(batch) == 5000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    return campaign


def floor(frame, fmt: str, path: Path) -> None:
    import pyreadstat

    if fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif fmt == "parquet":
        frame.to_parquet(path)
    elif fmt == "xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    else:
        plain = frame.copy()
        plain.columns = writers_names(list(frame.columns))
        for column in plain.columns:
            if str(plain[column].dtype) in ("Int64", "boolean"):
                plain[column] = plain[column].astype(float)
            elif plain[column].dtype == object or str(plain[column].dtype) == "str":
                plain[column] = plain[column].astype(object).where(plain[column].notna(), "")
        if fmt == "sav":
            pyreadstat.write_sav(plain, str(path))
        else:
            plain.to_stata(path, write_index=False, version=118)


def writers_names(names: list[str]) -> list[str]:
    from analysis.exports.layout import stata_names

    return stata_names(names)


def child(campaign: Campaign, fmt: str, folder: Path) -> dict:
    connection.close()  # a fresh connection of the child's own
    captured = {}
    original = writers.write

    def keep(frame, path, fmt, variables, *, progress):
        captured["frame"] = frame
        return original(frame, path, fmt, variables, progress=progress)

    service.writers.write = keep
    start = time.perf_counter()
    report = service.export_responses(
        campaign=campaign, fmt=fmt, path=folder / f"export.{fmt}", personal=True
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the export's, before the floor's
    start = time.perf_counter()
    floor(captured["frame"], fmt, folder / f"floor.{fmt}")
    floor_seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "floor": floor_seconds,
        "peak_mb": peak,
        "rows": report.rows,
        "columns": report.columns,
    }


def run_forked(campaign: Campaign, fmt: str, folder: Path) -> dict:
    read, write = os.pipe()
    pid = os.fork()  # the parent only waits: its idle threads are harmless to the child
    if pid == 0:
        os.close(read)
        try:
            result = child(campaign, fmt, folder)
        except Exception as exc:  # reported by the parent as a failure
            result = {"error": repr(exc)}
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,parquet,sav,dta,xlsx")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        db = connection.settings_dict
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
        setup_test_environment()
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            start = time.perf_counter()
            campaign = create(args.responses)
            print(
                f"{args.responses:,} responses × 60 questions stored in {time.perf_counter() - start:.1f} s "
                f"({connection.vendor}); load average {os.getloadavg()[0]:.2f}"
            )
            print(
                f"{'format':<8} {'export':>9} {'pandas':>9} {'ratio':>6} {'peak MB':>8} {'target':>8}  result"
            )
            for fmt in args.formats.split(","):
                result = run_forked(campaign, fmt, Path(tmp))
                if "error" in result:
                    print(f"{fmt:<8} error: {result['error']}  FAIL")
                    ok = False
                    continue
                passed = result["seconds"] < TARGETS[fmt] and result["peak_mb"] < MEMORY_LIMIT_MB
                ok &= passed
                print(
                    f"{fmt:<8} {result['seconds']:>8.2f}s {result['floor']:>8.2f}s "
                    f"{result['seconds'] / result['floor']:>6.2f} {result['peak_mb']:>8.0f} "
                    f"{TARGETS[fmt]:>7.0f}s  {'PASS' if passed else 'FAIL'}  "
                    f"({result['rows']:,} rows × {result['columns']} columns)"
                )
            print(f"load average after: {os.getloadavg()[0]:.2f}")
        finally:
            teardown_databases(old_config, verbosity=0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
