"""Each escaping filter keeps hostile spec text inert in its output context."""

from __future__ import annotations

import ast

import pytest

from generator.emit import escape

HOSTILE = [
    'plain',
    'quote " and \' both',
    '"""; import os; os.system("echo pwned"); """',
    "'''",
    "back\\slash\\",
    "ends with a quote\"",
    "line\nbreak",
    "carriage\rreturn",
    "sep\u2028arator\u2029",
    "{{ jinja }} {% if %}",
    "| pipe | table |",
    "<script>alert(1)</script>",
    "```python\nimport os\n```",
    "nul\x00byte\x07bell",
    "\\N{BULLET} \\x41 \\u0041",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_string_literal_round_trips(text: str) -> None:
    literal = escape.py_str(text)
    tree = ast.parse(f"x = {literal}\n")
    assert len(tree.body) == 1
    assert ast.literal_eval(literal) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_stays_one_docstring(text: str) -> None:
    source = f'def f():\n    """{escape.docstring(text, 4)}"""\n    return 1\n'
    tree = ast.parse(source)
    (function,) = tree.body
    assert isinstance(function, ast.FunctionDef)
    assert len(function.body) == 2  # the docstring and the return: nothing was injected
    doc = ast.get_docstring(function, clean=False) or ""
    for word in ("pwned", "jinja", "pipe"):
        if word in text:
            assert word in doc


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_is_one_line(text: str) -> None:
    source = f"x = 1  # {escape.comment(text)}\ny = 2\n"
    tree = ast.parse(source)
    assert [type(node) for node in tree.body] == [ast.Assign, ast.Assign]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_cell_cannot_break_the_table(text: str) -> None:
    cell = escape.md(text)
    assert "\n" not in cell and "\r" not in cell
    assert "|" not in cell.replace("\\|", "")
    assert "<" not in cell and ">" not in cell


def test_markdown_block_cannot_open_a_code_fence() -> None:
    block = escape.md_block("text\n```python\nimport os\n```")
    assert not any(line.startswith("```") for line in block.splitlines())


def test_toml_string_is_one_basic_string() -> None:
    import tomllib

    for text in HOSTILE:
        assert tomllib.loads(f"x = {escape.toml_str(text)}\n")["x"] == text
