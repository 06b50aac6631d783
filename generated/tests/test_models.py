"""Every model with an example: parsed from the wire form and written back without loss."""

from __future__ import annotations

import json
from typing import Any

import pytest

import binance.spot as package

from .cases import MODEL_CASES, ModelCase


def keys_set(example: dict[str, Any]) -> set[str]:
    """The fields an example gives a value: to_dict() leaves out those that are None."""
    return {key for key, value in example.items() if value is not None}


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda case: case.model)
def test_round_trip(case: ModelCase) -> None:
    model = getattr(package, case.model)
    instance = model.from_dict(case.example)
    assert set(instance.to_dict()) == keys_set(case.example)
    assert model.from_dict(instance.to_dict()) == instance
    assert model.from_json(instance.to_json()) == instance
    assert json.loads(instance.to_json()) == instance.to_dict()


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda case: case.model)
def test_unknown_fields_are_kept(case: ModelCase) -> None:
    model = getattr(package, case.model)
    instance = model.from_dict({**case.example, "fieldAddedByTheServerLater": [1, "two"]})
    assert instance.to_dict()["fieldAddedByTheServerLater"] == [1, "two"]
