"""The index report workbook and the question tables workbook as background jobs (jobs/). Registered in
AnalysisConfig.ready(). docs/decisions.md D326."""

from django.utils.translation import gettext_lazy as _

from jobs.registry import JobError, JobOutput, Progress, register
from respondents.models import Campaign
from respondents.selectors import is_coordinator

from .permissions import can_view_indices

INDEX_REPORT = "analysis.index_report"
QUESTION_TABLES = "analysis.question_tables"
RESPONSES_EXPORT = "analysis.responses_export"


def _campaign(campaign_id: int | None) -> Campaign | None:
    return Campaign.objects.filter(pk=campaign_id).select_related("province").first()


def may_see_indices(user, campaign_id: int | None) -> bool:
    campaign = _campaign(campaign_id)
    return campaign is not None and can_view_indices(user, campaign)


def coordinates(user, campaign_id: int | None) -> bool:
    campaign = _campaign(campaign_id)
    return campaign is not None and is_coordinator(user, campaign.province_id)


def index_report(*, job_params: dict, progress: Progress) -> JobOutput:
    from .indices import campaign_indices
    from .report_xlsx import workbook_bytes

    campaign = _campaign(job_params["campaign_id"])
    if campaign is None:
        raise JobError("Đợt khảo sát không còn tồn tại.")
    progress(10, "Đang tính chỉ số")
    result = campaign_indices(campaign, sipas_by=["locality", "area"])
    progress(70, "Đang ghi tệp Excel")
    return JobOutput(f"chi-so-{campaign.slug}.xlsx", workbook_bytes(result))


def question_tables(*, job_params: dict, progress: Progress) -> JobOutput:
    from .question_tables import campaign_tables
    from .tables_xlsx import workbook_bytes

    campaign = _campaign(job_params["campaign_id"])
    if campaign is None:
        raise JobError("Đợt khảo sát không còn tồn tại.")
    progress(10, "Đang tính các bảng")
    result = campaign_tables(
        campaign=campaign,
        questionnaire_id=job_params.get("questionnaire_id"),
        breakdown=job_params.get("breakdown", ""),
        group=job_params.get("group", ""),
        personal=job_params["personal"],
        suppress=job_params["suppress"],
    )
    if result.questionnaire is None:
        raise JobError("Đợt khảo sát chưa có phiếu hỏi nào: không có bảng để xuất.")
    progress(60, "Đang ghi tệp Excel")
    return JobOutput(f"bang-cau-hoi-{campaign.slug}.xlsx", workbook_bytes(result))


def may_export(user, campaign_id: int | None) -> bool:
    from .permissions import can_export_responses

    campaign = _campaign(campaign_id)
    return campaign is not None and can_export_responses(user, campaign)


def responses_export(*, job_params: dict, progress: Progress) -> JobOutput:
    """The respondent-level export and its codebook in one zip (analysis/exports/, docs/decisions.md D309).
    The owner's rights are read again when the job runs: a grant withdrawn meanwhile gives a pseudonymised
    file, and a lost role no file at all."""
    import tempfile
    import zipfile
    from pathlib import Path

    from django.contrib.auth import get_user_model

    from respondents.selectors import sees_personal_data

    from .exports.service import export_responses

    campaign = _campaign(job_params["campaign_id"])
    user = get_user_model().objects.filter(pk=job_params["user_id"]).first()
    if campaign is None or user is None or not may_export(user, campaign.pk):
        raise JobError(
            "Đợt khảo sát không còn tồn tại hoặc Anh/Chị không còn quyền xuất dữ liệu của đợt này."
        )
    fmt = job_params["format"]

    def reading(done: int, total: int) -> None:
        progress(min(90, int(90 * done / total)) if total else 90, "Đang xuất các phiếu trả lời")

    with tempfile.TemporaryDirectory(prefix="export-") as name:
        folder = Path(name)
        report = export_responses(
            campaign=campaign,
            fmt=fmt,
            path=folder / f"phieu-tra-loi-{campaign.slug}.{fmt}",
            by=user,
            personal=bool(job_params["personal"]) and sees_personal_data(user, campaign),
            questionnaire=job_params.get("questionnaire") or None,
            include_drafts=bool(job_params.get("include_drafts")),
            labels=job_params.get("labels", "codes"),
            progress=reading,
        )
        progress(95, "Đang nén tệp")
        archive = folder / f"phieu-tra-loi-{campaign.slug}-{fmt}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.write(report.path, report.path.name)
            bundle.write(report.codebook, report.codebook.name)
        return JobOutput(archive.name, archive.read_bytes())


def register_jobs() -> None:
    register(
        RESPONSES_EXPORT,
        responses_export,
        may_see=may_export,
        oversees=coordinates,
        title=_("Answers per respondent"),
    )
    register(
        INDEX_REPORT, index_report, may_see=may_see_indices, oversees=coordinates, title=_("Index report")
    )
    register(
        QUESTION_TABLES,
        question_tables,
        may_see=may_see_indices,
        oversees=coordinates,
        title=_("Question tables workbook"),
    )
