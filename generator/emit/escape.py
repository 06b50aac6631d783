"""Spec text -> text safe for one output context: string literal, docstring, comment, Markdown, TOML.

Each function takes any string (hostile included) and returns text that, printed in its context,
stays data: it cannot end the literal, the docstring, the comment line, the table cell or the code block.
"""

from __future__ import annotations

import re
import unicodedata

LINE_LENGTH = 100  # of generated code, as black formats it (layout.py and format.py use it too)

# Control characters, and the bidirectional overrides that can make an editor show code in an order
# other than the one Python reads ("Trojan Source", CVE-2021-42574): dropped from docstrings,
# comments and Markdown (string literals escape them instead).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _lines(value: str) -> list[str]:
    """Split at every character anything treats as a line end (\\r, U+2028, ...), not just \\n."""
    return [_CONTROL.sub("", line) for line in str(value).splitlines()]


def one_line(value: str) -> str:
    return " ".join(part.strip() for part in _lines(value) if part.strip())


def py_str(value: str) -> str:
    """A Python string literal, quoted the way black quotes it (so black leaves it alone).

    repr() escapes backslashes and every unprintable character. Black prefers double quotes and
    switches to single ones only when that needs fewer backslashes.
    """
    literal = repr(str(value))
    if literal[0] == '"':  # repr only picks double quotes for text with ' and no ": black agrees
        return literal
    # In repr's single-quoted body every ' is escaped and no " is; swap which quote is escaped.
    body = literal[1:-1].replace("\\'", "'")
    double = '"' + body.replace('"', '\\"') + '"'
    return literal if literal.count("\\") < double.count("\\") else double


def comment(value: str) -> str:
    """Text for a `# ...` comment: one line, no control characters."""
    return one_line(value)


def docstring(value: str, indent: int = 0, first: bool = True, last: bool = True) -> str:
    """Text for the inside of a triple-quoted docstring, continuation lines indented by `indent`.

    Normalised as black normalises docstrings (so black leaves it alone): no trailing blanks, common
    indentation of continuation lines removed, a space between a quote and the opening (`first`) or
    closing (`last`) quotes when the text starts or ends the docstring.
    """
    lines = [line.replace("\\", "\\\\").replace("\t", "\\t").replace('"""', '\\"\\"\\"').rstrip()
             for line in _lines(value)]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return ""
    lines[0] = lines[0].lstrip()
    rest = [line for line in lines[1:] if line]
    common = min((len(line) - len(line.lstrip(" ")) for line in rest), default=0)
    lines[1:] = [line[common:] for line in lines[1:]]
    text = "\n".join((" " * indent + line) if line and i else line for i, line in enumerate(lines))
    if first and text.startswith('"'):
        text = " " + text
    if last and len(lines) > 1 and len(text.rpartition("\n")[2]) + 3 > LINE_LENGTH:
        # Closing quotes that would overflow the last line go on a line of their own (black's rule
        # for a docstring; a string after a field's declaration, it leaves either way).
        return text + "\n" + " " * indent
    if last and text.endswith('"'):
        text += " "  # a docstring may not end in a quote: it would merge with the closing quotes
    return text


def _html(text: str) -> str:
    """html.escape(text, quote=False), without importing html (and its entity tables) for it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md(value: str) -> str:
    """Inline Markdown, safe in a table cell or a heading: HTML escaped, pipes escaped, one line."""
    return _html(one_line(value)).replace("|", "\\|")


def md_block(value: str) -> str:
    """A Markdown paragraph: HTML escaped; lines that would open a code fence are neutralised."""
    out = []
    for line in _lines(value):
        escaped = _html(line)
        if re.match(r"^\s{0,3}(```|~~~)", escaped):
            escaped = "\\" + escaped.lstrip()
        out.append(escaped)
    return "\n".join(out).strip("\n")


def toml_str(value: str) -> str:
    """A TOML basic string, ASCII only.

    Not json.dumps: JSON writes a character beyond U+FFFF as a surrogate pair (`\\ud83d\\ude00`) and
    leaves DEL bare, and TOML accepts neither; it wants `\\U0001f600` and `\\u007f`.
    """
    out = ['"']
    for char in unicodedata.normalize("NFC", str(value)):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif 0xD800 <= code <= 0xDFFF:  # a lone surrogate is no character at all: TOML has no escape for it
            out.append("\\ufffd")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)
