"""Sample values -> plain JSON-like data and wire strings: what docs show and generated tests expect."""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from typing import Any


class Code(str):
    """Source code (an identifier, an expression) to lay out as it is, not as a string literal."""

    __slots__ = ()


def plain(value: Any) -> Any:
    """A JSON-compatible copy: YAML dates become ISO strings, non-finite floats are dropped to None."""
    if isinstance(value, Code):
        return value
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
    return _wire_json(value)


def item_text(value: Any) -> str:
    """How an item of a list sent in an OpenAPI style goes out: wire_text, empty for None (the
    runtime's _serialize.item_text)."""
    return "" if value is None else wire_text(value)


def _wire_json(value: Any) -> str:
    """Compact JSON as the runtime sends a list, dict or model in a query or form field: numbers in
    plain decimal notation, like every other number on the wire."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float, Decimal)):
        text = number_text(value)
        # As the runtime writes a float in JSON: with a fraction, so it stays a float when read.
        return text + ".0" if isinstance(value, float) and "." not in text else text
    if isinstance(value, list):
        return "[" + ",".join(_wire_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + _wire_json(v)
                              for k, v in value.items()) + "}"
    return json_text(value)
