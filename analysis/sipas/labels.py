"""Readable names of the SIPAS parts, policy groups and service elements (UI in Vietnamese, msgids in
English). Element codes are the questionnaire's `feeds:` codes without `sipas.` (methods.part_of)."""

from django.utils.translation import gettext_lazy as _

PARTS = {
    "policy": _("Building and implementing public policy"),
    "service": _("Public administrative service delivery"),
}
POLICY_GROUPS = {
    "economy": _("Economic development"),
    "health": _("Medical examination and treatment"),
    "education": _("General education"),
    "water": _("Domestic water"),
    "electricity": _("Domestic electricity"),
    "security": _("Public order and safety"),
    "roads": _("Roads"),
    "social_security": _("Social security"),
    "admin_reform": _("Administrative reform"),
}
SERVICE_ELEMENTS = {
    "access": _("Access to services"),
    "procedure": _("Administrative procedures"),
    "staff": _("Civil servants handling the case"),
    "result": _("Results of the service"),
    "feedback": _("Feedback and complaints handling"),
}
OVERALL = _("Overall satisfaction")


def element_label(code: str) -> str:
    """`policy.education` → General education; `service.access` and `access` → Access to services."""
    head, _dot, tail = code.partition(".")
    if head == "policy" and tail in POLICY_GROUPS:
        return str(POLICY_GROUPS[tail])
    name = tail if head == "service" else code
    if name in SERVICE_ELEMENTS:
        return str(SERVICE_ELEMENTS[name])
    if code == "overall":
        return str(OVERALL)
    return code


def part_label(code: str) -> str:
    return str(PARTS.get(code, code))


METHOD_DESCRIPTIONS = {
    "sipas-2023": _(
        "First questionnaire (service delivery only): an element's index is the share of satisfied and very "
        "satisfied answers among the valid answers to its items; SIPAS is the mean of the five elements."
    ),
    "sipas-2023-pooled": _(
        "As sipas-2023, but SIPAS is the satisfied share of all valid answers to the five elements' items."
    ),
    "sipas-1001-parts": _(
        "1001/QĐ-BNV: a policy group's or service element's index is the share of satisfied and very "
        "satisfied answers among the valid answers to its items; the policy part is the mean of the 9 "
        "groups, the service part the mean of the 5 elements; SIPAS is the mean of the two parts."
    ),
    "sipas-1001-pooled": _(
        "As sipas-1001-parts for groups, elements and parts; SIPAS is the satisfied share of all valid "
        "answers to the policy and service items."
    ),
    "sipas-1001-weighted": _(
        "As sipas-1001-parts for groups, elements and parts; SIPAS = w × policy + (1 − w) × service, with w "
        "a setting of the campaign (default 0.6, inferred from the 2024 national figures, not official)."
    ),
}


def method_description(name: str, fallback: str = "") -> str:
    return str(METHOD_DESCRIPTIONS.get(name, fallback))
