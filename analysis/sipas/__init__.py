"""SIPAS: satisfaction of people and organisations with public administrative services.

The methodology and what is unconfirmed: docs/methodology.md §6.
"""

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
