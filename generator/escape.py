"""Spec text -> text safe for one output context: string literal, docstring, comment, Markdown, TOML.

Each function takes any string (hostile included) and returns text that, printed in its context,
stays data: it cannot end the literal, the docstring, the comment line, the table cell or the code block.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _lines(value: str) -> list[str]:
    """Split at every character anything treats as a line end (\\r, U+2028, ...), not just \\n."""
    return [_CONTROL.sub("", line) for line in str(value).splitlines()]


def one_line(value: str) -> str:
    return " ".join(part.strip() for part in _lines(value) if part.strip())


def py_str(value: str) -> str:
    """A Python string literal: repr() escapes quotes, backslashes and every unprintable character.

    Double quotes (black's and the docs' style) when repr() needed no escape and none is inside.
    """
    literal = repr(str(value))
    inner = literal[1:-1]
    if literal[0] == "'" and '"' not in inner and "\\" not in inner:
        return f'"{inner}"'
    return literal


def comment(value: str) -> str:
    """Text for a `# ...` comment: one line, no control characters."""
    return one_line(value)


def docstring(value: str, indent: int = 0) -> str:
    """Text for the inside of a triple-quoted docstring, continuation lines indented by `indent`."""
    lines = []
    for line in _lines(value):
        line = line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').rstrip()
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    text = ("\n" + " " * indent).join(lines).replace("\n" + " " * indent + "\n", "\n\n")
    text = re.sub(r"\n[ ]+\n", "\n\n", text)
    if text.endswith('"'):
        text += " "  # a docstring may not end in a quote: it would merge with the closing quotes
    return text


def md(value: str) -> str:
    """Inline Markdown, safe in a table cell or a heading: HTML escaped, pipes escaped, one line."""
    return html.escape(one_line(value), quote=False).replace("|", "\\|")


def md_block(value: str) -> str:
    """A Markdown paragraph: HTML escaped; lines that would open a code fence are neutralised."""
    out = []
    for line in _lines(value):
        escaped = html.escape(line, quote=False)
        if re.match(r"^\s{0,3}(```|~~~)", escaped):
            escaped = "\\" + escaped.lstrip()
        out.append(escaped)
    return "\n".join(out).strip("\n")


def toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's), ASCII only."""
    return json.dumps(unicodedata.normalize("NFC", str(value)), ensure_ascii=True)
