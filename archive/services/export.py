"""Write a campaign to one archive file (format in parts.py): rows in a stable order, natural keys for
what lives outside the campaign, a manifest with counts and a SHA-256 per member."""

import datetime
import hashlib
import json
import os
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from respondents.models import Campaign, RespondentGroup, Unit
from scoring.models import Evidence

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
    dump_line,
    encode,
    nfc,
)

# Fixed member dates, so that two exports of the same data differ only in the manifest's exported_at.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass
class ExportReport:
    path: Path
    counts: dict[str, int]
    files: int


def app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


class _Names:
    """Natural keys of the objects outside the campaign, and which of them the archive names."""

    def __init__(self, campaign: Campaign) -> None:
        self.units = {u.pk: u for u in Unit.objects.filter(province=campaign.province_id)}
        self.groups = dict(RespondentGroup.objects.values_list("pk", "code"))
        self.usernames = dict(get_user_model().objects.values_list("pk", "username"))
        self.used_units: set[int] = set(campaign.units.values_list("pk", flat=True))
        self.used_groups: set[int] = set(campaign.groups.values_list("pk", flat=True))
        self.used_users: set[int] = set()

    def name(self, target: str, pk: int, where: str) -> str:
        if target == USER:
            self.used_users.add(pk)
            return self.usernames[pk]
        if target == GROUP:
            self.used_groups.add(pk)
            return self.groups[pk]
        if pk not in self.units:
            raise ArchiveError(f"{where}: unit #{pk} is not a unit of the campaign's province")
        self.used_units.add(pk)
        return self.units[pk].code


def export_campaign(*, campaign: Campaign, path: Path | str) -> ExportReport:
    path = Path(path)
    names = _Names(campaign)
    refs: dict[str, dict[int, int]] = {}
    members: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    files: dict[str, bytes] = {}
    for part in PARTS:
        if part.name in ("auth/users", "respondents/groups", "respondents/units"):
            continue
        lines, refs[part.name] = _part_lines(part, campaign, names, refs, files)
        members[part.member] = b"".join(lines)
        counts[part.name] = len(lines)
    _add_named(members, counts, names)
    ordered = {p.member: members[p.member] for p in PARTS} | files
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": app_version(),
        "campaign": campaign.slug,
        "exported_at": timezone.now().astimezone(datetime.UTC).isoformat(),
        "counts": counts,
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in ordered.items()
        },
    }
    _write_zip(path, {MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=2).encode(), **ordered})
    return ExportReport(path=path, counts=counts, files=len(files))


def _part_lines(
    part: Part, campaign: Campaign, names: _Names, refs: dict, files: dict
) -> tuple[list[bytes], dict]:
    queryset = part.rows(campaign)
    own = {pk: n for n, pk in enumerate(queryset.values_list("pk", flat=True), start=1)}
    refs = refs | {part.name: own}
    plain = part.plain_fields()
    relations = part.relation_fields()
    missing = [f.name for f in relations if f.name not in part.refs]
    if missing:
        raise ArchiveError(f"{part.member}: no archive rule for the foreign key(s) {', '.join(missing)}")
    lines = []
    prefetch = [name for name in part.m2m]
    for obj in queryset.prefetch_related(*prefetch).iterator(chunk_size=2000):
        ref = own[obj.pk]
        where = f"{part.member} row {ref}"
        row: dict = {"ref": ref}
        for f in plain:
            row[f.name] = encode(f, f.value_from_object(obj))
        for f in relations:
            target, pk = part.refs[f.name], getattr(obj, f.attname)
            if target in (CAMPAIGN, PROVINCE):
                continue
            if pk is None:
                row[f.name] = None
            elif target in (USER, UNIT, GROUP):
                row[f.name] = names.name(target, pk, where)
            elif pk in refs.get(target, {}):
                row[f.name] = refs[target][pk]
            else:
                raise ArchiveError(f"{where}: {f.name} points outside the campaign ({target} #{pk})")
        for name, target in part.m2m.items():
            row[name] = sorted(names.name(target, o.pk, where) for o in getattr(obj, name).all())
        if part.name == "scoring/evidence":
            files[f"{EVIDENCE_DIR}/{ref}"] = _evidence_bytes(obj, where)
        lines.append(dump_line(row))
    return lines, own


def _evidence_bytes(evidence: Evidence, where: str) -> bytes:
    try:
        with evidence.file.open("rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ArchiveError(f"{where}: evidence file {evidence.file.name!r} cannot be read ({exc})") from exc


def _add_named(members: dict, counts: dict, names: _Names) -> None:
    """Users, groups and units named by the rows (units with their parents), ordered by natural key."""
    User = get_user_model()
    users = User.objects.filter(pk__in=names.used_users).order_by("username")
    members["auth/users.jsonl"] = b"".join(
        dump_line({name: nfc(getattr(user, name)) for name in USER_FIELDS}) for user in users
    )
    counts["auth/users"] = len(names.used_users)
    groups = RespondentGroup.objects.filter(pk__in=names.used_groups).order_by("code")
    members["respondents/groups.jsonl"] = b"".join(
        dump_line(
            {
                "code": g.code,
                "name": nfc(g.name),
                "aliases": nfc(g.aliases),
                "order": g.order,
                "default_for_unit_kind": g.default_for_unit_kind,
            }
        )
        for g in groups
    )
    counts["respondents/groups"] = len(names.used_groups)
    pending = set(names.used_units)
    while pending:  # parents of named units are named too
        parents = {names.units[pk].parent_id for pk in pending} - {None} - names.used_units
        names.used_units |= parents
        pending = parents
    units = sorted((names.units[pk] for pk in names.used_units), key=lambda u: u.code)
    unit_fields = PARTS_BY_NAME["respondents/units"].plain_fields()
    members["respondents/units.jsonl"] = b"".join(
        dump_line(
            {f.name: encode(f, f.value_from_object(u)) for f in unit_fields}
            | {"parent": names.units[u.parent_id].code if u.parent_id else None}
        )
        for u in units
    )
    counts["respondents/units"] = len(units)


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """Written next to the target and renamed, so a failed export never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
