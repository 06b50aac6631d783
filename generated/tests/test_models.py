"""Every model with an example: parsed from the wire form and written back without loss."""

from __future__ import annotations

import json

import pytest

import binance.spot as package

from .cases import MODEL_CASES, ModelCase


def without_none(value: object) -> object:
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda case: case.model)
def test_round_trip(case: ModelCase) -> None:
    model = getattr(package, case.model)
    instance = model.from_dict(case.example)
    assert set(instance.to_dict()) == set(without_none(case.example))  # type: ignore[arg-type]
    assert model.from_dict(instance.to_dict()) == instance
    assert model.from_json(instance.to_json()) == instance
    assert json.loads(instance.to_json()) == instance.to_dict()


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda case: case.model)
def test_unknown_fields_are_kept(case: ModelCase) -> None:
    model = getattr(package, case.model)
    instance = model.from_dict({**case.example, "fieldAddedByTheServerLater": [1, "two"]})
    assert instance.to_dict()["fieldAddedByTheServerLater"] == [1, "two"]
