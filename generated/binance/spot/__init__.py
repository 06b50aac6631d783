"""Binance Spot API: a typed Python client generated from spec/openapi.yaml.

Everything is importable from here (`binance.spot.ApiClient`, an API class, a model); each name's
module is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

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
    "AsyncApiClient": ".async_api_client",
    "UserDataStreamApi": ".api.user_data_stream_api",
    "AsyncUserDataStreamApi": ".api.user_data_stream_api",
    "UserDataStream": ".user_data_stream",
    "AsyncUserDataStream": ".user_data_stream",
    "APIError": ".models.api_error",
    "SpotCreateUserDataStreamV3Resp": ".models.spot_create_user_data_stream_v3_resp",
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
    "AsyncUserDataStream",
    "AsyncUserDataStreamApi",
    "BadRequestException",
    "BinanceAuth",
    "Configuration",
    "ConflictException",
    "ExecutionStatusUnknownError",
    "ForbiddenException",
    "IPBannedException",
    "NotFoundException",
    "OpenApiException",
    "RateLimitException",
    "ResponseValidationError",
    "ServiceException",
    "SpotCreateUserDataStreamV3Resp",
    "UnauthorizedException",
    "UserDataStream",
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
    from .exceptions import ResponseValidationError as ResponseValidationError
    from .exceptions import ServiceException as ServiceException
    from .exceptions import UnauthorizedException as UnauthorizedException
    from .models.api_error import APIError as APIError
    from .models.spot_create_user_data_stream_v3_resp import (
        SpotCreateUserDataStreamV3Resp as SpotCreateUserDataStreamV3Resp,
    )
    from .user_data_stream import AsyncUserDataStream as AsyncUserDataStream
    from .user_data_stream import UserDataStream as UserDataStream
