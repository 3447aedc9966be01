"""Problems found in an uploaded list: a stable code, where it is, and a message in the user's language."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

# Stable codes (documented in docs/reference/problems.md); the messages may change, the codes may not.
MESSAGES = {
    # errors
    "file_unreadable": _("The file cannot be read as an Excel workbook: {detail}"),
    "file_too_large": _("The file is too large: {detail}"),
    "no_header": _("No header row (Họ và tên, Đơn vị, Điện thoại, Email…) was found in the first 20 rows."),
    "no_rows": _("The file has a header but no respondent rows under it."),
    "column_missing": _("Column “{column}” is missing from sheet “{sheet}”."),
    "name_missing": _("The full name is empty."),
    "email_missing": _("The e-mail address is empty."),
    "email_invalid": _("“{value}” is not a valid e-mail address."),
    "phone_missing": _("The phone number is empty."),
    "phone_invalid": _("“{value}” is not a valid Vietnamese phone number."),
    "group_unknown": _("Respondent group “{value}” is not one of this campaign's groups ({choices})."),
    "unit_unknown": _("Unit “{value}” is not a unit of this campaign."),
    "unit_mismatch": _("This row names unit “{value}”, but the list is being imported for unit “{unit}”."),
    "duplicate": _("{label} {value} is already listed at {earlier}."),
    # sample design files (fieldwork/services/design_file.py)
    "sheet_missing": _("No sheet with the columns of the {detail} was found."),
    "value_missing": _("Column “{column}” is empty."),
    "number_invalid": _("“{value}” is not a whole number of 0 or more."),
    "probability_invalid": _("“{value}” is not a probability above 0 and at most 1."),
    "stratum_unknown": _("Stratum “{value}” is not on the strata sheet."),
    "psu_unknown": _("Commune “{value}” is not on the communes sheet."),
    "count_mismatch": _("{detail}"),
    # warnings
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
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""  # Excel column letter, e.g. "E"
    field: str = ""
    value: str = ""

    def as_dict(self) -> dict:
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
    file: str = "",
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    field: str = "",
    value: object = "",
    **params,
) -> Problem:
    text = "" if value is None else str(value)
    message = str(MESSAGES[code]).format(value=text, sheet=sheet, column=column, **params)
    return Problem(
        code=code, message=message, file=file, sheet=sheet, row=row, column=column, field=field, value=text
    )


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
