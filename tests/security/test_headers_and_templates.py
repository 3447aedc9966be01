"""Security headers and the Content Security Policy on staff and respondent pages, and what the templates
must hold for them: a CSRF token in every POST form, no inline script without the request's nonce, no
inline event handlers."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import engines
from django.test import Client
from django.urls import reverse

from tests.surveys.respondent_setup import make_link

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for folder in ("templates", "respondents", "surveys", "scoring", "fieldwork", "analysis")
    for path in (ROOT / folder).rglob("*.html")
    if "email" not in path.parts  # e-mail bodies are not web pages
)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_strict_policy(response):
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["script-src"][0] == "'self'"
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # style attributes of the SVG charts


def test_the_login_page_carries_the_policy_and_the_security_headers(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # only over HTTPS
    html = response.content.decode()
    assert "<script" not in html  # the language menu is a plain form: a button per other language
    assert re.search(r'<button type="submit" name="language" value="en" lang="en">', html)


def test_the_respondent_page_carries_the_policy_and_loads_its_script_from_the_site(campaign, units):
    _invitation, token = make_link(campaign, units["STP"])
    response = Client().get(reverse("survey-start", args=[token]))
    assert response.status_code == 200
    assert_strict_policy(response)
    html = response.content.decode()
    assert re.search(r'<script src="/static/surveys/survey\.js" defer>', html)
    assert " onchange=" not in html and " onclick=" not in html


def test_https_requests_get_hsts_for_a_year_with_subdomains(client, db, settings):
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_an_inline_script_gets_the_request_nonce_named_in_the_policy(rf):
    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">let a = 1;</script>')
    request = rf.get("/")
    middleware = ContentSecurityPolicyMiddleware(lambda r: None)
    middleware.process_request(request)
    html = template.render({}, request)
    response = middleware.process_response(request, HttpResponse(html))
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    assert len(nonce) >= 16
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_post_form_has_a_csrf_token_and_no_inline_script_or_handler(path):
    text = path.read_text(encoding="utf-8")
    for form in re.finditer(r"<form\b[^>]*>", text, re.I):
        if re.search(r'method\s*=\s*"?post', form.group(0), re.I):
            following = text[form.end() : form.end() + 2000]
            closing = following.lower().find("</form>")
            body = following if closing < 0 else following[:closing]
            assert "{% csrf_token %}" in body, f"POST form without csrf_token at offset {form.start()}"
    for script in re.finditer(r"<script\b[^>]*>", text, re.I):
        tag = script.group(0)
        assert " src=" in tag or "csp_nonce" in tag, f"inline script without nonce: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), "inline event handler (not allowed by the CSP)"
    assert "javascript:" not in text.lower()


def test_the_scan_covers_the_pages_with_forms():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "login.html", "questionnaire.html"} <= names
    assert len(TEMPLATES) > 20
