"""A campaign's own wording of its e-mails and SMS: placeholders filled safely, the shipped wording as the
default, and the length of an SMS in parts (docs/decisions.md D256).

Placeholders are `{name}` from PLACEHOLDERS and nothing else: the text is never a Django template nor a
`str.format` string, so a coordinator's text cannot reach attributes, filters or tags (no template
injection). `{{` and `}}` write literal braces. An unknown placeholder is refused when the text is saved.
"""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..models import Message, MessageTemplate
from . import sms

PLACEHOLDERS = {
    "ten": _("the respondent's full name"),
    "lien_ket": _("the personal link"),
    "han": _("the closing date (dd/mm/yyyy)"),
    "dot": _("the campaign's name (shortened in an SMS)"),
    "don_vi": _("the respondent's unit"),
    "tu_choi": _("the link that stops reminders"),
    "lan": _("the reminder's number (1, 2, …)"),
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
SUBJECT_MAX = MessageTemplate._meta.get_field("subject").max_length
BODY_MAX = 5000

# The shipped wording as an editable starting point (the same words as templates/surveys/email/*).
DEFAULTS: dict[tuple[str, str], dict[str, str]] = {
    (Message.Channel.EMAIL, Message.Kind.INVITATION): {
        "subject": "Mời tham gia khảo sát: {dot}",
        "body": (
            "Kính gửi {ten},\n\n"
            "Sở Nội vụ trân trọng mời Anh/Chị tham gia {dot}. Đề nghị Anh/Chị trả lời "
            "trước ngày {han}.\n\n"
            "Mở đường dẫn cá nhân để trả lời:\n{lien_ket}\n\n"
            "Đường dẫn là của riêng Anh/Chị: xin đừng chuyển tiếp thư này. Anh/Chị có thể dừng lại và quay "
            "lại sau; câu trả lời được lưu cho đến khi gửi.\n\n"
            "Trân trọng cảm ơn.\n\n--\nĐể không nhận thư nhắc về khảo sát này:\n{tu_choi}"
        ),
    },
    (Message.Channel.EMAIL, Message.Kind.REMINDER): {
        "subject": "Nhắc trả lời khảo sát: {dot}",
        "body": (
            "Kính gửi {ten},\n\n"
            "Chúng tôi chưa nhận được câu trả lời của Anh/Chị cho {dot}. Khảo sát đóng vào "
            "ngày {han}.\n\n"
            "Mở đường dẫn cá nhân để trả lời:\n{lien_ket}\n\n"
            "Nếu Anh/Chị đã trả lời, xin bỏ qua thư này.\n\n"
            "Trân trọng cảm ơn.\n\n--\nĐể không nhận thêm thư nhắc về khảo sát này:\n{tu_choi}"
        ),
    },
    (Message.Channel.SMS, Message.Kind.INVITATION): {
        "body": "{dot}: moi Anh/Chi tra loi khao sat truoc ngay {han}: {lien_ket}",
    },
    (Message.Channel.SMS, Message.Kind.REMINDER): {
        "body": "Nhac: {dot}. Moi Anh/Chi tra loi khao sat truoc ngay {han}: {lien_ket}",
    },
}


def check_text(text: str, *, where: str = "") -> list[str]:
    """Problems of a text with placeholders: unknown names, a lone brace."""
    problems = []
    for match in _TOKEN.finditer(text or ""):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            problems.append(str(_("A lone “%(brace)s”: write {{ or }} for a brace.") % {"brace": token}))
        elif match.group(1) not in PLACEHOLDERS:
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            problems.append(
                str(
                    _("Unknown placeholder {%(name)s}; use %(known)s.")
                    % {"name": match.group(1), "known": known}
                )
            )
    return [f"{where}: {p}" if where else p for p in problems]


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each {placeholder} replaced by its value (missing values become empty)."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        return values.get(name, "") if name in PLACEHOLDERS else token

    return _TOKEN.sub(replace, text)


@dataclass
class Wording:
    """What one message says: subject (e-mail), text, the HTML version (e-mail), the sender's name."""

    body: str
    subject: str = ""
    html: str = ""
    sender_name: str = ""
    custom: bool = False  # the campaign's own wording (else the shipped one)


def template_for(campaign_id: int, channel: str, kind: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(campaign_id=campaign_id, channel=channel, kind=kind).first()


Templates = dict[tuple[int, str, str], MessageTemplate]  # (campaign id, channel, kind) -> own wording


def templates_for(campaign_ids: Iterable[int]) -> Templates:
    """The campaigns' own wordings, read once for a batch of messages (sending: one query per batch, not
    one per message; a wording saved meanwhile applies from the next batch)."""
    return {
        (t.campaign_id, t.channel, t.kind): t
        for t in MessageTemplate.objects.filter(campaign_id__in=set(campaign_ids))
    }


def email_wording(template: MessageTemplate, values: dict[str, str]) -> Wording:
    body = fill(template.body, values)
    subject = " ".join(fill(template.subject, values).split())
    return Wording(
        body=body,
        subject=subject,
        html=_as_html(body, link=values.get("lien_ket", "")),
        sender_name=template.sender_name,
        custom=True,
    )


def sms_wording(template: MessageTemplate, values: dict[str, str]) -> Wording:
    """The SMS text, unaccented when that saves parts (sms.fewest_segments), as the shipped text is."""
    values = {**values, "dot": sms.sms_label(values.get("dot", ""))}
    return Wording(body=sms.fewest_segments(" ".join(fill(template.body, values).split())), custom=True)


def _as_html(text: str, *, link: str) -> str:
    """Plain text as simple HTML: paragraphs, line breaks, links clickable (everything else escaped)."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        escaped = re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    body = "\n".join(paragraphs)
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"></head>\n'
        '<body style="font-family: Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #101828">\n'
        f"{body}\n</body></html>\n"
    )


@dataclass
class SmsLength:
    """An SMS text's length and parts as written (with diacritics: UCS-2, 70/67 characters a part) and
    unaccented (GSM-7, 160/153), and what is sent: the variant with fewer parts."""

    characters: int
    parts: int
    encoding: str  # "GSM-7" | "UCS-2"
    plain_characters: int
    plain_parts: int
    plain_encoding: str
    sent_parts: int
    sent_plain: bool
    notes: list[str] = field(default_factory=list)


def sms_length(text: str) -> SmsLength:
    plain = sms.unaccent(text)
    sent = sms.fewest_segments(text)
    return SmsLength(
        characters=len(text),
        parts=sms.segments(text),
        encoding="GSM-7" if sms.is_gsm7(text) else "UCS-2",
        plain_characters=len(plain),
        plain_parts=sms.segments(plain),
        plain_encoding="GSM-7" if sms.is_gsm7(plain) else "UCS-2",
        sent_parts=sms.segments(sent),
        sent_plain=sent != text,
    )


@dataclass
class SavedWording:
    template: MessageTemplate | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def save_wording(
    *,
    campaign_id: int,
    channel: str,
    kind: str,
    body: str,
    subject: str = "",
    sender_name: str = "",
    by: object = None,
) -> SavedWording:
    """Store a campaign's wording of one message after checking its placeholders and lengths."""
    body, subject, sender_name = body.strip(), " ".join(subject.split()), " ".join(sender_name.split())
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = [str(_("The text cannot be empty."))]
    elif len(body) > BODY_MAX:
        errors["body"] = [str(_("At most %(n)d characters.") % {"n": BODY_MAX})]
    else:
        errors["body"] = check_text(body)
    if channel == Message.Channel.EMAIL:
        errors["subject"] = check_text(subject) if subject else [str(_("An e-mail needs a subject."))]
        if len(subject) > SUBJECT_MAX:
            errors["subject"].append(str(_("At most %(n)d characters.") % {"n": SUBJECT_MAX}))
        if "{lien_ket}" not in body:
            errors["body"].append(str(_("The text must contain the personal link {lien_ket}.")))
    elif "{lien_ket}" not in body:
        errors["body"].append(str(_("The text must contain the personal link {lien_ket}.")))
    errors = {name: problems for name, problems in errors.items() if problems}
    if errors:
        return SavedWording(errors=errors)
    template, _created = MessageTemplate.objects.update_or_create(
        campaign_id=campaign_id,
        channel=channel,
        kind=kind,
        defaults={
            "body": body,
            "subject": subject if channel == Message.Channel.EMAIL else "",
            "sender_name": sender_name if channel == Message.Channel.EMAIL else "",
            "updated_by": by if getattr(by, "pk", None) else None,
        },
    )
    return SavedWording(template=template)


def reset_wording(*, campaign_id: int, channel: str, kind: str) -> bool:
    """Back to the shipped wording; True if the campaign had its own."""
    deleted, _rows = MessageTemplate.objects.filter(
        campaign_id=campaign_id, channel=channel, kind=kind
    ).delete()
    return bool(deleted)


def editable_wording(campaign_id: int, channel: str, kind: str) -> dict[str, str]:
    """What the editor starts from: the campaign's own wording, else the shipped one with placeholders."""
    template = template_for(campaign_id, channel, kind)
    if template is not None:
        return {"subject": template.subject, "body": template.body, "sender_name": template.sender_name}
    default = DEFAULTS[(channel, kind)]
    return {"subject": default.get("subject", ""), "body": default["body"], "sender_name": ""}
