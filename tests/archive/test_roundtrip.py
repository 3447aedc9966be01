"""export_campaign / import_campaign: a round trip loses nothing; bad archives are refused, nothing saved."""

import json
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from archive.services.export import export_campaign
from archive.services.import_ import import_campaign
from archive.services.parts import PARTS, ArchiveError
from fieldwork.models import Assignment, FieldRecord
from respondents.models import Campaign, PersonalDataGrant, Province, RespondentGroup, Unit
from scoring.models import CriteriaTree, Criterion, Evidence, Score
from surveys.models import Invitation, InvitationToken, Response

pytestmark = pytest.mark.django_db


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(source, target, **changes) -> None:
    """A copy of an archive with some members replaced (the manifest left as it was unless given)."""
    content = members(source) | changes
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)


def snapshot(campaign: Campaign) -> dict:
    """What the spot checks compare: answers, score history, field records, tokens, evidence content."""
    responses = Response.objects.filter(campaign=campaign)
    return {
        "answers": sorted(
            (
                r.invitation.respondent.email if r.invitation else str(r.client_uuid),
                r.status,
                json.dumps(r.answers, sort_keys=True),
            )
            for r in responses.select_related("invitation__respondent")
        ),
        "history": sorted(
            (s.criterion.code, e.kind, str(e.points), e.text, e.by.username, e.at.isoformat())
            for s in Score.objects.filter(assessment__campaign=campaign).select_related("criterion")
            for e in s.events.select_related("by")
        ),
        "grants": sorted(
            (g.analyst.username, g.granted_by.username, g.valid_until.isoformat(), g.reason)
            for g in PersonalDataGrant.objects.filter(campaign=campaign)
        ),
        "records": [
            (
                r.form_number,
                r.enumerator.username,
                r.area.code,
                r.district.code,
                r.response.entered_by.username,
            )
            for r in FieldRecord.objects.filter(response__campaign=campaign)
        ],
        "tokens": sorted(
            (t.token_hash, t.invitation.respondent.email)
            for t in InvitationToken.objects.filter(invitation__campaign=campaign).select_related(
                "invitation__respondent"
            )
        ),
        "evidence": [
            (e.original_name, e.file.read())
            for e in Evidence.objects.filter(score__assessment__campaign=campaign)
        ],
    }


def delete_campaign(campaign: Campaign) -> None:
    """What an operator would do before restoring: the campaign and everything under it."""
    FieldRecord.objects.filter(response__campaign=campaign).delete()
    Response.objects.filter(campaign=campaign).delete()
    Assignment.objects.filter(campaign=campaign).delete()
    Invitation.objects.filter(campaign=campaign).delete()
    for evidence in Evidence.objects.filter(score__assessment__campaign=campaign):
        evidence.file.delete(save=False)
    campaign.delete()


def test_round_trip_restores_every_row_and_a_second_export_is_identical(rich_campaign, tmp_path):
    before = snapshot(rich_campaign)
    first = tmp_path / "first.zip"
    report = export_campaign(campaign=rich_campaign, path=first)
    assert report.counts["surveys/responses"] == Response.objects.filter(campaign=rich_campaign).count() > 1
    assert report.files == 1
    delete_campaign(rich_campaign)
    # Objects outside the campaign are rebuilt when missing: a tree, a unit, a user.
    CriteriaTree.objects.all().delete()
    Unit.objects.filter(code="TAVAN").delete()
    get_user_model().objects.filter(username="bd-sapa-a").delete()

    result = import_campaign(path=first)

    campaign = result.campaign
    assert campaign.slug == "par-2023"
    assert result.created["scoring/trees"] == 1 and result.created["respondents/units"] == 1
    assert result.created["auth/users"] == 1 and result.matched["auth/users"] >= 4
    assert snapshot(campaign) == before
    restored = get_user_model().objects.get(username="bd-sapa-a")
    assert not restored.has_usable_password() and restored.first_name == "Lò Thị Mai"
    assert Unit.objects.get(code="TAVAN").parent.code == "SAPA"

    second = tmp_path / "second.zip"
    export_campaign(campaign=campaign, path=second)
    one, two = members(first), members(second)
    assert one.keys() == two.keys()
    for name in one:
        if name != "manifest.json":
            assert one[name] == two[name], name
    manifests = [json.loads(m["manifest.json"]) for m in (one, two)]
    for manifest in manifests:
        assert manifest.pop("exported_at")
    assert manifests[0] == manifests[1]


def test_archive_writes_natural_keys_decimals_as_text_and_aware_datetimes(rich_campaign, tmp_path):
    path = tmp_path / "a.zip"
    export_campaign(campaign=rich_campaign, path=path)
    content = members(path)
    manifest = json.loads(content["manifest.json"])
    assert manifest["format_version"] == 1 and manifest["campaign"] == "par-2023"
    assert manifest["counts"]["scoring/score_events"] == 6  # 2 items × 2 saves, evidence, appraisal
    score = json.loads(content["scoring/scores.jsonl"].splitlines()[0])
    assert score["appraised_points"] == "0.1000" and score["appraised_by"] == "hdtd"
    record = json.loads(content["fieldwork/records.jsonl"])
    assert record["enumerator"] == "bd-sapa-a" and record["area"] == "TAVAN" and record["district"] == "SAPA"
    assert record["interviewed_at"].endswith("+00:00")
    assert "id" not in record and isinstance(record["response"], int)
    users = [json.loads(line) for line in content["auth/users.jsonl"].splitlines()]
    assert all("password" not in user for user in users)


def test_importing_an_archive_whose_campaign_exists_is_refused_and_writes_nothing(rich_campaign, tmp_path):
    path = tmp_path / "a.zip"
    export_campaign(campaign=rich_campaign, path=path)
    responses = Response.objects.count()
    with pytest.raises(ArchiveError, match="'par-2023' already exists"):
        import_campaign(path=path)
    assert Response.objects.count() == responses and Campaign.objects.count() == 1


def test_an_archive_of_another_format_version_is_refused(rich_campaign, tmp_path):
    path, bad = tmp_path / "a.zip", tmp_path / "b.zip"
    export_campaign(campaign=rich_campaign, path=path)
    manifest = json.loads(members(path)["manifest.json"]) | {"format_version": 2}
    rewrite(path, bad, **{"manifest.json": json.dumps(manifest)})
    delete_campaign(rich_campaign)
    with pytest.raises(ArchiveError, match="format version 2 is not supported"):
        import_campaign(path=bad)


def test_a_tampered_member_is_refused_naming_the_member_and_nothing_is_written(rich_campaign, tmp_path):
    path, bad = tmp_path / "a.zip", tmp_path / "b.zip"
    export_campaign(campaign=rich_campaign, path=path)
    tampered = members(path)["surveys/responses.jsonl"].replace(b'"draft"', b'"submitted"', 1)
    rewrite(path, bad, **{"surveys/responses.jsonl": tampered})
    delete_campaign(rich_campaign)
    with pytest.raises(ArchiveError, match=r"'surveys/responses.jsonl' does not match its SHA-256"):
        import_campaign(path=bad)
    assert not Campaign.objects.exists()


def test_a_member_added_or_missing_is_refused(rich_campaign, tmp_path):
    path, extra, short = tmp_path / "a.zip", tmp_path / "extra.zip", tmp_path / "short.zip"
    export_campaign(campaign=rich_campaign, path=path)
    rewrite(path, extra, **{"scoring/evidence/99": b"%PDF"})
    content = members(path)
    del content["fieldwork/records.jsonl"]
    with zipfile.ZipFile(short, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    with pytest.raises(ArchiveError, match="'scoring/evidence/99' is not listed"):
        import_campaign(path=extra)
    with pytest.raises(
        ArchiveError, match=r"'fieldwork/records\.jsonl' is listed in the manifest but missing"
    ):
        import_campaign(path=short)


def test_a_failure_late_in_the_import_rolls_everything_back(rich_campaign, tmp_path, settings):
    """A tree already present with other content stops the import after the lists were written."""
    path = tmp_path / "a.zip"
    export_campaign(campaign=rich_campaign, path=path)
    delete_campaign(rich_campaign)
    CriteriaTree.objects.update(checksum="0" * 64)
    with pytest.raises(ArchiveError, match=r"scoring/trees\.jsonl line 1: criteria tree par-province-876 v1"):
        import_campaign(path=path)
    assert not Campaign.objects.exists() and not Response.objects.exists()
    assert not [p for p in (settings.MEDIA_ROOT / "scoring" / "evidence").rglob("*") if p.is_file()]


def test_commands_export_and_import_and_report_a_bad_file_clearly(rich_campaign, tmp_path, capsys):
    path = tmp_path / "par-2023.zip"
    call_command("export_campaign", "par-2023", "-o", str(path))
    assert "surveys/responses:" in capsys.readouterr().out
    delete_campaign(rich_campaign)
    call_command("import_campaign", str(path))
    out = capsys.readouterr().out
    assert "imported campaign par-2023" in out and "respondents/respondents: 6 created" in out
    with pytest.raises(CommandError, match=r"par-2023\.zip: campaign 'par-2023' already exists"):
        call_command("import_campaign", str(path))
    (tmp_path / "not.zip").write_text("hello")
    with pytest.raises(CommandError, match="not a readable campaign archive"):
        call_command("import_campaign", str(tmp_path / "not.zip"))
    with pytest.raises(CommandError, match="unknown campaign 'nope'"):
        call_command("export_campaign", "nope", "-o", str(tmp_path / "x.zip"))


def test_every_model_tied_to_a_campaign_or_province_is_archived():
    """A new model pointing at an archived row (or at the province) must get a part, or this fails."""
    archived = {part.model for part in PARTS}
    shared = {get_user_model(), RespondentGroup, Unit, CriteriaTree, Criterion}
    scoped = (archived - shared) | {Province}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model not in archived
        and any(f.is_relation and f.many_to_one and f.related_model in scoped for f in model._meta.fields)
    ]
    assert missing == []


def test_every_part_is_listed_once():
    names = [part.name for part in PARTS]
    assert len(names) == len(set(names))


def test_an_assessment_carried_to_a_new_tree_version_round_trips_with_its_link(rich_campaign, tmp_path):
    """A campaign whose placeholder was replaced by a new version (docs/decisions.md D156): both assessments,
    the link from the replaced one to its twin, and the chosen criteria set come back."""
    from scoring.models import Assessment, CampaignTree
    from scoring.services.trees import load_criteria_tree

    tree = Assessment.objects.get(campaign=rich_campaign).tree
    changed = tmp_path / "tree-v2.yaml"
    source = Path(__file__).resolve().parents[2] / "scoring" / "trees" / "par-province-876.yaml"
    changed.write_text(
        source.read_text(encoding="utf-8").replace(
            "Báo cáo cải cách hành chính định kỳ đầy đủ, đúng hạn", "Báo cáo cải cách hành chính đúng hạn"
        ),
        encoding="utf-8",
    )
    report = load_criteria_tree(path=changed)
    assert report.status == "created" and len(report.carried) == 1
    CampaignTree.objects.create(campaign=rich_campaign, tree_code=tree.code)
    pairs = sorted(
        (a.tree.version, a.replaced_by.tree.version if a.replaced_by else None, a.scores.count())
        for a in Assessment.objects.filter(campaign=rich_campaign)
    )
    archive = tmp_path / "carried.zip"
    export_campaign(campaign=rich_campaign, path=archive)
    delete_campaign(rich_campaign)
    CriteriaTree.objects.all().delete()
    campaign = import_campaign(path=archive).campaign
    assert (
        sorted(
            (a.tree.version, a.replaced_by.tree.version if a.replaced_by else None, a.scores.count())
            for a in Assessment.objects.filter(campaign=campaign)
        )
        == pairs
        == [(1, 2, pairs[0][2]), (2, None, pairs[0][2])]
    )
    assert CampaignTree.objects.get(campaign=campaign).tree_code == tree.code
