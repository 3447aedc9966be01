"""Importing a list that arrived as an upload (web page or API): size check, temporary file, import."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from kit.tabular.problems import problem

from ..models import Campaign, Unit
from .importing import ImportReport, import_list


def import_upload(
    *,
    campaign: Campaign,
    upload: UploadedFile,
    unit: Unit | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    user: User | AnonymousUser | None = None,
    source: str,
) -> ImportReport:
    name = Path(upload.name or "upload.xlsx").name[:200]
    limit = settings.RESPONDENT_FILE_MAX_BYTES
    if upload.size > limit:
        detail = _("%(size).1f MB, more than %(max).0f MB") % {"size": upload.size / 1e6, "max": limit / 1e6}
        return ImportReport(
            file_name=name, status="rejected", errors=[problem("file_too_large", file=name, detail=detail)]
        )
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        path = Path(tmp) / ("file" + Path(name).suffix.lower()[:10])
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        return import_list(
            campaign=campaign,
            path=path,
            file_name=name,
            unit=unit,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            user=user,
            source=source,
        )
