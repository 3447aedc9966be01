"""Finding what a Vietnamese reader should never see: an English message of the catalogue left untranslated,
or a code where a label belongs (snake_case, an element or unit code alone, None, a Python dict).

Used by tests/demo/test_no_raw_text.py on the demo's pages and workbooks. The allowlist is small and
explicit: texts that are what they are (the product's name, e-mail addresses, links).
"""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import django
from django.utils import translation
from django.utils.translation import trans_real
from openpyxl import load_workbook

PROJECT_PO = Path(__file__).resolve().parents[1] / "locale" / "vi" / "LC_MESSAGES" / "django.po"
_MSGID = re.compile(r'^msgid "(.+)"$', re.M)  # one-line msgids: what a label or a button is
# Attributes a person reads (or hears, with a screen reader).
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SKIPPED_TAGS = {"script", "style", "code", "pre"}

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")  # + settings
PYTHON = re.compile(r"\{'|'\}|\bNone\b|\bTrue\b|\bFalse\b|<[a-z_.]+ object at")
# The same words twice in a row ("phiếu khảo sát Khảo sát …", "(không bắt buộc) (không bắt buộc)").
REPEATED = re.compile(r"(?i)(\b\w+ \w+\b|\(\w[^()]*\)) \1(?!\w)")
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
URL = re.compile(r"^https?://\S+$|^/\S*$")
FILE_NAME = re.compile(r"^[\w.-]+\.(?:yaml|yml|xlsx|xls|csv|json|docx)$")  # an uploaded file's own name
# The wording page's placeholders ({lien_ket}, {tu_choi}) are what the coordinator types: shown as such.
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# Texts that are the same in both languages (the indices' and tools' own names), and "English": the
# language switch names each language in that language.
ALLOWED = {"PAR INDEX", "SIPAS", "PAR INDEX & SIPAS", "E-mail", "SMS", "API", "STT", "English"}


def catalogue_msgids() -> set[str]:
    """Every English message of the catalogues (the project's and Django's, translated or not) whose
    Vietnamese differs from it: such a text on a Vietnamese page or sheet was not translated."""
    with translation.override("vi"):
        catalog = trans_real.translation("vi")._catalog
    english: set[str] = set()
    for po in [*Path(django.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"), PROJECT_PO]:
        english |= set(_MSGID.findall(po.read_text(encoding="utf-8")))
    found = set()
    for msgid in english | {k[0] if isinstance(k, tuple) else k for k in catalog.keys()}:  # noqa: SIM118
        msgid = msgid.replace('\\"', '"').strip() if isinstance(msgid, str) else ""
        if len(msgid) < 3 or "\x04" in msgid or "%" in msgid or "{" in msgid:
            continue
        if catalog.get(msgid) != msgid:  # the same word in both languages is not an omission
            found.add(msgid)
    return found


BLOCKS = {
    "p",
    "div",
    "li",
    "td",
    "th",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "option",
    "button",
    "legend",
    "dt",
    "dd",
}
BLOCKS |= {"section", "article", "ul", "ol", "table", "form", "nav", "header", "main", "br", "figcaption"}
BLOCKS |= {"svg", "g", "text", "title", "rect", "circle", "label"}  # each chart label and option alone


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.texts: list[str] = []
        self.lines: list[str] = [""]

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skip += 1
        if tag in BLOCKS:
            self.lines.append("")
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skip:
            self.skip -= 1
        if tag in BLOCKS:
            self.lines.append("")

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(data)
            self.lines[-1] += " " + data


def _parse(html: str) -> _Texts:
    parser = _Texts()
    parser.feed(html[html.find("<body") :])
    return parser


def html_texts(html: str) -> list[str]:
    """The text nodes of the page's body and the attributes people read, whitespace collapsed."""
    return [" ".join(t.split()) for t in _parse(html).texts]


def html_lines(html: str) -> list[str]:
    """The page's text as a reader sees it: the text nodes of each block joined."""
    return [" ".join(line.split()) for line in _parse(html).lines if line.strip()]


def repeated(text: str) -> list[str]:
    match = REPEATED.search(text)
    return [f"repeated words {match.group(0)!r}"] if match else []


def workbook_texts(content: bytes) -> list[tuple[str, str, bool]]:
    """(sheet!cell, text, under a code column) for every text cell and every sheet name of an .xlsx. A
    column headed "Mã …" (code) holds codes on purpose, beside the name column."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    found = []
    for sheet in workbook.worksheets:
        found.append((f"{sheet.title} (sheet name)", sheet.title, False))
        code_columns: set[int] = set()
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.value.strip():
                    continue
                text = " ".join(cell.value.split())
                found.append((f"{sheet.title}!{cell.coordinate}", text, cell.column in code_columns))
                if text == "Mã" or text.startswith("Mã "):
                    code_columns.add(cell.column)
    return found


def problems(text: str, *, msgids: set[str], codes: set[str], code_column: bool = False) -> list[str]:
    """Why `text` should not be shown to a Vietnamese reader (empty when it is fine)."""
    if text in ALLOWED or EMAIL.match(text) or URL.match(text) or FILE_NAME.match(text):
        return []
    found = []
    if text in msgids or text.rstrip(":.") in msgids:
        found.append("untranslated")
    if snake := SNAKE.search(PLACEHOLDER.sub("", text)):
        found.append(f"snake_case code {snake.group(0)!r}")
    if PYTHON.search(text):
        found.append(f"Python value {PYTHON.search(text).group(0)!r}")
    if text in codes and not code_column:
        found.append("a code where a label belongs")
    found += repeated(text)
    return found
