"""Problems found in an uploaded list: a stable code, where it is, and a message in the user's language.

Every list importer (respondent lists, sampling frame, field teams, units) builds its problems here, so that
one code means one thing everywhere. The codes are documented in docs/reference/problems.md; the messages
may change, the codes may not. A code may have a message per context ("unit_unknown.area"): the part after
the dot chooses the wording, programs read the code alone.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # ---------------------------------------------------------------------------------- the file as a whole
    "file_unreadable": _("The file cannot be read: {detail}"),
    "file_too_large": _("The file is too large: {detail}"),
    "no_header": _("No header row ({columns}…) was found in the first {rows} rows."),
    "no_rows": _("The file has a header but no rows under it."),
    "column_missing": _("Column “{column}” is missing from sheet “{sheet}”."),
    # ------------------------------------------------------------------------------------------- row errors
    "value_missing": _("Column “{column}” is empty."),
    "value_missing.label": _("“{label}” is empty."),
    "value_too_long": _("“{label}” has {length} characters, more than the {limit} it may have."),
    "name_missing": _("The full name is empty."),
    "email_missing": _("The e-mail address is empty."),
    "email_invalid": _("“{value}” is not a valid e-mail address."),
    "phone_missing": _("The phone number is empty."),
    "phone_invalid": _("“{value}” is not a valid Vietnamese phone number."),
    "group_unknown": _("Respondent group “{value}” is not one of this campaign's groups ({choices})."),
    "unit_unknown": _("Unit “{value}” is not a unit of this campaign."),
    "unit_unknown.area": _("Area “{value}” is not a unit of this campaign."),
    "unit_unknown.assignment": _("Area “{value}” is not a unit of this campaign in the assignment's area."),
    "unit_unknown.province": _("Unit code “{value}” is not a unit of this province."),
    "unit_mismatch": _("This row names unit “{value}”, but the list is being imported for unit “{unit}”."),
    "duplicate": _("{label} {value} is already listed at {earlier}."),
    "kind_unknown": _("“{value}” is neither a citizen (Cá nhân) nor an organisation (Tổ chức)."),
    "kind_unknown.unit": _("Unit kind “{value}” is not one of: {choices}."),
    "service_area_unknown": _("Service area “{value}” is not one of the questionnaire's."),
    "role_unknown": _("Unknown role “{value}” (enumerator, supervisor or clerk)."),
    "quota_invalid": _("The quota “{value}” is not a whole number."),
    "questionnaire_missing": _(
        "The campaign has no single current questionnaire: name one with --questionnaire."
    ),
    "parent_unknown": _("Parent unit “{value}” is neither in the file nor a unit of the province."),
    "parent_cycle": _("Unit “{value}” would be its own ancestor."),
    # sample design files (fieldwork/services/design_file.py)
    "sheet_missing": _("No sheet with the columns of the {detail} was found."),
    "number_invalid": _("“{value}” is not a whole number of 0 or more."),
    "probability_invalid": _("“{value}” is not a probability above 0 and at most 1."),
    "stratum_unknown": _("Stratum “{value}” is not on the strata sheet."),
    "psu_unknown": _("Commune “{value}” is not on the communes sheet."),
    "count_mismatch": _("{detail}"),
    # --------------------------------------------------------------------------------------------- warnings
    "name_recased": _("The name was typed in capitals and was written as “{value}”."),
    "phone_old_prefix": _("The 11-digit number {value} was converted to the 10-digit form {converted}."),
    "phone_landline_only": _("Only a landline was given ({value}); SMS reminders need a mobile number."),
    "phone_part_ignored": _(
        "“{value}” in the phone cell is not a valid number and was kept only as written."
    ),
    "phone_alternates": _(
        "Several numbers were given: {value} is the main one, {alternates} are kept as alternates."
    ),
    "email_multiple": _("Several e-mails were given: {value} is used, {extra} kept only as written."),
    "email_undeliverable": _("The domain of “{value}” does not accept e-mail (no mail server was found)."),
    "group_inferred": _("No group was given; “{value}” was taken from the unit's kind."),
    "sheet_skipped": _("Sheet “{sheet}” has no recognisable header and was not read."),
    "rows_after_totals": _(
        "{count} rows under the totals line or the signatures were not read, though they have contact "
        "details; move them above it if they belong to the list."
    ),
    "heading_unrecognised": _(
        "“{value}” looks like a section heading but names nothing known here; the rows below it are not "
        "placed by it."
    ),
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""  # Excel column letter, e.g. "E" (for a missing column: its usual header)
    field: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def location(self) -> str:
        """Where the problem is, for a person: "lists.xlsx / Sheet1 / row 12 / column E"."""
        parts = [
            self.file,
            self.sheet,
            f"row {self.row}" if self.row else "",
            f"column {self.column}" if self.column else "",
        ]
        return " / ".join(part for part in parts if part)


def problem(
    code: str,
    *,
    variant: str = "",
    file: str = "",
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    field: str = "",
    value: object = "",
    **params: object,
) -> Problem:
    """The problem `code` at a place, its message from the catalogue (`variant` picks a context's wording)."""
    return build_problem(code, variant, file, sheet, row, column, field, value, params)


def build_problem(
    code: str,
    variant: str,
    file: str,
    sheet: str,
    row: int | None,
    column: str,
    field: str,
    value: object,
    params: Mapping[str, object],
) -> Problem:
    """problem() with the message's parameters as a mapping."""
    text = "" if value is None else str(value)
    template = MESSAGES[f"{code}.{variant}" if variant else code]
    message = str(template).format(value=text, sheet=sheet, column=column, **params)
    return Problem(
        code=code, message=message, file=file, sheet=sheet, row=row, column=column, field=field, value=text
    )


def shortened(text: str, limit: int = 80) -> str:
    """A long value cut for a report ("Nguyễn Văn An …"), so that a runaway cell does not fill it."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
