"""Incremental builds (build.build_incrementally): whatever changed between two documents, a build that
replays the last run's records gives exactly what a build from nothing gives: the same model (every
name, type, example), the same warnings, the same fingerprints.

The second document mixes the first with another: each entry (path item, component, top-level
member) is kept, taken from the other document, or dropped. Names then collide, move and disappear,
which is what replays must notice (schemas.Record).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from generator import build as build_stage
from generator import memo
from generator.config import Config
from generator.diagnostics import parts_from_pointer
from generator.schemas import Schemas
from tests.fuzz.strategies import broken_documents, documents

CONFIG = Config(package_name="client", lenient=True)
COVERAGE = Path(__file__).resolve().parents[1] / "e2e" / "specs" / "coverage" / "openapi.yaml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])


def _locate(pointer: str) -> tuple[str, int | None, int | None]:
    return "spec.yaml", len(pointer), None  # any function of the pointer: warnings are located again


def _build(document: dict[str, Any], previous: memo.BuildMemo | None) -> tuple[Any, list[Any], memo.BuildMemo]:
    return build_stage.build_incrementally(copy.deepcopy(document), CONFIG, "spec.yaml", _locate, previous)


def _assert_same(document: dict[str, Any], previous: memo.BuildMemo) -> memo.BuildMemo:
    """(A broken document may stop the build: validation reports it. Then both builds must stop.)"""
    try:
        full_api, full_warnings, _ = _build(document, None)
    except Exception as exc:
        with pytest.raises(type(exc)):
            _build(document, previous)
        return previous
    api, warnings, kept = _build(document, previous)
    assert api == full_api
    assert api.fingerprints == full_api.fingerprints
    assert warnings == full_warnings
    return kept


def _entries(document: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    return {parts_from_pointer(p): _at(document, parts_from_pointer(p)) for p in memo.entries(document)}


def _at(node: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        node = node[part]
    return node


def _mixed(first: dict[str, Any], second: dict[str, Any], choices: list[int]) -> dict[str, Any]:
    """first, each entry of it or of second kept (0), taken from second (1) or dropped (2)."""
    mixed: dict[str, Any] = {}
    a, b = _entries(first), _entries(second)
    for index, parts in enumerate(list(dict.fromkeys([*a, *b]))):
        choice = choices[index % len(choices)] if choices else 0
        value = a.get(parts) if choice == 0 else b.get(parts) if choice == 1 else None
        if value is None and choice == 0 and parts not in a:
            value = b.get(parts)
        if value is None:
            continue
        node = mixed
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = copy.deepcopy(value)
    mixed.setdefault("openapi", "3.0.3")
    mixed.setdefault("info", {"title": "mixed", "version": "1"})
    mixed.setdefault("paths", {})
    return mixed


@SETTINGS
@given(documents(), documents(), st.lists(st.integers(0, 2), max_size=12))
def test_a_replayed_build_is_a_full_build(first: dict[str, Any], second: dict[str, Any], choices: list[int]) -> None:
    _, _, kept = _build(first, None)
    mixed = _mixed(first, second, choices)
    kept = _assert_same(mixed, kept)
    _assert_same(first, kept)  # and back


@settings(SETTINGS, max_examples=max(1, EXAMPLES // 2))
@given(broken_documents(), documents(), st.lists(st.integers(0, 2), max_size=12))
def test_a_replayed_build_of_a_broken_document_is_a_full_build(first: dict[str, Any], second: dict[str, Any],
                                                                  choices: list[int]) -> None:
    try:
        _, _, kept = _build(first, None)
    except Exception:
        assume(False)
    _assert_same(_mixed(first, second, choices), kept)


def _coverage() -> dict[str, Any]:
    return yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))


def _rename_operation(document: dict[str, Any]) -> None:
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operation["operationId"] += "Renamed"
                return


def _swap_paths(document: dict[str, Any]) -> None:
    items = list(document["paths"].items())
    document["paths"] = dict(reversed(items))


def _retag(document: dict[str, Any]) -> None:
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["tags"] = ["Other"]
                return


def _inline_twin(document: dict[str, Any]) -> None:
    """A copy of the first path item under a new path: every inline model name is wanted twice."""
    path, item = next(iter(document["paths"].items()))
    twin = copy.deepcopy(item)
    for operation in twin.values():
        if isinstance(operation, dict) and "operationId" in operation:
            operation["operationId"] += "Twin"
    document["paths"] = {path + "/twin": twin, **document["paths"]}


def _retype_component(document: dict[str, Any]) -> None:
    for schema in document["components"]["schemas"].values():
        if isinstance(schema.get("properties"), dict) and schema["properties"]:
            first = next(iter(schema["properties"]))
            schema["properties"][first] = {"type": "integer", "example": 1}
            return


def _drop_component(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    del schemas[next(iter(schemas))]


EDITS: list[Callable[[dict[str, Any]], None]] = [
    _rename_operation, _swap_paths, _retag, _inline_twin, _retype_component, _drop_component,
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__.strip("_"))
def test_an_edit_of_the_coverage_spec_builds_as_a_full_build_does(edit: Callable[[dict[str, Any]], None]) -> None:
    document = _coverage()
    _, _, kept = _build(document, None)
    edited = copy.deepcopy(document)
    edit(edited)
    assert yaml.safe_dump(edited, sort_keys=False) != yaml.safe_dump(document, sort_keys=False)
    kept = _assert_same(edited, kept)
    _assert_same(document, kept)


def test_an_untouched_unit_is_replayed_and_a_touched_one_made_again() -> None:
    document = _coverage()
    _, _, kept = _build(document, None)
    edited = copy.deepcopy(document)
    path, item = next(iter(edited["paths"].items()))
    operation = next(op for op in item.values() if isinstance(op, dict) and "responses" in op)
    operation["summary"] = "changed"
    _, _, again = _build(edited, kept)
    fresh = [key for key, record in again.records.items() if kept.records.get(key) is not record]
    assert fresh and all(key[0] == "operation" and key[1] == path for key in fresh)
    assert len(again.records) == len(kept.records)


def test_a_record_that_no_longer_fits_is_undone() -> None:
    """A replay that meets a different answer midway leaves the state as it found it."""
    schemas = Schemas({}, _locate)
    taken = schemas.claim("class", "Thing")
    assert taken == "Thing"
    events = (("claim", "class", "Other", "Other"), ("claim", "class", "Thing", "Thing"))
    assert not schemas._replayed(events)
    assert schemas.class_names.is_free("Other") and not schemas.class_names.is_free("Thing")


def test_a_value_equal_in_python_but_not_in_the_output_is_a_change() -> None:
    """1 == True == 1.0 in Python; the generated code tells them apart, so the digests must too."""
    document = _coverage()
    schema = next(s for s in document["components"]["schemas"].values() if isinstance(s.get("properties"), dict))
    schema["example"] = {name: 1 for name in schema["properties"]}
    _, _, kept = _build(document, None)
    for value in (True, 1.0):
        edited = copy.deepcopy(document)
        edited["components"]["schemas"][schema_name(document, schema)]["example"] = {
            name: value for name in schema["properties"]}
        assert memo.changed(kept.entries, memo.entries(edited))
        _assert_same(edited, kept)


def schema_name(document: dict[str, Any], schema: dict[str, Any]) -> str:
    return next(name for name, s in document["components"]["schemas"].items() if s is schema)
