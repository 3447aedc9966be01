"""What a chosen respondent would receive, drawn by the functions that send (messaging.contents), with an
example link instead of a real token: the preview of the wording page and of the sending confirmation."""

from dataclasses import dataclass

from respondents.models import Campaign, Respondent

from ..models import Invitation, Message
from .message_texts import SmsLength, Wording, sms_length
from .messaging.contents import email_wording, sms_body

EXAMPLE_TOKEN = "VD-duong-dan-ca-nhan-024"  # 24 characters, as long as a real token (services/tokens.py)


@dataclass
class Sample:
    name: str
    wording: Wording
    length: SmsLength | None = None  # SMS only


def sample_wording(
    *, campaign: Campaign, channel: str, reminders: bool, respondent: Respondent | None = None
) -> Sample | None:
    """The message for `respondent` (by default the campaign's first current respondent); None without one."""
    respondent = (
        respondent or Respondent.objects.current().filter(campaign=campaign).select_related("unit").first()
    )
    if respondent is None:
        return None
    invitation = Invitation.objects.filter(respondent=respondent).first() or Invitation(
        campaign=campaign, respondent=respondent
    )
    invitation.campaign = campaign
    kind = Message.Kind.REMINDER if reminders else Message.Kind.INVITATION
    message = Message(invitation=invitation, channel=channel, kind=kind, sequence=1 if reminders else 0)
    if channel == Message.Channel.SMS:
        text = sms_body(message, EXAMPLE_TOKEN)
        return Sample(name=respondent.full_name, wording=Wording(body=text), length=sms_length(text))
    return Sample(name=respondent.full_name, wording=email_wording(message, EXAMPLE_TOKEN))
