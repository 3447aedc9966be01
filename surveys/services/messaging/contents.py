"""What a respondent receives: the e-mail (with its deterministic Message-ID) and the SMS text."""

import email.message
import email.policy
import functools
from email.utils import formataddr, formatdate, parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import dateformat, translation

from kit import mime

from ...models import Message, MessageTemplate
from .. import message_texts, sms
from ..invitations import opt_out_url, survey_url
from ..unsubscribe import list_unsubscribe_headers


def message_id(message: Message) -> str:
    """A deterministic Message-ID: a retried or duplicated e-mail keeps it, and bounces point back here."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<msg-{message.pk}@{host}>"


def placeholder_values(message: Message, token: str) -> dict[str, str]:
    """What the placeholders of a campaign's own wording stand for in this message (message_texts)."""
    invitation = message.invitation
    campaign = invitation.campaign
    respondent = invitation.respondent
    return {
        "ten": respondent.full_name if respondent else invitation.test_label,
        "lien_ket": survey_url(token),
        "han": dateformat.format(campaign.survey_closes, "d/m/Y") if campaign.survey_closes else "",
        "dot": campaign.name,
        "don_vi": respondent.unit.name if respondent else "",
        "tu_choi": opt_out_url(token),
        "lan": str(message.sequence) if message.kind == Message.Kind.REMINDER else "",
    }


def _context(message: Message, token: str) -> dict[str, Any]:
    invitation = message.invitation
    return {
        "name": invitation.respondent.full_name,
        "campaign": invitation.campaign,
        "deadline": invitation.campaign.survey_closes,
        "link": survey_url(token),
        "opt_out": opt_out_url(token),
        "reminder": message.kind == Message.Kind.REMINDER,
        "sequence": message.sequence,
    }


class _MemoPolicy(email.policy.EmailPolicy):
    """email.policy.default / SMTP with header parsing and folding memoised. A run repeats the same
    Subject, From and MIME headers thousands of times, and folding a non-ASCII header into RFC 2047
    encoded words is the costliest step of building an e-mail (several ms each in pure Python). The
    result is identical: the same policy computes each distinct header once."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:  # noqa: ANN401 (as the stdlib's)
        if type(value) is str:
            return _memo_store(self, name, value)
        return super().header_store_parse(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        return _memo_fold(self, name, value)


@functools.lru_cache(maxsize=2048)
def _memo_store(policy: email.policy.EmailPolicy, name: str, value: str) -> tuple[str, Any]:
    return email.policy.EmailPolicy.header_store_parse(policy, name, value)


@functools.lru_cache(maxsize=2048)
def _memo_fold(policy: email.policy.EmailPolicy, name: str, value: str) -> bytes:
    return email.policy.EmailPolicy.fold_binary(policy, name, value)


_MEMO_POLICIES = {
    id(email.policy.default): _MemoPolicy(),
    id(email.policy.SMTP): _MemoPolicy(linesep="\r\n"),
}


class _Email(EmailMultiAlternatives):
    """An invitation or reminder e-mail. For Django's SMTP backend (policy SMTP) its bytes are written by
    kit.mime when the message is of the usual shape, which costs a fraction of the standard library's
    header folding (docs/decisions.md D457); any other use, or any value kit.mime does not handle, gets
    the standard library's message."""

    def __init__(
        self,
        *,
        subject: str,
        body: str,
        from_email: str,
        to: list[str],
        headers: dict[str, str],
        sender_box: mime.Mailbox | None,
        to_box: mime.Mailbox,
    ) -> None:
        super().__init__(subject=subject, body=body, from_email=from_email, to=to, headers=headers)
        # What the fast path writes, and the strings they were given as: if either is changed, it is off.
        self.boxes = (sender_box, to_box, self.from_email, list(self.to))

    def message(
        self, *, policy: email.policy.Policy | None = email.policy.default
    ) -> email.message.EmailMessage:
        if policy is email.policy.SMTP:
            data = self._prebuilt()
            if data is not None:
                return mime.PrebuiltMessage(data)  # type: ignore[return-value]  # the backend calls as_bytes()
        return super().message(policy=_MEMO_POLICIES.get(id(policy), policy))

    def recipients(self) -> list[str]:
        """The envelope's recipient: the bare address when it is the one this message was made for (the
        SMTP backend then checks it without parsing an encoded display name again)."""
        _sender, to, _from_email, recipients = self.boxes
        if self.to == recipients and not (self.cc or self.bcc) and mime.plain_address(to.addr_spec):
            return [to.addr_spec]
        return super().recipients()

    def _prebuilt(self) -> bytes | None:
        sender, to, from_email, recipients = self.boxes
        plain = (
            sender is not None
            and self.from_email == from_email
            and self.to == recipients
            and not (self.cc or self.bcc or self.reply_to or self.attachments)
            and len(self.alternatives) == 1
            and self.alternatives[0][1] == "text/html"
            and isinstance(self.alternatives[0][0], str)
            and self.encoding in (None, "utf-8")
            and "Date" not in self.extra_headers
            and "Message-ID" in self.extra_headers  # else Django makes one up
        )
        if not plain or sender is None:
            return None
        return mime.build_alternative(
            subject=str(self.subject),
            sender=sender,
            to=[to],
            date=formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            headers=list(self.extra_headers.items()),
            text=str(self.body),
            html=str(self.alternatives[0][0]),
        )


@functools.lru_cache(maxsize=64)
def _parsed(address: str) -> tuple[str, str]:
    """DEFAULT_FROM_EMAIL's name and address, parsed once per value of the setting."""
    return parseaddr(address)


def _mailbox(address: str) -> mime.Mailbox | None:
    """DEFAULT_FROM_EMAIL ("Name <address>" or an address) as a mailbox; None when it is written in a
    way left to the standard library (encoded words, several addresses, none)."""
    name, addr = _parsed(address)
    if not addr or "=?" in address or "," in addr:
        return None
    return mime.Mailbox(display_name=name, addr_spec=addr)


def _own_wording(
    message: Message, channel: str, templates: message_texts.Templates | None
) -> MessageTemplate | None:
    """The campaign's own wording for this message: from the batch's `templates` when given, else asked."""
    if templates is None:
        return message_texts.template_for(message.invitation.campaign_id, channel, message.kind)
    return templates.get((message.invitation.campaign_id, channel, message.kind))


def email_wording(
    message: Message, token: str, *, templates: message_texts.Templates | None = None
) -> message_texts.Wording:
    """The e-mail's subject, text and HTML: the campaign's own wording if it has one, else the shipped one
    (Vietnamese, whatever language the coordinator's page was in)."""
    custom = _own_wording(message, Message.Channel.EMAIL, templates)
    if custom is not None:
        return message_texts.email_wording(custom, placeholder_values(message, token))
    context = _context(message, token)
    template = "reminder" if context["reminder"] else "invitation"
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"surveys/email/{template}_subject.txt", context)
        text = render_to_string(f"surveys/email/{template}.txt", context)
        html = render_to_string(f"surveys/email/{template}.html", context)
    return message_texts.Wording(body=text, subject=" ".join(subject.split()), html=html)


def _email(
    message: Message, token: str, *, templates: message_texts.Templates | None = None
) -> EmailMultiAlternatives:
    wording = email_wording(message, token, templates=templates)
    sender = settings.DEFAULT_FROM_EMAIL
    sender_box = _mailbox(sender)
    if wording.sender_name:
        address = _parsed(settings.DEFAULT_FROM_EMAIL)[1]
        sender = formataddr((wording.sender_name, address))
        sender_box = mime.Mailbox(display_name=wording.sender_name, addr_spec=address)
    name = message.invitation.respondent.full_name if message.invitation.respondent else ""
    headers = {"Message-ID": message_id(message), **list_unsubscribe_headers(message.invitation_id)}
    mail = _Email(
        subject=wording.subject,
        body=wording.body,
        from_email=sender,
        to=[formataddr((name, message.to))],
        headers=headers,
        sender_box=sender_box,
        to_box=mime.Mailbox(display_name=name, addr_spec=message.to),
    )
    mail.attach_alternative(wording.html, "text/html")
    return mail


def sms_body(message: Message, token: str, *, templates: message_texts.Templates | None = None) -> str:
    """The SMS text: the campaign's own wording if it has one, else the shipped one."""
    custom = _own_wording(message, Message.Channel.SMS, templates)
    if custom is not None:
        return message_texts.sms_wording(custom, placeholder_values(message, token)).body
    campaign = message.invitation.campaign
    deadline = dateformat.format(campaign.survey_closes, "d/m/Y") if campaign.survey_closes else ""
    with translation.override(settings.LANGUAGE_CODE):
        return sms.sms_text(
            campaign_name=campaign.name,
            deadline=deadline,
            link=survey_url(token),
            reminder=message.kind == Message.Kind.REMINDER,
        )
