"""The fast insert that writes an import's new respondents: it stores exactly what bulk_create stored.

Runs on SQLite (executemany) and, with DATABASE_URL=postgres://…, on PostgreSQL (COPY).
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from kit.fastsql import db_datetime, insert_rows, json_value
from respondents.models import ImportBatch, Respondent, RespondentGroup
from respondents.services import importing
from respondents.services.importing import import_list
from tests.factories import CampaignFactory, RespondentFactory
from tests.workbooks import STANDARD_HEADER, person, write_xlsx

DECOMPOSED_NAME = "Nguye\u0302\u0303n Thị Ánh"  # "Nguyễn" with combining accents, as some keyboards type it
ROW = [
    1,
    DECOMPOSED_NAME,
    "Phó Giám đốc",
    "Sở Tư pháp",
    "Lãnh đạo sở",
    "0912 345 678 / 0214 3812 345",
    "Anh@LaoCai.gov.vn",
]
# Every column but the id and the timestamps (checked on their own), so that a column added to Respondent
# and left out of the fast insert shows up here.
COLUMNS = {
    f.column: f for f in Respondent._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
}


def _stored(pk: int) -> dict:
    """A respondent's row as the database holds it: JSON as its stored text, not as Python values."""
    cast = "::text" if connection.vendor == "postgresql" else ""
    selected = ", ".join(f"{c}{cast}" if isinstance(f, JSONField) else c for c, f in COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM respondents_respondent WHERE id = %s", [pk])
        return dict(zip(COLUMNS, cursor.fetchone(), strict=True))


def test_imported_respondent_reads_back_with_every_value_as_parsed(campaign, units, tmp_path):
    before = timezone.now()
    path = write_xlsx(tmp_path / "ds.xlsx", {"Danh sách": [STANDARD_HEADER, ROW]})
    report = import_list(campaign=campaign, path=path)
    assert report.status == "imported", report.as_dict()

    stored = Respondent.objects.get()
    assert stored.campaign == campaign
    assert stored.unit == units["STP"]
    assert stored.group.code == "dept_leader"
    assert stored.full_name == "Nguyễn Thị Ánh"  # NFC
    assert stored.position == "Phó Giám đốc"
    assert (stored.email, stored.phone) == ("anh@laocai.gov.vn", "+84912345678")
    assert stored.alternate_phones == ["+842143812345"]
    assert stored.raw == dict(zip(STANDARD_HEADER, ["1", *ROW[1:]], strict=True))  # as written: still NFD
    assert (stored.source_file, stored.source_sheet, stored.source_row) == ("ds.xlsx", "Danh sách", 2)
    assert stored.batch_id == report.batch_id
    assert (stored.retired_at, stored.retired_by) == (None, None)
    assert stored.created_at == stored.updated_at
    assert before <= stored.created_at <= timezone.now()


def test_imported_respondent_is_stored_as_bulk_create_stores_the_same_values(campaign, units, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", {"Danh sách": [STANDARD_HEADER, ROW]})
    fast = Respondent.objects.get(batch_id=import_list(campaign=campaign, path=path).batch_id)
    other_campaign = CampaignFactory(province=campaign.province)  # the same e-mail and phone may be there
    [orm] = Respondent.objects.bulk_create(
        [
            Respondent(
                campaign=other_campaign,
                unit=units["STP"],
                group=RespondentGroup.objects.get(code="dept_leader"),
                full_name="Nguyễn Thị Ánh",
                position="Phó Giám đốc",
                email="anh@laocai.gov.vn",
                phone="+84912345678",
                alternate_phones=["+842143812345"],
                raw=dict(zip(STANDARD_HEADER, ["1", *ROW[1:]], strict=True)),
                source_file="ds.xlsx",
                source_sheet="Danh sách",
                source_row=2,
                batch_id=fast.batch_id,
            )
        ]
    )
    assert _stored(fast.pk) == {**_stored(orm.pk), "campaign_id": campaign.pk}


FIELDS = ("campaign", "unit", "group", "full_name", "position", "email", "phone", "alternate_phones", "raw")
FIELDS += ("source_file", "source_sheet", "source_row", "batch", "created_at", "updated_at")


def _new_row(campaign, unit, *, email: str, phone: str) -> tuple:
    now = db_datetime(timezone.now())
    group = RespondentGroup.objects.get(code="dept_leader")
    values = ("Lê Văn Cường", "", email, phone, "[]", json_value({}))
    return (campaign.pk, unit.pk, group.pk, *values, "ds.xlsx", "Danh sách", 2, None, now, now)


@pytest.mark.parametrize(
    ("email", "phone", "duplicate"),
    [
        ("nguoi1@laocai.gov.vn", "+84987000001", True),
        ("nguoi9@laocai.gov.vn", "+84910000001", True),
        ("nguoi9@laocai.gov.vn", "+84987000001", False),
    ],
    ids=["same e-mail", "same phone", "neither"],
)
def test_fast_insert_of_a_duplicate_raises_integrity_error(campaign, units, email, phone, duplicate):
    RespondentFactory(
        campaign=campaign, unit=units["STP"], email="nguoi1@laocai.gov.vn", phone="+84910000001"
    )
    row = _new_row(campaign, units["STP"], email=email, phone=phone)
    if duplicate:
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_rows(Respondent, FIELDS, [row])
    else:
        insert_rows(Respondent, FIELDS, [row])
    assert Respondent.objects.count() == (1 if duplicate else 2)


def test_retired_respondent_does_not_block_the_fast_insert(campaign, units):
    email = "nguoi1@laocai.gov.vn"
    RespondentFactory(campaign=campaign, unit=units["STP"], email=email, retired_at=timezone.now())
    insert_rows(Respondent, FIELDS, [_new_row(campaign, units["STP"], email=email, phone="")])
    assert Respondent.objects.current().get().email == email


def test_duplicate_committed_by_another_import_meanwhile_rejects_the_import(
    campaign, units, tmp_path, monkeypatch
):
    """The database, not only the parser, refuses a second copy of a person: the import is rejected whole."""
    real_insert = importing.insert_rows

    def insert_after_another_import(model, fields, rows):
        # What a concurrent import that committed after this one read the campaign would have left.
        RespondentFactory(
            campaign=campaign, unit=units["STP"], email="nguoi2@laocai.gov.vn", phone="+84987654321"
        )
        real_insert(model, fields, rows)

    monkeypatch.setattr(importing, "insert_rows", insert_after_another_import)
    path = write_xlsx(tmp_path / "ds.xlsx", {"Danh sách": [STANDARD_HEADER, person(1), person(2), person(3)]})
    report = import_list(campaign=campaign, path=path)
    assert report.status == "rejected"
    assert [p.code for p in report.errors] == ["duplicate"]
    assert Respondent.objects.count() == 0  # nothing of the file, in one transaction with the rest
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("offset", [0, 7], ids=["UTC", "Hanoi"])
def test_timestamps_given_to_the_fast_insert_read_back_to_the_microsecond(campaign, units, offset):
    zone = datetime.timezone(datetime.timedelta(hours=offset))
    moment = datetime.datetime(2025, 11, 15, 8, 30, 0, 123456, tzinfo=zone)
    row = _new_row(campaign, units["STP"], email="nguoi1@laocai.gov.vn", phone="")
    insert_rows(Respondent, FIELDS, [(*row[:-2], db_datetime(moment), db_datetime(moment))])
    stored = Respondent.objects.get()
    assert (stored.created_at, stored.updated_at) == (moment, moment)


def test_the_spool_gives_back_every_row_in_order_across_its_pieces(monkeypatch):
    """Added rows wait in a file between reading and writing (D459): all of them, in order, once."""
    from respondents.services.matching import GroupRef, UnitRef
    from respondents.services.parsing import ParsedRow

    monkeypatch.setattr(importing, "SPOOL_PIECE", 7)
    unit, group = (
        UnitRef(3, "STP", "Sở Tư pháp", "department"),
        GroupRef("dept_leader", "Lãnh đạo sở", (), ""),
    )
    spool = importing._Spool()
    for n in range(23):
        spool.add(
            ParsedRow(
                "DS", n + 2, f"Người {n}", "", unit, group, f"p{n}@x.vn", "", [], {"Họ và tên": f"Người {n}"}
            )
        )
    rows = list(spool.rows())
    assert [(r[0], r[1], r[2], r[9]) for r in rows] == [
        (3, "dept_leader", f"Người {n}", n + 2) for n in range(23)
    ]
    assert rows[0][7] == json_value({"Họ và tên": "Người 0"}) and spool.count == 23
    assert list(spool.rows()) == []  # once
    spool.close()
