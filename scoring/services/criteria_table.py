"""Loading the Ministry's official criteria table (the annex a province receives) as a criteria tree, and
writing a stored tree back as YAML (docs/reference/criteria-table-format.md).

All or nothing: the annex is read (scoring.services.annex), checked (sums at every level, the counts
expected, unique codes, positive maxima with at most two decimals), turned into a definition in the shipped
YAML shape, validated like a YAML file, and stored under the versioning rule (scoring.services.trees): over a
scored tree of the same code it makes a new version, reports what changed and carries every score.
Nodes from an official table are `confirmed: true`, with the file's name and SHA-256 as their source.
"""

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.files.uploadedfile import UploadedFile

from kit.tabular.problems import Problem

from .. import selectors
from ..bands import BANDS
from ..models import CriteriaTree
from . import annex
from .definitions import LEVELS, validate_tree
from .trees import TreeLoadReport, store_tree

DEFAULT_BANDS = {"province": "bnv-province-groups-2023"}
FALLBACK_BANDS = "ha-nam-2022"
DEFAULT_LEAD = {"snv": {"name": "Sở Nội vụ", "unit_code": "SNV"}}


@dataclass
class TableImport:
    status: str = "rejected"  # created | updated | unchanged | rejected
    code: str = ""
    version: int | None = None
    counts: dict = field(default_factory=dict)
    total: Decimal | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    tree: CriteriaTree | None = None
    report: TreeLoadReport | None = None
    definition: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        """The JSON the command prints with --format json (docs/reference/criteria-table-format.md)."""
        counts = self.counts
        report = self.report
        return {
            "status": self.status,
            "code": self.code,
            "version": self.version,
            "domains": counts.get("domains"),
            "criteria": counts.get("criteria"),
            "sub_criteria": counts.get("sub_criteria"),
            "scored_items": counts.get("scored_items"),
            "total": _plain(self.total),
            "survey_total": _plain(counts.get("survey_total")),
            "errors": [_problem_dict(p) for p in self.errors],
            "warnings": [_problem_dict(p) for p in self.warnings],
            "changes": report.changes.as_dict() if report and report.changes else None,
            "carried": [c.as_dict() for c in report.carried] if report else [],
        }


def parse_years(text: str) -> dict | None:
    """ "2024-2030", "2024–2030" or "2024-" → {"from", "until"}; None when not years."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})?\s*", text or "") or re.fullmatch(
        r"\s*(\d{4})\s*", text or ""
    )
    if not match:
        return None
    start = int(match.group(1))
    until = int(match.group(2)) if match.lastindex and match.lastindex >= 2 and match.group(2) else None
    if until is not None and until < start:
        return None
    return {"from": start, "until": until}


def parse_expect(text: str) -> dict | None:
    """ "8/37/88" → {"domains": 8, "criteria": 37, "sub_criteria": 88}; None when not that shape."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match:
        return None
    return dict(zip(("domains", "criteria", "sub_criteria"), map(int, match.groups()), strict=True))


def import_criteria_table(
    *,
    path: Path,
    file_name: str,
    code: str,
    title: str,
    decision: str,
    years: dict,
    level: str = "province",
    total: Decimal | None = Decimal(100),
    expect: dict | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
) -> TableImport:
    result = TableImport(code=code)
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    read = annex.read_annex(path, file_name=file_name, sheet=sheet)
    result.warnings.extend(read.warnings)
    if read.domains:  # sums and counts are checked even when some rows are wrong: every problem at once
        annex.check_sums(read, file_name=file_name, total=total)
        annex.check_counts(read, file_name=file_name, expect=expect)
    result.errors.extend(read.errors)
    result.counts = annex.counts(read.domains) if read.domains else {}
    result.total = sum((d.max_points or 0 for d in read.domains), Decimal(0)) if read.domains else None
    if result.errors:
        return result
    digest = _sha256(path)
    previous = selectors.current_tree(code)
    definition = _definition(
        read,
        code=code,
        title=title,
        decision=decision,
        years=years,
        level=level,
        total=result.total,
        expect=expect,
        source=f"Bảng tiêu chí chính thức: {file_name} (SHA-256 {digest})",
        previous=previous,
        warnings=result.warnings,
        file_name=file_name,
    )
    checked = validate_tree(definition)
    if not checked.ok:
        result.errors.extend(
            annex.annex_problem("tree_invalid", file=file_name, sheet=read.sheet, detail=e)
            for e in checked.errors
        )
        return result
    result.definition = checked.definition
    report = store_tree(definition=checked.definition, source_file=file_name, dry_run=dry_run)
    if not report.ok:
        result.errors.extend(
            annex.annex_problem("tree_invalid", file=file_name, detail=e) for e in report.errors
        )
        return result
    result.report = report
    result.status = report.status
    result.tree = report.tree
    if report.tree is not None:
        result.version = report.tree.version
    elif report.status == "created":
        result.version = (previous.version + 1) if previous else 1
    return result


def _definition(
    read: annex.AnnexResult, *, previous: CriteriaTree | None, warnings: list, file_name: str, **top: object
) -> dict:
    """The annex as a tree document in the shipped YAML shape. Lead departments, bands and the rules of
    computed indicators are not in the annex: they come from the current version of the same code, else
    from the latest tree of the level (docs/decisions.md D155)."""
    like = previous or _latest_of_level(top["level"])
    leads = dict(like.leads) if like else {}
    like_nodes = _nodes_by_code(like.definition["domains"]) if like else {}
    if not leads:
        leads = dict(DEFAULT_LEAD)
        warnings.append(annex.annex_problem("leads_default", file=file_name, value=top["code"]))
    default_lead = next(iter(leads))
    bands = like.bands if like and like.bands in BANDS else DEFAULT_BANDS.get(top["level"], FALLBACK_BANDS)

    def node(row: annex.AnnexRow, lead: str | None) -> dict:
        old = like_nodes.get(row.code, {})
        raw = {"code": row.code, "name": row.name, "max": _yaml_number(row.max_points)}
        if row.kind == "domain":
            lead = old.get("lead") if old.get("lead") in leads else default_lead
            raw["lead"] = lead
        elif old.get("lead") and old["lead"] != lead and old["lead"] in leads:
            raw["lead"] = old["lead"]
        key = "criteria" if row.kind == "domain" else "sub_criteria"
        if row.children:
            raw[key] = [node(child, raw.get("lead", lead)) for child in row.children]
        elif row.kind != "domain":
            if row.scored_by == "survey":
                raw["scored_by"] = "survey"
                raw["survey"] = row.survey
                if old.get("rule", {}).get("kind") == "survey":
                    raw["rule"] = old["rule"]
            elif old.get("scored_by") == "computed":
                raw["scored_by"] = "computed"
                raw["rule"] = old["rule"]
                warnings.append(
                    annex.annex_problem(
                        "computed_kept",
                        file=file_name,
                        sheet=row.sheet,
                        row=row.row,
                        value=row.code,
                        detail=old["rule"].get("kind", ""),
                    )
                )
        return raw

    items = _items(read.domains)
    document = {
        "code": top["code"],
        "title": top["title"],
        "level": top["level"],
        "decision": top["decision"],
        "years": {"from": top["years"]["from"], "until": top["years"]["until"]},
        "total": _yaml_number(top["total"]),
        "expected": top["expect"] or {},
        "bands": bands,
        "leads": leads,
        "confirmed": True,
        "source": top["source"],
        "domains": [node(d, None) for d in read.domains],
    }
    if any(i.scored_by == "survey" for i in items):
        document["survey_total"] = _yaml_number(
            sum((i.max_points for i in items if i.scored_by == "survey"), Decimal(0))
        )
    return document


def _items(domains: list[annex.AnnexRow]) -> list[annex.AnnexRow]:
    found = []
    for domain in domains:
        for criterion in domain.children:
            found.extend(criterion.children or [criterion])
    return found


def _latest_of_level(level: str) -> CriteriaTree | None:
    return CriteriaTree.objects.filter(is_current=True, level=level).order_by("-year_from", "-pk").first()


def _nodes_by_code(nodes: list[dict]) -> dict[str, dict]:
    found = {}
    for node in nodes:
        found[node["code"]] = node
        found |= _nodes_by_code(node["children"])
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _problem_dict(p: Problem) -> dict:
    return {
        "file": p.file,
        "sheet": p.sheet,
        "row": p.row,
        "column": p.column,
        "code": p.code,
        "message": p.message,
    }


def _plain(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


# --- export ----------------------------------------------------------------------------------------------


def export_tree_yaml(tree: CriteriaTree) -> str:
    """The stored tree in the shipped YAML shape; loading it again gives the same definition (so the
    loader says `unchanged` for the current version). `confirmed` and `source` are written where they differ
    from the node above."""
    d = tree.definition
    document: dict = {
        "code": d["code"],
        "title": d["title"],
        "level": d["level"],
        "decision": d["decision"],
        "years": d["years"] if d["years"].get("until") else {"from": d["years"]["from"]},
        "total": _yaml_number(d["total"]),
    }
    if d.get("survey_total") is not None:
        document["survey_total"] = _yaml_number(d["survey_total"])
    document["bands"] = d["bands"]
    document["leads"] = d["leads"]
    top_confirmed, top_source = _majority(d["domains"])
    document["confirmed"] = top_confirmed
    document["source"] = top_source
    document["domains"] = [_export_node(n, top_confirmed, top_source, None) for n in d["domains"]]
    header = (
        f"# {tree.title}: version {tree.version} of {tree.code}, exported from the database "
        f"(source file: {tree.source_file or '-'}).\n"
        "# Format: docs/reference/criteria-tree-format.md. Load with manage.py load_criteria_tree FILE.\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


def _majority(domains: list[dict]) -> tuple[bool, str]:
    first = domains[0] if domains else {"confirmed": False, "source": ""}
    return first["confirmed"], first["source"]


def _export_node(node: dict, confirmed: bool, source: str, lead: str | None) -> dict:
    raw: dict = {"code": node["code"], "name": node["name"], "max": _yaml_number(node["max"])}
    if node["lead"] and (node["kind"] == "domain" or node["lead"] != lead):
        raw["lead"] = node["lead"]
    if node["confirmed"] != confirmed:
        raw["confirmed"] = node["confirmed"]
    if node["source"] != source:
        raw["source"] = node["source"]
    key = "criteria" if node["kind"] == "domain" else "sub_criteria"
    if node["children"]:
        raw[key] = [
            _export_node(c, node["confirmed"], node["source"], node["lead"]) for c in node["children"]
        ]
    elif node["kind"] != "domain":
        if node.get("scored_by", "self") != "self":
            raw["scored_by"] = node["scored_by"]
        if node.get("survey"):
            raw["survey"] = node["survey"]
        default_rule = {"self": "manual", "survey": "survey"}.get(node.get("scored_by", "self"))
        if node.get("rule") and node["rule"] != {"kind": default_rule}:
            raw["rule"] = node["rule"]
    return raw


def _yaml_number(text: object) -> int | float:
    value = Decimal(str(text))
    return int(value) if value == value.to_integral_value() else float(value)


# --- the upload page: a checked file is kept until it is loaded ---------------------------------------

UPLOAD_SUFFIXES = (".xlsx", ".xls", ".ods", ".docx")


def staged_path(token: str, suffix: str) -> Path:
    from django.conf import settings

    if not re.fullmatch(r"[0-9a-f]{64}", token) or suffix not in UPLOAD_SUFFIXES:
        raise ValueError("not a staged upload")
    folder = Path(settings.MEDIA_ROOT) / "scoring" / "criteria-tables"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{token}{suffix}"


def stage_upload(upload: UploadedFile) -> tuple[str, Path]:
    """Keep an uploaded annex under its SHA-256 (private media), for the check → load steps of the page."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    path = staged_path(digest.hexdigest(), Path(upload.name).suffix.lower())
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return digest.hexdigest(), path
