"""Sample values -> Python literals (code) and wire strings: what docs show and generated tests expect."""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import escape

LINE_LENGTH = 100  # black's line length for generated code (format.py uses the same)


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


def py_literal(value: Any) -> str:
    """Python source for a JSON-like value, on one line, quoted as black quotes strings."""
    return _literal(plain(value))


def _literal(value: Any) -> str:
    """py_literal of a value already made plain()."""
    if isinstance(value, str):
        return str(value) if isinstance(value, Code) else _quoted(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_quoted(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)  # bool, None, int, float: plain() leaves nothing else


@lru_cache(maxsize=65536)
def _quoted(text: str) -> str:
    return escape.py_str(text)


def py_layout(value: Any, indent: int, head: str = "", tail: str = "", width: int = LINE_LENGTH) -> str:
    """A literal laid out the way black lays it out: on one line if `head value tail` fits in the
    width at that indent, else one item a line with a trailing comma, each item laid out the same way.

    The result needs no formatting: the templates print it as it is (see format.py).
    """
    return _layout(plain(value), indent, head, tail, width)


def _layout(value: Any, indent: int, head: str, tail: str, width: int) -> str:
    pad = " " * indent
    one_line = pad + head + _literal(value) + tail
    if len(one_line) <= width or not isinstance(value, (dict, list)) or not value:
        return one_line
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    lines = [pad + head + opening]
    if isinstance(value, dict):
        for key, item in value.items():
            lines.append(_layout(item, indent + 4, _quoted(key) + ": ", ",", width))
    else:
        for item in value:
            lines.append(_layout(item, indent + 4, "", ",", width))
    lines.append(pad + closing + tail)
    return "\n".join(lines)


def hint_lines(hint: str, indent: int, prefix: str = "") -> list[str] | None:
    """A type hint too long for one line, as black splits it inside parentheses: at its top-level
    `|` (each operand on a line of its own, the operator leading), and a bracketed operand inside
    its brackets, one level deeper. None if some line would still be too long."""
    pad = " " * indent
    if len(pad) + len(prefix) + len(hint) <= LINE_LENGTH:
        return [pad + prefix + hint]
    operands = _top_level(hint, " | ")
    if len(operands) > 1:
        lines: list[str] = []
        for index, operand in enumerate(operands):
            part = hint_lines(operand, indent, "| " if index else "")
            if part is None:
                return None
            lines += part
        return lines
    opening = hint.find("[")
    if hint.endswith("]") and opening > 0:
        inner = hint_lines(hint[opening + 1:-1], indent + 4)
        head = pad + prefix + hint[:opening + 1]
        if inner is None or len(head) > LINE_LENGTH:
            return None
        return [head, *inner, pad + "]"]
    return None


def _top_level(text: str, separator: str) -> list[str]:
    """text split at each separator outside brackets."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        char = text[index]
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(text[start:])
    return parts


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
