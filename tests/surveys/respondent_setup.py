"""A small questionnaire and a respondent's personal link, shared by the respondent-page tests.

q1 single (yes/no) → q2 multiple, shown only when q1 is "yes"; q3 number 0–60; q4 scale; q5 optional text.
"""

import datetime

from kit.documents import checksum
from surveys.services.definitions import validate_definition
from surveys.services.tokens import issue_token
from tests.factories import InvitationFactory, QuestionnaireFactory, RespondentFactory

DEFINITION = {
    "code": "par-thu",
    "title": "Phiếu khảo sát thử",
    "groups": ["dept_leader"],
    "intro": "Xin cảm ơn anh/chị đã dành thời gian trả lời.",
    "scales": {
        "agree5": [
            {"value": 1, "label": "Rất không đồng ý"},
            {"value": 2, "label": "Không đồng ý"},
            {"value": 3, "label": "Bình thường"},
            {"value": 4, "label": "Đồng ý"},
            {"value": 5, "label": "Rất đồng ý"},
            {"value": 0, "label": "Không biết / không trả lời", "missing": True},
        ]
    },
    "sections": [
        {
            "code": "s1",
            "title": "Thông tin chung",
            "questions": [
                {
                    "code": "q1",
                    "type": "single",
                    "text": "Anh/chị có tham gia giải quyết thủ tục hành chính không?",
                    "options": [{"value": "yes", "label": "Có"}, {"value": "no", "label": "Không"}],
                },
                {
                    "code": "q2",
                    "type": "multiple",
                    "text": "Anh/chị tiếp nhận hồ sơ qua những kênh nào?",
                    "options": [
                        {"value": "direct", "label": "Trực tiếp"},
                        {"value": "post", "label": "Bưu chính công ích"},
                        {"value": "online", "label": "Dịch vụ công trực tuyến"},
                    ],
                    "show_if": {"question": "q1", "equals": "yes"},
                },
                {"code": "q3", "type": "number", "text": "Số năm công tác", "min": 0, "max": 60},
            ],
        },
        {
            "code": "s2",
            "title": "Đánh giá",
            "questions": [
                {
                    "code": "q4",
                    "type": "scale",
                    "scale": "agree5",
                    "text": "Quy trình cải cách hành chính ở đơn vị được công khai, minh bạch.",
                },
                {"code": "q5", "type": "text", "text": "Góp ý khác", "required": False, "max_length": 500},
            ],
        },
    ],
}

COMPLETE = {"q1": "no", "q3": "12", "q4": "4"}


def make_questionnaire(campaign, *, version=1, **changes):
    result = validate_definition({**DEFINITION, **changes})
    assert result.ok, result.errors
    return QuestionnaireFactory(
        campaign=campaign,
        code=result.definition["code"],
        version=version,
        title=result.definition["title"],
        definition=result.definition,
        checksum=checksum(result.definition),
    )


def make_link(campaign, unit, *, questionnaire=None, full_name="Nguyễn Thị Lan") -> tuple:
    """(invitation, token) for a new respondent of `campaign`; the campaign is open until next year."""
    campaign.survey_closes = datetime.date.today() + datetime.timedelta(days=365)
    campaign.status = campaign.Status.SURVEYING
    campaign.save(update_fields=["survey_closes", "status"])
    invitation = InvitationFactory(
        respondent=RespondentFactory(campaign=campaign, unit=unit, full_name=full_name),
        questionnaire=questionnaire or make_questionnaire(campaign),
    )
    return invitation, issue_token(invitation)
