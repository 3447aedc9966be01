"""The respondent groups named by the provincial plans (shared/domain/respondent-lists.md).

Campaigns choose which of them they use; labels are the ways units write them in their files.
"""

from django.db import migrations

GROUPS = [
    ("hdnd", "Đại biểu HĐND tỉnh", 1, "council",
     ["HĐND", "HĐND tỉnh", "Đại biểu HĐND", "ĐB HĐND", "ĐBHĐND", "Đại biểu Hội đồng nhân dân tỉnh",
      "Hội đồng nhân dân tỉnh", "Provincial council delegate"]),
    ("dept_leader", "Lãnh đạo sở, ban, ngành", 2, "",
     ["Lãnh đạo sở", "LĐ sở", "Lãnh đạo cấp sở", "Lãnh đạo các sở, ban, ngành", "Lãnh đạo sở ban ngành",
      "Lãnh đạo sở, ban, ngành tỉnh", "Department leader"]),
    ("division_leader", "Lãnh đạo cấp phòng thuộc sở", 3, "",
     ["Lãnh đạo cấp phòng", "Lãnh đạo phòng", "LĐ phòng", "LĐ cấp phòng", "Cấp phòng",
      "Lãnh đạo phòng thuộc sở", "Lãnh đạo cấp phòng thuộc sở, ban, ngành", "Division leader"]),
    ("district_leader", "Lãnh đạo UBND cấp huyện", 4, "district",
     ["Lãnh đạo UBND huyện", "Lãnh đạo huyện", "LĐ UBND huyện", "Lãnh đạo cấp huyện", "Cấp huyện",
      "Lãnh đạo UBND các huyện, thị xã, thành phố", "District leader"]),
    ("citizen", "Người dân", 5, "", ["Công dân", "Cá nhân", "Citizen"]),
    ("organisation", "Tổ chức", 6, "", ["Doanh nghiệp", "Tổ chức, doanh nghiệp", "Organisation", "Organization"]),
]


def create_groups(apps, schema_editor):
    RespondentGroup = apps.get_model("respondents", "RespondentGroup")
    for code, name, order, unit_kind, aliases in GROUPS:
        RespondentGroup.objects.update_or_create(
            code=code,
            defaults={"name": name, "order": order, "default_for_unit_kind": unit_kind, "aliases": aliases},
        )


class Migration(migrations.Migration):
    dependencies = [("respondents", "0001_initial")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
