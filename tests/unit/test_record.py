"""changelog.py reads back an API record it wrote (its digest is the memo's) by the record's layout,
leaving each operation and model as its line of text: that must read as json.loads reads the file,
and write back byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import changelog

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=12)
_KEYS = st.text(max_size=10)  # any text: quotes, backslashes, line breaks, "}," included
# A record's shape: objects three levels deep (top, surface, section), then one value per line.
_STATES = st.dictionaries(_KEYS, st.dictionaries(_KEYS, st.dictionaries(_KEYS, _VALUES, max_size=4) | _VALUES,
                                                 max_size=4) | _VALUES, min_size=1, max_size=4)


def _plain(value: Any) -> Any:
    if isinstance(value, changelog._Entry):
        return value.value()
    if isinstance(value, dict):
        return {key: _plain(member) for key, member in value.items()}
    return value


@settings(max_examples=300, deadline=None)
@given(state=_STATES)
def test_a_record_reads_as_json_and_writes_back_the_same(state: dict[str, Any]) -> None:
    text = changelog._dump(state) + "\n"
    loaded = changelog._load_own(text)
    assert _plain(loaded) == json.loads(text)
    assert changelog._dump(loaded) + "\n" == text


@pytest.mark.parametrize("text", [
    '{\n "a": 1\n}',  # no final line break
    '{\n  "a": 1\n}\n',  # indented as no level is
    '{\n "a": 1,\n}\n',  # a comma after the last member
    '{\n "a": 1\n "b": 2\n}\n',  # none between two
    '{\n "a": {\n  "b": 1\n}\n',  # a block never closed
    '{\n "a": 1\n}\n{\n "b": 1\n}\n',  # something after the record
    '{\n "a" 1\n}\n',
    '[\n]\n',
    '',
])
def test_text_not_in_the_layout_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        changelog._load_own(text)


def test_entries_are_parsed_only_where_the_two_surfaces_differ() -> None:
    surface = {"format": 1, "host": "h", "models": {"A": {"fields": []}, "B": {"fields": [1]}}, "operations": {}}
    old = changelog._load_own(changelog._dump({"api": surface}) + "\n")["api"]
    new = {**old, "models": {"A": old["models"]["A"], "B": {"fields": [2]}}}
    before, after = changelog._parsed(old, new)
    assert isinstance(before["models"]["A"], changelog._Entry) and before["models"]["A"] is after["models"]["A"]
    assert before["models"]["B"] == {"fields": [1]} and after["models"]["B"] == {"fields": [2]}
