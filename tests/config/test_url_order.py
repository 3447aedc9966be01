"""The API's URLs are resolved first (config/urls.py), ahead of the pages' "" includes: that changes which
view answers only if a page's pattern also matched an API path, and none does."""

import re

from django.urls import URLResolver, get_resolver
from django.urls.exceptions import Resolver404

SAMPLES = {
    "id": "7",
    "int": "7",
    "slug": "lao-cai-2026",
    "str": "x",
    "path": "x/y",
    "uuid": "6f1c2b9e-3d4a-4c55-9a51-0b6a4c1e2f10",
}


def _paths(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + re.sub(r"<(\w+):\w+>", lambda m: SAMPLES[m.group(1)], str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            found += _paths(pattern, route)
        else:
            found.append(route)
    return found


def test_no_page_pattern_matches_an_api_path():
    root = get_resolver()
    api = [p for p in root.url_patterns if str(p.pattern).startswith("api/v1/")]
    pages = [p for p in root.url_patterns if not str(p.pattern).startswith("api/")]
    assert len(api) == 2 and root.url_patterns[: len(api)] == api  # first
    paths = [path for include in api for path in _paths(include, str(include.pattern))]
    assert "api/v1/field/responses/" in paths and len(paths) > 10
    for path in paths:
        for pattern in pages:
            try:
                match = pattern.resolve(path)
            except Resolver404:
                continue
            assert match is None, (path, str(pattern.pattern))
