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


CONTACT_FIELDS = ("email", "phone", "alternate_phones")


class RespondentSerializer(serializers.ModelSerializer):
    """A respondent as the unit page shows it. Read with an API token (a script, not a logged-in browser),
    the contacts (e-mail, phone, alternate phones) are withheld: null and [] (docs/decisions.md D134)."""

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
        extra_kwargs = {
            "email": {"allow_null": True, "help_text": "null when read with an API token"},
            "phone": {"allow_null": True, "help_text": "null when read with an API token"},
            "alternate_phones": {"help_text": "empty when read with an API token"},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("withhold_contacts"):
            data.update(email=None, phone=None, alternate_phones=[])
        return data


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
