"""Read a campaign archive (format in parts.py) into the database, in one transaction.

The archive is checked before anything is written: its format version, every member against the
manifest's SHA-256, no member missing or added. The campaign's slug must not exist (importing twice is
refused). Users are matched by username or created without a usable password; groups, units and criteria
trees are matched by natural key or created; every other row is created as it was, timestamps included.
"""

import contextlib
import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction

from respondents.models import Campaign, Province, RespondentGroup, Unit
from scoring.models import CriteriaTree, Criterion, Evidence

from .parts import (
    CAMPAIGN,
    EVIDENCE_DIR,
    FORMAT_NAME,
    FORMAT_VERSION,
    GROUP,
    MANIFEST,
    PARTS,
    PARTS_BY_NAME,
    PROVINCE,
    UNIT,
    USER,
    USER_FIELDS,
    ArchiveError,
    Part,
    decode,
)

MAX_ARCHIVE_BYTES = 4 * 1024**3  # uncompressed; a zip bomb is refused before it is read
BATCH = 1000
# Province-wide rows that outlive a campaign: created when missing, never twice.
PROVINCE_ROLES = ("respondents/memberships", "scoring/scoring_roles")
# Parts read before the others, by natural key (see the functions below).
NAMED = (
    "respondents/province",
    "auth/users",
    "respondents/groups",
    "respondents/units",
    "respondents/campaign",
)


@dataclass
class ImportReport:
    campaign: Campaign
    created: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)  # existing users, units, groups, trees, roles


@dataclass
class _Context:
    province: Province | None = None
    campaign: Campaign | None = None
    users: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    refs: dict[str, dict[int, int]] = field(default_factory=dict)
    saved_files: list = field(default_factory=list)
    matched_trees: set[int] = field(default_factory=set)


def read_archive(path: Path | str) -> tuple[dict, dict[str, list[dict]], dict[str, bytes]]:
    """The manifest, the rows of every part and the evidence files, all checked against the manifest."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"{path.name}: not a readable campaign archive ({exc})") from exc
    with archive:
        infos = {info.filename: info for info in archive.infolist()}
        if sum(info.file_size for info in infos.values()) > MAX_ARCHIVE_BYTES:
            raise ArchiveError(f"{path.name}: the archive unpacks to more than {MAX_ARCHIVE_BYTES} bytes")
        if MANIFEST not in infos:
            raise ArchiveError(f"{path.name}: no {MANIFEST}; not a campaign archive")
        manifest = _manifest(archive.read(MANIFEST))
        listed = manifest["members"]
        for name in infos:
            if name != MANIFEST and name not in listed:
                raise ArchiveError(f"member {name!r} is not listed in the manifest")
        data = {}
        for name, expected in listed.items():
            if name not in infos:
                raise ArchiveError(f"member {name!r} is listed in the manifest but missing")
            try:
                content = archive.read(name)
            except (zipfile.BadZipFile, OSError) as exc:  # a damaged member fails its CRC
                raise ArchiveError(f"member {name!r} is damaged ({exc})") from exc
            if hashlib.sha256(content).hexdigest() != expected.get("sha256"):
                raise ArchiveError(f"member {name!r} does not match its SHA-256 in the manifest")
            data[name] = content
    rows = {}
    for part in PARTS:
        if part.member not in data:
            raise ArchiveError(f"member {part.member!r} is missing")
        rows[part.name] = _rows(part.member, data[part.member])
    files = {name: content for name, content in data.items() if name.startswith(EVIDENCE_DIR + "/")}
    return manifest, rows, files


def _manifest(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{MANIFEST}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ArchiveError(f"{MANIFEST}: not a campaign archive (format {FORMAT_NAME!r} expected)")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveError(
            f"{MANIFEST}: archive format version {version!r} is not supported "
            f"(this program reads version {FORMAT_VERSION})"
        )
    if not isinstance(manifest.get("members"), dict) or not isinstance(manifest.get("campaign"), str):
        raise ArchiveError(f"{MANIFEST}: members or campaign missing")
    return manifest


def _rows(member: str, content: bytes) -> list[dict]:
    rows = []
    for number, line in enumerate(content.splitlines(), start=1):
        try:
            row = json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{member} line {number}: not valid JSON ({exc})") from exc
        if not isinstance(row, dict):
            raise ArchiveError(f"{member} line {number}: an object expected")
        rows.append(row)
    return rows


def import_campaign(*, path: Path | str) -> ImportReport:
    manifest, rows, files = read_archive(path)
    slug = manifest["campaign"]
    context = _Context()
    report = ImportReport(campaign=None)  # type: ignore[arg-type]
    try:
        with transaction.atomic(), _timestamps_as_given():
            if Campaign.objects.filter(slug=slug).exists():
                raise ArchiveError(
                    f"campaign {slug!r} already exists; delete it first (an archive is imported once)"
                )
            _province(rows, context, report)
            _users(rows, context, report)
            _groups(rows, context, report)
            _units(rows, context, report)
            _campaign(rows, context, report)
            for part in PARTS:
                if part.name in NAMED:
                    continue
                if part.name in PROVINCE_ROLES:
                    _roles(part, rows[part.name], context, report)
                elif part.name == "scoring/trees":
                    _trees(rows[part.name], context, report)
                elif part.name == "scoring/criteria":
                    _criteria(rows[part.name], context, report)
                elif part.name == "scoring/evidence":
                    _evidence(part, rows[part.name], files, context, report)
                else:
                    _create(part, rows[part.name], context, report)
            if report.created["respondents/campaign"] != 1:
                raise ArchiveError("respondents/campaign.jsonl: exactly one campaign expected")
    except BaseException:
        for stored in context.saved_files:
            stored.storage.delete(stored.name)
        raise
    report.campaign = context.campaign
    return report


@contextlib.contextmanager
def _timestamps_as_given() -> Iterator[None]:
    """auto_now / auto_now_add off while importing: the archive's timestamps are the history."""
    switched = []
    for part in PARTS:
        for f in part.model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _build(part: Part, row: dict, number: int, context: _Context) -> models.Model:
    where = f"{part.member} line {number}"
    plain = {f.name: f for f in part.plain_fields()}
    relations = {f.name: f for f in part.relation_fields()}
    known = set(plain) | set(relations) | set(part.m2m) | {"ref"}
    unknown = sorted(set(row) - known)
    if unknown:
        raise ArchiveError(f"{where}: unknown field(s) {', '.join(unknown)}")
    values = {}
    for name, f in plain.items():
        if name not in row:
            raise ArchiveError(f"{where}: field {name} missing")
        try:
            values[name] = decode(f, row[name])
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ArchiveError(f"{where}: field {name}: {row[name]!r} ({exc})") from exc
    for name, f in relations.items():
        target = part.refs[name]
        if target == CAMPAIGN:
            values[f.attname] = context.campaign.pk
        elif target == PROVINCE:
            values[f.attname] = context.province.pk
        else:
            values[f.attname] = _resolve(target, row.get(name), name, where, context)
    return part.model(**values)


def _resolve(target: str, value: object, name: str, where: str, context: _Context) -> int | None:
    if value is None:
        return None
    table = {USER: context.users, UNIT: context.units, GROUP: context.groups}.get(target)
    if table is None:
        table = context.refs.get(target, {})
    try:
        return table[value]
    except (KeyError, TypeError):
        raise ArchiveError(f"{where}: {name} {value!r} is not in the archive") from None


def _create(part: Part, rows: list[dict], context: _Context, report: ImportReport) -> None:
    """Bulk-create the part's rows. Foreign keys to rows of the same part (a drawn unit's parent, an
    assessment replaced by its twin, docs/decisions.md D156) are left empty at first and set once every row
    of the part has its id."""
    own = [name for name, target in part.refs.items() if target == part.name]
    objects = [_build(part, {**row, **dict.fromkeys(own)}, n, context) for n, row in enumerate(rows, start=1)]
    _check_refs(part, rows)
    try:
        with transaction.atomic():
            created = part.model.objects.bulk_create(objects, batch_size=BATCH)
    except IntegrityError as exc:
        raise ArchiveError(
            f"{part.member}: rows conflict with rows already in the database ({exc}); "
            "is this campaign already here under another slug?"
        ) from exc
    if any(obj.pk is None for obj in created):
        raise ArchiveError(f"{part.member}: this database does not return the ids of inserted rows")
    context.refs[part.name] = {row["ref"]: obj.pk for row, obj in zip(rows, created, strict=True)}
    if own:
        for number, (row, obj) in enumerate(zip(rows, created, strict=True), start=1):
            for name in own:
                resolved = _resolve(part.name, row.get(name), name, f"{part.member} line {number}", context)
                setattr(obj, part.model._meta.get_field(name).attname, resolved)
        part.model.objects.bulk_update(created, own, batch_size=BATCH)
    for name, target in part.m2m.items():
        _set_m2m(part, name, target, rows, created, context)
    report.created[part.name] = len(created)


def _check_refs(part: Part, rows: list[dict]) -> None:
    refs = [row.get("ref") for row in rows]
    if refs != list(range(1, len(rows) + 1)):
        raise ArchiveError(f"{part.member}: refs must number the lines 1, 2, 3, …")


def _set_m2m(
    part: Part, name: str, target: str, rows: list[dict], created: list[models.Model], context: _Context
) -> None:
    through = getattr(part.model, name).through
    source = f"{part.model._meta.model_name}_id"
    dest = f"{getattr(part.model, name).field.related_model._meta.model_name}_id"
    links = []
    for number, (row, obj) in enumerate(zip(rows, created, strict=True), start=1):
        for code in row.get(name) or []:
            pk = _resolve(target, code, name, f"{part.member} line {number}", context)
            links.append(through(**{source: obj.pk, dest: pk}))
    through.objects.bulk_create(links, batch_size=BATCH)


def _province(rows: dict[str, list[dict]], context: _Context, report: ImportReport) -> None:
    (row,) = rows["respondents/province"] or [None]
    if row is None:
        raise ArchiveError("respondents/province.jsonl: the province is missing")
    province = Province.objects.filter(code=row.get("code")).first()
    if province is None:
        if Province.objects.filter(name=row.get("name")).exists():
            raise ArchiveError(
                f"province {row.get('name')!r} exists with another code than {row.get('code')!r}"
            )
        province = _build(PARTS_BY_NAME["respondents/province"], row, 1, context)
        province.save()
        report.created["respondents/province"] = 1
    else:
        report.matched["respondents/province"] = 1
    context.province = province


def _users(rows: dict[str, list[dict]], context: _Context, report: ImportReport) -> None:
    User = get_user_model()
    archived = rows["auth/users"]
    names = [row.get("username") for row in archived]
    context.users = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    created = 0
    for number, row in enumerate(archived, start=1):
        if set(row) != set(USER_FIELDS):
            raise ArchiveError(f"auth/users.jsonl line {number}: fields {', '.join(USER_FIELDS)} expected")
        if row["username"] in context.users:
            continue
        user = User(**row)
        user.set_unusable_password()  # docs/decisions.md D44: passwords are never archived
        user.save()
        context.users[user.username] = user.pk
        created += 1
    report.created["auth/users"], report.matched["auth/users"] = created, len(archived) - created


def _groups(rows: dict[str, list[dict]], context: _Context, report: ImportReport) -> None:
    archived = rows["respondents/groups"]
    context.groups = dict(
        RespondentGroup.objects.filter(code__in=[r.get("code") for r in archived]).values_list("code", "pk")
    )
    part = PARTS_BY_NAME["respondents/groups"]
    created = 0
    for number, row in enumerate(archived, start=1):
        if row.get("code") not in context.groups:
            group = _build(part, row, number, context)
            group.save()
            context.groups[group.code] = group.pk
            created += 1
    report.created[part.name], report.matched[part.name] = created, len(archived) - created


def _units(rows: dict[str, list[dict]], context: _Context, report: ImportReport) -> None:
    """Matched by code in the province, with the same validity dates (units are dated data); parents first."""
    part = PARTS_BY_NAME["respondents/units"]
    archived = {row.get("code"): (number, row) for number, row in enumerate(rows[part.name], start=1)}
    existing = {u.code: u for u in Unit.objects.filter(province=context.province, code__in=list(archived))}
    created = matched = 0

    def place(code: str, seen: tuple = ()) -> int:
        nonlocal created, matched
        if code in context.units:
            return context.units[code]
        if code not in archived or code in seen:
            raise ArchiveError(f"{part.member}: unit {code!r} is missing or its own ancestor")
        number, row = archived[code]
        parent = row.get("parent")
        parent_pk = place(parent, (*seen, code)) if parent else None
        unit = _build(part, {k: v for k, v in row.items() if k != "parent"}, number, context)
        found = existing.get(code)
        if found is not None:
            if (found.valid_from, found.valid_until) != (unit.valid_from, unit.valid_until):
                raise ArchiveError(
                    f"{part.member} line {number}: unit {code!r} exists with validity "
                    f"{found.valid_from}–{found.valid_until}, "
                    f"the archive has {unit.valid_from}–{unit.valid_until}"
                )
            matched += 1
            context.units[code] = found.pk
            return found.pk
        unit.parent_id = parent_pk
        unit.save()
        created += 1
        context.units[code] = unit.pk
        return unit.pk

    for code in archived:
        place(code)
    report.created[part.name], report.matched[part.name] = created, matched


def _campaign(rows: dict[str, list[dict]], context: _Context, report: ImportReport) -> None:
    part = PARTS_BY_NAME["respondents/campaign"]
    _create(part, rows[part.name], context, report)
    context.campaign = Campaign.objects.get(pk=context.refs[part.name][1])


def _roles(part: Part, rows: list[dict], context: _Context, report: ImportReport) -> None:
    have = set(part.model.objects.filter(province=context.province).values_list("user_id", "role", "unit_id"))
    new = []
    for number, row in enumerate(rows, start=1):
        obj = _build(part, {k: v for k, v in row.items() if k != "ref"}, number, context)
        key = (obj.user_id, obj.role, obj.unit_id)
        if key not in have:
            have.add(key)
            new.append(obj)
    part.model.objects.bulk_create(new)
    report.created[part.name], report.matched[part.name] = len(new), len(rows) - len(new)


def _trees(rows: list[dict], context: _Context, report: ImportReport) -> None:
    """A tree version is matched by code and version, and must have the same content (checksum)."""
    part = PARTS_BY_NAME["scoring/trees"]
    _check_refs(part, rows)
    context.refs[part.name], created = {}, 0
    for number, row in enumerate(rows, start=1):
        tree = _build(part, row, number, context)
        found = CriteriaTree.objects.filter(code=tree.code, version=tree.version).first()
        if found is not None:
            if found.checksum != tree.checksum:
                raise ArchiveError(
                    f"{part.member} line {number}: criteria tree {tree.code} v{tree.version} exists "
                    "with other content (checksum differs)"
                )
            context.matched_trees.add(found.pk)
        else:
            if tree.is_current and CriteriaTree.objects.filter(code=tree.code, is_current=True).exists():
                tree.is_current = False  # the database's current version stays current
            tree.save()
            found, created = tree, created + 1
        context.refs[part.name][row["ref"]] = found.pk
    report.created[part.name], report.matched[part.name] = created, len(rows) - created


def _criteria(rows: list[dict], context: _Context, report: ImportReport) -> None:
    part = PARTS_BY_NAME["scoring/criteria"]
    _check_refs(part, rows)
    refs = context.refs[part.name] = {}
    existing = {
        (tree_id, code): pk
        for tree_id, code, pk in Criterion.objects.filter(tree__in=context.matched_trees).values_list(
            "tree_id", "code", "pk"
        )
    }
    pending = list(enumerate(rows, start=1))
    created = 0
    while pending:  # parents before children
        ready = [(n, r) for n, r in pending if r.get("parent") is None or r.get("parent") in refs]
        if not ready:
            number, row = pending[0]
            raise ArchiveError(f"{part.member} line {number}: parent {row.get('parent')!r} unknown")
        new = []
        for number, row in ready:
            node = _build(part, row, number, context)
            if node.tree_id in context.matched_trees:
                key = (node.tree_id, node.code)
                if key not in existing:
                    raise ArchiveError(f"{part.member} line {number}: criterion {node.code} not in the tree")
                refs[row["ref"]] = existing[key]
            else:
                new.append((row, node))
        saved = Criterion.objects.bulk_create([node for _, node in new])
        for (row, _node), obj in zip(new, saved, strict=True):
            refs[row["ref"]] = obj.pk
        created += len(saved)
        done = {n for n, _ in ready}
        pending = [(n, r) for n, r in pending if n not in done]
    report.created[part.name], report.matched[part.name] = created, len(rows) - created


def _evidence(part: Part, rows: list[dict], files: dict, context: _Context, report: ImportReport) -> None:
    _check_refs(part, rows)
    expected = {f"{EVIDENCE_DIR}/{row['ref']}" for row in rows}
    if set(files) != expected:
        raise ArchiveError(f"{EVIDENCE_DIR}/: files {sorted(set(files) ^ expected)} do not match the rows")
    context.refs[part.name] = {}
    for number, row in enumerate(rows, start=1):
        evidence: Evidence = _build(part, row, number, context)
        content = files[f"{EVIDENCE_DIR}/{row['ref']}"]
        if hashlib.sha256(content).hexdigest() != evidence.sha256:
            raise ArchiveError(f"{part.member} line {number}: the file does not match the row's sha256")
        evidence.file.save(Path(evidence.original_name).name or "evidence", ContentFile(content), save=False)
        context.saved_files.append(evidence.file)
        evidence.save()
        context.refs[part.name][row["ref"]] = evidence.pk
    report.created[part.name] = len(rows)
