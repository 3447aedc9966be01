"""Loading a questionnaire file into a campaign, with the versioning rule that protects given answers.

A questionnaire is identified by (campaign, code). Loading a file identical to the current version changes
nothing; a current version nobody has answered yet (no Response row, draft or submitted) is updated in
place; a current version with responses is never changed: the file becomes the next version, which is
then the current one (docs/decisions.md D9). The rule is kit.versioning's, shared with criteria trees
(docs/decisions.md D150).
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from kit.documents import checksum
from kit.versioning import ChangeReport, compare_items, index_by_code, store_version
from respondents.models import Campaign, RespondentGroup

from ..models import Invitation, Questionnaire
from ..selectors import questionnaire_for
from ..signals import checking_questionnaire
from .definitions import DefinitionResult, parse_definition_file, validate_definition

XLSFORM_SUFFIXES = (".xlsx", ".xls")

__all__ = ["LoadReport", "load_questionnaire", "questionnaire_for"]  # questionnaire_for: re-exported

TITLE_MAX = Questionnaire._meta.get_field("title").max_length


@dataclass
class LoadReport:
    questionnaire: Questionnaire | None = None
    created: bool = False  # a new row: the first version or the next one
    version: int | None = None
    errors: list[str] = field(default_factory=list)  # "path: message", as definitions.py reports them
    status: str = "rejected"  # created | updated | unchanged | rejected
    changes: ChangeReport | None = None  # questions against the version this load replaced or updated
    warnings: list[str] = field(default_factory=list)  # what an XLSForm had that is ignored, and where

    @property
    def ok(self) -> bool:
        return not self.errors


def read_questionnaire_file(
    path: Path, *, group_codes: list[str] | None = None
) -> tuple[DefinitionResult, list[str]]:
    """(the validated definition or its errors, warnings) of a YAML/JSON file or an XLSForm workbook (by
    its suffix). An XLSForm's errors name the sheet, row and column; `group_codes` stand in for a workbook
    whose settings sheet names no respondent groups (the upload page asks for them)."""
    from .xlsform import read_xlsform

    if path.suffix.lower() not in XLSFORM_SUFFIXES:
        return parse_definition_file(path), []
    form = read_xlsform(path, file_name=path.name)
    warnings = [str(w) for w in form.warnings]
    if not form.ok:
        return DefinitionResult(errors=[f"{path.name}: {p}" for p in form.problems]), warnings
    if not form.document["groups"] and group_codes:
        form.document["groups"] = list(group_codes)
    validated = validate_definition(form.document)
    validated.errors = [f"{path.name}: {form.locate(e)}" for e in validated.errors]
    return validated, warnings


def load_questionnaire(
    *, campaign: Campaign, path: Path | str, group_codes: list[str] | None = None
) -> LoadReport:
    path = Path(path)
    parsed, warnings = read_questionnaire_file(path, group_codes=group_codes)
    if not parsed.ok:
        return LoadReport(errors=parsed.errors, warnings=warnings)
    report = _load(campaign, path, parsed.definition)
    report.warnings = warnings
    return report


def load_definition(*, campaign: Campaign, definition: dict, source_name: str) -> LoadReport:
    """Store an already validated definition (a questionnaire copied from another campaign)."""
    return _load(campaign, Path(source_name), definition)


def _load(campaign: Campaign, path: Path, definition: dict) -> LoadReport:
    digest = checksum(definition)
    errors = []
    if len(definition["title"]) > TITLE_MAX:
        errors.append(f"title: at most {TITLE_MAX} characters")
    with transaction.atomic():
        # One load per campaign at a time, so that two loads of a new code cannot both create version 1.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        groups = _groups(campaign, definition, errors)
        for _receiver, found in checking_questionnaire.send(
            sender=Questionnaire, campaign=campaign, definition=definition, file_name=path.name
        ):
            errors.extend(found or [])
        if errors:
            return LoadReport(errors=errors)
        # The shared policy (kit.versioning): its FOR UPDATE also waits for a Response being inserted for
        # this version (its foreign key takes a KEY SHARE lock on PostgreSQL), so the check sees it.
        stored = store_version(
            model=Questionnaire,
            scope={"campaign": campaign, "code": definition["code"]},
            checksum=digest,
            has_dependants=lambda current: current.responses.exists(),
            fill=lambda row: _fill(row, definition, digest, path),
        )
        questionnaire = stored.row
        if stored.status == "unchanged":
            return LoadReport(questionnaire=questionnaire, version=questionnaire.version, status="unchanged")
        changes = question_changes(stored.before, definition) if stored.before is not None else None
        questionnaire.groups.set(groups)
        if stored.status == "updated":
            return LoadReport(
                questionnaire=questionnaire, version=questionnaire.version, status="updated", changes=changes
            )
        if stored.previous is not None:
            # Invitations nobody has started follow the current version; started ones keep theirs.
            Invitation.objects.filter(
                questionnaire=stored.previous, response__isnull=True, respondent__group__in=groups
            ).update(questionnaire=questionnaire)
    return LoadReport(
        questionnaire=questionnaire,
        created=True,
        version=questionnaire.version,
        status="created",
        changes=changes,
    )


def _groups(campaign: Campaign, definition: dict, errors: list[str]) -> list[RespondentGroup]:
    """The file's groups: known, surveyed by the campaign, and answering no other current questionnaire."""
    known = {g.code: g for g in RespondentGroup.objects.filter(code__in=definition["groups"])}
    in_campaign = set(campaign.groups.values_list("code", flat=True))
    taken = dict(
        Questionnaire.objects.filter(campaign=campaign, is_current=True)
        .exclude(code=definition["code"])
        .values_list("groups__code", "code")
    )
    found = []
    for index, code in enumerate(definition["groups"]):
        where = f"groups[{index}]"
        if code not in known:
            errors.append(f"{where}: unknown respondent group '{code}'")
        elif code not in in_campaign:
            errors.append(f"{where}: group '{code}' is not surveyed by campaign '{campaign.slug}'")
        elif code in taken:
            errors.append(f"{where}: group '{code}' already answers questionnaire '{taken[code]}'")
        elif known[code] in found:
            errors.append(f"{where}: '{code}' is listed twice")
        else:
            found.append(known[code])
    return found


def question_changes(before: dict, after: dict) -> ChangeReport:
    """Questions added, removed, reworded (text) and changed (type, scale options, feeds, condition)."""

    def items(definition: dict) -> dict:
        return index_by_code(q for section in definition["sections"] for q in section["questions"])

    return compare_items(
        items(before),
        items(after),
        attributes=("text", "type", "options", "feeds", "show_if", "relevant", "constraint", "required"),
        name_attribute="text",
    )


def _fill(questionnaire: Questionnaire, definition: dict, digest: str, path: Path) -> None:
    questionnaire.title = definition["title"]
    questionnaire.definition = definition
    questionnaire.checksum = digest
    questionnaire.source_file = path.name[:255]
