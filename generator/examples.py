"""Sample values -> Python literals (code) and wire strings: what docs show and generated tests expect."""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """A JSON-compatible copy: YAML dates become ISO strings, non-finite floats are dropped to None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def py_literal(value: Any) -> str:
    """Python source for a JSON-like value. Every string goes through repr(), so spec text stays data."""
    value = plain(value)
    if isinstance(value, dict):
        items = ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float, str)):
        return repr(value)
    return repr(str(value))


def json_text(value: Any) -> str:
    """Compact, deterministic JSON (key order as in the spec)."""
    return json.dumps(plain(value), separators=(",", ":"), ensure_ascii=False)


def number_text(value: float | int | Decimal) -> str:
    """A number as Binance wants it: never in scientific notation (0.00001, not 1e-05)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)) if isinstance(value, float) else value, "f")


def wire_text(value: Any) -> str:
    """How a query or form value goes out: the oracle the generated tests hold the runtime to."""
    value = plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return value
    return json_text(value)
