"""The peer and the floor of bench/field_api.py, served by gunicorn as the project is.

- peer (`application`, with bench/field_peer_settings.py): one Django view under the project's settings and
  middleware that parses the JSON body and inserts it as one row (a plain table, one INSERT, autocommit);
- floor (`floor`): a bare WSGI callable that reads the body and answers 201, no Django, no database.
"""

import json
import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.field_peer_settings"

from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_peer_submission"


@csrf_exempt
def submit(request):
    data = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (client_uuid, body) VALUES (%s, %s)",
            [data["client_uuid"], request.body.decode()],
        )
    return JsonResponse({"client_uuid": data["client_uuid"]}, status=201)


urlpatterns = [path("api/v1/field/responses/", submit)]
application = get_wsgi_application()


def floor(environ, start_response):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(size)
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]
