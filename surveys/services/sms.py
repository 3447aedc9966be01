"""SMS through Twilio's official SDK, and the pure rules of an SMS text: encoding, segments, diacritics.

An SMS is GSM-7 (160 characters, 153 per part when split) unless one character is outside that alphabet;
then the whole text is UCS-2 (70, 67 per part). Vietnamese letters with diacritics (ả, ơ, đ…) are not in
GSM-7, so an accented text costs about 2.3 times as many parts. Unaccented Vietnamese is what SMS in
Vietnam customarily use, so the text goes unaccented whenever that saves parts (and only then); the
unaccented variant also turns typographic punctuation (– — “ ” ‘ ’ … and the non-breaking space) into
ASCII, since one such character alone would keep the whole text in UCS-2. A long campaign name is
shortened to SMS_LABEL_MAX characters (sms_label) so that an invitation or reminder fits two parts.
"""

import unicodedata

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.rest import Client

# GSM 03.38 default alphabet (without the escape code) and its extension table (two septets each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_SINGLE, GSM7_PART = 160, 153  # septets; a split message loses 7 to the concatenation header
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units

TIMEOUT_SECONDS = 30
SMS_LABEL_MAX = 64  # characters of the campaign name an SMS carries

# Typographic punctuation outside GSM-7 -> its ASCII stand-in, for the unaccented variant.
ASCII_PUNCTUATION = str.maketrans(
    {
        "\u2013": "-",  # – en dash
        "\u2014": "-",  # — em dash
        "\u2212": "-",  # − minus sign
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u2026": "...",  # …
        "\u00a0": " ",  # non-breaking space
        "\u202f": " ",  # narrow non-breaking space
    }
)

# Tests put a fake twilio.http.HttpClient here; None means the SDK's own HTTP client.
transport: HttpClient | None = None


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def segments(text: str) -> int:
    """How many SMS parts `text` takes (0 for an empty text).

    A part never splits an escaped GSM-7 character or a UTF-16 surrogate pair, as handsets require.
    """
    if not text:
        return 0
    if is_gsm7(text):
        units, single, part = [2 if ch in GSM7_EXTENSION else 1 for ch in text], GSM7_SINGLE, GSM7_PART
    else:
        units, single, part = [2 if ord(ch) > 0xFFFF else 1 for ch in text], UCS2_SINGLE, UCS2_PART
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for unit in units:
        if used + unit > part:
            count, used = count + 1, 0
        used += unit
    return count


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, typographic punctuation as ASCII: 'Sở Nội vụ – Đắk Lắk' ->
    'So Noi vu - Dak Lak'."""
    text = text.translate(ASCII_PUNCTUATION)
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fewest_segments(text: str) -> str:
    """The unaccented text when it is GSM-7 and takes fewer parts; otherwise the text as written."""
    plain = unaccent(text)
    if plain != text and is_gsm7(plain) and segments(plain) < segments(text):
        return plain
    return text


def sms_label(name: str, limit: int = SMS_LABEL_MAX) -> str:
    """The campaign name as an SMS carries it: whole when it fits `limit` characters; else without a
    trailing " – place" part (the sender already says who writes) if that is enough; else cut at a word
    boundary, with "…".

    'Khảo sát cán bộ, công chức phục vụ Chỉ số CCHC (PAR INDEX) 2026 – Lào Cai' (74 characters) ->
    'Khảo sát cán bộ, công chức phục vụ Chỉ số CCHC (PAR INDEX) 2026'.
    """
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    for dash in (" – ", " — ", " - "):
        head = name.rpartition(dash)[0].strip()
        if head and len(head) <= limit:
            return head
    cut = name[: limit - 1].rsplit(" ", 1)[0] if " " in name[: limit - 1] else name[: limit - 1]
    return cut.rstrip(" ,;:–—-") + "…"


def sms_text(*, campaign_name: str, deadline: str, link: str, reminder: bool) -> str:
    """The invitation or reminder SMS in the active language, unaccented when that saves parts.

    The campaign is named by sms_label(). The link ends the text, after a space, so that phones
    recognise it whole.
    """
    values = {"campaign": sms_label(campaign_name), "date": deadline, "link": link}
    if reminder and deadline:
        text = _("Reminder: %(campaign)s. Please answer the survey before %(date)s: %(link)s") % values
    elif reminder:
        text = _("Reminder: %(campaign)s. Please answer the survey: %(link)s") % values
    elif deadline:
        text = _("%(campaign)s: please answer the survey before %(date)s: %(link)s") % values
    else:
        text = _("%(campaign)s: please answer the survey: %(link)s") % values
    return fewest_segments(" ".join(text.split()))


def is_configured() -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER)


def sms_client(http_client: HttpClient | None = None) -> Client:
    http_client = http_client or transport or TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


def status_callback_url() -> str:
    return settings.SITE_URL + reverse("twilio-status")


def send_sms(client: Client, *, to: str, body: str) -> str:
    """Hand one SMS to Twilio; returns its SID ("SM…"). Raises TwilioException or OSError."""
    created = client.messages.create(
        to=to, from_=settings.TWILIO_FROM_NUMBER, body=body, status_callback=status_callback_url()
    )
    return created.sid


def valid_signature(
    *, urls: list[str], params: QueryDict | dict[str, str], signature: str, settings_header: str = ""
) -> bool:
    """Whether X-Twilio-Signature matches one of the URLs Twilio may have called (and the POST params)."""
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    algorithm = get_signature_algorithm(settings_header)
    return any(validator.validate(url, params, signature, algorithm=algorithm) for url in urls)
