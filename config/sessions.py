"""Idle timeout of logged-in sessions (settings.SESSION_IDLE_MINUTES, docs/decisions.md D138).

A session's server-side expiry is SESSION_COOKIE_AGE (= the idle timeout) after it was last saved; this
middleware saves a logged-in user's session again when its last save is more than TOUCH_SECONDS old, so
each request moves the expiry forward (at most one session write a minute per user, not one per request)
and a session left alone for the idle timeout is refused by the session store itself: the next request
is anonymous and the login page asks again. The cookie has no expiry (SESSION_EXPIRE_AT_BROWSER_CLOSE), so
it also ends with the browser on a shared office computer.
"""

import time

from django.http import HttpRequest, HttpResponse

TOUCH_SECONDS = 60
KEY = "last_activity"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(request.session.get(KEY) or 0) >= TOUCH_SECONDS:
                request.session[KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return self.get_response(request)
