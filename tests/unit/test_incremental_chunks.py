"""The source tier (generator/incremental/chunks.py): a parse made from the last one and the changed
path items parsed alone is the whole file's parse, node for node and position for position; and
whatever it cannot make that way, it leaves to a whole parse."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from generator.diagnostics import parts_from_pointer
from generator.incremental import chunks
from generator.spec.source import SourceFile, parse_source

COVERAGE = Path(__file__).resolve().parents[1] / "e2e" / "specs" / "coverage" / "openapi.yaml"
TEXT = COVERAGE.read_text(encoding="utf-8")


def whole(text: str) -> SourceFile:
    source, problems = parse_source(text.encode(), "openapi.yaml")
    assert source is not None and problems == []
    return source


def kept(text: str) -> str:
    cut = chunks.cut(text)
    assert cut is not None
    record = chunks.record(whole(text), cut)
    assert record is not None
    return record


def from_record(text: str, record: str) -> tuple[SourceFile | None, int]:
    cut = chunks.cut(text)
    assert cut is not None
    return chunks.parse(text.encode(), text, cut, record, "openapi.yaml")


def assert_same(made: SourceFile, expected: SourceFile) -> None:
    assert marshal.dumps(made.data) == marshal.dumps(expected.data)  # key order and types too
    assert made.values == expected.values and made.keys == expected.keys
    assert sorted((s.pointer, s.ref, s.position) for s in made.refs) == sorted(
        (s.pointer, s.ref, s.position) for s in expected.refs)
    for site in made.refs:
        node = made.data
        for part in parts_from_pointer(site.pointer):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert node is site.holder


EDITS = {
    "a summary": [("summary: One owner, with pets of every kind", "summary: One owner (edited)")],
    "a line more": [("      operationId: getOwner\n", "      operationId: getOwner\n      x-note: added\n")],
    "a line less": [("      summary: One owner, with pets of every kind\n", "")],
    "a path renamed": [("  /pets:\n", "  /animals:\n")],
    "two paths": [("      operationId: getOwner\n", "      operationId: getOwner\n      x-a: 1\n      x-b: 2\n"),
                  ("  /health:\n", "  /health:\n    x-c: 3\n")],
}


@pytest.mark.parametrize("name", EDITS)
def test_an_edit_inside_path_items_parses_them_alone(name: str) -> None:
    text = TEXT
    for old, new in EDITS[name]:
        assert old in text
        text = text.replace(old, new, 1)
    made, changed = from_record(text, kept(TEXT))
    assert made is not None and changed == len(EDITS[name])
    assert_same(made, whole(text))
    # and its record serves the next run as well as a whole parse's
    cut = chunks.cut(text)
    assert cut is not None
    back, _ = from_record(TEXT, chunks.record(made, cut) or "")
    assert back is not None
    assert_same(back, whole(TEXT))


def test_loaders_rewritten_refs_are_put_back() -> None:
    source = whole(TEXT)
    for site in source.refs:
        site.holder["$ref"] = "#/rewritten"
    cut = chunks.cut(TEXT)
    assert cut is not None
    record = chunks.record(source, cut)
    made, _ = from_record(TEXT, record or "")
    assert made is not None
    assert_same(made, whole(TEXT))


FALLBACKS = {
    "outside the paths": ("title: ", "title: Edited "),
    "an anchor defined": ("      summary: One owner, with pets of every kind\n",
                          "      summary: &s One owner, with pets of every kind\n"),
    "an alias to elsewhere": ("      summary: One owner, with pets of every kind\n", "      summary: *s\n"),
    "a quote left open": ("summary: One owner, with pets of every kind", 'summary: "One owner, with pets'),
    "a path twice": ("  /pets:\n", "  /health:\n"),
}


@pytest.mark.parametrize("name", FALLBACKS)
def test_what_it_cannot_make_is_left_to_a_whole_parse(name: str) -> None:
    old, new = FALLBACKS[name]
    assert old in TEXT
    assert from_record(TEXT.replace(old, new, 1), kept(TEXT)) == (None, 0)


def test_files_of_other_shapes_are_not_cut() -> None:
    assert chunks.cut("openapi: 3.0.3\npaths: {}\n") is None
    assert chunks.cut(TEXT.replace("\n", "\r\n")) is None
    assert chunks.cut("%YAML 1.1\n---\n" + TEXT) is None
    assert chunks.cut(TEXT.replace("  /pets:\n", "  ? /pets\n  :\n")) is None


def test_a_record_written_by_hand_is_no_record() -> None:
    assert from_record(TEXT, "not a record") == (None, 0)
