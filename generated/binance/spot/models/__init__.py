"""The models: one pydantic class per object schema of the spec."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Models: name -> defining module, imported on first use: importing this package stays cheap.
_LAZY: dict[str, str] = {
    "APIError": ".api_error",
    "SpotCreateUserDataStreamV3Resp": ".spot_create_user_data_stream_v3_resp",
}

__all__ = [
    "APIError",
    "SpotCreateUserDataStreamV3Resp",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:
    from .api_error import APIError as APIError
    from .spot_create_user_data_stream_v3_resp import (
        SpotCreateUserDataStreamV3Resp as SpotCreateUserDataStreamV3Resp,
    )
