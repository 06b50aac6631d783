"""The API classes, one per tag of the spec."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# API classes: name -> defining module, imported on first use: importing this package stays cheap.
_LAZY: dict[str, str] = {
    "UserDataStreamApi": ".user_data_stream_api",
    "AsyncUserDataStreamApi": ".user_data_stream_api",
}

__all__ = [
    "AsyncUserDataStreamApi",
    "UserDataStreamApi",
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
    from .user_data_stream_api import AsyncUserDataStreamApi as AsyncUserDataStreamApi
    from .user_data_stream_api import UserDataStreamApi as UserDataStreamApi
