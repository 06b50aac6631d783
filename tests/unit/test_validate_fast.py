"""The schema half's compiled pre-check (jsonschema-rs) may only ever skip jsonschema on documents
jsonschema finds nothing wrong with: never laxer, so what is reported never depends on it."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from generator.spec import validate
from generator.spec.load import load
from tests.fuzz.strategies import broken_documents

ROOT = Path(__file__).resolve().parents[2]
SPOT = ROOT.parent / "shared" / "specs" / "binance-spot.openxapi.yaml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20")) * 2


def _base() -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def _variant(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = _base()
    node: Any = document
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return document


# Places where the compiled and the Python validator could disagree: numbers that are whole floats,
# booleans for integers, "$" before a final newline, formats, unknown keys, extension keys.
INVALID = [
    _variant(("components", "schemas", "A"), {"maxLength": 5.0}),
    _variant(("components", "schemas", "A"), {"maxLength": True}),
    _variant(("components", "schemas", "A"), {"type": "strin"}),
    _variant(("components", "schemas", "A"), {"minimum": "1"}),
    _variant(("components", "schemas", "A"), {"required": []}),
    _variant(("paths", "/a", "get", "responses", "2000"), {"description": "x"}),
    _variant(("paths", "/a", "get", "parameters"), [{"name": "q", "in": "body"}]),
    _variant(("paths", "a"), {}),
    _variant(("info", "version"), 1),
    _variant(("servers",), [{"url": 1}]),
    _variant(("unknown",), True),
]
VALID = [
    _base(),
    _variant(("x-anything",), {"nested": [1, 2.5, None]}),
    _variant(("paths", "/a", "get", "responses", "200\n"), {"description": "x"}),
    _variant(("components", "schemas", "A"), {"type": "string", "format": "not-a-format"}),
    _variant(("components", "schemas", "A"), {"maxLength": 10**30}),
]


def _schema_errors_of(document: dict[str, Any]) -> list[str]:
    return sorted(f"{list(e.absolute_path)} {e.message}" for e in validate._schema_validator("3.0").iter_errors(document))


def _agrees(document: dict[str, Any]) -> None:
    """Whenever jsonschema reports an error, the compiled check says the document is not valid."""
    fast = validate._fast_schema_check("3.0")
    assert fast is not None
    if _schema_errors_of(document):
        assert not fast(document), _schema_errors_of(document)


def test_the_compiled_check_is_used_for_3_0_only() -> None:
    assert validate._fast_schema_check("3.0") is not None  # jsonschema-rs is a pinned dependency
    assert validate._fast_schema_check("3.1") is None  # its dialect $dynamicRef is not followed


@pytest.mark.parametrize("document", INVALID + VALID)
def test_never_laxer_on_the_known_differences(document: dict[str, Any]) -> None:
    _agrees(document)


@pytest.mark.parametrize("document", INVALID)
def test_invalid_documents_are_reported_by_jsonschema(document: dict[str, Any]) -> None:
    assert _schema_errors_of(document)
    assert list(validate._schema_errors(document, "3.0"))  # fell back to jsonschema


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                                 HealthCheck.filter_too_much])
@given(document=broken_documents())
def test_never_laxer_on_random_broken_documents(document: dict[str, Any]) -> None:
    document = copy.deepcopy(document)
    if str(document.get("openapi", "")).startswith("3.0"):
        _agrees(document)


@pytest.mark.skipif(not SPOT.is_file(), reason="../shared/specs is not on this machine")
def test_spot_gives_the_same_diagnostics_with_and_without_it(tmp_path: Path) -> None:
    loaded = load(SPOT, "binance-spot.yaml")
    fast = [str(d) for d in validate.validate(loaded.document, loaded.locate, "binance-spot.yaml")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "_fast_schema_check", lambda version: None)
        slow = [str(d) for d in validate.validate(loaded.document, loaded.locate, "binance-spot.yaml")]
    assert fast == slow and len(fast) == 15


def test_a_written_invalid_spec_reports_the_same_either_way(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(INVALID[0] | {"x-note": "\u2028"}), encoding="utf-8")
    loaded = load(spec, "openapi.yaml")
    fast = [str(d) for d in validate.validate(loaded.document, loaded.locate, "openapi.yaml")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "_fast_schema_check", lambda version: None)
        slow = [str(d) for d in validate.validate(loaded.document, loaded.locate, "openapi.yaml")]
    assert fast == slow and any("5.0" in line for line in fast)
