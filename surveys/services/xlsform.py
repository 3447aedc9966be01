"""Questionnaires as XLSForm workbooks (the format of KoboToolbox, ODK and SurveyCTO): reading one into our
definition (surveys/services/definitions.py) and writing a definition back, so that upload → download →
upload changes nothing (docs/decisions.md D250).

Reading has two passes. Ours walks the `survey`, `choices` and `settings` sheets (kit.tabular.workbook, the
safe reader) and refuses every feature we do not support, naming the sheet, row and column, so nothing is
ever dropped silently; pyxform then validates the form (groups that close, lists that exist, unique
names…) and gives its structure, which is mapped into a definition. Problems the definition's validator
finds are reported at the cell they came from.

Supported: select_one, select_multiple (with or_other), integer, decimal, text, date, note,
begin_group/end_group (a top-level group is a section, a group inside it a nested group; deeper is
refused), required, relevant, constraint with constraint_message, label/hint/constraint_message in several
languages (`label::Tiếng Việt (vi)`, `label::English (en)`), appearance likert (a scale question) and
field-list (a group whose likert questions sharing a scale show as a grid), and our own columns: `feeds`
(survey), `missing` (choices), `groups` and `intro` (settings). Metadata that ODK collects by itself
(start, end, today, deviceid…) and Kobo's editor columns ($kuid, $autoname…) are ignored with a warning.
"""

import io
import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json

from kit.tabular.problems import column_letter
from kit.tabular.workbook import Sheet, UnreadableFile, read_sheets
from kit.text import nfc
from kit.xlsx import put

from .definitions import DEFAULT_LANGUAGE
from .definitions import languages as definition_languages
from .expressions import ExpressionError, parse

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
QUESTION_TYPES = {"integer": "number", "decimal": "number", "text": "text", "date": "date", "note": "note"}
SELECT_TYPES = {"select_one": "single", "select_multiple": "multiple"}
METADATA_TYPES = {
    "start", "end", "today", "deviceid", "username", "phonenumber", "subscriberid", "simserial", "email",
    "audit", "start-geopoint", "background-audio",
}  # fmt: skip
SURVEY_COLUMNS = {
    "type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
    "appearance", "feeds",
}  # fmt: skip
TRANSLATED_SURVEY_COLUMNS = {"label", "hint", "constraint_message"}
CHOICES_COLUMNS = {"list_name", "name", "label", "missing"}
SETTINGS_COLUMNS = {"form_title", "form_id", "version", "default_language", "groups", "intro"}
# The form's title and introduction in the other languages: `form_title::English (en)`, `intro::English (en)`.
TRANSLATED_SETTINGS = {"form_title": "title", "intro": "intro"}
IGNORED_COLUMNS = {"$kuid", "$autoname", "$prev", "$given_name"}  # Kobo's form builder bookkeeping
LANGUAGE_NAMES = {"tieng viet": "vi", "tiếng việt": "vi", "vietnamese": "vi", "english": "en"}
LANGUAGE_LABELS = {"vi": "Tiếng Việt (vi)", "en": "English (en)"}
OTHER_LABELS = {"vi": "Khác", "en": "Other"}
SPECIFY_LABELS = {"vi": "Ghi rõ ý kiến khác", "en": "Specify other."}
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0", ""}
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_LANGUAGE_CODE = re.compile(r"\(([a-z]{2,3})\)\s*$")
_BOUNDS = re.compile(
    r"^\s*\.\s*>=\s*(?P<min>-?[0-9]+(?:\.[0-9]+)?)\s*(?:and\s*\.\s*<=\s*(?P<max>-?[0-9]+(?:\.[0-9]+)?)\s*)?$"
    r"|^\s*\.\s*<=\s*(?P<only_max>-?[0-9]+(?:\.[0-9]+)?)\s*$"
)
_LENGTH = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*<=\s*(?P<n>[0-9]+)\s*$")


@dataclass(frozen=True)
class Place:
    sheet: str
    row: int | None = None  # 1-based, as Excel shows it
    column: str = ""  # the column's header, e.g. "relevant" or "label::English (en)"
    letter: str = ""  # its letter, e.g. "G"


@dataclass
class FormProblem:
    place: Place
    message: str

    def __str__(self) -> str:
        if not self.place.sheet:
            return self.message  # about the whole file
        parts = [_("sheet “%(sheet)s”") % {"sheet": self.place.sheet}]
        if self.place.row:
            parts.append(_("row %(row)d") % {"row": self.place.row})
        if self.place.column:
            parts.append(
                _("column %(letter)s (%(name)s)") % {"letter": self.place.letter, "name": self.place.column}
            )
        return ", ".join(parts) + ": " + self.message


@dataclass
class XLSFormResult:
    document: dict | None = None  # for definitions.validate_definition
    problems: list[FormProblem] = field(default_factory=list)
    warnings: list[FormProblem] = field(default_factory=list)
    places: dict[str, Place] = field(default_factory=dict)  # definition path -> where it came from

    @property
    def ok(self) -> bool:
        return not self.problems and self.document is not None

    def locate(self, error: str) -> str:
        """A definition error ("sections[0].questions[2].relevant: …") at the cell it came from."""
        path, _sep, message = error.partition(": ")
        probe = path
        while probe:
            if probe in self.places:
                return str(FormProblem(self.places[probe], message))
            probe = probe.rpartition(".")[0] if "." in probe else ""
            if probe.endswith("]") and probe not in self.places:
                probe = probe[: probe.rfind("[")] if probe.rfind("[") > 0 else probe
        return error


# ------------------------------------------------------------------------------------------------- reading


@dataclass
class _Column:
    index: int
    header: str
    base: str  # "label"
    language: str = ""  # "Tiếng Việt (vi)" as written, or ""

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class _SheetScan:
    name: str
    columns: list[_Column]
    rows: list[tuple[int, dict[str, object]]]  # (Excel row, {header: value}) of non-empty rows

    def place(self, row: int | None, header: str = "") -> Place:
        column = next((c for c in self.columns if c.header == header), None)
        return Place(self.name, row, header if column else "", column.letter if column else "")


def read_xlsform(path: Path, *, file_name: str) -> XLSFormResult:
    """The workbook as a definition document (not yet validated), or the problems that refuse it."""
    path = Path(path)
    result = XLSFormResult()
    try:
        sheets = read_sheets(path, file_name=file_name, max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    except UnreadableFile as exc:
        result.problems.append(FormProblem(Place(""), exc.detail))
        return result
    by_name = {sheet.name.strip().lower(): sheet for sheet in sheets}
    if SURVEY not in by_name:
        result.problems.append(FormProblem(Place(""), _("the workbook has no “survey” sheet")))
        return result
    for name, sheet in by_name.items():
        if name not in (SURVEY, CHOICES, SETTINGS) and any(_text(v) for row in sheet.rows for v in row):
            result.warnings.append(
                FormProblem(Place(sheet.name), _("sheet ignored: XLSForm does not use it"))
            )
    survey = _scan(by_name[SURVEY], SURVEY_COLUMNS, result)
    choices = _scan(by_name[CHOICES], CHOICES_COLUMNS, result) if CHOICES in by_name else None
    form_settings = (
        _scan(by_name[SETTINGS], SETTINGS_COLUMNS, result, TRANSLATED_SETTINGS)
        if SETTINGS in by_name
        else None
    )
    language_of = _languages(survey, choices, form_settings, result)
    rows = _check_survey_rows(survey, choices, result)
    choice_rows = _check_choice_rows(choices, result) if choices else {}
    if result.problems:
        return result
    try:
        form = _pyxform(path, file_name)
    except PyXFormError as exc:
        message = str(exc)
        row = _ROW.search(message)
        place = Place(SURVEY, int(row.group(1))) if row else Place("")
        result.problems.append(FormProblem(place, _ROW.sub("", message).strip()))
        return result
    _Builder(result, survey, choices, form_settings, rows, choice_rows, language_of).build(form)
    conditions_as_show_if(result.document)
    for path, place in list(result.places.items()):
        if path.endswith(".relevant"):
            result.places[path[: -len("relevant")] + "show_if"] = place
    return result


def _pyxform(path: Path, file_name: str) -> dict:
    """pyxform's reading of the form (its checks and its structure); it needs the right file suffix."""
    suffix = (
        Path(file_name).suffix.lower() if Path(file_name).suffix.lower() in (".xls", ".xlsx") else ".xlsx"
    )
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / f"form{suffix}"
        copy.write_bytes(path.read_bytes())
        warnings: list[str] = []
        return parse_file_to_json(str(copy), default_name="data", warnings=warnings)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return nfc(str(value)).strip()


def _scan(
    sheet: Sheet,
    supported: set[str],
    result: XLSFormResult,
    translatable: frozenset[str] | set[str] = TRANSLATED_SURVEY_COLUMNS | {"label"},
) -> _SheetScan:
    """The sheet's columns and non-empty rows; a non-empty column we do not support is refused at its first
    value, a Kobo bookkeeping column is ignored with a warning."""
    name = sheet.name.strip().lower()
    header = sheet.rows[0] if sheet.rows else []
    columns: list[_Column] = []
    for index, label in enumerate(header):
        text = _text(label)
        if not text:
            continue
        base, _sep, language = text.partition("::")
        columns.append(_Column(index, text, base.strip().lower().replace(" ", "_"), language.strip()))
    rows = []
    for number, row in enumerate(sheet.rows[1:], start=2):
        values = {c.header: _text(row[c.index]) if c.index < len(row) else "" for c in columns}
        if any(values.values()):
            rows.append((number, values))
    scan = _SheetScan(name, columns, rows)
    for column in columns:
        used = [number for number, values in rows if values[column.header]]
        if not used:
            continue
        place = Place(name, used[0], column.header, column.letter)
        if column.base in IGNORED_COLUMNS:
            result.warnings.append(FormProblem(place, _("column ignored: Kobo's form builder uses it")))
        elif column.base not in supported:
            result.problems.append(FormProblem(place, _("column “%s” is not supported") % column.header))
        elif column.language and column.base not in translatable:
            result.problems.append(FormProblem(place, _("column “%s” cannot have a language") % column.base))
    return scan


def _language_code(name: str) -> str | None:
    if not name:
        return ""
    found = _LANGUAGE_CODE.search(name)
    if found:
        return found.group(1)
    return LANGUAGE_NAMES.get(name.strip().lower())


def _languages(
    survey: _SheetScan, choices: _SheetScan | None, form_settings: _SheetScan | None, result: XLSFormResult
) -> dict[str, str]:
    """Language as written in the headers ("English (en)", "Tiếng Việt", "") -> its code; "" (a column
    without a language) is the main language."""
    found: dict[str, str] = {}
    for scan in (s for s in (survey, choices) if s is not None):
        for column in scan.columns:
            if column.base not in TRANSLATED_SURVEY_COLUMNS | {"label"}:
                continue
            code = _language_code(column.language)
            if code is None:
                result.problems.append(
                    FormProblem(
                        Place(scan.name, 1, column.header, column.letter),
                        _("unknown language “%s”: write it as “Name (code)”, e.g. “English (en)”")
                        % column.language,
                    )
                )
            else:
                found[column.language] = code
    default = ""
    if form_settings and form_settings.rows:
        default = form_settings.rows[0][1].get("default_language", "")
    main = _language_code(default) if default else None
    if main is None:
        codes = [c for c in found.values() if c]
        main = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in codes or not codes else codes[0]
    return {name: (code or main) for name, code in found.items()} | {"": main, "default": main}


def _check_survey_rows(
    survey: _SheetScan, choices: _SheetScan | None, result: XLSFormResult
) -> dict[str, int]:
    """Refuse unsupported types, appearances and required values; return {name: Excel row}."""
    rows: dict[str, int] = {}
    lists = {values.get("list_name", "") for _n, values in (choices.rows if choices else [])}
    names = {values.get("name", "") for _n, values in survey.rows} - {""}
    depth = 0
    for number, values in survey.rows:
        _check_expressions(survey, number, values, names, result)
        kind = values.get("type", "")
        words = kind.replace("select one ", "select_one ").replace(
            "select all that apply ", "select_multiple "
        )
        words = words.replace("begin group", "begin_group").replace("end group", "end_group").split()
        place = survey.place(number, "type")
        name = values.get("name", "")
        appearance = values.get("appearance", "")
        if not words:
            result.problems.append(FormProblem(place, _("the row has no type")))
            continue
        head = words[0].lower()
        if name:
            rows.setdefault(name, number)
        if head in METADATA_TYPES:
            result.warnings.append(
                FormProblem(place, _("“%s” is collected by ODK itself; ignored here") % head)
            )
            continue
        if head == "begin_group":
            depth += 1
            if depth > 2:
                result.problems.append(FormProblem(place, _("groups nested more than two levels deep")))
            if appearance and appearance != "field-list":
                _refuse_appearance(survey, number, appearance, result)
        elif head == "end_group":
            depth = max(depth - 1, 0)
        elif head in SELECT_TYPES:
            extra = words[2:]
            if len(words) < 2 or extra not in ([], ["or_other"]):
                result.problems.append(
                    FormProblem(place, _("write “%s LIST” or “%s LIST or_other”") % (head, head))
                )
            elif choices is None or words[1] not in lists:
                result.problems.append(
                    FormProblem(place, _("list “%s” is not in the choices sheet") % words[1])
                )
            if appearance and not (appearance == "likert" and head == "select_one"):
                _refuse_appearance(survey, number, appearance, result)
        elif head in QUESTION_TYPES and len(words) == 1:
            if appearance:
                _refuse_appearance(survey, number, appearance, result)
        else:
            result.problems.append(FormProblem(place, _("type “%s” is not supported") % kind))
        required = values.get("required", "").lower()
        if required not in _TRUE | _FALSE:
            result.problems.append(
                FormProblem(
                    survey.place(number, "required"), _("required: write yes or no (not an expression)")
                )
            )
    return rows


def _check_expressions(
    survey: _SheetScan, number: int, values: dict, names: set, result: XLSFormResult
) -> None:
    """relevant and constraint in our expression language, naming only questions of the form (whether
    they come earlier is checked with the definition)."""
    for column in ("relevant", "constraint"):
        text = values.get(column, "")
        if not text:
            continue
        place = survey.place(number, column)
        try:
            parsed = parse(text)
        except ExpressionError as exc:
            result.problems.append(
                FormProblem(
                    place,
                    _("%(problem)s (at character %(n)d)") % {"problem": exc.message, "n": exc.position + 1},
                )
            )
            continue
        for name in parsed.references:
            if name not in names:
                result.problems.append(FormProblem(place, _("${%s} is not a question of this form") % name))


def _refuse_appearance(survey: _SheetScan, number: int, appearance: str, result: XLSFormResult) -> None:
    result.problems.append(
        FormProblem(
            survey.place(number, "appearance"),
            _("appearance “%s” is not supported (likert on select_one, field-list on groups)") % appearance,
        )
    )


def _check_choice_rows(choices: _SheetScan, result: XLSFormResult) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for number, values in choices.rows:
        key = (values.get("list_name", ""), values.get("name", ""))
        if not key[0] or not key[1]:
            result.problems.append(
                FormProblem(choices.place(number), _("a choice needs a list_name and a name"))
            )
        elif key in found:
            result.problems.append(
                FormProblem(choices.place(number, "name"), _("“%s” is twice in list “%s”") % (key[1], key[0]))
            )
        else:
            found[key] = number
        if values.get("missing", "").lower() not in _TRUE | _FALSE:
            result.problems.append(
                FormProblem(choices.place(number, "missing"), _("missing: write yes or no"))
            )
    return found


class _Builder:
    """pyxform's structure → our definition document, recording where each part came from."""

    def __init__(
        self,
        result: XLSFormResult,
        survey: _SheetScan,
        choices: _SheetScan | None,
        form_settings: _SheetScan | None,
        rows: dict[str, int],
        choice_rows: dict[tuple[str, str], int],
        language_of: dict[str, str],
    ) -> None:
        self.result, self.survey, self.choices = result, survey, choices
        self.form_settings, self.rows, self.choice_rows = form_settings, rows, choice_rows
        self.language_of = language_of
        self.main = language_of[""]
        self.others: list[str] = []
        self.scales: dict[str, list] = {}
        self.or_other = {
            values.get("name", ""): values.get("type", "").split()[1]
            for _n, values in survey.rows
            if values.get("type", "").split()[-1:] == ["or_other"]
        }
        self.row_values = {number: values for number, values in survey.rows}

    # -- helpers

    def column(self, base: str, language: str) -> str:
        """The header of column `base` in `language` (a code), as the sheet writes it."""
        for column in self.survey.columns:
            if column.base == base and self.language_of.get(column.language, self.main) == language:
                return column.header
        return base

    def texts(self, value: object, key: str, item: dict) -> str:
        """The main-language text of a pyxform label (str or {language: text}); translations into i18n."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            return nfc(value).strip()
        main = ""
        for language, text in value.items():
            code = self.language_of.get(language, self.main)
            text = nfc(str(text)).strip()
            if code == self.main:
                main = text
            elif text:
                if code not in self.others:
                    self.others.append(code)
                item.setdefault("i18n", {}).setdefault(code, {})[key] = text
        return main

    def place(self, name: str, column: str = "") -> Place:
        return self.survey.place(self.rows.get(name), column)

    # -- building

    def build(self, form: dict) -> None:
        document: dict = {"code": "", "title": "", "groups": [], "sections": []}
        values = self.form_settings.rows[0][1] if self.form_settings and self.form_settings.rows else {}
        settings_row = (
            self.form_settings.rows[0][0] if self.form_settings and self.form_settings.rows else None
        )
        document["code"] = _slug(values.get("form_id") or form.get("id_string") or "")
        document["title"] = values.get("form_title") or form.get("title") or document["code"]
        groups = re.split(r"[\s,;]+", values.get("groups", "").strip())
        document["groups"] = [g for g in groups if g]
        if values.get("intro"):
            document["intro"] = values["intro"]
        for column in self.form_settings.columns if self.form_settings else ():
            code = _language_code(column.language) if column.language else None
            if (
                column.base in TRANSLATED_SETTINGS
                and code
                and code != self.main
                and values.get(column.header)
            ):
                translations = document.setdefault("i18n", {}).setdefault(code, {})
                translations[TRANSLATED_SETTINGS[column.base]] = nfc(values[column.header]).strip()
                if code not in self.others:
                    self.others.append(code)
        if self.form_settings:
            for key, header in (("code", "form_id"), ("title", "form_title"), ("groups", "groups")):
                self.result.places[key] = self.form_settings.place(settings_row, header)
        if values.get("version"):
            place = self.form_settings.place(settings_row, "version")
            self.result.warnings.append(
                FormProblem(place, _("version ignored: versions are kept by this system"))
            )
        loose: list[dict] = []
        for child in form.get("children", []):
            if child.get("type") == "group" and child.get("name") != "meta":
                if loose:
                    document["sections"].append(self.ungrouped(loose, len(document["sections"])))
                    loose = []
                document["sections"].append(self.section(child, len(document["sections"])))
            elif child.get("name") != "meta":
                loose.append(child)
        if loose:
            document["sections"].append(self.ungrouped(loose, len(document["sections"])))
        document["scales"] = self.scales
        if self.others:
            document["languages"] = [self.main, *self.others]
        elif self.main != DEFAULT_LANGUAGE:
            document["languages"] = [self.main]
        self.result.document = document

    def ungrouped(self, children: list[dict], index: int) -> dict:
        section = {"code": f"_s{index + 1}", "title": "", "ungrouped": True, "questions": []}
        self.result.places[f"sections[{index}]"] = self.place(children[0].get("name", ""))
        self.fill(section, children, f"sections[{index}]", group=None)
        return section

    def section(self, node: dict, index: int) -> dict:
        where = f"sections[{index}]"
        name = node.get("name", "")
        section: dict = {"code": name, "title": "", "questions": []}
        section["title"] = self.texts(node.get("label"), "title", section)
        self.group_keys(section, node, where)
        if node.get("hint"):
            section["intro"] = self.texts(node.get("hint"), "intro", section)
        self.fill(section, node.get("children", []), where, group=None)
        return section

    def group_keys(self, item: dict, node: dict, where: str) -> None:
        name = node.get("name", "")
        self.result.places[where] = self.place(name)
        self.result.places[f"{where}.code"] = self.place(name, "name")
        self.result.places[f"{where}.title"] = self.place(name, self.column("label", self.main))
        relevant = (node.get("bind") or {}).get("relevant")
        if relevant:
            item["relevant"] = relevant
            self.result.places[f"{where}.relevant"] = self.place(name, "relevant")
        appearance = (node.get("control") or {}).get("appearance")
        if appearance:
            item["appearance"] = appearance
            self.result.places[f"{where}.appearance"] = self.place(name, "appearance")

    def fill(self, section: dict, children: list[dict], where: str, group: str | None) -> None:
        for child in children:
            if child.get("type") == "group":
                subgroup: dict = {"code": child.get("name", ""), "title": ""}
                subgroup["title"] = self.texts(child.get("label"), "title", subgroup)
                g_index = len(section.setdefault("groups", []))
                self.group_keys(subgroup, child, f"{where}.groups[{g_index}]")
                section["groups"].append(subgroup)
                self.fill(section, child.get("children", []), where, group=subgroup["code"])
                continue
            question = self.question(child, f"{where}.questions[{len(section['questions'])}]")
            if question is None:
                continue
            if group:
                question["group"] = group
            section["questions"].append(question)

    def question(self, node: dict, where: str) -> dict | None:
        kind, name = node.get("type", ""), node.get("name", "")
        bind = node.get("bind") or {}
        if kind in METADATA_TYPES or kind == "calculate":
            return None
        owner = name[: -len("_other")] if name.endswith("_other") else ""
        if owner in self.or_other and name not in self.rows:
            # pyxform's text question for "other": ours, with the condition in our own words.
            question = {
                "code": name,
                "type": "text",
                "text": SPECIFY_LABELS.get(self.main, "Other"),
                "required": False,
            }
            question["other_of"] = owner
            question["relevant"] = f"selected(${{{owner}}}, 'other')"
            for code in self.others:
                if code in SPECIFY_LABELS:
                    question.setdefault("i18n", {}).setdefault(code, {})["text"] = SPECIFY_LABELS[code]
            self.result.places[where] = self.place(owner)
            return question
        question: dict = {"code": name, "type": "", "text": ""}
        question["text"] = self.texts(node.get("label"), "text", question)
        self.result.places[where] = self.place(name)
        for key, column in (("code", "name"), ("type", "type"), ("text", self.column("label", self.main))):
            self.result.places[f"{where}.{key}"] = self.place(name, column)
        appearance = (node.get("control") or {}).get("appearance", "")
        if kind in ("select one", "select all that apply"):
            list_name = node.get("list_name") or node.get("itemset") or ""
            options = self.options(node.get("choices") or [], list_name, name in self.or_other, where, name)
            if kind == "select one" and appearance == "likert":
                question["type"] = "scale"
                question["scale"] = list_name
                self.scales.setdefault(list_name, options)
            else:
                question["type"] = "single" if kind == "select one" else "multiple"
                question["options"] = options
                if list_name != name:
                    question["list"] = list_name
        else:
            question["type"] = QUESTION_TYPES.get(kind, kind)
            if kind == "integer":
                question["integer"] = True
        if node.get("hint"):
            question["help"] = self.texts(node.get("hint"), "help", question)
            self.result.places[f"{where}.help"] = self.place(name, self.column("hint", self.main))
        required = str(bind.get("required", "")).strip().lower()
        if question["type"] != "note":
            question["required"] = required in _TRUE
        for key in ("relevant", "constraint"):
            if bind.get(key):
                question[key] = bind[key]
                self.result.places[f"{where}.{key}"] = self.place(name, key)
        message = bind.get("jr:constraintMsg")
        if message:
            question["constraint_message"] = self.texts(message, "constraint_message", question)
            column = self.column("constraint_message", self.main)
            self.result.places[f"{where}.constraint_message"] = self.place(name, column)
        if node.get("feeds") not in (None, ""):
            question["feeds"] = _text(node["feeds"])
            self.result.places[f"{where}.feeds"] = self.place(name, "feeds")
        _simplify(question)
        return question

    def options(self, choices: list[dict], list_name: str, or_other: bool, where: str, name: str) -> list:
        options = []
        values = {number: row for number, row in (self.choices.rows if self.choices else [])}
        for _index, choice in enumerate(choices):
            name = _text(choice.get("name"))
            if name == "other" and (list_name, "other") not in self.choice_rows:
                if not or_other:
                    continue
                option = {"value": "other", "label": OTHER_LABELS.get(self.main, "Other"), "other": True}
                for code in self.others:
                    if code in OTHER_LABELS:
                        option.setdefault("i18n", {}).setdefault(code, {})["label"] = OTHER_LABELS[code]
                options.append(option)
                continue
            option: dict = {"value": _choice_value(name), "label": ""}
            option["label"] = self.texts(choice.get("label"), "label", option)
            row = self.choice_rows.get((list_name, name))
            if row and values.get(row, {}).get("missing", "").lower() in _TRUE:
                option["missing"] = True
            if row:
                self.result.places[f"{where}.options[{len(options)}]"] = self.choices.place(row, "name")
                self.result.places[f"{where}.scale"] = self.choices.place(row, "list_name")
            options.append(option)
        self.result.places[f"{where}.options"] = self.place(name, "type")
        return options


def _slug(text: str) -> str:
    text = re.sub(r"[^a-z0-9_.-]+", "-", text.strip().lower()).strip("-_.")
    return text[:60]


def _choice_value(name: str) -> int | str:
    """A choice name as an option value: "3" is the number 3 (scales are numbers), "03" stays text."""
    if re.fullmatch(r"-?[1-9][0-9]{0,8}|0", name):
        return int(name)
    return name


def _simplify(question: dict) -> None:
    """Bounds written as XLSForm constraints become our min/max and max_length (and are written back the
    same way), so a questionnaire from YAML round-trips through XLSForm unchanged."""
    constraint = question.get("constraint")
    if not constraint or "constraint_message" in question:
        return
    if question["type"] == "number" and (match := _BOUNDS.match(constraint)):
        low, high = match.group("min"), match.group("max") or match.group("only_max")
        if low is not None:
            question["min"] = _number(low)
        if high is not None:
            question["max"] = _number(high)
        del question["constraint"]
    elif question["type"] == "text" and (match := _LENGTH.match(constraint)):
        question["max_length"] = int(match.group("n"))
        del question["constraint"]


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def conditions_as_show_if(document: dict) -> None:
    """`relevant` that is exactly a show_if rule (one earlier choice question equal to one value, or to one
    of several) becomes that rule: the page can then say "answer only if you answered …", and a YAML
    questionnaire's rules come back from XLSForm as they were."""
    seen: dict[str, dict] = {}
    for section in document.get("sections", []):
        for question in section.get("questions", []):
            relevant = question.get("relevant")
            if isinstance(relevant, str) and "show_if" not in question and "other_of" not in question:
                rule = _show_if(relevant, seen, document.get("scales") or {})
                if rule is not None:
                    question["show_if"] = rule
                    del question["relevant"]
            if isinstance(question, dict) and isinstance(question.get("code"), str):
                seen[question["code"]] = question


def _show_if(text: str, seen: dict, scales: dict) -> dict | None:
    try:
        tree = parse(text).tree
    except ExpressionError:
        return None
    terms: list[list] = []

    def collect(node: list) -> None:
        if node[0] == "or":
            collect(node[1])
            collect(node[2])
        else:
            terms.append(node)

    collect(tree)
    target, values = None, []
    for term in terms:
        if term[0] == "=" and term[1][0] == "ref" and term[2][0] in ("str", "num"):
            name, literal, multiple_only = term[1][1], term[2][1], False
        elif (
            term[0] == "call"
            and term[1] == "selected"
            and term[2][0][0] == "ref"
            and term[2][1][0] in ("str", "num")
        ):
            name, literal, multiple_only = term[2][0][1], term[2][1][1], True
        else:
            return None
        if target not in (None, name) or name not in seen:
            return None
        target = name
        question = seen[name]
        options = (
            scales.get(question.get("scale")) if question.get("type") == "scale" else question.get("options")
        )
        if not isinstance(options, list) or question.get("type") not in ("scale", "single", "multiple"):
            return None
        if (question["type"] == "multiple") != multiple_only:
            return None  # `${multiple} = 'a'` compares the whole answer: not a show_if rule
        typed = {str(o.get("value")): o.get("value") for o in options if isinstance(o, dict)}
        key = (
            literal
            if isinstance(literal, str)
            else (str(int(literal)) if float(literal).is_integer() else str(literal))
        )
        if key not in typed:
            return None
        values.append(typed[key])
    if target is None:
        return None
    return (
        {"question": target, "equals": values[0]} if len(values) == 1 else {"question": target, "in": values}
    )


# ------------------------------------------------------------------------------------------------- writing


def write_xlsform(definition: dict) -> bytes:
    """The questionnaire as an XLSForm workbook; reading it back gives the same definition."""
    languages = definition_languages(definition)
    main, others = languages[0], languages[1:]

    def header(base: str, language: str) -> str:
        return f"{base}::{LANGUAGE_LABELS.get(language, f'{language} ({language})')}"

    translated = ["label", "hint", "constraint_message"]
    survey_headers = ["type", "name"]
    survey_headers += [header(base, lang) for base in translated[:2] for lang in languages]
    survey_headers += ["required", "relevant", "constraint"]
    survey_headers += [header("constraint_message", lang) for lang in languages]
    survey_headers += ["appearance", "feeds"]
    survey_rows: list[dict] = []
    lists: dict[str, list] = {}

    def texts(item: dict, key: str, base: str) -> dict:
        row = {header(base, main): item.get(key, "")}
        for language in others:
            row[header(base, language)] = (item.get("i18n") or {}).get(language, {}).get(key, "")
        return row

    def list_for(name: str, options: list) -> str:
        wanted = [o for o in options if not o.get("other")]
        candidate, n = name, 1
        while candidate in lists and lists[candidate] != wanted:
            n += 1
            candidate = f"{name}_{n}"
        lists[candidate] = wanted
        return candidate

    for name, options in (definition.get("scales") or {}).items():
        lists[name] = list(options)
    types = {q["code"]: q["type"] for s in definition["sections"] for q in s["questions"]}
    for section in definition["sections"]:
        grouped = not section.get("ungrouped")
        if grouped:
            survey_rows.append(_group_row(section, texts, "intro"))
        subgroups = {g["code"]: g for g in section.get("groups") or []}
        open_group = None
        for question in section["questions"]:
            group = question.get("group")
            if group != open_group:
                if open_group is not None:
                    survey_rows.append({"type": "end_group", "name": ""})
                if group is not None:
                    survey_rows.append(_group_row(subgroups[group], texts, None))
                open_group = group
            if question.get("other_of"):
                continue  # written by or_other
            survey_rows.append(_question_row(question, texts, list_for, types))
        if open_group is not None:
            survey_rows.append({"type": "end_group", "name": ""})
        if grouped:
            survey_rows.append({"type": "end_group", "name": ""})

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SURVEY
    _write(sheet, survey_headers, survey_rows)
    choices = workbook.create_sheet(CHOICES)
    choice_headers = ["list_name", "name", *[header("label", lang) for lang in languages], "missing"]
    choice_rows = []
    for list_name, options in lists.items():
        for option in options:
            row = {"list_name": list_name, "name": str(option["value"]), **texts(option, "label", "label")}
            row["missing"] = "yes" if option.get("missing") else ""
            choice_rows.append(row)
    _write(choices, choice_headers, choice_rows)
    form_settings = workbook.create_sheet(SETTINGS)
    settings_headers = ["form_title", "form_id", "default_language", "groups", "intro"]
    settings_row = {
        "form_title": definition["title"],
        "form_id": definition["code"],
        "default_language": LANGUAGE_LABELS.get(main, f"{main} ({main})"),
        "groups": " ".join(definition["groups"]),
        "intro": definition.get("intro", ""),
    }
    for language in others:
        for base, key in TRANSLATED_SETTINGS.items():
            settings_headers.append(header(base, language))
            settings_row[header(base, language)] = (
                (definition.get("i18n") or {}).get(language, {}).get(key, "")
            )
    _write(form_settings, settings_headers, [settings_row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _group_row(item: dict, texts: Callable[..., dict], intro_key: str | None) -> dict:
    row = {"type": "begin_group", "name": item["code"], **texts(item, "title", "label")}
    if intro_key and item.get(intro_key):
        row.update(texts(item, intro_key, "hint"))
    row["relevant"] = item.get("relevant", "")
    row["appearance"] = item.get("appearance", "")
    return row


def _question_row(
    question: dict, texts: Callable[..., dict], list_for: Callable[[str, list], str], types: dict[str, str]
) -> dict:
    kind = question["type"]
    row: dict = {"name": question["code"], **texts(question, "text", "label")}
    other = any(o.get("other") for o in question.get("options") or [])
    if kind == "scale":
        row["type"] = f"select_one {question['scale']}"
        row["appearance"] = "likert"
    elif kind in ("single", "multiple"):
        list_name = list_for(question.get("list", question["code"]), question["options"])
        row["type"] = f"{'select_one' if kind == 'single' else 'select_multiple'} {list_name}"
        if other:
            row["type"] += " or_other"
    elif kind == "number":
        row["type"] = "integer" if question.get("integer") else "decimal"
    else:
        row["type"] = kind
    if question.get("help"):
        row.update(texts(question, "help", "hint"))
    if kind != "note":
        row["required"] = "yes" if question.get("required", True) else "no"
    relevant = question.get("relevant") or _relevant_of(question.get("show_if"), types)
    row["relevant"] = relevant or ""
    constraint = question.get("constraint", "")
    if kind == "number" and ("min" in question or "max" in question):
        bounds = []
        if "min" in question:
            bounds.append(f". >= {question['min']}")
        if "max" in question:
            bounds.append(f". <= {question['max']}")
        constraint = " and ".join(bounds) + (f" and ({constraint})" if constraint else "")
    if kind == "text" and question.get("max_length", 1000) != 1000:
        length = f"string-length(.) <= {question['max_length']}"
        constraint = length + (f" and ({constraint})" if constraint else "")
    row["constraint"] = constraint
    if question.get("constraint_message"):
        row.update(texts(question, "constraint_message", "constraint_message"))
    row["feeds"] = question.get("feeds", "")
    return row


def _relevant_of(show_if: dict | None, types: dict[str, str]) -> str:
    """A show_if rule as the XLSForm expression that means the same (conditions_as_show_if reads it back)."""
    if not show_if:
        return ""
    values = [show_if["equals"]] if "equals" in show_if else show_if["in"]
    target = show_if["question"]

    def literal(value: object) -> str:
        return str(value) if isinstance(value, int | float) else "'" + str(value) + "'"

    # A multiple-choice target is matched with selected(); the others by equality.
    if types.get(target) == "multiple":
        return " or ".join(f"selected(${{{target}}}, {literal(v)})" for v in values)
    return " or ".join(f"${{{target}}} = {literal(v)}" for v in values)


def _write(sheet: Worksheet, headers: list[str], rows: list[dict]) -> None:
    for col, title in enumerate(headers, start=1):
        put(sheet, 1, col, title)
    for r, row in enumerate(rows, start=2):
        for col, title in enumerate(headers, start=1):
            value = row.get(title, "")
            if value not in ("", None):
                put(sheet, r, col, value)


def max_upload_bytes() -> int:
    return min(MAX_FILE_BYTES, getattr(settings, "RESPONDENT_FILE_MAX_BYTES", MAX_FILE_BYTES))
