"""Binance Spot API: a typed Python client generated from spec/openapi.yaml.

Everything is importable from here (`binance.spot.ApiClient`, an API class, a model); each name's
module is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# Public names: name -> defining module, imported on first use: importing this package stays cheap.
_LAZY: dict[str, str] = {
    "ApiClient": ".api_client",
    "ApiResponse": ".api_response",
    "Configuration": "._binance",
    "BinanceAuth": ".auth",
    "ApiModel": ".base_model",
    "API": "._metadata",
    "OpenApiException": ".exceptions",
    "ApiException": ".exceptions",
    "ApiValueError": ".exceptions",
    "ApiTypeError": ".exceptions",
    "ApiConnectionError": ".exceptions",
    "ApiTimeoutError": ".exceptions",
    "BadRequestException": ".exceptions",
    "UnauthorizedException": ".exceptions",
    "ForbiddenException": ".exceptions",
    "NotFoundException": ".exceptions",
    "ConflictException": ".exceptions",
    "IPBannedException": ".exceptions",
    "RateLimitException": ".exceptions",
    "ServiceException": ".exceptions",
    "ResponseValidationError": ".exceptions",
    "ExecutionStatusUnknownError": ".exceptions",
    "ResponseTooLargeError": ".exceptions",
    "AsyncApiClient": ".async_api_client",
    "UserDataStreamApi": ".api.user_data_stream_api",
    "AsyncUserDataStreamApi": ".api.user_data_stream_api",
    "UserDataStream": ".user_data_stream",
    "AsyncUserDataStream": ".user_data_stream",
    "ListenKeyStream": ".listen_key_stream",
    "AsyncListenKeyStream": ".listen_key_stream",
    "WebSocketApiClient": ".websocket_api",
    "AsyncWebSocketApiClient": ".websocket_api",
    "WsConfiguration": ".ws_operation",
    "WsResponse": ".ws_operation",
    "APIError": ".models.api_error",
    "SpotCreateUserDataStreamV3Resp": ".models.spot_create_user_data_stream_v3_resp",
    "BalanceUpdate": ".models.balance_update",
    "EventStreamTerminated": ".models.event_stream_terminated",
    "ExecutionReport": ".models.execution_report",
    "ExternalLockUpdate": ".models.external_lock_update",
    "ListStatus": ".models.list_status",
    "ListStatusOModelItem": ".models.list_status_o_model_item",
    "OutboundAccountPosition": ".models.outbound_account_position",
    "OutboundAccountPositionBItem": ".models.outbound_account_position_b_item",
    "SessionStatus": ".models.session_status",
}

__all__ = [
    "API",
    "APIError",
    "ApiClient",
    "ApiConnectionError",
    "ApiException",
    "ApiModel",
    "ApiResponse",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "AsyncApiClient",
    "AsyncListenKeyStream",
    "AsyncUserDataStream",
    "AsyncUserDataStreamApi",
    "AsyncWebSocketApiClient",
    "BadRequestException",
    "BalanceUpdate",
    "BinanceAuth",
    "Configuration",
    "ConflictException",
    "EventStreamTerminated",
    "ExecutionReport",
    "ExecutionStatusUnknownError",
    "ExternalLockUpdate",
    "ForbiddenException",
    "IPBannedException",
    "ListStatus",
    "ListStatusOModelItem",
    "ListenKeyStream",
    "NotFoundException",
    "OpenApiException",
    "OutboundAccountPosition",
    "OutboundAccountPositionBItem",
    "RateLimitException",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServiceException",
    "SessionStatus",
    "SpotCreateUserDataStreamV3Resp",
    "UnauthorizedException",
    "UserDataStream",
    "UserDataStreamApi",
    "WebSocketApiClient",
    "WsConfiguration",
    "WsResponse",
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
    from ._binance import Configuration as Configuration
    from ._metadata import API as API
    from .api.user_data_stream_api import AsyncUserDataStreamApi as AsyncUserDataStreamApi
    from .api.user_data_stream_api import UserDataStreamApi as UserDataStreamApi
    from .api_client import ApiClient as ApiClient
    from .api_response import ApiResponse as ApiResponse
    from .async_api_client import AsyncApiClient as AsyncApiClient
    from .auth import BinanceAuth as BinanceAuth
    from .base_model import ApiModel as ApiModel
    from .exceptions import ApiConnectionError as ApiConnectionError
    from .exceptions import ApiException as ApiException
    from .exceptions import ApiTimeoutError as ApiTimeoutError
    from .exceptions import ApiTypeError as ApiTypeError
    from .exceptions import ApiValueError as ApiValueError
    from .exceptions import BadRequestException as BadRequestException
    from .exceptions import ConflictException as ConflictException
    from .exceptions import ExecutionStatusUnknownError as ExecutionStatusUnknownError
    from .exceptions import ForbiddenException as ForbiddenException
    from .exceptions import IPBannedException as IPBannedException
    from .exceptions import NotFoundException as NotFoundException
    from .exceptions import OpenApiException as OpenApiException
    from .exceptions import RateLimitException as RateLimitException
    from .exceptions import ResponseTooLargeError as ResponseTooLargeError
    from .exceptions import ResponseValidationError as ResponseValidationError
    from .exceptions import ServiceException as ServiceException
    from .exceptions import UnauthorizedException as UnauthorizedException
    from .listen_key_stream import AsyncListenKeyStream as AsyncListenKeyStream
    from .listen_key_stream import ListenKeyStream as ListenKeyStream
    from .models.api_error import APIError as APIError
    from .models.balance_update import BalanceUpdate as BalanceUpdate
    from .models.event_stream_terminated import EventStreamTerminated as EventStreamTerminated
    from .models.execution_report import ExecutionReport as ExecutionReport
    from .models.external_lock_update import ExternalLockUpdate as ExternalLockUpdate
    from .models.list_status import ListStatus as ListStatus
    from .models.list_status_o_model_item import ListStatusOModelItem as ListStatusOModelItem
    from .models.outbound_account_position import OutboundAccountPosition as OutboundAccountPosition
    from .models.outbound_account_position_b_item import (
        OutboundAccountPositionBItem as OutboundAccountPositionBItem,
    )
    from .models.session_status import SessionStatus as SessionStatus
    from .models.spot_create_user_data_stream_v3_resp import (
        SpotCreateUserDataStreamV3Resp as SpotCreateUserDataStreamV3Resp,
    )
    from .user_data_stream import AsyncUserDataStream as AsyncUserDataStream
    from .user_data_stream import UserDataStream as UserDataStream
    from .websocket_api import AsyncWebSocketApiClient as AsyncWebSocketApiClient
    from .websocket_api import WebSocketApiClient as WebSocketApiClient
    from .ws_operation import WsConfiguration as WsConfiguration
    from .ws_operation import WsResponse as WsResponse
