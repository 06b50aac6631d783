"""OpenAPI's parameter styles, as the generated tests expect them on the wire.

In: a parameter's sample value (JSON-like data), its style and explode. Out: the (name, value) pairs
a server reads from a query string, cookie or urlencoded form (decoded, as `parse_qs` gives them),
or the text of a path segment (percent-encoded) or header. The runtime encodes calls with its own
code (`runtime/_serialize.py`); this is the independent account of OpenAPI's style table that the
generated tests hold it to.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from .samples import item_text, wire_text

# style -> the separator of a non-exploded list or object, decoded.
_SEPARATORS = {"form": ",", "simple": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
# Where each style may go (OpenAPI 3's table; urlencoded form fields take the query's).
STYLES_IN = {
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "form": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "cookie": ("form",),
    "header": ("simple",),
    "path": ("simple", "label", "matrix"),
}
# OpenAPI's default style for each location, exploded when it is `form`.
DEFAULT_STYLES = {"query": "form", "form": "form", "cookie": "form", "header": "simple", "path": "simple"}


def pairs(name: str, value: Any, style: str, explode: bool) -> list[tuple[str, str]]:
    """The decoded (name, value) pairs of a query, cookie or form value in `style`."""
    if style == "deepObject":
        found: list[tuple[str, str]] = []
        _deep(name, value, found)
        return found
    if isinstance(value, list):
        if explode and style == "form":
            return [(name, item_text(item)) for item in value]
        return [(name, _SEPARATORS[style].join(item_text(item) for item in value))]
    if isinstance(value, dict):
        fields = [(str(key), wire_text(item)) for key, item in value.items() if item is not None]
        if explode and style == "form":
            return fields
        return [(name, _SEPARATORS[style].join(text for field in fields for text in field))]
    return [(name, wire_text(value))]


def _deep(name: str, value: Any, found: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                _deep(f"{name}[{key}]", item, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _deep(f"{name}[{index}]", item, found)
    else:
        found.append((name, item_text(value)))


def text(name: str, value: Any, style: str, explode: bool, *, path: bool) -> str:
    """A path segment (percent-encoded) or a header value (as it is) in `style`."""

    def quoted(piece: str) -> str:
        return urllib.parse.quote(piece, safe="") if path else piece

    if isinstance(value, dict):
        fields = [(str(key), wire_text(item)) for key, item in value.items() if item is not None]
        items = [f"{quoted(key)}={quoted(item)}" if explode else f"{quoted(key)},{quoted(item)}"
                 for key, item in fields]
        named = explode
    else:
        items = [quoted(item_text(item)) for item in (value if isinstance(value, list) else [value])]
        named = False
    if style == "label":
        return "." + ("." if explode else ",").join(items)
    if style == "matrix":
        if named:
            return "".join(f";{item}" for item in items)
        if explode:
            return "".join(f";{quoted(name)}={item}" for item in items)
        return f";{quoted(name)}=" + ",".join(items)
    return ",".join(items)
