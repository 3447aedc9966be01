"""Token authentication of the API against ApiToken (the digest of the key, with an expiry): DRF's
TokenAuthentication (same `Authorization: Token <key>` header, same 401s) with another lookup."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken
from .services.api_tokens import hash_key, touch


class ApiTokenAuthentication(TokenAuthentication):
    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        return check_token(token)


def check_token(token: ApiToken | None):
    """(user, token) for a token that opens the API, else AuthenticationFailed (DRF's 401)."""
    if token is None:
        raise exceptions.AuthenticationFailed(_("Invalid token."))
    if token.is_expired():
        raise exceptions.AuthenticationFailed(_("Token expired: ask for a new one."))
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
    touch(token)
    return token.user, token


def is_token_request(request) -> bool:
    """Whether the API request was authenticated by a token (a script or device), not a browser session."""
    return isinstance(getattr(request, "auth", None), ApiToken)
