# ruff: noqa: E501 - the matrix is a table, one row per line
"""The permission matrix: every URL and API endpoint against every role, allow / deny / login.

Every named URL pattern of the project (walked from the root resolver, API included) must have a row here;
a new endpoint without one fails `test_every_url_has_a_row_in_the_matrix`. Each row gives, for one method,
the outcome class expected for each role (columns in the order of `matrix_setup.ROLES`):

- ALLOW: 2xx, a redirect to anything but a login page, or 400 for the empty POST the test sends (it passed
  the permission checks and reached validation);
- LOGIN: a redirect to the login page (pages) or 401 (API);
- DENY: 403, or 404 for an object outside the user's scope (another province's, another unit's, a link
  that is not the caller's).

GET and POST are sent to every URL: a method without a row must be refused (405) or get no further than
the URL's row says, for every role (a read-only view answering POST like GET). Objects just outside a role's
scope are checked separately (OUT_OF_SCOPE). Each request runs in a savepoint that is rolled back, so POSTs
change nothing for the next one. The world (matrix_setup.build_world) is built once for the module.
Policy decisions are written as comments next to their rows.
"""

import copy
import re

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .matrix_setup import ROLES, WRONG_TOKEN, World

ALLOW, DENY, LOGIN = "allow", "deny", "login"

# URL names that are not in the matrix, with the reason. Namespaces are exempt as a whole.
EXEMPT_NAMESPACES = {
    "admin": "Django admin internals: staff only, guarded by the admin site itself (admin:index is checked)",
}
EXEMPT_NAMES = {
    "set_language": "the language switch: no data, the same for everybody (POST, CSRF-protected)",
}

# fmt: off
ROWS = [
    # name                         method  anon   resp   focal  enum   superv scorer councl analys coord  outsdr super
    # --- site -----------------------------------------------------------------------------------------------
    ("home",                       "GET",  LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("login",                      "GET",  ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("login",                      "POST", ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    # Logging out always lands on the login page, whoever asks.
    ("logout",                     "POST", LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    # Jobs (docs/decisions.md D327): the analyst's own job; the coordinator oversees the campaign's jobs (sees,
    # downloads, never restarts another's); everyone else gets 404, as if it did not exist.
    # "My files": every logged-in user's own jobs (an empty list for most roles).
    ("my-jobs",                    "GET",  LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("job",                        "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("job-status",                 "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("job-download",               "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("job-restart",                "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  DENY,  DENY),
    ("healthz",                    "GET",  ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    # Policy (docs/decisions.md D39): the API schema and its docs are public; they describe endpoints, never data, and the
    # devices' developers need them. Every endpoint they describe checks its caller.
    ("api-schema",                 "GET",  ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("api-docs",                   "GET",  ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    # Twilio's delivery reports: authenticated by Twilio's request signature, never by a role.
    ("twilio-status",              "POST", DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    # Non-staff users are sent to the admin's own login page.
    ("admin:index",                "GET",  LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, ALLOW),
    # --- respondent registry (PAR campaign; the focal point's unit is STP) -------------------------------------
    ("campaign",                   "GET",  LOGIN, LOGIN, ALLOW, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("campaign-upload",            "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-export",            "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-remind",            "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("import",                     "GET",  LOGIN, LOGIN, ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("unit",                       "GET",  LOGIN, LOGIN, ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("unit",                       "POST", LOGIN, LOGIN, ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # The API lists are scoped (visible_campaigns, respondents_visible_to): a logged-in user without a role
    # there gets 200 with an empty list. An analyst's empty import POST reaches validation (400, ALLOW
    # below); with a file it is refused (403 "name your unit"): analysts have no unit.
    ("api-campaigns",              "GET",  LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("api-respondents",            "GET",  LOGIN, LOGIN, ALLOW, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("api-units",                  "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("api-imports",                "POST", LOGIN, LOGIN, ALLOW, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    # --- the respondent's personal link: the token is the credential. Every role but the respondent is
    # tested with a link that is not its own (WRONG_TOKEN): the same bare 404, logged in or not.
    ("survey-start",               "GET",  DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("survey-save",                "GET",  DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("survey-save",                "POST", DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("survey-submit",              "GET",  DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("survey-submit",              "POST", DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("survey-thanks",              "GET",  DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("survey-opt-out",             "GET",  DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("survey-opt-out",             "POST", DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    # --- tracking and distribution (coordinator; focal points see their own unit's non-responders) ----------
    ("campaign-tracking",          "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("campaign-non-responders",    "GET",  LOGIN, LOGIN, ALLOW, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("campaign-tracking-export",   "POST",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("campaign-distribution",      "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-distribution-send", "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # --- campaign set-up, questionnaires, preview, test links, wording, suppressions (coordinator) ---------
    # A coordinator of another province creates campaigns in its own province, so the new-campaign page is
    # theirs too; everything about this campaign is this province's coordinator's (and the superuser's).
    ("campaign-new",               "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW),
    ("campaign-new",               "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW),
    ("campaign-settings",          "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-settings",          "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-copy",              "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-questionnaires",    "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-questionnaires",    "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("questionnaire-xlsform",      "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("questionnaire-preview",      "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("questionnaire-preview-frame", "GET", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("test-link-create",           "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("test-links-delete",          "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-wording",           "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-wording",           "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-suppressions",      "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("campaign-suppressions",      "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # The page's script says a person opened the link: the token is the credential, as for the pages above.
    ("survey-opened",              "POST", DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    # One-click unsubscribe: authenticated by its own signed token only (D257), never by a role or by the
    # survey link's token; a provider's bounce webhook by its shared secret (none configured here).
    ("unsubscribe",                "GET",  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("unsubscribe",                "POST", DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("bounce-webhook",             "POST", DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    # --- scoring (the province's assessment; the scorer leads domain 2, whose item 2.1.1 is used) ------------
    # Policy (docs/decisions.md D40, as built): a superuser appraises (council rights) but never enters a department's
    # self-assessment; coordinators read every item but score none.
    ("scoring-assessments",        "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW, DENY,  ALLOW),
    ("scoring-overview",           "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW, DENY,  ALLOW),
    ("scoring-self",               "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY),
    ("scoring-self-save",          "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY),
    ("scoring-appraisal",          "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW),
    ("scoring-appraise",           "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW),
    ("scoring-history",            "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW, DENY,  ALLOW),
    ("scoring-evidence",           "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW, DENY,  ALLOW),
    # --- indices (coordinators and the appraisal council, the index's analysts) -------------------------------
    ("indices-dashboard",          "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW, DENY,  ALLOW),
    ("indices-report",             "POST",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW, DENY,  ALLOW),
    ("question-tables",            "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW, DENY,  ALLOW),
    ("question-tables-workbook",   "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW, DENY,  ALLOW),
    # The SIPAS campaign's page (interviews, progress, indices) is read as the indices are; the weighting
    # and the method change official figures: a coordinator proposes, another confirms (D205).
    ("sipas-campaign",             "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW, DENY,  ALLOW),
    ("sipas-margins",              "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("sipas-margins",              "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("sipas-margins-decide",       "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("sipas-method",               "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("sipas-method-decide",        "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # Respondent-level exports (D305): coordinators and analysts (pseudonymised); an empty POST shows the form.
    ("responses-export",           "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    ("responses-export",           "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, DENY,  ALLOW),
    # The campaign's criteria set and officials' conversion: read by whoever reads the index, changed by its
    # coordinators only (docs/decisions.md D152, D158).
    ("indices-settings",           "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW, DENY,  ALLOW),
    ("indices-settings",           "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # Policy (docs/decisions.md D161): criteria trees are shared by the installation, so a coordinator of any
    # province (the outsider too) and superusers load the official table.
    ("scoring-criteria-import",    "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW),
    ("scoring-criteria-import",    "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW),
    # --- audit log and personal-data access (audit app). A coordinator reads its own provinces' log, so the
    # other province's coordinator gets the page too (with none of this province's events).
    ("audit-log",                  "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, ALLOW, ALLOW),
    ("personal-data-access",       "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("personal-data-grant",        "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("personal-data-revoke",       "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # --- field work (SIPAS campaign; enumerators and clerks enter, supervisors and coordinators watch) --------
    # Entry is for enumerators and clerks only: supervisors, coordinators and superusers watch and correct,
    # they do not key in forms (fieldwork/entry_selectors.py).
    ("field-entry",                "GET",  LOGIN, LOGIN, DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("field-entry-page",           "GET",  LOGIN, LOGIN, DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("field-verify",               "GET",  LOGIN, LOGIN, DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("field-verify-page",          "GET",  LOGIN, LOGIN, DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("field-mismatches",           "GET",  LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-mismatch-resolve",     "POST", LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-progress",             "GET",  LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-progress-export",      "GET",  LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # Review before data counts, outcome rates, files of unsent forms: supervisors and coordinators.
    ("field-review",               "GET",  LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-review-detail",        "GET",  LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-review-decide",        "POST", LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-review-correct",       "POST", LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-review-hold-flagged",  "POST", LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-form-number-note",     "POST", LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-contacts",             "GET",  LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-queue-import",         "GET",  LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-queue-import",         "POST", LOGIN, LOGIN, DENY,  DENY,  ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # The enumerator's work list and contact attempts: those who key forms only.
    ("field-work-list",            "GET",  LOGIN, LOGIN, DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    ("field-work-list-attempt",    "POST", LOGIN, LOGIN, DENY,  ALLOW, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  DENY),
    # The service worker of the field pages: a public script, no data (the pages it keeps check their users).
    ("field-service-worker",       "GET",  ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    # The sample design: the coordinator draws or loads it.
    ("field-sample",               "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-sample",               "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-frame",                "GET",  LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-frame",                "POST", LOGIN, LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    # Field API. Lists are scoped (visible_assignments / visible_records): any logged-in user gets 200 with
    # only its own rows, which is what ALLOW means for them; POSTs reach validation (400) and the
    # assignment check comes after it, per item.
    ("field-api-assignments",      "GET",  LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("field-api-questionnaire",    "GET",  LOGIN, LOGIN, DENY,  ALLOW, ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-api-responses",        "GET",  LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("field-api-responses",        "POST", LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("field-api-batch",            "POST", LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("field-api-response",         "GET",  LOGIN, LOGIN, DENY,  ALLOW, ALLOW, DENY,  DENY,  DENY,  ALLOW, DENY,  ALLOW),
    ("field-api-verifications",    "POST", LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("field-api-stats-today",      "GET",  LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    # The work list is scoped (empty for those who key nothing); an empty attempt reaches validation (400).
    ("field-api-work-list",        "GET",  LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ("field-api-contacts",         "POST", LOGIN, LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
]
# fmt: on

MATRIX: dict[str, dict[str, dict[str, str]]] = {}  # url name -> method -> role -> outcome
for _name, _method, *_cells in ROWS:
    assert len(_cells) == len(ROLES), _name
    MATRIX.setdefault(_name, {})[_method] = dict(zip(ROLES, _cells, strict=True))


# --- the URL map ------------------------------------------------------------------------------------------


def url_patterns() -> dict[str, str]:
    """Every named URL pattern of the project: qualified name -> route (first one when a name repeats)."""
    found: dict[str, str] = {}
    unnamed: list[str] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern):
                if entry.name is None:
                    unnamed.append(route)
                else:
                    found.setdefault(namespace + entry.name, route)

    walk(get_resolver().url_patterns, "", "")
    assert not [r for r in unnamed if not r.startswith("admin/")], f"unnamed URL patterns: {unnamed}"
    return found


def is_exempt(name: str) -> bool:
    return name in EXEMPT_NAMES or (":" in name and name.split(":")[0] in EXEMPT_NAMESPACES)


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(name for name in url_patterns() if not is_exempt(name) and name not in MATRIX)
    assert missing == [], f"URL names without a row in the permission matrix: {missing}"


def test_the_matrix_names_no_url_that_does_not_exist():
    names = url_patterns()
    stale = sorted(name for name in MATRIX if name not in names)
    assert stale == [], f"rows for URL names that no longer exist: {stale}"
    assert not set(EXEMPT_NAMES) - set(names), "exempt names that no longer exist"


# --- the world and the clients (the `world` fixture is in conftest.py, shared with test_input_fuzz.py) ---


def url_for(name: str, world: World, role: str, **overrides) -> str:
    """The concrete URL of `name` with the world's objects (the respondent's own link for the respondent)."""
    token = world.token if role == "respondent" else WRONG_TOKEN
    by_name = {
        "scoring-evidence": {"pk": world.evidence_id},
        "field-api-questionnaire": {"pk": world.questionnaire_id},
        "field-api-response": {"pk": world.response_id},
        "field-frame": {"slug": world.sipas.slug},
        **{
            name: {"slug": world.sipas.slug}
            for name in ("sipas-campaign", "sipas-margins", "sipas-margins-decide", "sipas-method")
        },
        "sipas-method-decide": {"slug": world.sipas.slug},
        "questionnaire-xlsform": {"slug": world.sipas.slug, "pk": world.questionnaire_id},
        "questionnaire-preview": {"slug": world.sipas.slug, "pk": world.questionnaire_id},
        "questionnaire-preview-frame": {"slug": world.sipas.slug, "pk": world.questionnaire_id},
        "field-sample": {"slug": world.sipas.slug},
        **{name: {"pk": world.job_id} for name in ("job", "job-status", "job-download")},
        "job-restart": {"pk": world.failed_job_id},
    }
    by_argument = {
        "slug": world.par.slug,
        "token": token,
        "batch_id": world.batch_id,
        "unit_code": "STP",
        "pk": world.assessment_id,
        "code": world.item_code,
        "assignment_id": world.assignment_id,
        "mismatch_id": world.mismatch_id,
        "margin_set_id": world.margin_set_id,
        "choice_id": world.method_choice_id,
        "record_id": world.record_id,
        "unit_id": world.unit_id,
    }
    route = url_patterns()[name]
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", route)
    kwargs = {a: overrides.get(a, by_name.get(name, {}).get(a, by_argument[a])) for a in arguments}
    return reverse(name, kwargs=kwargs)


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome(response, method: str) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        target = response["Location"]
        return LOGIN if any(p in target.split("?")[0] for p in LOGIN_PATHS) else ALLOW
    if 200 <= code < 300 or (code == 400 and method == "POST"):
        return ALLOW
    if code == 401:
        return LOGIN
    if code in (403, 404):
        return DENY
    return f"status {code}"


def post_data(name: str, world: World) -> dict:
    """The form sent with POST: empty, except where an empty form would be refused before any permission
    check could matter (revoking needs the analyst whose access goes, else 404 for everyone)."""
    if name == "personal-data-revoke":
        return {"analyst": world.users["analyst"].pk}
    return {}


def request(role_client: Client, method: str, name: str, url: str, world: World):
    """One request in a savepoint that is rolled back, by a copy of the role's client (so that logging out
    or a new session cookie leaves the role logged in); an exception in the view is an outcome too."""
    client = Client()
    client.cookies = copy.deepcopy(role_client.cookies)
    with transaction.atomic():
        try:
            if method == "GET":
                response = client.get(url)
            elif name.startswith("field-api-"):  # the field API reads JSON only
                response = client.post(url, "{}", content_type="application/json")
            else:
                response = client.post(url, post_data(name, world))
        except Exception as error:  # a 500: reported with the others, never hidden
            transaction.set_rollback(True)
            return f"error {type(error).__name__}: {error}"
        transaction.set_rollback(True)
    # File downloads hold their file open until closed. Closing fires request_finished, whose
    # close_old_connections would drop the connection inside the module's transaction (PostgreSQL): the
    # test client disconnects it around its own close in the same way.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return outcome(response, method)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_role_gets_the_expected_outcome(world, name):
    """Every role, every method with a row; a method without a row must be refused (405) or get no further
    than the method that has one (a read-only view answering POST like GET)."""
    built, clients = world
    rows = MATRIX[name]
    wrong = []
    for method in ("GET", "POST"):
        expected = rows.get(method)
        for role in ROLES:
            got = request(clients[role], method, name, url_for(name, built, role), built)
            if expected is not None and got != expected[role]:
                wrong.append(f"{method} {name} as {role}: expected {expected[role]}, got {got}")
            elif expected is None and got not in ("status 405", *(row[role] for row in rows.values())):
                wrong.append(f"{method} {name} as {role}: no row for {method}, got {got}")
    assert wrong == [], "\n".join(wrong)


# Objects of the same kind just outside a role's scope (the matrix above uses the role's own ones):
# (role, url name, method, URL arguments naming the other object (keys of World.other), query string).
OUT_OF_SCOPE = [
    ("focal", "unit", "GET", {"unit_code": "SNV"}, ""),
    ("focal", "unit", "POST", {"unit_code": "SNV"}, ""),
    ("focal", "import", "GET", {"batch_id": "batch_id"}, ""),
    ("focal", "campaign-non-responders", "GET", {}, "?unit=SNV"),
    ("enumerator", "field-entry-page", "GET", {"assignment_id": "assignment_id"}, ""),
    ("enumerator", "field-verify-page", "GET", {"assignment_id": "assignment_id"}, ""),
    ("enumerator", "field-api-response", "GET", {"pk": "response_id"}, ""),
    ("supervisor", "field-api-response", "GET", {"pk": "response_id"}, ""),
    ("supervisor", "field-mismatch-resolve", "POST", {"mismatch_id": "mismatch_id"}, ""),
    ("supervisor", "field-review-detail", "GET", {"record_id": "record_id"}, ""),
    ("supervisor", "field-review-decide", "POST", {"record_id": "record_id"}, ""),
    ("scorer", "scoring-history", "GET", {"code": "item_code"}, ""),
    ("scorer", "scoring-self-save", "POST", {"code": "item_code"}, ""),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "name", "method", "arguments", "query"), OUT_OF_SCOPE)
def test_objects_outside_a_roles_scope_are_refused(world, role, name, method, arguments, query):
    built, clients = world
    assert MATRIX[name][method][role] == ALLOW  # the role reaches its own object of this kind
    overrides = {key: built.other.get(value, value) for key, value in arguments.items()}
    url = url_for(name, built, role, **overrides) + query
    assert request(clients[role], method, name, url, built) == DENY
