"""What belongs to one vendor's API, behind one small interface: document -> the Profile it is built with.

A Profile is data the build consults at a few decision points: which operations the vendor signs
and which parameters the runtime fills in for them, the credentials class and the environment
variables the docs read keys from, where error bodies carry their code and message, the headers
that count requests, the helpers and runtime modules the package ships, and how an array parameter
that declares no style goes on the wire.

The default is plain OpenAPI: nothing is signed, the credentials class and the variables are named
after the package, error fields come from the error responses' schemas, arrays follow OpenAPI's
style rules. A profile is chosen by the settings (`profile = "binance"`) or detected from the
document (binance.py says how), and the summary line says which and why.
"""

from __future__ import annotations

from typing import Any

from .binance import BINANCE, detect
from .openapi import OPENAPI, ListenKeyRule, Profile

NAMES = ("binance", "openapi")

__all__ = ["BINANCE", "NAMES", "OPENAPI", "ListenKeyRule", "Profile", "named", "select"]


def named(name: str) -> Profile:
    return BINANCE if name == "binance" else OPENAPI


def select(document: dict[str, Any], name: str | None) -> tuple[Profile, str]:
    """The profile for a document: the one named in the settings, else the one detected; and why."""
    if name is not None:
        return named(name), "set in the settings"
    reason = detect(document)
    return (BINANCE, f"detected: {reason}") if reason is not None else (OPENAPI, "no vendor detected")
