"""WsClient: the blocking client of a WebSocket API, with AsyncWsClient's surface, returning values.

In: the same WsOperation descriptors and parameters as AsyncWsClient (`client.request(op, params)`)
and `with client.subscribe_user_data() as events: for event in events`. Out: parsed results,
WsResponse, typed exceptions and events, as the asyncio client gives them.

It drives one AsyncWsClient on an event loop of its own, in a daemon thread: so both clients share
every rule (ids, signing, logon, reconnects, errors) and cannot drift apart, and a blocking caller
still has a reader that answers pings and collects events while it does something else. Calls from
several threads are safe; each blocks only its own thread.

    config = WsConfiguration(auth=BinanceAuth(api_key=..., private_key_path="ed25519.pem"))
    with WsClient(config, api=WS_API) as client:            # connects, logs on (Ed25519)
        price = client.request(TICKER_PRICE, {"symbol": "BTCUSDT"})
        with client.subscribe_user_data() as events:
            for event in events:                           # ExecutionReport, ... or ApiModel
                ...

AsyncWsClient is the same with `async with`, `await` and `async for`.
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterator, Mapping
from types import TracebackType
from typing import Any, ClassVar, TypeVar, overload

import typing_extensions

from ._loop_thread import LoopThread
from ._ws_core import LOGON, LOGOUT, lost
from .async_ws_client import AsyncUserDataSubscription, AsyncWsClient
from .base_model import ApiModel
from .exceptions import ApiConnectionError
from .ws_operation import UNNAMED_WS, WsApi, WsConfiguration, WsOperation, WsResponse

T = TypeVar("T")
# Extra seconds a blocked caller waits beyond the request's own timeout, which the event loop
# enforces: the loop's answer (a result or a typed timeout) should always come first.
_MARGIN = 5.0


class UserDataSubscription:
    """The user data stream as a blocking iterator of events (see AsyncUserDataSubscription)."""

    def __init__(self, client: WsClient) -> None:
        self._client = client
        self._inner: AsyncUserDataSubscription | None = None

    def __enter__(self) -> UserDataSubscription:
        async def start() -> AsyncUserDataSubscription:
            inner = self._client._async.subscribe_user_data()
            return await inner.__aenter__()

        self._inner = self._client._run(start())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        inner = self._inner
        if inner is not None and not self._client._driver.closed:
            self._client._run(inner.__aexit__(None, None, None))

    @property
    def subscription_id(self) -> int | None:
        return self._inner.subscription_id if self._inner is not None else None

    @property
    def resubscriptions(self) -> int:
        return self._inner.resubscriptions if self._inner is not None else 0

    def __iter__(self) -> Iterator[ApiModel]:
        return self

    def __next__(self) -> ApiModel:
        try:
            return self._client._run(self._started().__anext__(), bounded=False)
        except StopAsyncIteration:
            raise StopIteration from None

    def get(self, timeout: float | None = None) -> ApiModel:
        """The next event; ApiTimeoutError after `timeout` seconds without one."""
        return self._client._run(self._started().get(timeout), bounded=False)

    def _started(self) -> AsyncUserDataSubscription:
        if self._inner is None:
            raise ApiConnectionError("use the subscription in a with block", request_sent=False)
        return self._inner


class WsClient:
    """The blocking client; `with` it, or call `close()`. See AsyncWsClient for the behaviour."""

    api: ClassVar[WsApi] = UNNAMED_WS

    def __init__(
        self, configuration: WsConfiguration | None = None, *, api: WsApi | None = None
    ) -> None:
        self._async = AsyncWsClient(configuration, api=api if api is not None else type(self).api)
        self.configuration = self._async.configuration
        self._driver = LoopThread("binance-ws-client")
        self._closed = False

    def __enter__(self) -> typing_extensions.Self:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self._async.url

    @property
    def connected(self) -> bool:
        return self._async.connected

    @property
    def logged_on(self) -> bool:
        return self._async.logged_on

    @property
    def rate_limits(self) -> dict[str, int]:
        return self._async.rate_limits

    @property
    def clock_offset_ms(self) -> int:
        return self._async.clock_offset_ms

    def connect(self) -> None:
        self._run(self._async.connect())

    def request(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> T:
        return self._run(self._async.request(op, params, timeout=timeout), timeout, op=op)

    def call(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[T]:
        return self._run(self._async.call(op, params, timeout=timeout), timeout, op=op)

    @overload
    def logon(self) -> WsResponse[Any]: ...
    @overload
    def logon(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[T]: ...
    def logon(
        self,
        op: WsOperation[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[Any]:
        chosen = LOGON if op is None else op
        return self._run(self._async.logon(chosen, params, timeout=timeout), timeout, op=chosen)

    @overload
    def logout(self) -> WsResponse[Any]: ...
    @overload
    def logout(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[T]: ...
    def logout(
        self,
        op: WsOperation[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[Any]:
        chosen = LOGOUT if op is None else op
        return self._run(self._async.logout(chosen, params, timeout=timeout), timeout, op=chosen)

    def sync_clock(self) -> int:
        return self._run(self._async.sync_clock())

    def subscribe_user_data(self) -> UserDataSubscription:
        """`with client.subscribe_user_data() as events: for event in events: ...`"""
        return UserDataSubscription(self)

    def close(self) -> None:
        """Unsubscribe, close the connection, and stop the client's thread."""
        if self._closed:
            return
        self._closed = True
        try:
            self._run(self._async.close(), bounded=False)
        finally:
            self._driver.stop()

    def __del__(self) -> None:
        # A client dropped without close(): stop its thread, without network goodbyes.
        driver = getattr(self, "_driver", None)
        if driver is not None and not getattr(self, "_closed", True):
            driver.stop_soon()

    def _run(
        self,
        coro: Coroutine[Any, Any, T],
        timeout: float | None = None,
        *,
        bounded: bool = True,
        op: WsOperation[Any] | None = None,
    ) -> T:
        """Run `coro` on the client's loop and wait for it, within a bound when `bounded`.

        The loop enforces every request's own timeout; the bound here is a backstop against a
        stuck loop, never the timeout users see.
        """
        wait: float | None = None
        if bounded:
            seconds = self.configuration.request_timeout if timeout is None else timeout
            # connect() may also open, log on and resubscribe: allow for a few exchanges.
            wait = seconds + self.configuration.connect_timeout + _MARGIN
        if op is None:
            return self._driver.run(coro, wait)
        # The request may have left: an order is then of unknown status, as on a drop.
        return self._driver.run(coro, wait, lambda why: lost(op, why))
