"""The submission's two rows written by kit.fastsql.insert_pair: one statement on PostgreSQL (atomic by
itself), one transaction elsewhere; both rows or neither, and the same values as Model.objects.create()."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldwork.models import FieldRecord, ReviewState
from kit.fastsql import insert_pair
from surveys.models import Response

pytestmark = pytest.mark.django_db


def _pair(field, questionnaire, now=None, **record):
    assignment = field["assignments"]["a"]
    user = field["users"]["a"]
    now = now or timezone.now()
    response = Response(
        campaign_id=assignment.campaign_id,
        questionnaire=questionnaire,
        client_uuid=uuid.uuid4(),
        mode=Response.Mode.TABLET,
        unit=assignment.area,
        entered_by=user,
        answers={"q1": "no", "q3": 12, "text": "Bưu điện"},
        status=Response.Status.SUBMITTED,
        submitted_at=now,
    )
    values = {
        "assignment": assignment,
        "enumerator": user,
        "interviewed_at": now,
        "area": assignment.area,
        "received_at": now,
        "payload_hash": "0" * 64,
        "review_state": ReviewState.RECEIVED,
        **record,
    }
    return response, FieldRecord(**values)


def _columns(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_pair_stores_what_create_stores(field, questionnaire):
    now = timezone.now()
    response, record = _pair(field, questionnaire, now)
    insert_pair(response, record, link="response")
    assert record.response_id == response.pk and not response._state.adding and not record._state.adding

    twin_response, twin_record = _pair(field, questionnaire, now)
    twin_response.save()
    twin_record.response = twin_response
    twin_record.save()
    # Set on the way in (auto_now, auto_now_add): checked to be filled, not equal.
    stamped = {
        f.attname
        for model in (Response, FieldRecord)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    different = {"id", "client_uuid", "response_id", *stamped}
    for fast, slow in ((response, twin_response), (record, twin_record)):
        stored, created = (
            _columns(type(fast).objects.get(pk=fast.pk)),
            _columns(type(slow).objects.get(pk=slow.pk)),
        )
        assert {k: v for k, v in stored.items() if k not in different} == {
            k: v for k, v in created.items() if k not in different
        }
        assert all(stored.get(name, now) >= now for name in stamped)
    assert FieldRecord.objects.get(pk=record.pk).response == response


def test_a_pair_refused_inside_a_transaction_leaves_the_transaction_usable(field, questionnaire):
    response, record = _pair(field, questionnaire)
    insert_pair(response, record, link="response")
    again, again_record = _pair(field, questionnaire)
    again.client_uuid = response.client_uuid
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert_pair(again, again_record, link="response")
        assert Response.objects.count() == 1 and FieldRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refused_record_leaves_no_response_behind_in_autocommit(field, questionnaire):
    response, record = _pair(field, questionnaire, assignment_id=10**9)  # no such assignment
    with pytest.raises(IntegrityError):
        insert_pair(response, record, link="response")
    assert Response.objects.count() == 0 and FieldRecord.objects.count() == 0
