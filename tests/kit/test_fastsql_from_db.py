"""kit.fastsql.from_db: the instance Model.from_db() gives, without Model.__init__ where that only fills
the instance's __dict__; Model.from_db() itself where a signal receiver or a descriptor needs __init__."""

import pytest
from django.db.models.signals import post_init

from kit.fastsql import from_db
from respondents.models import Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _loaded(unit: Unit, exclude=()) -> tuple[list[str], list[object]]:
    names = [f.attname for f in Unit._meta.concrete_fields if f.attname not in exclude]
    return names, [getattr(unit, name) for name in names]


def _same(fast: Unit, slow: Unit, names: list[str]) -> None:
    assert type(fast) is type(slow)
    assert [getattr(fast, n) for n in names] == [getattr(slow, n) for n in names]
    assert (fast._state.adding, fast._state.db) == (slow._state.adding, slow._state.db) == (False, "default")
    assert fast.get_deferred_fields() == slow.get_deferred_fields()


def test_an_instance_is_the_one_from_db_gives(province):
    parent = UnitFactory(province=province, code="H-A", name="Huyện A")
    unit = UnitFactory(province=province, code="X-B", name="Xã B", parent=parent)
    names, values = _loaded(unit)
    fast, slow = from_db(Unit, "default", names, list(values)), Unit.from_db("default", names, list(values))
    _same(fast, slow, names)
    assert fast == unit and fast.parent == parent  # the related object loads on access, as usual
    fast.name = "Xã Bê"
    fast.save()
    assert Unit.objects.get(pk=unit.pk).name == "Xã Bê"


def test_a_field_left_out_is_deferred_and_loads_on_access(province):
    unit = UnitFactory(province=province, code="X-C", name="Xã C")
    names, values = _loaded(unit, exclude=("name",))
    fast, slow = from_db(Unit, "default", names, list(values)), Unit.from_db("default", names, list(values))
    _same(fast, slow, names)
    assert fast.get_deferred_fields() == {"name"} and fast.name == "Xã C"


def test_with_a_post_init_receiver_the_instance_comes_from_init(province):
    unit = UnitFactory(province=province, code="X-D", name="Xã D")
    names, values = _loaded(unit)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Unit)
    try:
        fast = from_db(Unit, "default", names, list(values))
    finally:
        post_init.disconnect(receiver, sender=Unit)
    assert seen == [fast]
