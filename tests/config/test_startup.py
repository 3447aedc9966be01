"""Start-up cost: Django's set-up and the URLconf (what every management command's system checks and a
fresh worker's first reverse() import) must not import the heavy numeric and file libraries; the views
and services that use them import them when called (docs/decisions.md D401)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("scipy", "pandas", "numpy", "pyarrow", "openpyxl", "pyxform")
PROBE = (
    "import sys, django; django.setup(); import config.urls; "
    "from django.core import checks; checks.run_checks(); "
    "print(' '.join(name for name in {heavy!r} if name in sys.modules))"
)


def loaded_after_startup() -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


def test_setup_urlconf_and_system_checks_import_no_heavy_library():
    assert loaded_after_startup() == []


@pytest.mark.parametrize(
    ("module", "library"),
    [
        ("analysis.sipas.compute", "pandas"),
        ("analysis.statistics", "scipy"),
        ("surveys.services.xlsform", "pyxform"),
        ("kit.xlsx", "openpyxl"),
    ],
)
def test_the_code_that_needs_a_heavy_library_still_imports_it(module, library):
    # The probe itself can see a library loaded: otherwise the test above could not fail.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    code = f"import sys, django; django.setup(); import {module}; print({library!r} in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "True"
