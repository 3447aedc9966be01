"""The tracking workbook as a background job (jobs/): at tens of thousands of non-responders it takes seconds,
longer than a web request should. Registered in SurveysConfig.ready(). docs/decisions.md D326."""

import io

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from jobs.registry import JobError, JobOutput, Progress, register
from respondents.models import Campaign
from respondents.selectors import is_coordinator, may_track

TRACKING_WORKBOOK = "surveys.tracking_workbook"


def _campaign(campaign_id: int | None) -> Campaign | None:
    return Campaign.objects.filter(pk=campaign_id).select_related("province").first()


def may_see_tracking(user, campaign_id: int | None) -> bool:
    campaign = _campaign(campaign_id)
    return campaign is not None and may_track(user, campaign)


def coordinates(user, campaign_id: int | None) -> bool:
    campaign = _campaign(campaign_id)
    return campaign is not None and is_coordinator(user, campaign.province_id)


def tracking_workbook(*, job_params: dict, progress: Progress) -> JobOutput:
    campaign = _campaign(job_params["campaign_id"])
    if campaign is None:
        raise JobError("Đợt khảo sát không còn tồn tại.")
    user = get_user_model().objects.filter(pk=job_params["user_id"]).first()
    buffer = io.BytesIO()
    from .services.tracking_export import export_tracking  # openpyxl: not at start-up (D401)

    export_tracking(
        campaign=campaign,
        stream=buffer,
        by=user,
        personal=job_params["personal"],
        suppress=job_params["suppress"],
        on_progress=progress,
    )
    return JobOutput(f"theo-doi-tra-loi-{campaign.slug}.xlsx", buffer.getvalue())


def register_jobs() -> None:
    register(
        TRACKING_WORKBOOK,
        tracking_workbook,
        may_see=may_see_tracking,
        oversees=coordinates,
        title=_("Tracking workbook"),
    )
