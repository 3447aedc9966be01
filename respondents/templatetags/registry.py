from django import template

from kit.phones import national_phone

register = template.Library()


@register.filter
def local_phone(e164: str) -> str:
    """+84912345678 -> 0912 345 678; +842143840123 -> 0214 3840 123 (landline): as users write them."""
    if not e164 or not e164.startswith("+84"):
        return e164 or ""
    national = national_phone(e164)
    if len(national) == 11:
        return f"{national[:4]} {national[4:8]} {national[8:]}"
    return f"{national[:4]} {national[4:7]} {national[7:]}"
