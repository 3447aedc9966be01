"""REST API (v1): campaigns, respondents, list imports and unit status; same permissions as the pages."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .authentication import is_token_request
from .models import Campaign, ImportBatch, Respondent
from .serializers import (
    CampaignSerializer,
    ImportReportSerializer,
    ImportRequestSerializer,
    RespondentSerializer,
    UnitStatusSerializer,
)
from .services.uploads import import_upload


def _campaign(request, slug) -> Campaign:
    campaign = selectors.visible_campaigns(request.user).filter(slug=slug).first()
    if campaign is None:
        raise NotFound
    return campaign


class CampaignList(generics.ListAPIView):
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.visible_campaigns(self.request.user).order_by("-year", "slug")


class RespondentFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code")
    group = django_filters.CharFilter(field_name="group__code")
    q = django_filters.CharFilter(field_name="full_name", lookup_expr="icontains")

    class Meta:
        model = Respondent
        fields = ["unit", "group", "q"]


class RespondentList(generics.ListAPIView):
    """The respondents the caller may see, as on the unit pages. With an API token the contacts are
    withheld (docs/decisions.md D134): a token is a bearer key kept in scripts and devices, without the
    login, idle timeout and browser session of the pages, so it gets the list without phones and e-mails
    (which the pages and the audited export give to people)."""

    serializer_class = RespondentSerializer
    filterset_class = RespondentFilter

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "withhold_contacts": is_token_request(self.request)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Respondent.objects.none()
        campaign = _campaign(self.request, self.kwargs["slug"])
        return selectors.respondents_visible_to(self.request.user, campaign).order_by("pk")


class UnitStatusList(APIView):
    @extend_schema(responses=UnitStatusSerializer(many=True))
    def get(self, request, slug):
        campaign = _campaign(request, slug)
        if not selectors.is_coordinator(request.user, campaign.province_id):
            raise PermissionDenied
        return Response(UnitStatusSerializer(selectors.unit_list_status(campaign), many=True).data)


class ImportCreate(APIView):
    """Upload a respondent list. 201 imported, 200 dry run passed, 422 rejected (nothing written)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=ImportRequestSerializer,
        responses={201: ImportReportSerializer, 200: ImportReportSerializer, 422: ImportReportSerializer},
    )
    def post(self, request, slug):
        campaign = _campaign(request, slug)
        params = ImportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        coordinator = selectors.is_coordinator(request.user, campaign.province_id)
        allowed = selectors.accessible_units(request.user, campaign)
        unit = None
        if data.get("unit"):
            unit = allowed.filter(code=data["unit"]).first()
            if unit is None:
                raise PermissionDenied("unknown unit or not yours")
        elif not coordinator:
            own = list(allowed[:2])
            if len(own) != 1:
                raise PermissionDenied("name your unit")
            unit = own[0]  # a focal point's upload is always its own unit's whole list
        report = import_upload(
            campaign=campaign,
            upload=data["file"],
            unit=unit,
            skip_invalid=data["skip_invalid"] and coordinator,
            dry_run=data["dry_run"],
            user=request.user,
            source=ImportBatch.Source.API,
        )
        code = {"imported": status.HTTP_201_CREATED, "dry_run": status.HTTP_200_OK}.get(
            report.status, status.HTTP_422_UNPROCESSABLE_ENTITY
        )
        return Response(report.as_dict(), status=code)
