"""Every model with an example: the data its round-trip test starts from."""

from __future__ import annotations

from ._types import ModelCase

MODEL_CASES: list[ModelCase] = [
    ModelCase(
        model="APIError",
        example={"code": -1125, "msg": "This listenKey does not exist."},
    ),
    ModelCase(
        model="SpotCreateUserDataStreamV3Resp",
        example={"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"},
    ),
]
