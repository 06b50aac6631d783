"""Made-up sample values keep to their schema: held against jsonschema, the reference validator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model.samples import synthetic, within_constraints
from tests.conftest import REPO
from tests.unit.test_build import make, spec

SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer", "format": "int64", "maximum": 60000},  # Binance's recvWindow
    {"type": "integer", "minimum": 5, "maximum": 10},
    {"type": "integer", "minimum": 0, "maximum": 1000, "multipleOf": 7},
    {"type": "integer", "minimum": 100},
    {"type": "integer", "exclusiveMaximum": 0},
    {"type": "number", "minimum": 1, "exclusiveMinimum": 2},
    {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01},
    {"type": "number", "maximum": -3.5},
    {"type": "string", "maxLength": 3},
    {"type": "string", "minLength": 12},
    {"type": "string", "pattern": "^[A-Z0-9-_.]{1,20}$"},
    {"type": "string", "pattern": r"^(\d{4})-(\d{2})$"},
    {"type": "string", "pattern": r"^[a-z]+@[a-z]+\.com$"},
    {"type": "string", "pattern": r"^\w+$", "minLength": 10, "maxLength": 12},
    {"type": "string", "pattern": "^(BUY|SELL)$"},
    {"type": "string", "pattern": "[^a-zA-Z]"},
    {"type": "string", "pattern": r"^(?=.*\d)[a-z\d]{8}$"},
    {"type": "string", "pattern": r"^(ab)\1$"},
    {"type": "string", "format": "email"},
    {"type": "string", "format": "uuid", "pattern": "^[0-9a-f-]{36}$"},
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_a_made_up_value_keeps_to_its_schema(schema: dict[str, Any]) -> None:
    value = synthetic(schema["type"], schema)
    jsonschema.validate(value, schema, format_checker=jsonschema.FormatChecker())
    assert within_constraints(value, schema)


def test_the_same_schema_gives_the_same_value_under_every_hash_seed() -> None:
    # Sets and dicts of strings iterate in a seed-dependent order: a sampler that picked from one
    # (as rstr does) would change the generated output from run to run.
    code = ("import json, sys; from generator.model.samples import synthetic; "
            "print(json.dumps([synthetic(s['type'], s) for s in json.loads(sys.argv[1])]))")
    runs = {subprocess.run([sys.executable, "-c", code, json.dumps(SCHEMAS)], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
                           timeout=60).stdout
            for seed in ("0", "1", "12345")}
    assert len(runs) == 1


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(["integer", "number"]), low=st.integers(-10**6, 10**6), room=st.integers(0, 10**4),
       step=st.sampled_from([None, 1, 2, 5, 10, 0.5, 0.25]), open_low=st.booleans())
def test_bounds_with_room_are_kept(kind: str, low: int, room: int, step: float | None, open_low: bool) -> None:
    schema: dict[str, Any] = {"type": kind, "minimum": low, "maximum": low + room + 20}
    if open_low:
        schema["exclusiveMinimum"] = True
    if step is not None and (kind == "number" or float(step).is_integer()):
        schema["multipleOf"] = int(step) if kind == "integer" else step
    value = synthetic(kind, schema)
    draft4 = {**schema, "exclusiveMinimum": True} if open_low else schema  # 3.0's boolean form is draft 4's
    jsonschema.Draft4Validator(draft4).validate(value)


def test_spec_examples_outside_their_bounds_are_replaced_in_samples() -> None:
    api = make(spec({"/order": {"get": {"operationId": "GetOrder", "parameters": [
        {"name": "recvWindow", "in": "query", "schema": {"type": "integer", "format": "int64", "maximum": 60000},
         "example": 1499827319559},
        {"name": "symbol", "in": "query", "required": True,
         "schema": {"type": "string", "pattern": "^[A-Z0-9-_.]{1,20}$", "example": "btc usdt"}},
    ], "responses": {"200": {"description": "ok"}}}}}))
    (op,) = api.operations
    samples = {p.wire_name: p.example.value for p in op.parameters}
    assert samples == {"recvWindow": 60000, "symbol": "A"}
