"""Personal-link tokens: 128+ bits from `secrets`, stored only as SHA-256, looked up by that hash.

Looking a token up by the hash of what was presented is constant-time with respect to the secret: the
database compares digests, never the token, so timing reveals nothing about valid tokens.
"""

import hashlib
import secrets

from ..models import Invitation, InvitationToken

TOKEN_BYTES = 18  # 144 bits; 24 URL-safe characters, so the link stays short enough not to be wrapped


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token and the hash stored for it (the plain token is never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def issue_token(invitation: Invitation) -> str:
    """A new link token for this invitation (earlier ones stay valid); the plain token is never stored."""
    token, token_hash = new_token()
    InvitationToken.objects.create(invitation=invitation, token_hash=token_hash)
    return token


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    found = (
        # A respondent dropped from the list (retired by a unit's re-import) can no longer answer.
        InvitationToken.objects.filter(
            token_hash=hash_token(token), invitation__respondent__retired_at__isnull=True
        )
        .select_related("invitation__campaign", "invitation__respondent", "invitation__questionnaire")
        .first()
    )
    return found.invitation if found else None
