"""Python layout: the rules by which generated code is laid out as black lays it out, in one place.

Templates print what these functions return; none of them decides a name, a type or an import, only
where lines break. Because the built-in templates' output is already in black's layout, black runs
only on the rare file where these rules give up (format.py; tests/golden/test_black_stable.py runs
black over several specs' output and requires it to change nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..model.api import Field
from ..model.naming import import_order
from ..model.samples import Code, plain
from . import escape
from .escape import (
    LINE_LENGTH as LINE_LENGTH,  # black's line length for generated code (format.py's too)
)


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
    """The end of a method signature, `    ) -> HINT:`; a hint too long for it split as black splits
    it: a union in parentheses, one operand a line; a subscript inside its brackets. The rare
    hint black would leave long comes back on one line (black then formats the file)."""
    head = f"    ) -> {hint}:"
    if fits(head):
        return head
    if len(_top_level(hint, " | ")) > 1:
        inner = hint_lines(hint, 8)
        return "\n".join(["    ) -> (", *inner, "    ):"]) if inner else head
    lines = hint_lines(hint, 4, ") -> ", ":")
    return "\n".join(lines) if lines else head


def operation_constant(constant: str, hint: str) -> tuple[str, int, str]:
    """`CONSTANT: Operation[HINT] = Operation(` as black lays it out: (the opening lines, the indent
    of the keyword arguments that follow, the closing lines)."""
    head = f"{constant}: Operation[{hint}] = Operation("
    if fits(head):
        return head, 4, ")"
    if fits(f"{constant}: Operation[{hint}] = ("):
        return f"{constant}: Operation[{hint}] = (\n    Operation(", 8, "    )\n)"
    inner = hint_lines(hint, 4) or [f"    {hint}"]
    return "\n".join([f"{constant}: Operation[", *inner, "] = Operation("]), 4, ")"


def parameter(name: str, annotation: str, optional: bool) -> str:
    """One parameter of an exploded signature, `name: HINT[ = None],`, at a method's indent."""
    return _annotated(8, name, annotation, " = None," if optional else ",", parameter=True)


def alias(name: str, hint: str, indent: int = 4) -> str:
    """`NAME: TypeAlias = HINT` (a union alias), in parentheses when it is too long for a line."""
    pad = " " * indent
    line = f"{pad}{name}: TypeAlias = {hint}"
    if fits(line):
        return line
    inner = hint_lines(hint, indent + 4)
    return "\n".join([f"{pad}{name}: TypeAlias = (", *inner, f"{pad})"]) if inner else line


def assigned(name: str, value: str, indent: int = 4) -> str:
    """`NAME = VALUE` where VALUE is a subscript (`Annotated[...]`), split inside its brackets."""
    line = f"{' ' * indent}{name} = {value}"
    if fits(line):
        return line
    lines = hint_lines(value, indent, f"{name} = ")
    return "\n".join(lines) if lines else line


def _annotated(indent: int, name: str, hint: str, tail: str, parameter: bool) -> str:
    """`name: HINT<tail>` as black lays it out when too long: a union in parentheses (one operand a
    line if need be); a subscript split inside its brackets; a bare name in parentheses for a field
    (a parameter's is left as it is). Else the one line, which black formats."""
    pad = " " * indent
    one = f"{pad}{name}: {hint}{tail}"
    if fits(one):
        return one
    lines: list[str] | None
    if len(_top_level(hint, " | ")) > 1:
        inner = hint_lines(hint, indent + 4)
        lines = [f"{pad}{name}: (", *inner, f"{pad}){tail}"] if inner and fits(f"{pad}){tail}") else None
    elif hint.endswith("]") and hint.find("[") > 0:
        lines = hint_lines(hint, indent, f"{name}: ", tail)
    elif parameter:
        return one  # black cannot split it either (format.black_would_change knows)
    else:
        inner_line = f"{pad}    {hint}"
        lines = [f"{pad}{name}: (", inner_line, f"{pad}){tail}"] if fits(inner_line) else None
    return "\n".join(lines) if lines and fits(lines[0]) else one


def field(item: Field) -> str:
    """A model field's declaration, `name: hint = default`, in as many lines as black gives it."""
    target = f"{item.python_name}: {item.annotation}"
    if item.has_alias:
        inner = ("default=None, " if item.has_default else "") + "alias=" + escape.py_str(item.wire_name)
        value = f"Field({inner})"
    else:
        inner, value = "", "None" if item.has_default else ""
    tail = f" = {value}" if value else ""
    if fits(f"    {target}{tail}"):
        return f"    {target}{tail}"
    # black tries these first: the value split, the annotation kept whole
    if item.has_alias and fits(f"    {target} = Field(") and fits(" " * 8 + inner):
        return f"    {target} = Field(\n        {inner}\n    )"
    if value and fits(f"    {target} = (") and fits(" " * 8 + value):
        return f"    {target} = (\n        {value}\n    )"
    return _annotated(4, item.python_name, item.annotation, tail, parameter=False)


def import_sorted(table: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, module) pairs in the order isort keeps their `from MODULE import NAME` lines."""
    return sorted(table, key=lambda item: (import_order(item[1]), item[0]))


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


def py_tuples(value: tuple[tuple[str, ...], ...]) -> str:
    """A tuple of tuples of strings on one line, as black writes it: `(("a",), ("b", "c"), ())`."""
    return _tuple([_tuple([_quoted(item) for item in items]) for items in value])


def _tuple(items: list[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


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


def hint_lines(hint: str, indent: int, prefix: str = "", suffix: str = "") -> list[str] | None:
    """A type hint (at `indent`, after `prefix`, before `suffix`) split as black splits it: on one
    line if it fits; else at its top-level `|`, the operator leading each later operand; else
    inside its last bracket, the inside on one line if it fits there, else one comma-separated item
    a line with a trailing comma, each split the same way. None for a bare name that does not fit
    (black leaves those long: no layout of ours would be black's)."""
    pad = " " * indent
    if fits(pad + prefix + hint + suffix):
        return [pad + prefix + hint + suffix]
    operands = _top_level(hint, " | ")
    if len(operands) > 1:
        lines: list[str] = []
        for index, operand in enumerate(operands):
            part = hint_lines(operand, indent, "| " if index else prefix,
                              suffix if index == len(operands) - 1 else "")
            if part is None:
                return None
            lines += part
        return lines
    opening = hint.find("[")
    if not (hint.endswith("]") and opening > 0):
        return None
    head = pad + prefix + hint[:opening + 1]
    close = pad + "]" + suffix
    if not (fits(head) and fits(close)):
        return None
    inside = hint[opening + 1:-1]
    items = _top_level(inside, ", ")
    body: list[str] | None
    if fits(" " * (indent + 4) + inside):
        body = [" " * (indent + 4) + inside]
    elif len(items) > 1:
        body = []
        for item in items:
            part = hint_lines(item, indent + 4, "", ",")
            if part is None:
                return None
            body += part
    else:
        body = hint_lines(inside, indent + 4)
    return [head, *body, close] if body is not None else None


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
