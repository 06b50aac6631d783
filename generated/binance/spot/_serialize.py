"""Python values -> wire text: parameter strings, compact JSON, percent-encoded pairs."""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from urllib.parse import quote

from .exceptions import ApiTypeError, ApiValueError

_encode_string = json.JSONEncoder(ensure_ascii=False).encode
# Text made only of unreserved characters needs no percent-encoding: the common case (symbols,
# numbers, enum values) skips urllib's quote(), which costs several times more than this match.
_unreserved = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def to_wire(value: object) -> str:
    """A parameter value as the text that goes in a query, form field, header or path segment.

    bool -> "true"/"false"; numbers never in scientific notation (APIs refuse 1e-05 for 0.00001);
    enums by value; lists, dicts and models as compact JSON (`["BTCUSDT","BNBBTC"]`).
    """
    kind = type(value)
    # Exact-type checks first: they are the common case and cheaper than isinstance chains.
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float or kind is Decimal:
        return number_text(value)  # type: ignore[arg-type]
    if isinstance(value, Enum):
        return to_wire(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, (float, Decimal)):
        return number_text(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, Mapping)) or _is_model(value):
        return to_json(value)
    raise ApiTypeError(f"cannot send a value of type {kind.__name__} as a parameter")


def number_text(value: float | Decimal) -> str:
    """Plain decimal notation: 0.00001 -> "0.00001", 1e20 -> "100000000000000000000"."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ApiValueError(f"cannot send the number {value!r}")
        return format(value, "f")
    # A `float` hint admits an int too (PEP 484's numeric tower): 5 is sent as "5".
    if isinstance(value, int):
        return str(int(value))
    if not math.isfinite(value):
        raise ApiValueError(f"cannot send the number {value!r}")
    # repr is the shortest text that round-trips: Decimal(0.1) would give 55 digits instead.
    return format(Decimal(repr(value)), "f")


def json_float(value: float) -> str:
    """A float in JSON: plain decimal, and still a float to whoever reads it (1e20 ->
    "100000000000000000000.0": without the fraction a JSON reader would see an integer)."""
    text = number_text(value)
    return text if "." in text else text + ".0"


def to_json(value: object) -> str:
    """Compact JSON text (no spaces) whose numbers are never in scientific notation."""
    parts: list[str] = []
    _write_json(value, parts)
    return "".join(parts)


def _write_json(value: object, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, Enum):
        _write_json(value.value, out)
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(json_float(value))
    elif isinstance(value, Decimal):
        out.append(number_text(value))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write_json(item, out)
        out.append("]")
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(_encode_string(str(key)))
            out.append(":")
            _write_json(item, out)
        out.append("}")
    elif _is_model(value):
        # Wire names, unset fields left out, extra fields kept: the model's own to_dict rules.
        dumped = value.model_dump(by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
        _write_json(dumped, out)
    elif isinstance(value, (datetime.datetime, datetime.date)):
        out.append(_encode_string(value.isoformat()))
    else:
        raise ApiTypeError(f"cannot send a value of type {type(value).__name__} as JSON")


def json_body(value: object) -> bytes:
    """The bytes of a JSON request body."""
    return to_json(value).encode("utf-8")


def _is_model(value: object) -> bool:
    # Duck typing keeps pydantic out of this module's imports (and out of the import time).
    return hasattr(value, "model_dump") and not isinstance(value, type)


def quote_component(text: str) -> str:
    """Percent-encode everything but the unreserved characters A-Z a-z 0-9 - . _ ~ (UTF-8)."""
    return text if _unreserved(text) else quote(text, safe="")


def encode_pair(name: str, value: str) -> str:
    """One `name=value` pair of a query string or urlencoded body, both sides percent-encoded."""
    return (
        (name if _unreserved(name) else quote(name, safe=""))
        + "="
        + (value if _unreserved(value) else quote(value, safe=""))
    )


# Item separators of OpenAPI's non-exploded styles, as they appear in a URL.
_DELIMITERS = {"form": ",", "simple": ",", "spaceDelimited": "%20", "pipeDelimited": "%7C"}


def styled_pairs(name: str, value: object, style: str, explode: bool) -> list[str]:
    """The percent-encoded pairs of a query, cookie or urlencoded form value in an OpenAPI style.

    A list: `a=1&a=2` (form, exploded) or one pair of its items joined by a comma, a space or a
    pipe (`a=1,2`). An object (a mapping or a model: wire names, unset fields left out): its
    properties as pairs of their own (`R=100&G=200`, form exploded), one pair of keys and values
    joined (`color=R,100,G,200`), or deepObject's `color[R]=100`, nested objects and lists
    included (`items[0][price]=p1`, the convention of Stripe's and Rails' servers). A plain value
    goes as one pair. A None item has no form in these styles: it goes as an empty value.
    """
    value = _plain(value)
    if style == "deepObject":
        out: list[str] = []
        _deep(quote_component(name), value, out)
        return out
    if isinstance(value, (list, tuple)):
        if explode and style == "form":
            return [encode_pair(name, item_text(item)) for item in value]
        joined = _DELIMITERS[style].join(quote_component(item_text(item)) for item in value)
        return [quote_component(name) + "=" + joined]
    if isinstance(value, Mapping):
        fields = [(str(key), item) for key, item in value.items() if item is not None]
        if explode and style == "form":
            return [encode_pair(key, to_wire(item)) for key, item in fields]
        joined = _DELIMITERS[style].join(
            quote_component(text) for key, item in fields for text in (key, to_wire(item))
        )
        return [quote_component(name) + "=" + joined]
    return [encode_pair(name, to_wire(value))]


def _deep(prefix: str, value: object, out: list[str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if item is not None:
                _deep(prefix + "%5B" + quote_component(str(key)) + "%5D", _plain(item), out)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _deep(f"{prefix}%5B{index}%5D", _plain(item), out)
    else:
        out.append(prefix + "=" + quote_component(item_text(value)))


def styled_text(name: str, value: object, style: str, explode: bool, *, path: bool) -> str:
    """A path segment (percent-encoded) or a header value in an OpenAPI style: `simple`
    (`1,2`; an object `R,100,G,200`, exploded `R=100,G=200`), `label` (`.1.2` exploded, else
    `.1,2`) or `matrix` (`;id=1;id=2` exploded, else `;id=1,2`; an exploded object `;R=100;G=200`).
    """
    value = _plain(value)
    quoted = quote_component if path else _same
    if isinstance(value, Mapping):
        fields = [(str(key), to_wire(item)) for key, item in value.items() if item is not None]
        if explode:
            items = [quoted(key) + "=" + quoted(text) for key, text in fields]
        else:
            items = [quoted(text) for field in fields for text in field]
        named = explode  # exploded, each property names itself
    elif isinstance(value, (list, tuple)):
        items = [quoted(item_text(item)) for item in value]
        named = False
    else:
        items = [quoted(to_wire(value))]
        named = False
    if style == "label":
        return "." + ("." if explode else ",").join(items)
    if style == "matrix":
        if named:
            return "".join(";" + item for item in items)
        prefix = ";" + quoted(name) + "="
        if explode:
            return "".join(prefix + item for item in items)
        return prefix + ",".join(items)
    return ",".join(items)


def _same(text: str) -> str:
    return text


def _plain(value: object) -> object:
    """A model as the mapping it sends (wire names, unset fields left out); anything else as is."""
    if _is_model(value):
        return value.model_dump(by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
    return value


def item_text(value: object) -> str:
    """An item of a list sent in an OpenAPI style: to_wire's text, empty for None."""
    return "" if value is None else to_wire(value)


def multipart_body(fields: Sequence[tuple[str, object, str | None]], boundary: str) -> bytes:
    """A multipart/form-data body (RFC 7578) of (name, value, media type or None) fields: bytes go
    as a file part named after its field (application/octet-stream unless the field's encoding
    names a type), a field whose encoding names a JSON type as JSON text under that type, any
    other value as a text part holding what to_wire writes for it."""
    out = bytearray()
    for name, value, media in fields:
        quoted = _disposition_text(name)
        out += f"--{boundary}\r\n".encode("ascii")
        if isinstance(value, (bytes, bytearray, memoryview)):
            out += (
                f'Content-Disposition: form-data; name="{quoted}"; filename="{quoted}"\r\n'
                f"Content-Type: {media or 'application/octet-stream'}\r\n\r\n"
            ).encode()
            out += bytes(value)
        else:
            out += f'Content-Disposition: form-data; name="{quoted}"\r\n'.encode()
            if media is None:
                text = to_wire(value)
            else:
                out += f"Content-Type: {media}\r\n".encode()
                text = to_json(value) if "json" in media else to_wire(value)
            out += b"\r\n" + text.encode("utf-8")
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode("ascii")
    return bytes(out)


def _disposition_text(name: str) -> str:
    """A field name inside Content-Disposition quotes, escaped as browsers (HTML) do it."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def check_header_value(name: str, value: str) -> str:
    """A header value must not smuggle in extra header lines, and must be text HTTP can carry
    (RFC 9110: visible characters, spaces, tabs, and Latin-1 letters as obsolete text)."""
    if "\r" in value or "\n" in value:
        raise ApiValueError(f"header {name!r}: value contains a line break")
    bad = _NOT_HEADER_TEXT.search(value)
    if bad is not None:
        raise ApiValueError(
            f"header {name!r}: value contains {bad.group()!r}, which an HTTP header cannot carry"
        )
    return value


_NOT_HEADER_TEXT = re.compile("[^\t\x20-\x7e\x80-\xff]")
# What a credential may hold: visible ASCII, as API keys and secrets are, and inner spaces.
_NOT_CREDENTIAL = re.compile("[^\x20-\x7e]")
_WHAT = {"\n": "a line break", "\r": "a line break", "\t": "a tab", "\x00": "a NUL character"}


def check_credential(owner: str, name: str, value: str) -> str:
    """A key or secret as configured must be sendable as is: ApiValueError, naming what is wrong
    and never quoting the value (messages end up in logs), for a line break (a key read from a
    file with its newline), another control character, a non-ASCII character, or spaces around it.
    """
    bad = _NOT_CREDENTIAL.search(value)
    if bad is not None:
        char = bad.group()
        what = _WHAT.get(char) or (
            "a control character" if char < " " or char == "\x7f" else "a non-ASCII character"
        )
        raise ApiValueError(
            f"{owner}: {name} contains {what} at position {bad.start()} of {len(value)}; "
            "keys and secrets are visible ASCII (strip the newline of a key read from a file)"
        )
    if value != value.strip():
        raise ApiValueError(f"{owner}: {name} starts or ends with a space; strip it")
    return value
