"""Device token authentication for the field API, with the token and its user read by a prepared query."""

from drf_spectacular.authentication import TokenScheme
from rest_framework.authentication import TokenAuthentication

from respondents.authentication import check_token
from respondents.models import ApiToken

from ..services.reads import read_token


class FieldTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication (same header, same errors, same 401), reading the token and its user with
    one pre-built query (services/reads.py): every device submission is authenticated this way. Never
    cached: a rotated, expired or deleted token (`field_token --rotate`) stops working at once."""

    model = ApiToken

    def authenticate_credentials(self, key):
        found = read_token(key)
        return check_token(found[1] if found else None)


class FieldTokenScheme(TokenScheme):
    """The schema's security scheme for it: DRF's token scheme under its own name (drf-spectacular refuses
    two different classes under one component name)."""

    target_class = FieldTokenAuthentication
    name = "fieldTokenAuth"
    priority = 0
