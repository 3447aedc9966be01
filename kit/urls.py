"""Path converters shared by the apps' URL maps.

`<id:pk>` is a database id: 1 to 18 digits, so every value it lets through fits a 64-bit integer column.
Django's `<int:…>` accepts any number of digits, and a 25-digit id in a URL reached the database as an
integer SQLite and PostgreSQL cannot hold (a 500, found by the API schema fuzz test); with `<id:…>` such
a URL is an ordinary 404.
"""

from django.urls import register_converter
from django.urls.converters import IntConverter


class IdConverter(IntConverter):
    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")
