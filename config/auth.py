"""Login throttling: django-axes' lockout check in front of Django's model backend (settings.AXES_*)."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check for logins that come with a request; programmatic `authenticate()` calls without one
    (shell, management commands, tests) are not web logins and are neither throttled nor refused.

    Every web login passes its request: Django's LoginView and the admin's (AuthenticationForm), DRF's
    authentication classes. A failure is counted by axes' `user_login_failed` handler, which also needs
    the request, so nothing is counted for calls without one.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page after too many failed logins (429), in the user's language, naming the wait in minutes."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
