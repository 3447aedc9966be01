"""The submission's two rows written by kit.fastsql.insert_pair_values: one statement on PostgreSQL (atomic by
itself), one transaction elsewhere; both rows or neither, and the same values as Model.objects.create()."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldwork.models import FieldRecord, ReviewState
from kit.fastsql import insert_pair_values
from surveys.models import Response

pytestmark = pytest.mark.django_db


def _pair(field, questionnaire, now=None, **record):
    """The two rows' values by attname, as fieldwork/services/submissions.py gives them."""
    assignment = field["assignments"]["a"]
    user = field["users"]["a"]
    now = now or timezone.now()
    response = {
        "campaign_id": assignment.campaign_id,
        "questionnaire_id": questionnaire.pk,
        "client_uuid": uuid.uuid4(),
        "mode": Response.Mode.TABLET,
        "unit_id": assignment.area_id,
        "entered_by_id": user.pk,
        "answers": {"q1": "no", "q3": 12, "text": "Bưu điện"},
        "status": Response.Status.SUBMITTED,
        "submitted_at": now,
    }
    values = {
        "assignment_id": assignment.pk,
        "enumerator_id": user.pk,
        "interviewed_at": now,
        "area_id": assignment.area_id,
        "received_at": now,
        "payload_hash": "0" * 64,
        "review_state": ReviewState.RECEIVED,
        **record,
    }
    return response, values


def _columns(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_pair_stores_what_create_stores(field, questionnaire):
    now = timezone.now()
    response, record = _pair(field, questionnaire, now)
    response_id, record_id = insert_pair_values(Response, response, FieldRecord, record, link="response")
    assert FieldRecord.objects.get(pk=record_id).response_id == response_id

    twin_response, twin_record = _pair(field, questionnaire, now)
    created = Response.objects.create(**twin_response)
    created_record = FieldRecord.objects.create(response=created, **twin_record)
    # Set on the way in (auto_now, auto_now_add): checked to be filled, not equal.
    stamped = {
        f.attname
        for model in (Response, FieldRecord)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    different = {"id", "client_uuid", "response_id", *stamped}
    for model, fast_pk, slow in ((Response, response_id, created), (FieldRecord, record_id, created_record)):
        stored, made = _columns(model.objects.get(pk=fast_pk)), _columns(model.objects.get(pk=slow.pk))
        assert {k: v for k, v in stored.items() if k not in different} == {
            k: v for k, v in made.items() if k not in different
        }
        assert all(stored.get(name, now) >= now for name in stamped)
    # Defaults were filled in for what was not given (form_number, source, is_test, …).
    assert FieldRecord.objects.get(pk=record_id).source == FieldRecord.Source.API


def test_a_pair_refused_inside_a_transaction_leaves_the_transaction_usable(field, questionnaire):
    response, record = _pair(field, questionnaire)
    insert_pair_values(Response, response, FieldRecord, record, link="response")
    again, again_record = _pair(field, questionnaire)
    again["client_uuid"] = response["client_uuid"]
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert_pair_values(Response, again, FieldRecord, again_record, link="response")
        assert Response.objects.count() == 1 and FieldRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refused_record_leaves_no_response_behind_in_autocommit(field, questionnaire):
    response, record = _pair(field, questionnaire, assignment_id=10**9)  # no such assignment
    with pytest.raises(IntegrityError):
        insert_pair_values(Response, response, FieldRecord, record, link="response")
    assert Response.objects.count() == 0 and FieldRecord.objects.count() == 0


def test_names_that_are_not_attnames_are_refused(field, questionnaire):
    response, record = _pair(field, questionnaire)
    with pytest.raises(AssertionError, match="campaign"):
        insert_pair_values(Response, {**response, "campaign": 1}, FieldRecord, record, link="response")


@pytest.mark.parametrize("model", [Response, FieldRecord])
def test_the_values_not_passed_through_their_field_are_ones_it_gives_back_unchanged(model):
    """_values_params skips get_db_prep_save() for None in a nullable column, a str in a text column and
    an int in an integer one (or a key to one): for each such field, the field gives these back as is."""
    from django.db import connection

    from kit.fastsql import _statement

    columns = _statement(model, connection.vendor)[1]
    samples = {str: ["", "BD-00042", "Bưu điện Bát Xát", "0" * 64], int: [0, 1, 600, 2**62]}
    checked = 0
    for f, _attname, _stamp, nullable, plain in columns:
        if nullable:
            assert f.get_db_prep_save(None, connection) is None, f.name
            checked += 1
        for value in samples.get(plain, []):
            prepared = f.get_db_prep_save(value, connection)
            assert type(prepared) is type(value) and prepared == value, f.name
            checked += 1
    assert checked > 10
