"""StreamClient: the blocking client of market data streams, with AsyncStreamClient's surface.

In: the same stream names and requests as AsyncStreamClient. Out: events as a blocking iterator
(`for event in client`), answers and typed exceptions, as the asyncio client gives them.

It drives one AsyncStreamClient on an event loop of its own, in a daemon thread, as WsClient
drives AsyncWsClient: both share every rule (frames, ids, reconnects, resubscriptions, errors),
and a reader answers pings and collects events while the caller does something else.

    with StreamClient("btcusdt@trade", "ethusdt@trade", api=STREAMS) as stream:
        for event in stream:                # Trade, ... or ApiModel
            print(stream.last_stream, event)
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterator, Sequence
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import typing_extensions

from ._loop_thread import LoopThread
from ._stream_core import UNNAMED_STREAMS, StreamApi, StreamEvent
from .async_stream_client import AsyncStreamClient
from .ws_operation import WsConfiguration, WsOperation

T = TypeVar("T")
# Extra seconds a blocked caller waits beyond the request's own timeout, which the event loop
# enforces: the loop's answer (a result or a typed timeout) should always come first.
_MARGIN = 5.0


class StreamClient:
    """The blocking client; `with` it, or call `close()`. See AsyncStreamClient for the behaviour."""

    api: ClassVar[StreamApi] = UNNAMED_STREAMS

    def __init__(
        self,
        *streams: str,
        configuration: WsConfiguration | None = None,
        combined: bool | None = None,
        api: StreamApi | None = None,
    ) -> None:
        self._async = AsyncStreamClient(
            *streams,
            configuration=configuration,
            combined=combined,
            api=api if api is not None else type(self).api,
        )
        self.configuration = self._async.configuration
        self._driver = LoopThread("binance-stream-client")
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
    def combined(self) -> bool:
        return self._async.combined

    @property
    def connected(self) -> bool:
        return self._async.connected

    @property
    def streams(self) -> list[str]:
        return self._async.streams

    @property
    def resubscriptions(self) -> int:
        return self._async.resubscriptions

    @property
    def last_stream(self) -> str | None:
        return self._async.last_stream

    def connect(self) -> None:
        self._run(self._async.connect())

    def subscribe(self, *streams: str, timeout: float | None = None) -> None:
        self._run(self._async.subscribe(*streams, timeout=timeout), timeout)

    def unsubscribe(self, *streams: str, timeout: float | None = None) -> None:
        self._run(self._async.unsubscribe(*streams, timeout=timeout), timeout)

    def list_subscriptions(self, *, timeout: float | None = None) -> list[str]:
        return self._run(self._async.list_subscriptions(timeout=timeout), timeout)

    def request(
        self,
        op: WsOperation[T],
        params: Sequence[Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> T:
        return self._run(self._async.request(op, params, timeout=timeout), timeout)

    def __iter__(self) -> Iterator[StreamEvent]:
        return self

    def __next__(self) -> StreamEvent:
        try:
            return self._run(self._async.__anext__(), bounded=False)
        except StopAsyncIteration:
            raise StopIteration from None

    def get(self, timeout: float | None = None) -> StreamEvent:
        """The next event; ApiTimeoutError after `timeout` seconds without one."""
        return self._run(self._async.get(timeout), bounded=False)

    def close(self) -> None:
        """Close the connection and stop the client's thread."""
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
        self, coro: Coroutine[Any, Any, T], timeout: float | None = None, *, bounded: bool = True
    ) -> T:
        """Run `coro` on the client's loop and wait for it; the bound is a backstop against a
        stuck loop, never the timeout users see (the loop enforces that)."""
        wait: float | None = None
        if bounded:
            seconds = self.configuration.request_timeout if timeout is None else timeout
            wait = seconds + self.configuration.connect_timeout + _MARGIN
        return self._driver.run(coro, wait)
