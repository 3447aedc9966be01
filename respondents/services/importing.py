"""Importing a unit's respondent list into a campaign: all-or-nothing by default, one transaction.

Without a unit the file's rows are added (a coordinator's consolidated file). With a unit the file is that
unit's whole list: matching people are updated in place (old values kept as revisions), new ones added,
missing ones retired, so importing the same file twice changes nothing.
"""

import gc
import hashlib
import itertools
import marshal
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import Action, record
from kit.emails import is_deliverable
from kit.fastsql import db_datetime, insert_rows, json_value
from kit.tabular.problems import Problem, problem
from kit.tabular.workbook import STREAM_ABOVE_BYTES, UnreadableFile, read_sheets

from ..models import Campaign, ImportBatch, Respondent, RespondentGroup, RespondentRevision, Unit
from .matching import GroupMatcher, GroupRef, UnitMatcher, UnitRef
from .parsing import ParseContext, ParsedRow, parse_sheets

BATCH_SIZE = 500
INSERT_PIECE = 5000  # rows per INSERT executemany or COPY
SPOOL_PIECE = 1000  # rows per record of an import's spool file
# What a row may hold, from the model: a longer value is a row error, never a failed INSERT (D57).
_LIMITS = {
    name: Respondent._meta.get_field(name).max_length
    for name in ("full_name", "position", "email", "source_sheet")
}
REPORT_PROBLEM_LIMIT = 2000  # problems kept in the stored report (all are returned to the caller)
_TRACKED_FIELDS = ("full_name", "position", "group_id", "email", "phone", "alternate_phones")
# The columns a new respondent is written with (retired_at and retired_by stay NULL); see _insert_new.
_NEW_FIELDS = (
    "campaign", "unit", "group", "full_name", "position", "email", "phone", "alternate_phones", "raw",
    "source_file", "source_sheet", "source_row", "batch", "created_at", "updated_at",
)  # fmt: skip


@dataclass
class ImportReport:
    file_name: str
    status: str  # "imported", "rejected" or "dry_run"
    accepted: int = 0  # valid rows
    imported: int = 0  # rows written (added + updated + unchanged)
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    def as_dict(self, limit: int | None = None) -> dict:
        """The report as JSON-ready values; with `limit`, only the first `limit` errors and warnings."""
        return {
            "file": self.file_name,
            "status": self.status,
            "accepted": self.accepted,
            "imported": self.imported,
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "retired": self.retired,
            "errors": [p.as_dict() for p in self.errors[:limit]],
            "warnings": [p.as_dict() for p in self.warnings[:limit]],
        }


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a list is imported.

    An import makes about a million small objects (cells, rows, problems, model instances) that all stay
    alive until it ends, so every collection rescans them and frees nothing: a quarter of the time of writing
    50,000 rows. They hold no reference cycles, so nothing is left for the collector when it resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_gc_paused()
def import_list(
    *,
    campaign: Campaign,
    path: Path,
    file_name: str | None = None,
    unit: Unit | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    user: User | AnonymousUser | None = None,
    source: str = ImportBatch.Source.COMMAND,
) -> ImportReport:
    path = Path(path)
    file_name = file_name or path.name
    # Added rows (no unit) are spooled to a file as they are read, ready to insert: never all held.
    spool = _Spool() if unit is None else None
    try:
        try:
            # A large list is streamed: its rows are read as they are checked, never held all at once (D459),
            # so a damaged sheet or too many rows is found while parsing, still before anything is written.
            sheets = read_sheets(
                path,
                file_name=file_name,
                max_bytes=settings.RESPONDENT_FILE_MAX_BYTES,
                max_rows=settings.RESPONDENT_FILE_MAX_ROWS,
                stream_above=STREAM_ABOVE_BYTES,
            )
            ctx = _context(campaign, file_name, unit)
            ctx.sink = None if spool is None else (spool.discard if dry_run else spool.add)
            parsed = parse_sheets(sheets, ctx)
        except UnreadableFile as exc:
            report = ImportReport(
                file_name=file_name,
                status="rejected",
                errors=[problem(exc.code, file=file_name, detail=exc.detail)],
            )
            return _record(report, campaign, unit, user, source, path, skip_invalid, dry_run)

        if not parsed.row_count and not parsed.errors:
            # A header with nothing under it is a mistake, never "this unit has nobody" (that would retire
            # everyone on the unit's list).
            first_sheet = sheets[0].name if sheets else ""
            parsed.errors.append(problem("no_rows", file=file_name, sheet=first_sheet))
        valid = parsed.valid_rows
        report = ImportReport(
            file_name=file_name,
            status="rejected",
            accepted=parsed.valid_count,
            rows=parsed.row_count,
            errors=parsed.errors,
            warnings=parsed.warnings,
        )
        file_level = any(p.row is None for p in parsed.errors)
        if file_level or (parsed.errors and not skip_invalid) or (not report.accepted and unit is None):
            return _record(report, campaign, unit, user, source, path, skip_invalid, dry_run)
        if dry_run:
            report.status = "dry_run"
            return report
        try:
            with transaction.atomic():
                batch = _new_batch(report, campaign, unit, user, source, path, skip_invalid)
                if unit is None:
                    assert spool is not None
                    _add_rows(campaign, batch, spool, report)
                else:
                    _replace_unit_list(campaign, unit, batch, valid, report)
                report.status = "imported"
                report.imported = report.added + report.updated + report.unchanged
                _fill_batch(batch, report)
                batch.save()
                report.batch_id = batch.pk
                # Who changed the list; per person, RespondentRevision and retired_by name this batch.
                record(
                    actor=user,
                    action=Action.RESPONDENTS_IMPORTED,
                    obj=batch,
                    campaign=campaign,
                    detail={
                        "file": file_name,
                        "unit": unit.code if unit else "",
                        "source": source,
                        **{k: getattr(report, k) for k in ("added", "updated", "unchanged", "retired")},
                    },
                )
        except IntegrityError:
            # Another import for this campaign committed the same e-mail or phone in the meantime.
            report.status = "rejected"
            report.errors.append(
                problem(
                    "duplicate",
                    file=file_name,
                    value="",
                    label="",
                    earlier="another import that finished at the same time; import again",
                )
            )
        return report
    finally:
        if spool is not None:
            spool.close()


def _context(campaign: Campaign, file_name: str, unit: Unit | None) -> ParseContext:
    units = list(campaign.units.all()) or list(campaign.province.units.all())
    groups = campaign.groups.all()
    current = Respondent.objects.current().filter(campaign=campaign)
    if unit is not None:
        current = current.exclude(unit=unit)  # the unit's own list is being replaced
    existing_emails, existing_phones = {}, {}
    for email, phone, unit_name, src_file, src_sheet, src_row in current.values_list(
        "email", "phone", "unit__name", "source_file", "source_sheet", "source_row"
    ):
        place = f"{unit_name} ({src_file} / {src_sheet} / dòng {src_row})" if src_file else unit_name
        if email:
            existing_emails[email] = place
        if phone:
            existing_phones[phone] = place
    return ParseContext(
        file_name=file_name,
        units=UnitMatcher([UnitRef(u.pk, u.code, u.name, u.kind) for u in units], campaign.province.name),
        groups=GroupMatcher(
            [GroupRef(g.code, g.name, tuple(g.aliases), g.default_for_unit_kind) for g in groups]
        ),
        require_contacts=campaign.requires_contacts,
        fixed_unit=UnitRef(unit.pk, unit.code, unit.name, unit.kind) if unit else None,
        email_deliverable=is_deliverable if settings.EMAIL_CHECK_DELIVERABILITY else None,
        existing_emails=existing_emails,
        existing_phones=existing_phones,
        limits=_LIMITS,
    )


def _new_respondent(
    campaign: Campaign, batch: ImportBatch, row: ParsedRow, group_ids: dict[str, int]
) -> Respondent:
    """The respondent a row describes, for comparing with a matched one (_insert_new writes new ones)."""
    return Respondent(
        campaign_id=campaign.pk,
        unit_id=row.unit.id,
        group_id=group_ids[row.group.code],
        full_name=row.full_name,
        position=row.position,
        email=row.email,
        phone=row.phone,
        alternate_phones=row.alternate_phones,
        raw=row.raw,
        source_file=batch.file_name,
        source_sheet=row.sheet,
        source_row=row.row,
        batch_id=batch.pk,
    )


def _group_ids() -> dict[str, int]:
    return dict(RespondentGroup.objects.values_list("code", "pk"))


def _stored(row: ParsedRow) -> tuple[object, ...]:
    """What a new respondent's row gives its columns: unit id, group code, name, position, e-mail, phone,
    alternate phones and raw cells as JSON, sheet, row (the rest is the batch's, see _insert_new)."""
    return (
        row.unit.id,
        row.group.code,
        row.full_name,
        row.position,
        row.email,
        row.phone,
        json_value(row.alternate_phones) if row.alternate_phones else "[]",  # most rows have none
        json_value(row.raw),
        row.sheet,
        row.row,
    )


class _Spool:
    """The valid rows of a list of new respondents, as _stored tuples in a temporary file, so that a large
    list is not held in memory between reading it and writing it (D459). Written and read in pieces of
    SPOOL_PIECE rows, each one marshal record (marshal.load of a file reads it a few bytes at a time)."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._piece: list[tuple[object, ...]] = []
        self.count = 0

    def add(self, row: ParsedRow) -> None:
        self._piece.append(_stored(row))
        self.count += 1
        if len(self._piece) >= SPOOL_PIECE:
            self._flush()

    def discard(self, row: ParsedRow) -> None:
        """A dry run: the row is counted (ParseResult.sunk), not kept."""

    def _flush(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by rows() or close())
        data = marshal.dumps(self._piece)
        self._file.write(len(data).to_bytes(8, "little"))
        self._file.write(data)
        self._piece = []

    def rows(self) -> Iterator[tuple[object, ...]]:
        """The rows added, in order, once; the file is closed after the last."""
        last, self._piece = self._piece, []
        spool, self._file = self._file, None
        if spool is not None:
            with spool:
                spool.seek(0)
                while size := spool.read(8):
                    yield from marshal.loads(spool.read(int.from_bytes(size, "little")))
        yield from last

    def close(self) -> None:
        self._piece = []
        if self._file is not None:
            self._file.close()
            self._file = None


def _insert_new(
    campaign: Campaign, batch: ImportBatch, rows: Iterable[tuple[object, ...]], group_ids: dict[str, int]
) -> None:
    """Write new respondents (_stored tuples) with the values bulk_create stored, as plain tuples in a
    fraction of its time."""
    now = db_datetime(timezone.now())  # created_at and updated_at: one value for the whole import
    campaign_id, batch_id, file_name = campaign.pk, batch.pk, batch.file_name
    records = (  # a generator, so that PostgreSQL stores rows while the next ones are encoded
        (campaign_id, unit_id, group_ids[group], name, position, email, phone, alternates, raw,
         file_name, sheet, source_row, batch_id, now, now)
        for unit_id, group, name, position, email, phone, alternates, raw, sheet, source_row in rows
    )  # fmt: skip
    # In pieces: Django's SQLite executemany keeps every row it was given until the statement ends.
    for piece in itertools.batched(records, INSERT_PIECE):
        insert_rows(Respondent, _NEW_FIELDS, piece)


def _add_rows(campaign: Campaign, batch: ImportBatch, spool: _Spool, report: ImportReport) -> None:
    _insert_new(campaign, batch, spool.rows(), _group_ids())
    report.added = spool.count


def _replace_unit_list(
    campaign: Campaign, unit: Unit, batch: ImportBatch, rows: list[ParsedRow], report: ImportReport
) -> None:
    group_ids = _group_ids()
    # One replacement of a unit's list at a time: a second upload waits, then finds the list it would write.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    current = list(Respondent.objects.current().filter(campaign=campaign, unit=unit).order_by("pk"))
    by_email = {r.email: r for r in current if r.email}
    by_phone = {r.phone: r for r in current if r.phone}
    kept: set[int] = set()
    to_create, to_update, revisions = [], [], []
    for row in rows:
        match = by_email.get(row.email) if row.email else None
        match = match or (by_phone.get(row.phone) if row.phone else None)
        if match is None or match.pk in kept:
            to_create.append(row)
            continue
        kept.add(match.pk)
        new = _new_respondent(campaign, batch, row, group_ids)
        before = {f: getattr(match, f) for f in _TRACKED_FIELDS}
        after = {f: getattr(new, f) for f in _TRACKED_FIELDS}
        for attr in ("raw", "source_file", "source_sheet", "source_row", "batch_id"):
            setattr(match, attr, getattr(new, attr))
        if before != after:
            revisions.append(RespondentRevision(respondent=match, batch=batch, previous=before))
            for f, value in after.items():
                setattr(match, f, value)
            report.updated += 1
        else:
            report.unchanged += 1
        to_update.append(match)
    dropped = [r.pk for r in current if r.pk not in kept]
    # Retire first so that a person who moved from one row to another never collides with itself.
    report.retired = Respondent.objects.filter(pk__in=dropped).update(
        retired_at=timezone.now(), retired_by=batch
    )
    Respondent.objects.bulk_update(
        to_update,
        [*_TRACKED_FIELDS, "raw", "source_file", "source_sheet", "source_row", "batch", "updated_at"],
        batch_size=BATCH_SIZE,
    )
    RespondentRevision.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
    _insert_new(campaign, batch, map(_stored, to_create), group_ids)
    report.added = len(to_create)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _new_batch(
    report: ImportReport,
    campaign: Campaign,
    unit: Unit | None,
    user: User | AnonymousUser | None,
    source: str,
    path: Path,
    skip_invalid: bool,
    status: str = "imported",
) -> ImportBatch:
    # Its figures and report are filled once, at the end (_fill_batch), for an imported list.
    batch = ImportBatch(
        campaign=campaign,
        unit=unit,
        uploaded_by=user if getattr(user, "pk", None) else None,
        source=source,
        file_name=report.file_name[:255],
        sha256=_sha256(path),
        skip_invalid=skip_invalid,
        status=status,
    )
    if status == "rejected":
        _fill_batch(batch, report)
    batch.save()
    return batch


def _fill_batch(batch: ImportBatch, report: ImportReport) -> None:
    batch.rows_read = report.rows
    for name in ("added", "updated", "retired", "unchanged"):
        setattr(batch, name, getattr(report, name))
    batch.error_count = len(report.errors)
    batch.warning_count = len(report.warnings)
    batch.report = report.as_dict(limit=REPORT_PROBLEM_LIMIT)


def _record(
    report: ImportReport,
    campaign: Campaign,
    unit: Unit | None,
    user: User | AnonymousUser | None,
    source: str,
    path: Path,
    skip_invalid: bool,
    dry_run: bool,
) -> ImportReport:
    """Keep a trace of a rejected file (not of a dry run): who sent what, and why it was refused."""
    if not dry_run:
        batch = _new_batch(report, campaign, unit, user, source, path, skip_invalid, status="rejected")
        report.batch_id = batch.pk
    return report
