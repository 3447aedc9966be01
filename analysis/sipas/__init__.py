"""SIPAS: satisfaction of people and organisations with public administrative services.

The methodology and what is unconfirmed: docs/methodology.md §6. The names below are loaded on first use
(PEP 562): `compute` brings numpy, pandas and scipy, which importing `analysis.sipas.methods` for its
constants (the URLconf, the system checks, app start-up) must not pay for (docs/decisions.md D401).
"""

import importlib
from typing import Any

_WHERE = {
    "DEFAULT_METHOD": "methods",
    "METHODS": "methods",
    "SipasMethod": "methods",
    "get_method": "methods",
    "SipasInputError": "compute",
    "SipasResult": "compute",
    "compute_sipas": "compute",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:  # noqa: ANN401 (whatever the submodule holds)
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
