"""Python layout: the rules by which generated code is laid out as black lays it out, in one place.

Templates print what these functions return; none of them decides a name, a type or an import, only
where lines break. Because the built-in templates' output is already in black's layout, black runs
only on the rare file where these rules give up (format.py; tests/golden/test_black_stable.py runs
black over several specs' output and requires it to change nothing).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..model.api import Field
from ..model.samples import Code, plain
from . import escape

LINE_LENGTH = 100  # black's line length for generated code (format.py uses the same)


def fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


def from_import(indent: int, module: str, name: str, reexport: bool = False) -> str:
    """`from MODULE import NAME [as NAME]` on one line, or in parentheses when that line would be too
    long (no trailing newline: the caller's line ends it)."""
    imported = f"{name} as {name}" if reexport else name
    pad = " " * indent
    line = f"{pad}from {module} import {imported}"
    return line if fits(line) else f"{pad}from {module} import (\n{pad}    {imported},\n{pad})"


def returns(hint: str) -> str:
    """The end of a method signature, `    ) -> HINT:`; an annotation too long for the line split inside
    its outermost brackets (the rarer cases where even that does not fit are black's)."""
    head = f"    ) -> {hint}:"
    opening = hint.find("[")
    inner = hint[opening + 1:-1] if hint.endswith("]") and opening >= 0 else ""
    if fits(head) or not inner or not fits(" " * 8 + inner):
        return head
    return f"    ) -> {hint[:opening + 1]}\n        {inner}\n    ]:"


def operation_constant(constant: str, hint: str) -> tuple[str, int, str]:
    """`CONSTANT: Operation[HINT] = Operation(` as black lays it out: (the opening lines, the indent
    of the keyword arguments that follow, the closing lines)."""
    head = f"{constant}: Operation[{hint}] = Operation("
    if fits(head):
        return head, 4, ")"
    if fits(f"{constant}: Operation[{hint}] = ("):
        return f"{constant}: Operation[{hint}] = (\n    Operation(", 8, "    )\n)"
    return f"{constant}: Operation[\n    {hint}\n] = Operation(", 4, ")"


def field(item: Field) -> str:
    """A model field's declaration, `name: hint = default`, in as many lines as black gives it."""
    target = f"{item.python_name}: {item.annotation}"
    if item.has_alias:
        inner = ("default=None, " if item.has_default else "") + "alias=" + escape.py_str(item.wire_name)
        value = f"Field({inner})"
    else:
        inner, value = "", "None" if item.has_default else ""
    if not value:
        return f"    {target}"
    if fits(f"    {target} = {value}"):
        return f"    {target} = {value}"
    if item.has_alias and fits(f"    {target} = Field(") and fits(" " * 8 + inner):
        return f"    {target} = Field(\n        {inner}\n    )"
    if fits(f"    {target} = (") and fits(" " * 8 + value):
        return f"    {target} = (\n        {value}\n    )"
    if fits(" " * 8 + item.annotation) and fits(f"    ) = {value}"):
        return f"    {item.python_name}: (\n        {item.annotation}\n    ) = {value}"
    lines = hint_lines(item.annotation, 8)
    if fits(f"    {item.python_name}: (") and fits(f"    ) = {value}") and lines:
        return "\n".join([f"    {item.python_name}: (", *lines, f"    ) = {value}"])
    # No layout we can be sure black would choose: one long line, which sends the file through black.
    return f"    {target} = {value}"


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


def py_tuple(values: tuple[Any, ...], indent: int, head: str = "", tail: str = "") -> str:
    """A tuple literal laid out as black lays it out: `head(a, b)tail` (`(a,)` for one item) on one
    line if it fits, else one item a line with a trailing comma."""
    pad = " " * indent
    items = [_literal(plain(value)) for value in values]
    one_line = f"{pad}{head}({', '.join(items)}{',' if len(items) == 1 else ''}){tail}"
    if fits(one_line) or not items:
        return one_line
    return "\n".join([f"{pad}{head}(", *(f"{pad}    {item}," for item in items), f"{pad}){tail}"])


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
