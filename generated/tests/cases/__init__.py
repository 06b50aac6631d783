"""The test table: how to call each operation, what the server must receive, what it answers."""

from __future__ import annotations

from . import models, user_data_stream_api
from ._types import ModelCase, OperationCase

CASES: list[OperationCase] = [
    *user_data_stream_api.CASES,
]

MODEL_CASES: list[ModelCase] = models.MODEL_CASES

__all__ = ["CASES", "MODEL_CASES", "ModelCase", "OperationCase"]
