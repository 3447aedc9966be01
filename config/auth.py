"""Login throttling, in two layers (settings.LOGIN_* and AXES_*):

1. per client address, whatever the user name: more than LOGIN_ADDRESS_FAILURE_LIMIT failed logins from
   one address within LOGIN_ADDRESS_WINDOW seconds (a sliding window, kit.ratelimit) and further logins
   from it are refused before any password is hashed, until the oldest failures leave the window. Each
   hash costs ~330 ms of CPU, so unthrottled guesses from one address stalled the site; the window is
   short so that an office behind one address is kept out for a minute at most (docs/decisions.md D136);
2. per (user name, address), django-axes' lockout in front of Django's model backend.

Both answer 429 with a page saying how long to wait.
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.validators import MaxLengthValidator
from django.dispatch import receiver
from django.shortcuts import render

from kit import ratelimit
from kit.client_ip import client_ip

SCOPE = "login-failure"

# axes stores the user name tried in a 255-character column.
AXES_USERNAME_MAX = 255


class LoginThrottleBackend(AxesStandaloneBackend):
    """The address throttle, then axes' check, for logins that come with a request; programmatic
    `authenticate()` calls without one (shell, management commands, tests) are not web logins and are
    neither throttled nor refused.

    Every web login passes its request: Django's LoginView and the admin's (AuthenticationForm). A failure
    is counted by `count_failure` below and by axes' `user_login_failed` handler, which both need the
    request, so nothing is counted for calls without one.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        wait = address_wait(request)
        if wait:
            # Refused like an axes lockout (the flag keeps axes from recording this attempt as a failure
            # and makes its middleware answer with lockout_response), before ModelBackend hashes anything.
            AxesProxyHandler.update_request(request)
            request.axes_locked_out = True
            request.login_throttle_seconds = wait
            raise AxesBackendPermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)


def address_wait(request) -> int:
    """Seconds until this client address may try again (0: it may now)."""
    return ratelimit.retry_after(
        scope=SCOPE,
        client=client_ip(request) or "unknown",
        limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        window=settings.LOGIN_ADDRESS_WINDOW,
    )


@receiver(user_login_failed, dispatch_uid="config.auth.count_failure")
def count_failure(sender, credentials, request=None, **kwargs):
    """One failed login from this address; refusals of the throttle itself are not counted, so that the
    address is free again as soon as its real failures leave the window."""
    if request is None or getattr(request, "login_throttle_seconds", None):
        return
    ratelimit.count_hit(
        scope=SCOPE, client=client_ip(request) or "unknown", window=settings.LOGIN_ADDRESS_WINDOW
    )


def axes_username(request, credentials=None) -> str | None:
    """The user name tried, cut to what axes can store (a 300-character name was a 500 on PostgreSQL)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    name = (credentials or {}).get(field) or request.POST.get(field)
    return None if name is None else str(name)[:AXES_USERNAME_MAX].replace("\x00", "")


def lockout_response(request, original_response=None, credentials=None):
    """The page after too many failed logins (429), in the user's language, naming the wait."""
    seconds = getattr(request, "login_throttle_seconds", None)
    if seconds:
        response = render(request, "registration/locked_out.html", {"seconds": seconds}, status=429)
    else:
        seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
        minutes = max(1, round(seconds / 60))
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class BoundedUserName:
    """A user name longer than any account's is a form error: Django's AuthenticationForm sets the field's
    max_length after the field was built, so no validator enforces it and the name reached the hasher
    and axes' 255-character column."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or AXES_USERNAME_MAX))


class LoginForm(BoundedUserName, AuthenticationForm):
    pass


class AdminLoginForm(BoundedUserName, AdminAuthenticationForm):
    pass
