"""API tokens: issued (shown once), found by the digest of their key, expired, rotated (docs/decisions.md
D134). A key is 240 random bits, so one SHA-256 is enough to keep a stolen database from opening the API
(a slow password hash would cost every device request, for nothing)."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..models import ApiToken

KEY_BYTES = 30  # 40 URL-safe characters
LAST_USED_EVERY = datetime.timedelta(minutes=5)  # at most one write per token this often


@dataclass(frozen=True)
class IssuedToken:
    key: str  # shown to the operator once, never stored
    token: ApiToken


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def issue_api_token(*, user: User, now: datetime.datetime | None = None) -> IssuedToken:
    """A new key for `user`, replacing any earlier one (which stops working at once)."""
    now = now or timezone.now()
    key = secrets.token_urlsafe(KEY_BYTES)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).delete()
        token = ApiToken.objects.create(
            user=user,
            key_hash=hash_key(key),
            prefix=key[:6],
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.API_TOKEN_DAYS),
        )
    return IssuedToken(key=key, token=token)


def valid_token_of(user: User) -> ApiToken | None:
    token = ApiToken.objects.filter(user=user).first()
    return None if token is None or token.is_expired() else token


def touch(token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Record that the token was used, at most once per LAST_USED_EVERY (not a write per request)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
