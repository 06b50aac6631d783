"""The account's user data stream over the WebSocket API: UserDataStream (blocking), AsyncUserDataStream."""

from __future__ import annotations

from types import TracebackType

import typing_extensions

from .async_ws_client import AsyncUserDataSubscription
from .base_model import ApiModel
from .exceptions import ApiValueError
from .websocket_api import AsyncWebSocketApiClient, WebSocketApiClient
from .ws_client import UserDataSubscription
from .ws_operation import WsConfiguration


class UserDataStream:
    """The account's events, in order, typed: `with UserDataStream(configuration) as events:`.

    ```
    configuration = WsConfiguration(auth=BinanceAuth(api_key=..., private_key_path=...))
    with UserDataStream(configuration) as events:
        for event in events:  # OutboundAccountPosition, BalanceUpdate, ExecutionReport, ...
            ...
    ```

    Binance serves the user data stream on its WebSocket API (the REST listen keys were retired
    on 2026-02-20; ListenKeyStream keeps the listen-key flow for APIs that
    still serve it). Entering opens a WebSocketApiClient (or uses the one given, which
    stays open), which logs the session on when the key is Ed25519 and subscribes
    (userDataStream.subscribe), or subscribes with a signed request
    (userDataStream.subscribe.signature) for HMAC and RSA keys. A dropped connection is replaced
    and the subscription restored by the client; an event of a type the package does not know
    arrives as a plain ApiModel. Leaving unsubscribes and closes a client it opened.
    """

    def __init__(self, client: WsConfiguration | WebSocketApiClient | None = None) -> None:
        if client is not None and not isinstance(client, (WsConfiguration, WebSocketApiClient)):
            raise ApiValueError(
                "UserDataStream takes a WsConfiguration or a WebSocketApiClient, not "
                f"{type(client).__name__} (the listen-key helper is ListenKeyStream)"
            )
        self._owned = not isinstance(client, WebSocketApiClient)
        self.client = (
            client if isinstance(client, WebSocketApiClient) else WebSocketApiClient(client)
        )
        self._events: UserDataSubscription | None = None

    @property
    def subscription_id(self) -> int | None:
        """The server's id of the current subscription (it changes after a reconnect)."""
        return self._events.subscription_id if self._events is not None else None

    def __enter__(self) -> typing_extensions.Self:
        if self._events is not None:
            raise ApiValueError("UserDataStream: already started")
        events = self.client.user_data_stream()
        try:
            self._events = events.__enter__()
        except BaseException:
            if self._owned:
                self.client.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        events, self._events = self._events, None
        try:
            if events is not None:
                events.__exit__(exc_type, exc, traceback)
        finally:
            if self._owned:
                self.client.close()

    def __iter__(self) -> typing_extensions.Self:
        return self

    def __next__(self) -> ApiModel:
        return self._started().__next__()

    def get(self, timeout: float | None = None) -> ApiModel:
        """The next event; ApiTimeoutError when none comes within `timeout` seconds."""
        return self._started().get(timeout)

    def _started(self) -> UserDataSubscription:
        if self._events is None:
            raise ApiValueError("UserDataStream: enter the `with` block first")
        return self._events


class AsyncUserDataStream:
    """UserDataStream for asyncio: `async with AsyncUserDataStream(configuration) as events:`,
    then `async for event in events`."""

    def __init__(self, client: WsConfiguration | AsyncWebSocketApiClient | None = None) -> None:
        if client is not None and not isinstance(
            client, (WsConfiguration, AsyncWebSocketApiClient)
        ):
            raise ApiValueError(
                "AsyncUserDataStream takes a WsConfiguration or an AsyncWebSocketApiClient, not "
                f"{type(client).__name__} (the listen-key helper is AsyncListenKeyStream)"
            )
        self._owned = not isinstance(client, AsyncWebSocketApiClient)
        self.client = (
            client
            if isinstance(client, AsyncWebSocketApiClient)
            else AsyncWebSocketApiClient(client)
        )
        self._events: AsyncUserDataSubscription | None = None

    @property
    def subscription_id(self) -> int | None:
        """The server's id of the current subscription (it changes after a reconnect)."""
        return self._events.subscription_id if self._events is not None else None

    async def __aenter__(self) -> typing_extensions.Self:
        if self._events is not None:
            raise ApiValueError("AsyncUserDataStream: already started")
        events = self.client.user_data_stream()
        try:
            self._events = await events.__aenter__()
        except BaseException:
            if self._owned:
                await self.client.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        events, self._events = self._events, None
        try:
            if events is not None:
                await events.__aexit__(exc_type, exc, traceback)
        finally:
            if self._owned:
                await self.client.close()

    def __aiter__(self) -> typing_extensions.Self:
        return self

    async def __anext__(self) -> ApiModel:
        return await self._started().__anext__()

    async def get(self, timeout: float | None = None) -> ApiModel:
        """The next event; ApiTimeoutError when none comes within `timeout` seconds."""
        return await self._started().get(timeout)

    def _started(self) -> AsyncUserDataSubscription:
        if self._events is None:
            raise ApiValueError("AsyncUserDataStream: enter `async with` first")
        return self._events
