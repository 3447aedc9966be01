"""Existing clear-text API tokens (rest_framework.authtoken, no longer installed) become ApiTokens stored as
the SHA-256 digest of their key, valid API_TOKEN_DAYS from now (so devices in the field keep working until
then), and the clear keys are deleted (docs/decisions.md D134)."""

import datetime
import hashlib

from django.conf import settings
from django.db import migrations

CLEAR_TABLE = "authtoken_token"


def hash_clear_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if CLEAR_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("respondents", "ApiToken")
    now = datetime.datetime.now(datetime.UTC)
    expires = now + datetime.timedelta(days=settings.API_TOKEN_DAYS)
    quoted = schema_editor.quote_name(CLEAR_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {quoted}")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        ApiToken.objects.update_or_create(
            user_id=user_id,
            defaults={
                "key_hash": hashlib.sha256(key.encode()).hexdigest(),
                "prefix": key[:6],
                "created_at": created or now,
                "expires_at": expires,
            },
        )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted}")


class Migration(migrations.Migration):
    dependencies = [("respondents", "0005_api_token")]

    operations = [migrations.RunPython(hash_clear_tokens, migrations.RunPython.noop, elidable=False)]
