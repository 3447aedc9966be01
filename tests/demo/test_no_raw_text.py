"""No raw English and no codes where labels belong, on every page a demo role reaches from its navigation
and in the demo's exported workbooks (tests/raw_text.py says what counts)."""

import re

import pytest

from respondents.models import RespondentGroup, Unit
from surveys.models import Message, Questionnaire
from surveys.services.definitions import questions
from surveys.services.messaging.contents import _email
from tests.config.test_navigation import walk
from tests.demo_world import DEMO_USERS
from tests.jobs.follow import follow_job
from tests.raw_text import catalogue_msgids, html_lines, html_texts, problems, repeated, workbook_texts

pytestmark = pytest.mark.django_db

WORKBOOKS = [
    ("snv", "/campaigns/par-2026/export.xlsx"),
    ("snv", "/campaigns/par-2026/tracking/export.xlsx"),
    ("phan-tich", "/campaigns/par-2026/tracking/export.xlsx"),
    ("snv", "/campaigns/par-2026/indices/report.xlsx"),
    ("snv", "/campaigns/sipas-2026/indices/report.xlsx"),
    ("snv", "/field/progress/export/?campaign=sipas-2026"),
    ("bd-team1-gs", "/field/progress/export/?campaign=sipas-2026"),
]


def demo_codes() -> set[str]:
    """The identifiers of the demo: units, groups, questionnaire sections, questions and option values."""
    codes = set(Unit.objects.values_list("code", flat=True)) | set(
        RespondentGroup.objects.values_list("code", flat=True)
    )
    for definition in Questionnaire.objects.values_list("definition", flat=True):
        codes |= {s["code"] for s in definition["sections"]}
        for question in questions(definition):
            codes.add(question["code"])
            codes |= {o["value"] for o in question.get("options", []) if isinstance(o["value"], str)}
    return {c for c in codes if len(c) > 1}


@pytest.fixture(scope="module")
def vocabulary(demo, django_db_blocker):
    with django_db_blocker.unblock():
        return catalogue_msgids(), demo_codes()


@pytest.mark.parametrize("username", DEMO_USERS)
def test_no_page_of_the_navigation_shows_raw_english_or_codes(demo, vocabulary, username):
    msgids, codes = vocabulary
    client = demo[username]
    found = []
    for url, status in walk(client).items():
        response = client.get(url, follow=True)
        if status != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for text in html_texts(html):
            for problem in problems(text, msgids=msgids, codes=codes):
                found.append(f"{url}: {text!r}: {problem}")
        for line in html_lines(html):
            found += [f"{url}: {line[:120]!r}: {problem}" for problem in repeated(line)]
    found = sorted(set(found))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("username", "url"), WORKBOOKS)
def test_no_exported_workbook_shows_raw_english_or_codes(demo, vocabulary, username, url):
    msgids, codes = vocabulary
    if url.endswith(("tracking/export.xlsx", "indices/report.xlsx")):  # background jobs (D325, D326)
        content = follow_job(demo[username], demo[username].post(url)).content
    else:
        response = demo[username].get(url)
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
    found = [
        f"{where}: {text!r}: {problem}"
        for where, text, code_column in workbook_texts(content)
        for problem in problems(text, msgids=msgids, codes=codes, code_column=code_column)
    ]
    assert not found, "\n".join(found)


def test_the_respondents_pages_and_messages_show_no_raw_english_codes_or_repeats(demo, vocabulary, client):
    """What the demo's respondents meet: the questionnaire behind each printed link, and their e-mails."""
    msgids, codes = vocabulary
    found = []
    for path in re.findall(r"http://127\.0\.0\.1:8000(/s/[\w-]+/)", demo.output):
        html = client.get(path).content.decode()
        found += [
            f"{path}: {t!r}: {p}" for t in html_texts(html) for p in problems(t, msgids=msgids, codes=codes)
        ]
        found += [f"{path}: {line[:120]!r}: {p}" for line in html_lines(html) for p in repeated(line)]
    for kind in (Message.Kind.INVITATION, Message.Kind.REMINDER):
        message = Message.objects.filter(channel=Message.Channel.EMAIL, kind=kind).first()
        if message is None:  # the demo sends reminders only by SMS
            continue
        mail = _email(message, "demo-token")
        for part in (mail.subject, mail.body, mail.alternatives[0].content):
            text = " ".join(html_texts(part) if "<" in part else [part])
            found += [f"{kind} e-mail: {p}" for p in repeated(" ".join(text.split()))]
    assert not found, "\n".join(found)
