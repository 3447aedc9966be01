"""What a respondent receives: the e-mail (with its deterministic Message-ID) and the SMS text."""

import email.message
import email.policy
import functools
from email.utils import formataddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import dateformat, translation

from ...models import Message
from .. import sms
from ..invitations import opt_out_url, survey_url


def message_id(message: Message) -> str:
    """A deterministic Message-ID: a retried or duplicated e-mail keeps it, and bounces point back here."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<msg-{message.pk}@{host}>"


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
    def message(
        self, *, policy: email.policy.Policy | None = email.policy.default
    ) -> email.message.EmailMessage:
        return super().message(policy=_MEMO_POLICIES.get(id(policy), policy))


def _email(message: Message, token: str) -> EmailMultiAlternatives:
    context = _context(message, token)
    template = "reminder" if context["reminder"] else "invitation"
    # Respondents read Vietnamese whatever language the coordinator's page was in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"surveys/email/{template}_subject.txt", context)
        text = render_to_string(f"surveys/email/{template}.txt", context)
        html = render_to_string(f"surveys/email/{template}.html", context)
    mail = _Email(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((context["name"], message.to))],
        headers={"Message-ID": message_id(message), "List-Unsubscribe": f"<{context['opt_out']}>"},
    )
    mail.attach_alternative(html, "text/html")
    return mail


def _sms_body(message: Message, token: str) -> str:
    campaign = message.invitation.campaign
    deadline = dateformat.format(campaign.survey_closes, "d/m/Y") if campaign.survey_closes else ""
    with translation.override(settings.LANGUAGE_CODE):
        return sms.sms_text(
            campaign_name=campaign.name,
            deadline=deadline,
            link=survey_url(token),
            reminder=message.kind == Message.Kind.REMINDER,
        )
