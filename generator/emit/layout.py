"""Python layout: the rules by which generated code is laid out as black lays it out, in one place.

Templates print what these functions return; none of them decides a name, a type or an import, only
where lines break. Because the built-in templates' output is already in black's layout, black runs
only on the rare file where these rules give up (format.py; tests/golden/test_black_stable.py runs
black over several specs' output and requires it to change nothing).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..model.samples import Code, plain
from . import escape

LINE_LENGTH = 100  # black's line length for generated code (format.py uses the same)


def fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


def from_names(module: str, names: list[str], indent: int = 0) -> str:
    """`from MODULE import a, b` on one line, or in parentheses, one name a line, when that would
    be too long (no trailing newline: the caller's line ends it)."""
    pad = " " * indent
    line = f"{pad}from {module} import {', '.join(names)}"
    if fits(line) or len(names) < 1:
        return line
    return "\n".join([f"{pad}from {module} import (", *(f"{pad}    {name}," for name in names), f"{pad})"])


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
