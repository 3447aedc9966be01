"""export_responses: a campaign's responses, one row each, in a file for analysts, with its codebook next to
it; every export is an audit event. Keyword-only, with a `progress(done, total)` callback, so the command,
the page and a background job call the same function (docs/decisions.md D300–D309)."""

import datetime
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from audit.services import Action, record
from kit.jsonframe import object_frame
from respondents.models import Campaign, Unit
from respondents.services.privacy import is_suppressed, pseudonym
from surveys.models import Questionnaire, Response

from ..sipas import sources
from ..sipas.campaign import area_level, campaign_weights, sipas_questionnaires
from . import writers
from .layout import IDENTIFYING_TYPES, QuestionColumn, answer_frame, question_columns, stata_names

Progress = Callable[[int, int], None]
MODES = {"web": "web", "paper": "paper", "tablet": "face-to-face", "phone": "phone"}
# Columns only personal exports carry (coordinators, analysts with a grant): docs/decisions.md D305.
PERSONAL_COLUMNS = ("respondent_name", "respondent_email", "respondent_phone")
# Quasi-identifiers whose small cells are blanked for analysts (the pages' rule, D31).
SMALL_CELL_COLUMNS = (("unit", ("unit", "unit_name")), ("locality", ("locality",)), ("group", ("group",)))
META_LABELS = {
    "response_id": "Mã phiếu trả lời",
    "respondent": "Người trả lời (bí danh nếu ẩn danh)",
    "questionnaire": "Mã bảng hỏi",
    "version": "Phiên bản bảng hỏi",
    "mode": "Hình thức (web, paper, face-to-face, phone)",
    "status": "Trạng thái (submitted, draft)",
    "unit": "Mã đơn vị / địa bàn",
    "unit_name": "Tên đơn vị / địa bàn",
    "locality": "Địa bàn tính SIPAS (huyện hoặc xã/phường)",
    "group": "Nhóm đối tượng",
    "started_at": "Bắt đầu lúc",
    "submitted_at": "Nộp lúc",
    "interviewed_at": "Phỏng vấn lúc",
    "enumerator": "Điều tra viên",
    "team": "Tổ Bưu điện",
    "review_state": "Trạng thái duyệt",
    "design_weight": "Trọng số thiết kế",
    "weight": "Trọng số cuối (đã hiệu chỉnh theo dân số khi có)",
    "stratum": "Tầng (stratum)",
    "psu": "Đơn vị mẫu cấp 1 (PSU)",
    "ssu": "Đơn vị mẫu cấp 2 (SSU)",
    "respondent_name": "Họ tên người trả lời",
    "respondent_email": "E-mail người trả lời",
    "respondent_phone": "Điện thoại người trả lời",
}
CATEGORICAL_META = {"questionnaire", "mode", "status", "unit", "locality", "group", "review_state", "stratum"}
FIELDS = [
    "id",
    "questionnaire_id",
    "mode",
    "status",
    "started_at",
    "submitted_at",
    "unit__code",
    "unit__name",
    "unit__kind",
    "unit__parent__code",
    "invitation__respondent_id",
    "invitation__respondent__unit__code",
    "invitation__respondent__unit__name",
    "invitation__respondent__unit__kind",
    "invitation__respondent__unit__parent__code",
    "invitation__respondent__group__code",
    "invitation__respondent__full_name",
    "invitation__respondent__email",
    "invitation__respondent__phone",
    "field_record__interviewed_at",
    "field_record__enumerator_id",
    "field_record__enumerator__username",
    "field_record__assignment__team__code",
    "field_record__review_state",
    "field_record__respondent_phone",
    "answers",  # last: read as the JSON text (_read)
]
READ_CHUNK = 5000


class ExportError(ValueError):
    """A request the user can fix (unknown questionnaire, format); the message is in Vietnamese."""


@dataclass
class ExportReport:
    path: Path
    codebook: Path
    format: str
    rows: int
    columns: int
    personal: bool
    questionnaires: list[str] = field(default_factory=list)
    suppressed_cells: int = 0
    dropped_columns: list[str] = field(default_factory=list)


def _noop(done: int, total: int) -> None:
    return None


def export_responses(
    *,
    campaign: Campaign,
    fmt: str,
    path: Path | str,
    by: User | AnonymousUser | None = None,
    personal: bool = False,
    questionnaire: str | None = None,
    include_drafts: bool = False,
    labels: str = "codes",
    progress: Progress = _noop,
) -> ExportReport:
    """Writes the export to `path` and its codebook to `<path stem>.codebook.xlsx`. Without `personal`,
    no names, phones, e-mails or free-text answers, respondents and enumerators as pseudonyms, and units,
    localities and groups of fewer than 5 rows blanked. By default the responses that count (submitted, field
    interviews let through by review: the SIPAS figures' own set); `include_drafts` adds every other one."""
    if fmt not in writers.FORMATS:
        raise ExportError(f"Định dạng không hỗ trợ: {fmt!r} (chọn một trong: {', '.join(writers.FORMATS)}).")
    if labels not in ("codes", "text"):
        raise ExportError(f"--labels phải là codes hoặc text, không phải {labels!r}.")
    path = Path(path)
    questionnaires = Questionnaire.objects.filter(campaign=campaign)
    if questionnaire:
        questionnaires = questionnaires.filter(code=questionnaire)
        if not questionnaires.exists():
            raise ExportError(f"Đợt khảo sát {campaign.slug} không có bảng hỏi mã {questionnaire!r}.")
    versions = list(
        questionnaires.order_by("-is_current", "code", "-version").values_list(
            "id", "code", "version", "definition"
        )
    )
    names = {pk: (code, version) for pk, code, version, _ in versions}
    columns = question_columns([(pk, definition) for pk, _, _, definition in versions])
    dropped: list[str] = []
    if not personal:
        dropped = sorted({c.code for c in columns if c.type in IDENTIFYING_TYPES})
        columns = [c for c in columns if c.type not in IDENTIFYING_TYPES]

    responses = (
        Response.objects.filter(campaign=campaign)
        if include_drafts
        else sources.counting_responses(campaign=campaign)
    ).filter(questionnaire_id__in=list(names))
    total = responses.count()
    meta = _read(responses, lambda done: progress(done // 2, total))  # reading is about half the work
    raw = object_frame(meta.pop("answers"))
    answers_read = None
    if not include_drafts and not questionnaire:
        # The rows are the counting interviews: the weights need not read their answers again.
        sipas_ids = {pk for pk, _ in sipas_questionnaires(campaign)}
        rows = [i for i, q in enumerate(meta["questionnaire_id"]) if q in sipas_ids]
        answers_read = raw.iloc[rows].set_axis(pd.Index([meta["id"][i] for i in rows]), axis=0)
    frame = _meta_frame(campaign, meta, names, personal, answers_read)
    answers = answer_frame(raw, meta["questionnaire_id"], columns, labels=labels == "text")
    del raw
    frame = pd.concat([frame, answers], axis=1)
    suppressed = 0
    if not personal:
        frame, suppressed = _suppress_small_cells(frame)
    frame = frame.drop(columns=[c for c in frame.columns if frame[c].isna().all() and c in _OPTIONAL])
    variables = _variables(frame, columns)

    def written(done: int, all_rows: int) -> None:
        progress(total // 2 + done // 2 if all_rows else total, total)

    path.parent.mkdir(parents=True, exist_ok=True)
    writers.write(frame, path, fmt, variables, progress=written)
    codebook = path.with_name(f"{path.stem}.codebook.xlsx")
    writers.write_codebook(codebook, _codebook_rows(frame, columns, names, labels))
    progress(total, total)
    record(
        actor=by,
        actor_name="manage.py" if by is None else "",
        action=Action.EXPORT_PERSONAL if personal else Action.EXPORT_PSEUDONYMISED,
        campaign=campaign,
        detail={
            "export": "responses",
            "format": fmt,
            "rows": len(frame),
            "columns": len(frame.columns),
            "questionnaire": questionnaire or "",
            "include_drafts": include_drafts,
            "labels": labels,
            "file": path.name,
            "suppressed_cells": suppressed,
        },
    )
    return ExportReport(
        path=path,
        codebook=codebook,
        format=fmt,
        rows=len(frame),
        columns=len(frame.columns),
        personal=personal,
        questionnaires=sorted({code for code, _ in names.values()}),
        suppressed_cells=suppressed,
        dropped_columns=dropped,
    )


def _read(responses: QuerySet[Response], progress: Callable[[int], None]) -> dict[str, list[Any]]:
    """The FIELDS of the responses in id order, one list per field, the answers as the JSON text the
    database holds (kit.jsonframe parses them all at once): read through the database's own cursor in
    chunks, as the ORM's iterator() does, without its per-value conversions (the dates are parsed by
    pandas in _local, a column at a time)."""
    query = (
        responses.order_by("pk")
        .annotate(answers_text=Cast("answers", TextField()))
        .values_list(*FIELDS[:-1], "answers_text")
    )
    sql, params = query.query.sql_with_params()
    meta: dict[str, list[Any]] = {name: [] for name in FIELDS}
    lists = [meta[name] for name in FIELDS]
    done = 0
    with connections[query.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(READ_CHUNK):
            for values, column in zip(lists, zip(*chunk, strict=True), strict=True):
                values.extend(column)
            done += len(chunk)
            progress(done)
    return meta


# Meta columns left out when no row has a value (a web survey has no enumerator, a PAR campaign no weights).
_OPTIONAL = {
    "respondent",
    "interviewed_at",
    "enumerator",
    "team",
    "review_state",
    "design_weight",
    "weight",
    "stratum",
    "psu",
    "ssu",
    "group",
    "locality",
    *PERSONAL_COLUMNS,
}


def _meta_frame(
    campaign: Campaign,
    meta: dict[str, list[Any]],
    names: dict[int, tuple[str, int]],
    personal: bool,
    answers: pd.DataFrame | None,
) -> pd.DataFrame:
    def pick(first: str, second: str) -> list[Any]:
        return [a if a is not None else b for a, b in zip(meta[first], meta[second], strict=True)]

    unit = pick("unit__code", "invitation__respondent__unit__code")
    kinds = pick("unit__kind", "invitation__respondent__unit__kind")
    parents = pick("unit__parent__code", "invitation__respondent__unit__parent__code")
    district_level = area_level(campaign) == Unit.Kind.DISTRICT
    # As the SIPAS pipeline places an interview (analysis.sipas.campaign.campaign_frame).
    locality = [
        p if district_level and k == Unit.Kind.COMMUNE and p else u
        for u, k, p in zip(unit, kinds, parents, strict=True)
    ]
    respondents = meta["invitation__respondent_id"]
    enumerators = meta["field_record__enumerator_id"]
    frame = pd.DataFrame(
        {
            "response_id": pd.Series(meta["id"], dtype="int64"),
            "respondent": [
                None if r is None else (str(r) if personal else pseudonym(r)) for r in respondents
            ],
            "questionnaire": [names[q][0] for q in meta["questionnaire_id"]],
            "version": pd.Series([names[q][1] for q in meta["questionnaire_id"]], dtype="int64"),
            "mode": [MODES.get(m, m) for m in meta["mode"]],
            "status": meta["status"],
            "unit": unit,
            "unit_name": pick("unit__name", "invitation__respondent__unit__name"),
            "locality": locality,
            "group": meta["invitation__respondent__group__code"],
            "started_at": _local(meta["started_at"]),
            "submitted_at": _local(meta["submitted_at"]),
            "interviewed_at": _local(meta["field_record__interviewed_at"]),
            "enumerator": [
                None if e is None else (u if personal else _staff_pseudonym(e))
                for e, u in zip(enumerators, meta["field_record__enumerator__username"], strict=True)
            ],
            "team": meta["field_record__assignment__team__code"],
            "review_state": meta["field_record__review_state"],
        }
    )
    weights = campaign_weights(campaign, answers=answers)
    ids = frame["response_id"].to_numpy()
    for column in ("design_weight", "weight", "stratum", "psu", "ssu"):
        values = weights[column].reindex(ids) if column in weights else pd.Series(index=ids, dtype=object)
        frame[column] = values.to_numpy(dtype=float if "weight" in column else object)
    if personal:
        frame["respondent_name"] = meta["invitation__respondent__full_name"]
        frame["respondent_email"] = meta["invitation__respondent__email"]
        frame["respondent_phone"] = pick("invitation__respondent__phone", "field_record__respondent_phone")
    return frame.replace({"": None})


def _local(values: list[datetime.datetime | str | None]) -> pd.Series:
    """Local wall time (settings.TIME_ZONE) without a zone: what SPSS, Stata and Excel show. The values
    as the database cursor gives them: aware datetimes (PostgreSQL) or UTC text (SQLite)."""
    stamps = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
    return stamps.dt.tz_convert(settings.TIME_ZONE).dt.tz_localize(None).astype("datetime64[us]")


def _staff_pseudonym(user_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"enumerator:{user_id}".encode(), hashlib.sha256)
    return "E-" + digest.hexdigest()[:8].upper()


def _suppress_small_cells(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Blanks a unit, locality or group shared by fewer than 5 rows of the export (respondents.services.
    privacy.MIN_CELL, the pages' rule): such a row could point at a person. Returns the cells blanked."""
    blanked = 0
    for key, targets in SMALL_CELL_COLUMNS:
        counts = frame[key].map(frame[key].value_counts())
        small = np.array([is_suppressed(None if pd.isna(c) else int(c)) for c in counts], dtype=bool)
        if small.any():
            for target in targets:
                frame[target] = frame[target].mask(small)
            blanked += int(small.sum())
    return frame, blanked


def _variables(frame: pd.DataFrame, columns: list[QuestionColumn]) -> list[writers.VariableInfo]:
    variables = [
        writers.VariableInfo(name=name, label=label, categorical=name in CATEGORICAL_META)
        for name, label in META_LABELS.items()
        if name in frame.columns
    ]
    for column in columns:
        options = [(0, "Không chọn"), (1, "Có chọn")] if column.type == "multiple" else column.options
        variables.append(
            writers.VariableInfo(
                name=column.name,
                label=column.label,
                options=options,
                categorical=column.type in ("single", "scale"),
            )
        )
    return variables


def _codebook_rows(
    frame: pd.DataFrame, columns: list[QuestionColumn], names: dict[int, tuple[str, int]], labels: str
) -> list[list[Any]]:
    exported = [str(c) for c in frame.columns]
    short = dict(zip(exported, stata_names(exported), strict=True))
    rows: list[list[Any]] = [
        [name, short[name], "", label, "", "", "", "", ""]
        for name, label in META_LABELS.items()
        if name in short
    ]
    for column in columns:
        options = "; ".join(f"{value} = {label}" for value, label in column.options)
        numbers = ""
        if column.type == "multiple":
            options, numbers = f"{column.choice} = {dict(column.options).get(column.choice, '')}", "0 / 1"
        elif column.options and not all(isinstance(v, int) for v, _ in column.options):
            numbers = "; ".join(f"{i} = {v}" for i, (v, _) in enumerate(column.options, start=1))
        if labels == "text" and column.type != "multiple" and column.options:
            numbers = "(nhãn chữ, không đánh số)"
        versions = ", ".join(f"{names[k][0]} v{names[k][1]}" for k in column.versions if k in names)
        rows.append(
            [
                column.name,
                short.get(column.name, ""),
                column.code,
                column.text,
                column.type,
                options,
                numbers,
                column.feeds,
                versions,
            ]
        )
    return rows


def questionnaire_codes(campaign: Campaign) -> list[str]:
    """The codes of the campaign's questionnaires (each with all its versions), for the export form."""
    codes = Questionnaire.objects.filter(campaign=campaign).values_list("code", flat=True)
    return sorted(set(codes))
