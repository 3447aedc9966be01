"""Logins, failed logins and lockouts in the audit log (the password tried is never kept)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from kit.client_ip import client_ip

from .services import Action, record


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs):
    record(actor=user, action=Action.LOGIN, ip=_ip(request))


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    name = str(credentials.get("username", ""))
    record(actor=None, actor_name=name, action=Action.LOGIN_FAILED, ip=_ip(request))


@receiver(user_locked_out, dispatch_uid="audit-locked-out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    name = str(username or "")
    record(actor=None, actor_name=name, action=Action.LOCKED_OUT, ip=ip_address or _ip(request))
