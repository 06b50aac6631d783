"""UserDataStreamApi: the operations tagged "User Data Stream"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._metadata import API
from ..api_client import ApiClient
from ..api_response import ApiResponse
from ..operation import Operation, Param

if TYPE_CHECKING:
    from ..async_api_client import AsyncApiClient
    from ..models.spot_create_user_data_stream_v3_resp import SpotCreateUserDataStreamV3Resp

Timeout = float | tuple[float, float] | None

_SPOT_CREATE_USER_DATA_STREAM_V3: Operation[SpotCreateUserDataStreamV3Resp] = Operation(
    operation_id="SpotCreateUserDataStreamV3",
    method="POST",
    path="/api/v3/userDataStream",
    responses={"200": "SpotCreateUserDataStreamV3Resp", "4XX": "APIError", "5XX": "APIError"},
    auth=("ApiKey",),
    deprecated=True,
    api=API,
)

_SPOT_DELETE_USER_DATA_STREAM_V3: Operation[dict[str, Any]] = Operation(
    operation_id="SpotDeleteUserDataStreamV3",
    method="DELETE",
    path="/api/v3/userDataStream",
    params=(Param("listenKey", "query", required=True),),
    responses={"200": "dict[str, Any]", "4XX": "APIError", "5XX": "APIError"},
    auth=("ApiKey",),
    deprecated=True,
    api=API,
)

_SPOT_UPDATE_USER_DATA_STREAM_V3: Operation[dict[str, Any]] = Operation(
    operation_id="SpotUpdateUserDataStreamV3",
    method="PUT",
    path="/api/v3/userDataStream",
    params=(Param("listenKey", "form", required=True),),
    content_type="application/x-www-form-urlencoded",
    responses={"200": "dict[str, Any]", "4XX": "APIError", "5XX": "APIError"},
    auth=("ApiKey",),
    deprecated=True,
    api=API,
)


class UserDataStreamApi:
    """Operations tagged "User Data Stream": Listen keys for the user data stream (USER_STREAM endpoints)

    Each operation has two methods: one returns the parsed body, `*_with_http_info` returns an
    ApiResponse that also carries the HTTP status, headers and rate-limit counters.
    """

    def __init__(self, api_client: ApiClient | None = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    def spot_create_user_data_stream_v3(
        self,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> SpotCreateUserDataStreamV3Resp:
        """Start user data stream (USER_STREAM)

        Start a new user data stream. The stream will close after 60 minutes unless a keepalive is sent.

        Deprecated: the API marks this operation as deprecated; calling it emits a DeprecationWarning.

        :return: SpotCreateUserDataStreamV3Resp
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        return self.api_client.call(
            _SPOT_CREATE_USER_DATA_STREAM_V3,
            {},
            timeout=_request_timeout,
            headers=_headers,
        ).data

    def spot_create_user_data_stream_v3_with_http_info(
        self,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[SpotCreateUserDataStreamV3Resp]:
        """`spot_create_user_data_stream_v3`, with the HTTP status, headers and rate limits."""
        return self.api_client.call(
            _SPOT_CREATE_USER_DATA_STREAM_V3,
            {},
            timeout=_request_timeout,
            headers=_headers,
        )

    def spot_delete_user_data_stream_v3(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Close user data stream (USER_STREAM)

        Close out a user data stream.

        Deprecated: the API marks this operation as deprecated; calling it emits a DeprecationWarning.

        :param listen_key: The listen key to close. (required)
        :return: dict[str, Any]
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        return self.api_client.call(
            _SPOT_DELETE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        ).data

    def spot_delete_user_data_stream_v3_with_http_info(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[dict[str, Any]]:
        """`spot_delete_user_data_stream_v3`, with the HTTP status, headers and rate limits."""
        return self.api_client.call(
            _SPOT_DELETE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        )

    def spot_update_user_data_stream_v3(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Keepalive user data stream (USER_STREAM)

        Keepalive a user data stream to prevent a time out. User data streams will close after 60 minutes. It's recommended to send a ping about every 30 minutes.

        Deprecated: the API marks this operation as deprecated; calling it emits a DeprecationWarning.

        :param listen_key: The listen key to keep alive. (required)
        :return: dict[str, Any]
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        return self.api_client.call(
            _SPOT_UPDATE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        ).data

    def spot_update_user_data_stream_v3_with_http_info(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[dict[str, Any]]:
        """`spot_update_user_data_stream_v3`, with the HTTP status, headers and rate limits."""
        return self.api_client.call(
            _SPOT_UPDATE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        )


class AsyncUserDataStreamApi:
    """Async twin of UserDataStreamApi: the same methods, as coroutines, on an AsyncApiClient."""

    def __init__(self, api_client: AsyncApiClient | None = None) -> None:
        if api_client is None:
            from ..async_api_client import AsyncApiClient

            api_client = AsyncApiClient.get_default()
        self.api_client = api_client

    async def spot_create_user_data_stream_v3(
        self,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> SpotCreateUserDataStreamV3Resp:
        """Coroutine twin of UserDataStreamApi.spot_create_user_data_stream_v3."""
        response = await self.api_client.call(
            _SPOT_CREATE_USER_DATA_STREAM_V3,
            {},
            timeout=_request_timeout,
            headers=_headers,
        )
        return response.data

    async def spot_create_user_data_stream_v3_with_http_info(
        self,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[SpotCreateUserDataStreamV3Resp]:
        """`spot_create_user_data_stream_v3`, with the HTTP status, headers and rate limits."""
        return await self.api_client.call(
            _SPOT_CREATE_USER_DATA_STREAM_V3,
            {},
            timeout=_request_timeout,
            headers=_headers,
        )

    async def spot_delete_user_data_stream_v3(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Coroutine twin of UserDataStreamApi.spot_delete_user_data_stream_v3."""
        response = await self.api_client.call(
            _SPOT_DELETE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        )
        return response.data

    async def spot_delete_user_data_stream_v3_with_http_info(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[dict[str, Any]]:
        """`spot_delete_user_data_stream_v3`, with the HTTP status, headers and rate limits."""
        return await self.api_client.call(
            _SPOT_DELETE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        )

    async def spot_update_user_data_stream_v3(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Coroutine twin of UserDataStreamApi.spot_update_user_data_stream_v3."""
        response = await self.api_client.call(
            _SPOT_UPDATE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        )
        return response.data

    async def spot_update_user_data_stream_v3_with_http_info(
        self,
        listen_key: str,
        *,
        _request_timeout: Timeout = None,
        _headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[dict[str, Any]]:
        """`spot_update_user_data_stream_v3`, with the HTTP status, headers and rate limits."""
        return await self.api_client.call(
            _SPOT_UPDATE_USER_DATA_STREAM_V3,
            {"listenKey": listen_key},
            timeout=_request_timeout,
            headers=_headers,
        )
