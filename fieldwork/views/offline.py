"""Offline entry: the service worker of the field pages, and the supervisor's import of a file of forms an
enumerator could not send (the export is made in the browser, static/fieldwork/offline.js)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..services.queue_files import MAX_FILE_BYTES, import_queue_file
from .supervision import _scope

WORKBOX_VERSION = "7.4.1"
WORKBOX_DIR = f"vendor/workbox-{WORKBOX_VERSION}/"


@require_GET
@never_cache
def service_worker(request):
    """Served under /field/ so that its scope covers the entry pages; no inline script anywhere (CSP)."""
    scope = reverse("field-entry").rsplit("entry/", 1)[0]
    context = {
        "scope": scope,
        "workbox_version": WORKBOX_VERSION,
        "workbox_sw": json.dumps(static(WORKBOX_DIR + "workbox-sw.js")),
        # Workbox loads its modules by name from this folder (the unhashed copies collectstatic keeps).
        "workbox_prefix": json.dumps(settings.STATIC_URL.rstrip("/") + "/" + WORKBOX_DIR.rstrip("/")),
        "static_url": json.dumps(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        ),
        "offline_paths": json.dumps(
            [reverse("field-entry"), reverse("field-verify"), reverse("field-work-list")]
        ),
    }
    body = render_to_string("fieldwork/service_worker.js", context)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = scope
    return response


@login_required
def queue_import(request):
    """A supervisor loads an enumerator's file of unsent forms: each is stored like a submission (same
    checks, same idempotency), in the name of the enumerator who keyed it, with the importer noted."""
    campaign, _campaigns, team_ids = _scope(request)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the file of unsent forms."))
        elif upload.size > MAX_FILE_BYTES:
            messages.error(request, _("The file is too large."))
        else:
            report = import_queue_file(
                content=upload.read(), file_name=upload.name or "", supervisor=request.user, campaign=campaign
            )
    status = 400 if report is not None and report.errors else 200
    return render(
        request,
        "fieldwork/queue_import.html",
        {"campaign": campaign, "report": report, "team_ids": team_ids},
        status=status,
    )
