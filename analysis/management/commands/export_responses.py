"""python manage.py export_responses --campaign S --format csv|xlsx|parquet|sav|dta [--questionnaire CODE]
[--include-drafts] [--labels codes|text] [--personal] -o FILE

One row per response, one column per question code (docs/guides/exports.md); the codebook is written next to
FILE as FILE-stem.codebook.xlsx. Pseudonymised unless --personal (recorded in the audit log either way).
A progress bar goes to stderr. Exit status: 0 written, 1 bad input (a Vietnamese message), 2 usage error.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.exports.service import ExportError, export_responses
from analysis.exports.writers import FORMATS
from respondents.models import Campaign


class Command(BaseCommand):
    help = (
        "Respondent-level export of a campaign's responses (CSV, xlsx, Parquet, SPSS, Stata) with a codebook."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message: str):
            # argparse's own detail (the option's name) after a Vietnamese lead, exit status 2.
            text = f"Tham số không hợp lệ: {message}. Xem: manage.py export_responses --help"
            if parser.called_from_command_line:
                parser.exit(2, text + "\n")
            raise CommandError(text, returncode=2)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign slug")
        parser.add_argument("--format", required=True, help="|".join(FORMATS))
        parser.add_argument("--questionnaire", help="only this questionnaire code (all its versions)")
        parser.add_argument(
            "--include-drafts", action="store_true", help="also drafts and uncounted interviews"
        )
        parser.add_argument(
            "--labels", default="codes", help="codes (default) or text: choices as their labels"
        )
        parser.add_argument("--personal", action="store_true", help="with names, phones, e-mails, free text")
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args, **opts):
        fmt = opts["format"].lower()
        if fmt not in FORMATS:
            raise CommandError(
                f"Định dạng không hỗ trợ: {fmt!r} (chọn một trong: {', '.join(FORMATS)}).", returncode=2
            )
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            self.stderr.write(f"Không có đợt khảo sát mã {opts['campaign']!r}.")
            sys.exit(1)
        output = Path(opts["output"])
        if output.suffix.lower().lstrip(".") != fmt:
            self.stderr.write(f"Tệp {output} không có đuôi .{fmt} của định dạng đã chọn.")
            sys.exit(1)
        if not output.parent.is_dir():
            self.stderr.write(f"Thư mục {output.parent} không tồn tại.")
            sys.exit(1)
        bar = _Bar(self.stderr)
        try:
            report = export_responses(
                campaign=campaign,
                fmt=fmt,
                path=output,
                personal=opts["personal"],
                questionnaire=opts["questionnaire"],
                include_drafts=opts["include_drafts"],
                labels=opts["labels"],
                progress=bar,
            )
        except ExportError as exc:
            bar.end()
            self.stderr.write(str(exc))
            sys.exit(1)
        except OSError as exc:
            bar.end()
            self.stderr.write(f"Không ghi được tệp {output}: {exc.strerror or exc}.")
            sys.exit(1)
        bar.end()
        kind = "có dữ liệu cá nhân" if report.personal else "ẩn danh"
        self.stdout.write(
            f"{report.rows} phiếu × {report.columns} cột ({kind}) → {report.path}; sổ mã: {report.codebook}"
        )


class _Bar:
    """A one-line progress bar on stderr: [#####.....]  52% 52,000/100,000."""

    WIDTH = 30

    def __init__(self, stream) -> None:
        self.stream, self.shown = stream, -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if not total else min(100, 100 * done // total)
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {percent:3d}% {done:,}/{total:,}", ending=""
        )
        self.stream.flush()

    def end(self) -> None:
        if self.shown >= 0:
            self.stream.write("", ending="\n")
