"""The WebSocket API of Binance Spot WebSocket API (user data stream) (from spec/websocket-api.yaml): WebSocketApiClient and AsyncWebSocketApiClient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._metadata import API
from .async_ws_client import AsyncUserDataSubscription, AsyncWsClient
from .ws_client import UserDataSubscription, WsClient
from .ws_operation import WsApi, WsOperation

if TYPE_CHECKING:
    from .models.session_status import SessionStatus

WEBSOCKET_API = WsApi(
    url="wss://ws-api.binance.com:443/ws-api/v3",
    events={
        "outboundAccountPosition": "OutboundAccountPosition",
        "balanceUpdate": "BalanceUpdate",
        "executionReport": "ExecutionReport",
        "listStatus": "ListStatus",
        "externalLockUpdate": "ExternalLockUpdate",
        "eventStreamTerminated": "EventStreamTerminated",
    },
    event_key="e",
    distribution=API.distribution,
    version=API.version,
)
_SESSION_LOGON: WsOperation[SessionStatus] = WsOperation(
    "session.logon",
    security="signed",
    result="SessionStatus",
    executes=False,
)
_SESSION_STATUS: WsOperation[SessionStatus] = WsOperation(
    "session.status",
    security="none",
    result="SessionStatus",
    executes=False,
)
_SESSION_LOGOUT: WsOperation[SessionStatus] = WsOperation(
    "session.logout",
    security="none",
    result="SessionStatus",
    executes=False,
)


class WebSocketApiClient(WsClient):
    """The WebSocket API of Binance Spot WebSocket API (user data stream), over one connection.

    Requests go as `{"id", "method", "params"}` text frames and many may be in flight at once.
    SIGNED methods get `apiKey`, `timestamp` and `signature` from the configuration's credentials,
    or none of them once the session has logged on. The connection is kept: pings are answered,
    a dropped connection is replaced (with backoff), and the logon and user data subscriptions
    are restored on the new one.

    `with WebSocketApiClient(WsConfiguration(auth=...)) as ws: ws.session_logon(...)`
    """

    api = WEBSOCKET_API

    def session_logon(
        self,
        recv_window: int | None = None,
        *,
        _request_timeout: float | None = None,
    ) -> SessionStatus:
        """Log the session on (SIGNED, Ed25519 keys only)

        Authenticates the connection with the API key: later SIGNED requests need neither apiKey nor signature, and userDataStream.subscribe subscribes this key's account.

        Method `session.logon`; SIGNED: the client adds apiKey, timestamp and signature (none of them once the session has logged on).

        :param recv_window: Milliseconds the request stays valid after timestamp (at most 60000) (optional)
        :param _request_timeout: seconds to wait for the answer (default: the configuration's).
        :return: SessionStatus
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        response = self.logon(
            _SESSION_LOGON,
            {"recvWindow": recv_window},
            timeout=_request_timeout,
        )
        return response.result

    def session_status(
        self,
        *,
        _request_timeout: float | None = None,
    ) -> SessionStatus:
        """The session's logon status

        Method `session.status`.

        :param _request_timeout: seconds to wait for the answer (default: the configuration's).
        :return: SessionStatus
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        return self.request(
            _SESSION_STATUS,
            None,
            timeout=_request_timeout,
        )

    def session_logout(
        self,
        *,
        _request_timeout: float | None = None,
    ) -> SessionStatus:
        """Forget the session's logon

        Method `session.logout`.

        :param _request_timeout: seconds to wait for the answer (default: the configuration's).
        :return: SessionStatus
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        response = self.logout(
            _SESSION_LOGOUT,
            None,
            timeout=_request_timeout,
        )
        return response.result

    def user_data_stream(self) -> UserDataSubscription:
        """The account's user data stream on this connection: `with ws.user_data_stream() as events:`.

        Subscribes with userDataStream.subscribe on a logged-on session, else with
        userDataStream.subscribe.signature; unsubscribes on exit. Events arrive in order as
        their models (OutboundAccountPosition, BalanceUpdate, ExecutionReport, ...); an event of
        a type this package does not know arrives as a plain ApiModel. After a reconnect the
        client subscribes again by itself.
        """
        return self.subscribe_user_data()


class AsyncWebSocketApiClient(AsyncWsClient):
    """The asyncio twin of WebSocketApiClient: the same methods, as coroutines.

    `async with AsyncWebSocketApiClient(WsConfiguration(auth=...)) as ws: await ws.session_logon(...)`
    """

    api = WEBSOCKET_API

    async def session_logon(
        self,
        recv_window: int | None = None,
        *,
        _request_timeout: float | None = None,
    ) -> SessionStatus:
        """Log the session on (SIGNED, Ed25519 keys only)

        Authenticates the connection with the API key: later SIGNED requests need neither apiKey nor signature, and userDataStream.subscribe subscribes this key's account.

        Method `session.logon`; SIGNED: the client adds apiKey, timestamp and signature (none of them once the session has logged on).

        :param recv_window: Milliseconds the request stays valid after timestamp (at most 60000) (optional)
        :param _request_timeout: seconds to wait for the answer (default: the configuration's).
        :return: SessionStatus
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        response = await self.logon(
            _SESSION_LOGON,
            {"recvWindow": recv_window},
            timeout=_request_timeout,
        )
        return response.result

    async def session_status(
        self,
        *,
        _request_timeout: float | None = None,
    ) -> SessionStatus:
        """The session's logon status

        Method `session.status`.

        :param _request_timeout: seconds to wait for the answer (default: the configuration's).
        :return: SessionStatus
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        return await self.request(
            _SESSION_STATUS,
            None,
            timeout=_request_timeout,
        )

    async def session_logout(
        self,
        *,
        _request_timeout: float | None = None,
    ) -> SessionStatus:
        """Forget the session's logon

        Method `session.logout`.

        :param _request_timeout: seconds to wait for the answer (default: the configuration's).
        :return: SessionStatus
        :raises ApiException: the server answered with an error status (a subclass per status).
        """
        response = await self.logout(
            _SESSION_LOGOUT,
            None,
            timeout=_request_timeout,
        )
        return response.result

    def user_data_stream(self) -> AsyncUserDataSubscription:
        """The account's user data stream on this connection: `async with ws.user_data_stream() as events:`.

        Subscribes with userDataStream.subscribe on a logged-on session, else with
        userDataStream.subscribe.signature; unsubscribes on exit. Events arrive in order as
        their models (OutboundAccountPosition, BalanceUpdate, ExecutionReport, ...); an event of
        a type this package does not know arrives as a plain ApiModel. After a reconnect the
        client subscribes again by itself.
        """
        return self.subscribe_user_data()
