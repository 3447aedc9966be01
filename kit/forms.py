"""Form fields shared by the apps' pages."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

# The largest id a 64-bit integer column holds: 19 digits; `kit/urls.py`'s <id:…> allows 18.
_MAX_ID_DIGITS = 18


class IdsMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    """A ModelMultipleChoiceField whose choices are ids. Django checks the posted values with one
    `pk__in` query, and a value of more digits than a database integer holds reached the database as
    such (OverflowError on SQLite and PostgreSQL: a 500, found by the input fuzz test); such a value is
    refused here as any unknown choice is."""

    def _check_values(self, value: Iterable[Any]) -> QuerySet[Model]:
        for item in value:
            text = str(item).strip()
            if text.isdigit() and len(text) > _MAX_ID_DIGITS:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": text}
                )
        return super()._check_values(value)  # type: ignore[misc,no-any-return]  # private in the stubs
