"""Incremental validation: with the last run's memo only changed path items are validated again, and
the problems reported are exactly those a full validation of the same document reports."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import validate
from generator.load import load


def _spec() -> dict[str, Any]:
    def operation(op_id: str) -> dict[str, Any]:
        return {"operationId": op_id, "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"}}}}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "memo", "version": "1"},
        "paths": {f"/p{i}": {"get": operation(f"op{i}")} for i in range(6)},
        "components": {"schemas": {"Thing": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["A", "B"], "default": "A"}}}}},
    }


def _validated(tmp_path: Path, document: dict[str, Any], memo: validate.Memo | None,
               name: str) -> tuple[list[str], validate.Memo | None, list[set[str] | None]]:
    """(problems as printed, the new memo, the `units` every validator run was limited to)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    loaded = load(path, "openapi.yaml")
    runs: list[set[str] | None] = []  # None: the whole document (each half is a run of its own)
    real = validate._findings

    def spy(*args: Any, **kwargs: Any) -> Any:
        runs.append(kwargs.get("units"))
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "_findings", spy)
        validation = validate.start(loaded.document, loaded.locate, "openapi.yaml", memo)
        problems = [str(d) for d in validation.wait()]
    return problems, validation.memo, runs


def _full(tmp_path: Path, document: dict[str, Any]) -> list[str]:
    return _validated(tmp_path, document, None, "full")[0]


def test_an_unchanged_document_validates_nothing_again(tmp_path: Path) -> None:
    document = _spec()
    first, memo, runs = _validated(tmp_path, document, None, "a")
    assert set(runs) == {None} and memo is not None
    again, _, runs = _validated(tmp_path, document, memo, "b")
    assert again == first
    assert runs == [set()]  # the validator ran over no path item at all


def test_an_edited_path_item_is_the_only_one_validated_and_its_new_error_is_found(tmp_path: Path) -> None:
    document = _spec()
    _, memo, _ = _validated(tmp_path, document, None, "a")
    edited = copy.deepcopy(document)
    edited["paths"]["/p3"]["get"]["parameters"][0]["in"] = "body"  # not a parameter location
    problems, memo, runs = _validated(tmp_path, edited, memo, "b")
    assert runs == [{"/p3"}]
    assert problems == _full(tmp_path, edited)
    assert any("/p3" in line or "~1p3" in line for line in problems)
    # Fixed again: the error goes, from the memo too.
    problems, _, runs = _validated(tmp_path, document, memo, "c")
    assert runs == [{"/p3"}]
    assert problems == _full(tmp_path, document) == []


def test_a_change_outside_paths_validates_everything(tmp_path: Path) -> None:
    document = _spec()
    _, memo, _ = _validated(tmp_path, document, None, "a")
    edited = copy.deepcopy(document)
    edited["components"]["schemas"]["Thing"]["properties"]["kind"]["default"] = "C"  # not in the enum
    problems, _, runs = _validated(tmp_path, edited, memo, "b")
    assert runs and set(runs) == {None}
    assert problems == _full(tmp_path, edited) and len(problems) == 1


def test_a_duplicate_operation_id_between_a_changed_and_an_unchanged_item_is_found(tmp_path: Path) -> None:
    document = _spec()
    _, memo, _ = _validated(tmp_path, document, None, "a")
    edited = copy.deepcopy(document)
    edited["paths"]["/p1"]["get"]["operationId"] = "op4"
    problems, memo, runs = _validated(tmp_path, edited, memo, "b")
    assert runs == [{"/p1"}]
    assert problems == _full(tmp_path, edited)
    assert [line for line in problems if "not unique" in line] == [
        "openapi.yaml:67:5: error: Operation ID 'op4' for 'get' in '/p4' is not unique (at #/paths/~1p4/get)"]
    # Renamed back: the unchanged /p4 is no longer a duplicate.
    problems, _, _ = _validated(tmp_path, document, memo, "c")
    assert problems == []


@pytest.mark.parametrize("memo", [
    {"format": 99},
    {"format": 1, "tool": "another version"},
    "not a memo",
    None,
])
def test_a_memo_from_elsewhere_means_a_full_validation(tmp_path: Path, memo: Any) -> None:
    document = _spec()
    _, good, _ = _validated(tmp_path, document, None, "a")
    assert good is not None
    if isinstance(memo, dict) and memo.get("format") == 1:
        memo = {**good, **memo}
    _, _, runs = _validated(tmp_path, document, memo, "b")
    assert runs and set(runs) == {None}


def test_a_tampered_finding_is_not_printed(tmp_path: Path) -> None:
    document = _spec()
    _, memo, _ = _validated(tmp_path, document, None, "a")
    assert memo is not None
    tampered = json.loads(json.dumps(memo))
    tampered["rest"][1] = [[None, "#/info", "\x1b[2Jcleared"]]
    problems, _, runs = _validated(tmp_path, document, tampered, "b")
    assert set(runs) == {None} and problems == []


def test_a_schema_made_to_contain_itself_in_a_changed_path_item_is_found(tmp_path: Path) -> None:
    """The search for self-containing schemas is skipped only when no ref can reach into `paths`."""
    document = _spec()
    _, memo, _ = _validated(tmp_path, document, None, "a")
    assert memo is not None and memo["paths_targeted"] is False
    edited = copy.deepcopy(document)
    here = "#/paths/~1p2/get/responses/200/content/application~1json/schema"
    edited["paths"]["/p2"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "allOf": [{"$ref": here}]}
    problems, _, _ = _validated(tmp_path, edited, memo, "b")
    assert problems == _full(tmp_path, edited)
    assert any(validate._SELF_CONTAINED in line for line in problems)


def test_after_a_ref_into_paths_the_search_is_not_skipped(tmp_path: Path) -> None:
    document = _spec()
    document["paths"]["/p1"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/paths/~1p0/get/responses/200/content/application~1json/schema"}
    _, memo, _ = _validated(tmp_path, document, None, "a")
    assert memo is not None and memo["paths_targeted"] is True
    edited = copy.deepcopy(document)
    edited["paths"]["/p0"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "allOf": [{"$ref": "#/paths/~1p1/get/responses/200/content/application~1json/schema"}]}
    problems, _, _ = _validated(tmp_path, edited, memo, "b")
    assert problems == _full(tmp_path, edited)
    assert any(validate._SELF_CONTAINED in line for line in problems)
