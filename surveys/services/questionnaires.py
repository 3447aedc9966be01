"""Loading a questionnaire file into a campaign, with the versioning rule that protects given answers.

A questionnaire is identified by (campaign, code). Loading a file identical to the current version changes
nothing; a current version nobody has answered yet (no Response row, draft or submitted) is updated in
place; a current version with responses is never changed: the file becomes the next version, which is
then the current one (docs/decisions.md D9).
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from kit.documents import checksum
from respondents.models import Campaign, RespondentGroup

from ..models import Invitation, Questionnaire
from ..selectors import questionnaire_for
from .definitions import DefinitionResult, parse_definition_file, validate_definition
from .xlsform import read_xlsform

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
    warnings: list[str] = field(default_factory=list)  # what an XLSForm had that is ignored, and where

    @property
    def ok(self) -> bool:
        return not self.errors


def read_questionnaire_file(
    path: Path, *, group_codes: list[str] | None = None
) -> tuple[DefinitionResult, list]:
    """(the validated definition or its errors, warnings) of a YAML/JSON file or an XLSForm workbook (by
    its suffix). An XLSForm's errors name the sheet, row and column; `group_codes` stand in for a workbook
    whose settings sheet names no respondent groups (the upload page asks for them)."""
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
        if errors:
            return LoadReport(errors=errors)
        # FOR UPDATE also waits for a Response being inserted for this version (its foreign key takes a
        # KEY SHARE lock on PostgreSQL), so the check below sees it.
        current = (
            Questionnaire.objects.select_for_update()
            .filter(campaign=campaign, code=definition["code"], is_current=True)
            .first()
        )
        if current is not None and current.checksum == digest:
            return LoadReport(questionnaire=current, version=current.version, status="unchanged")
        if current is not None and not current.responses.exists():
            _fill(current, definition, digest, path)
            current.save()
            current.groups.set(groups)
            return LoadReport(questionnaire=current, version=current.version, status="updated")
        questionnaire = _new_version(campaign, current, definition, digest, path)
        questionnaire.groups.set(groups)
        if current is not None:
            # Invitations nobody has started follow the current version; started ones keep theirs.
            Invitation.objects.filter(
                questionnaire=current, response__isnull=True, respondent__group__in=groups
            ).update(questionnaire=questionnaire)
    return LoadReport(
        questionnaire=questionnaire, created=True, version=questionnaire.version, status="created"
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


def _fill(questionnaire: Questionnaire, definition: dict, digest: str, path: Path) -> None:
    questionnaire.title = definition["title"]
    questionnaire.definition = definition
    questionnaire.checksum = digest
    questionnaire.source_file = path.name[:255]


def _new_version(
    campaign: Campaign, current: Questionnaire | None, definition: dict, digest: str, path: Path
) -> Questionnaire:
    latest = (
        Questionnaire.objects.filter(campaign=campaign, code=definition["code"])
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    if current is not None:
        # Saved before the new row exists: the partial unique constraint allows one current version.
        current.is_current = False
        current.save(update_fields=["is_current"])
    questionnaire = Questionnaire(campaign=campaign, code=definition["code"], version=(latest or 0) + 1)
    _fill(questionnaire, definition, digest, path)
    questionnaire.save()
    return questionnaire
