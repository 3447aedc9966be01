"""The commune-level leaders' group of the two-level local government (from 1 July 2025, methodology.md §6):
campaigns of provinces without districts survey them where district leaders were (docs/decisions.md D208)."""

from django.db import migrations

GROUP = (
    "commune_leader",
    "Lãnh đạo UBND cấp xã",
    4,
    "commune",
    [
        "Lãnh đạo UBND xã",
        "Lãnh đạo xã",
        "Lãnh đạo phường",
        "Lãnh đạo UBND phường",
        "Lãnh đạo cấp xã",
        "Cấp xã",
        "LĐ UBND xã",
        "Lãnh đạo UBND các xã, phường, đặc khu",
        "Commune leader",
    ],
)


def create_group(apps, schema_editor):
    RespondentGroup = apps.get_model("respondents", "RespondentGroup")
    code, name, order, unit_kind, aliases = GROUP
    RespondentGroup.objects.update_or_create(
        code=code,
        defaults={"name": name, "order": order, "default_for_unit_kind": unit_kind, "aliases": aliases},
    )


def remove_group(apps, schema_editor):
    apps.get_model("respondents", "RespondentGroup").objects.filter(code=GROUP[0], respondents=None).delete()


class Migration(migrations.Migration):
    dependencies = [("respondents", "0006_hash_clear_api_tokens")]
    operations = [migrations.RunPython(create_group, remove_group)]
