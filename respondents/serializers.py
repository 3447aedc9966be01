from rest_framework import serializers

from .models import Campaign, Respondent


class CampaignSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.name")

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "name",
            "kind",
            "year",
            "province",
            "list_deadline",
            "survey_opens",
            "survey_closes",
            "status",
        ]


class RespondentSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    group = serializers.CharField(source="group.code")

    class Meta:
        model = Respondent
        fields = [
            "id",
            "full_name",
            "position",
            "unit",
            "unit_name",
            "group",
            "email",
            "phone",
            "alternate_phones",
            "source_file",
            "source_sheet",
            "source_row",
            "updated_at",
        ]


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    unit = serializers.CharField(required=False, help_text="Unit code: the file is that unit's whole list")
    dry_run = serializers.BooleanField(required=False, default=False)
    skip_invalid = serializers.BooleanField(required=False, default=False)


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    file = serializers.CharField()
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    field = serializers.CharField()
    value = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    file = serializers.CharField()
    status = serializers.ChoiceField(choices=["imported", "rejected", "dry_run"])
    accepted = serializers.IntegerField()
    imported = serializers.IntegerField()
    rows = serializers.IntegerField()
    added = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    retired = serializers.IntegerField()
    errors = ProblemSerializer(many=True)
    warnings = ProblemSerializer(many=True)


class UnitStatusSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    submitted = serializers.BooleanField()
    late = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
