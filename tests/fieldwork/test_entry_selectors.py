"""The entry pages' read helpers: answers shown with their option labels, and which forms wait for a
second entry by whom."""

import datetime
import uuid

import pytest
from django.utils import timezone

from fieldwork.entry_selectors import describe_value, forms_awaiting_second_entry, worker_assignments
from fieldwork.services.submissions import Submission, SubmissionContext, submit_field_response

SCALE = {
    "type": "scale",
    "options": [{"value": 1, "label": "Rất không hài lòng"}, {"value": 0, "label": "Không biết"}],
}
MULTIPLE = {
    "type": "multiple",
    "options": [{"value": "direct", "label": "Trực tiếp"}, {"value": "post", "label": "Bưu chính"}],
}


@pytest.mark.parametrize(
    ("question", "value", "shown"),
    [
        (SCALE, 1, "1 · Rất không hài lòng"),
        (SCALE, 0, "0 · Không biết"),
        (SCALE, None, "—"),
        (MULTIPLE, ["direct", "post"], "direct · Trực tiếp; post · Bưu chính"),
        (MULTIPLE, [], "—"),
        ({"type": "number"}, 12.5, "12.5"),
        ({"type": "text"}, "Ý kiến", "Ý kiến"),
        (SCALE, 7, "7"),  # a value the questionnaire no longer offers is shown as it is
        (SCALE, {"odd": 1}, "{'odd': 1}"),  # never an error, whatever was stored
    ],
)
def test_an_answer_is_shown_with_its_option_label(question, value, shown):
    assert describe_value(question, value) == shown


def store(user, assignment, form_number):
    return submit_field_response(
        submission=Submission(
            client_uuid=uuid.uuid4(),
            assignment_id=assignment.pk,
            questionnaire_id=assignment.questionnaire_id,
            mode="paper",
            interviewed_at=timezone.now() - datetime.timedelta(hours=1),
            answers={"q1": "no", "q3": 12, "q4": 4},
            form_number=form_number,
        ),
        context=SubmissionContext(user),
    )


def test_forms_to_re_enter_leave_out_the_users_own_first_entries(field):
    team1 = field["teams"]["1"]
    team1.verify_percent = 100
    team1.save()
    users, assignment = field["users"], field["assignments"]["team1"]
    assert store(users["a"], assignment, "F-1").status == "created"
    assert store(users["b"], assignment, "F-2").status == "created"
    mine = list(worker_assignments(users["a"]))
    assert forms_awaiting_second_entry(users["a"], mine)[assignment.pk] == ["F-2"]
    assert forms_awaiting_second_entry(users["clerk"], list(worker_assignments(users["clerk"])))[
        assignment.pk
    ] == [
        "F-1",
        "F-2",
    ]


def test_with_no_share_to_check_no_form_waits(field):
    team1 = field["teams"]["1"]
    team1.verify_percent = 0
    team1.save()
    assignment = field["assignments"]["team1"]
    store(field["users"]["a"], assignment, "F-1")
    clerk = field["users"]["clerk"]
    assert forms_awaiting_second_entry(clerk, list(worker_assignments(clerk)))[assignment.pk] == []
