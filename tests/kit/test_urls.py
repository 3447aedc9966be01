"""Database ids in URLs go through <id:…> (kit/urls.py): at most 18 digits, so no URL can carry a number a
64-bit column cannot hold to the database (a 500 found by the API fuzz test)."""

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from kit.urls import IdConverter


def patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_no_url_of_the_project_takes_an_unbounded_integer():
    unbounded = [
        route
        for route, entry in patterns(get_resolver())
        for converter in getattr(entry.pattern, "converters", {}).values()
        if type(converter) is IntConverter
    ]
    assert unbounded == []


def test_an_id_of_19_digits_does_not_match_and_18_do():
    regex = IdConverter.regex
    import re

    assert re.fullmatch(regex, "9" * 18) and not re.fullmatch(regex, "9" * 19)


def test_the_production_static_storage_is_whitenoises_hashed_compressed_one_without_js_source_maps():
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    from kit.staticfiles import ManifestStaticFilesStorage

    assert issubclass(ManifestStaticFilesStorage, CompressedManifestStaticFilesStorage)
    assert [glob for glob, _ in ManifestStaticFilesStorage.patterns] == ["*.css"]
