"""Sample values -> plain JSON-like data and wire strings: what docs show and generated tests expect."""

from __future__ import annotations

import datetime
import json
import math
import re
from decimal import Decimal
from typing import Any, ClassVar


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


# -- made-up values that satisfy a schema's constraints -----------------------------------------
# The generated tests send a parameter's sample and parse a response's: a value the server (or the
# models) would refuse makes a test that fails for no fault of the client. Samples keep to the
# bounds, lengths, multiples and patterns a schema sets.

_FORMATS: dict[tuple[str, str | None], Any] = {
    ("string", None): "example",
    ("string", "date-time"): "2024-01-01T00:00:00Z",
    ("string", "date"): "2024-01-01",
    ("string", "time"): "12:00:00",
    ("string", "email"): "user@example.com",
    ("string", "uuid"): "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    ("string", "uri"): "https://example.com/",
    ("string", "url"): "https://example.com/",
    ("string", "hostname"): "example.com",
    ("string", "ipv4"): "192.0.2.1",
    ("string", "ipv6"): "2001:db8::1",
    ("string", "byte"): "ZXhhbXBsZQ==",
    ("integer", None): 1,
    ("integer", "int64"): 1499827319559,
    ("number", None): 0.00001,
    ("boolean", None): True,
}


def synthetic(kind: str, schema: dict[str, Any]) -> Any:
    """A value of a primitive `kind` for a schema that gives none of its own, within its
    constraints where it can be (a pattern Python cannot read, or contradictory bounds, keep the
    plain sample: the spec's mistake, which validation reports)."""
    fmt = schema.get("format")
    base = _FORMATS.get((kind, fmt if isinstance(fmt, str) else None), _FORMATS.get((kind, None)))
    if kind in ("integer", "number") and any(key in schema for key in _NUMBER_KEYS):
        return _bounded(kind, base, schema)
    if kind == "string" and isinstance(base, str) and any(key in schema for key in _STRING_KEYS):
        return _string(base, schema)
    return base


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


class _Bounds:
    """A numeric schema's bounds: [minimum, maximum] (exclusive ones in 3.0's boolean and 3.1's
    number form) and `multipleOf`."""

    def __init__(self, kind: str, schema: dict[str, Any]) -> None:
        self.kind = kind
        self.low, self.high = _number(schema.get("minimum")), _number(schema.get("maximum"))
        self.low_open = schema.get("exclusiveMinimum") is True
        self.high_open = schema.get("exclusiveMaximum") is True
        low, high = _number(schema.get("exclusiveMinimum")), _number(schema.get("exclusiveMaximum"))
        if low is not None and (self.low is None or low >= self.low):
            self.low, self.low_open = low, True
        if high is not None and (self.high is None or high <= self.high):
            self.high, self.high_open = high, True
        step = _number(schema.get("multipleOf"))
        self.step = step if step is not None and step > 0 else None

    def fits(self, value: Decimal) -> bool:
        low, high = self.low, self.high
        return ((low is None or value > low or (value == low and not self.low_open))
                and (high is None or value < high or (value == high and not self.high_open))
                and (self.step is None or value % self.step == 0)
                and (self.kind != "integer" or value == value.to_integral_value()))


def _bounded(kind: str, base: Any, schema: dict[str, Any]) -> Any:
    """The sample moved into the schema's bounds, onto a multiple of `multipleOf`."""
    bounds = _Bounds(kind, schema)
    if bounds.fits(Decimal(base)):
        return base
    step = bounds.step
    unit = Decimal(1) if kind == "integer" else (step or Decimal("0.5"))
    candidates = []
    if bounds.low is not None:
        start = bounds.low if kind != "integer" else bounds.low.to_integral_value(rounding="ROUND_CEILING")
        if step is not None:
            start = (start / step).to_integral_value(rounding="ROUND_CEILING") * step
        candidates += [start, start + unit, start + (step or unit)]
    if bounds.high is not None:
        end = bounds.high if kind != "integer" else bounds.high.to_integral_value(rounding="ROUND_FLOOR")
        if step is not None:
            end = (end / step).to_integral_value(rounding="ROUND_FLOOR") * step
        candidates += [end, end - unit, end - (step or unit)]
    if step is not None and bounds.low is None and bounds.high is None:
        candidates.append(step)
    for candidate in candidates:
        if bounds.fits(candidate):
            return int(candidate) if kind == "integer" else float(candidate)
    return base


class _Lengths:
    """A string schema's minLength, maxLength and pattern (None where Python cannot read it)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        shortest, longest = schema.get("minLength"), schema.get("maxLength")
        self.shortest = shortest if isinstance(shortest, int) and not isinstance(shortest, bool) else 0
        self.longest = longest if isinstance(longest, int) and not isinstance(longest, bool) else None
        pattern = schema.get("pattern")
        self.pattern = _compiled(pattern) if isinstance(pattern, str) else None

    def fits(self, value: str) -> bool:
        return (len(value) >= self.shortest and (self.longest is None or len(value) <= self.longest)
                and (self.pattern is None or self.pattern.search(value) is not None))


def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


_STRING_KEYS = ("minLength", "maxLength", "pattern")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def within_constraints(value: Any, schema: dict[str, Any]) -> bool:
    """Whether a primitive value from the spec (an example) keeps to its schema's bounds, lengths
    and pattern: one that does not would make a generated test fail against a validating server."""
    if isinstance(value, str):
        return not any(key in schema for key in _STRING_KEYS) or _Lengths(schema).fits(value)
    if not any(key in schema for key in _NUMBER_KEYS):  # most schemas: nothing to check
        return True
    number = _number(value)
    if number is not None:
        return _Bounds("integer" if isinstance(value, int) else "number", schema).fits(number)
    return True


def _string(base: str, schema: dict[str, Any]) -> str:
    lengths = _Lengths(schema)
    if lengths.fits(base):
        return base
    if lengths.pattern is None:  # lengths alone: pad or cut the plain sample
        padded = base + "x" * max(0, lengths.shortest - len(base))
        return padded[:lengths.longest] if lengths.longest is not None else padded
    # Repetitions taken more often until the lengths fit; characters of a class picked letters
    # first, then digits first (a lookahead such as `(?=.*\d)` is only met by the second).
    stretches = sorted({0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, lengths.shortest,
                        *((lengths.longest,) if lengths.longest is not None and lengths.longest <= 64 else ())})
    for prefer in _Matcher.PREFERENCES:
        for stretch in stretches:
            try:
                made = _Matcher(stretch, prefer).build(lengths.pattern.pattern, lengths.pattern.flags)
            except (_Unsupported, re.error, RecursionError, OverflowError, ValueError):
                return base
            if lengths.fits(made):
                return made
    return base


class _Unsupported(Exception):
    """A regular expression construct a sample is not made for."""


class _Matcher:
    """The simplest text a Python regular expression matches, found by walking its parse tree:
    the first branch of an alternation, readable characters from a class (in the order `prefer`
    gives), each repetition taken at its minimum (or `stretch` times, within its bounds, when the
    minimum is too short); lookarounds are left to the caller's check of the result.
    Deterministic by construction; a pattern library that picks at random (rstr) is not, across
    hash seeds, and the output must be the same bytes on every run."""

    PREFERENCES = ("aA1 -_.", "1aA -_.")
    _CATEGORIES: ClassVar[dict[str, str]] = {"CATEGORY_DIGIT": "1", "CATEGORY_NOT_DIGIT": "a", "CATEGORY_SPACE": " ",
                                             "CATEGORY_NOT_SPACE": "a", "CATEGORY_WORD": "a",
                                             "CATEGORY_NOT_WORD": "-"}

    def __init__(self, stretch: int, prefer: str) -> None:
        self.stretch = stretch
        self.prefer = prefer
        self.groups: dict[int, str] = {}

    def build(self, pattern: str, flags: int) -> str:
        import re._parser as parser  # type: ignore[import-not-found]  # re's own parser (no stubs)

        return self._sequence(parser.parse(pattern, flags), depth=0)

    def _sequence(self, items: Any, depth: int) -> str:
        if depth > 50:
            raise _Unsupported("nesting")
        return "".join(self._item(op, value, depth) for op, value in items)

    def _item(self, op: Any, value: Any, depth: int) -> str:
        name = str(op)
        if name == "LITERAL":
            return chr(value)
        if name == "NOT_LITERAL":
            return next(c for c in self.prefer + "bcdefgh" if ord(c) != value)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):  # zero-width: the caller checks the result
            return ""
        if name == "ANY":
            return self.prefer[0]
        if name == "IN":
            return self._pick(value)
        if name == "BRANCH":
            return self._sequence(value[1][0], depth + 1)
        if name == "SUBPATTERN":
            group, _, _, items = value
            text = self._sequence(items, depth + 1)
            if group is not None:
                self.groups[group] = text
            return text
        if name == "GROUPREF":
            return self.groups.get(value, "")
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, items = value
            times = low if self.stretch <= low else min(self.stretch, high)
            return "".join(self._sequence(items, depth + 1) for _ in range(times))
        if name == "ATOMIC_GROUP":
            return self._sequence(value, depth + 1)
        raise _Unsupported(name)

    def _pick(self, items: Any) -> str:
        """A character of a class: a readable one where the class allows it."""
        negated = bool(items) and str(items[0][0]) == "NEGATE"
        allowed: list[str] = []
        for op, value in items[1:] if negated else items:
            name = str(op)
            if name == "LITERAL":
                allowed.append(chr(value))
            elif name == "RANGE":
                allowed += [chr(c) for c in range(value[0], min(value[1], value[0] + 200) + 1)]
            elif name == "CATEGORY":
                allowed.append(self._CATEGORIES.get(str(value), "a"))
        if negated:
            banned = set(allowed)
            return next(c for c in self.prefer + "bcdefghijklmnopqrstuvwxyz0123456789" if c not in banned)
        if not allowed:
            raise _Unsupported("empty class")
        return next((c for c in self.prefer if c in allowed), allowed[0])
