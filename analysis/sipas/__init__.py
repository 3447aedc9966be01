"""SIPAS: satisfaction of people and organisations with public administrative services (methodology.md §3)."""

from .compute import SipasInputError, SipasResult, compute_sipas
from .methods import DEFAULT_METHOD, METHODS, SipasMethod, get_method

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "SipasInputError",
    "SipasMethod",
    "SipasResult",
    "compute_sipas",
    "get_method",
]
