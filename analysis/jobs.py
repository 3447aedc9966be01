"""The index report workbook and the question tables workbook as background jobs (jobs/). Registered in
AnalysisConfig.ready(). docs/decisions.md D326."""

from django.utils.translation import gettext_lazy as _

from jobs.registry import JobError, JobOutput, Progress, register
from respondents.models import Campaign
from respondents.selectors import is_coordinator

from .permissions import can_view_indices

INDEX_REPORT = "analysis.index_report"
QUESTION_TABLES = "analysis.question_tables"


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


def register_jobs() -> None:
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
