"""The models: one pydantic class per object schema of the spec."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Models: name -> defining module, imported on first use: importing this package stays cheap.
_LAZY: dict[str, str] = {
    "APIError": ".api_error",
    "SpotCreateUserDataStreamV3Resp": ".spot_create_user_data_stream_v3_resp",
    "BalanceUpdate": ".balance_update",
    "EventStreamTerminated": ".event_stream_terminated",
    "ExecutionReport": ".execution_report",
    "ExternalLockUpdate": ".external_lock_update",
    "ListStatus": ".list_status",
    "ListStatusOModelItem": ".list_status_o_model_item",
    "OutboundAccountPosition": ".outbound_account_position",
    "OutboundAccountPositionBItem": ".outbound_account_position_b_item",
    "SessionStatus": ".session_status",
}

__all__ = [
    "APIError",
    "BalanceUpdate",
    "EventStreamTerminated",
    "ExecutionReport",
    "ExternalLockUpdate",
    "ListStatus",
    "ListStatusOModelItem",
    "OutboundAccountPosition",
    "OutboundAccountPositionBItem",
    "SessionStatus",
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
    from .balance_update import BalanceUpdate as BalanceUpdate
    from .event_stream_terminated import EventStreamTerminated as EventStreamTerminated
    from .execution_report import ExecutionReport as ExecutionReport
    from .external_lock_update import ExternalLockUpdate as ExternalLockUpdate
    from .list_status import ListStatus as ListStatus
    from .list_status_o_model_item import ListStatusOModelItem as ListStatusOModelItem
    from .outbound_account_position import OutboundAccountPosition as OutboundAccountPosition
    from .outbound_account_position_b_item import (
        OutboundAccountPositionBItem as OutboundAccountPositionBItem,
    )
    from .session_status import SessionStatus as SessionStatus
    from .spot_create_user_data_stream_v3_resp import (
        SpotCreateUserDataStreamV3Resp as SpotCreateUserDataStreamV3Resp,
    )
