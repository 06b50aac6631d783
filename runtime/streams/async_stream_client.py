"""AsyncStreamClient: the asyncio client of market data streams (Binance's `stream.binance.com`).

In: stream names (`btcusdt@trade`), at construction and through `subscribe`/`unsubscribe`. Out:
the streams' events, in order, as the package's models (`async for event in client`), the
stream each came on (`client.last_stream`, combined connections), answers to the control requests
(`list_subscriptions()`, properties) and the REST client's typed exceptions for error answers.

One connection, opened through the WebSocket API's transport (`_ws_transport`: aiohttp or
`websockets`, pings answered, keepalive pings sent): `/ws/<stream>` for a raw stream,
`/stream?streams=a/b` for combined ones. Requests `{"method", "params", "id"}` are matched to
their answers by id, several in flight at once. When the connection drops, requests waiting on it
fail, and the client reconnects with exponential backoff and jitter and subscribes again to every
stream it followed (`resubscriptions` counts the times); events sent while it was down are lost.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import typing_extensions

from ._stream_core import (
    LIST_SUBSCRIPTIONS,
    SUBSCRIBE,
    UNNAMED_STREAMS,
    UNSUBSCRIBE,
    Answer,
    Data,
    RequestIds,
    StreamApi,
    StreamEvent,
    StreamEvents,
    checked_streams,
    lost_request,
    parse_frame,
    request_frame,
    result_of,
    stream_url,
)
from ._ws_core import WS_METHOD, not_sent
from ._ws_transport import Connection, SendFailed, open_connection
from .async_ws_client import backoff
from .exceptions import ApiConnectionError, ApiTimeoutError, OpenApiException
from .ws_operation import WsConfiguration, WsOperation

logger = logging.getLogger(__package__)

T = TypeVar("T")
# Marks the end of the events in the queue: the client closed or gave up reconnecting.
_END: Any = object()


class _Link:
    """One connection: its reader and the requests waiting for an answer on it."""

    __slots__ = ("conn", "pending", "reader")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.reader: asyncio.Task[None] | None = None
        self.pending: dict[int, tuple[WsOperation[Any], asyncio.Future[Answer]]] = {}


class AsyncStreamClient:
    """A client of market data streams over one connection; `async with` it, or `await close()`.

    `streams`: the stream names to follow from the start. `combined`: connect to combined streams
    (every event wrapped with its stream's name, unwrapped here); default: combined when more than
    one stream is given. Generated packages subclass it with their `api` (a StreamApi).
    """

    api: ClassVar[StreamApi] = UNNAMED_STREAMS

    def __init__(
        self,
        *streams: str,
        configuration: WsConfiguration | None = None,
        combined: bool | None = None,
        api: StreamApi | None = None,
    ) -> None:
        self.configuration = configuration if configuration is not None else WsConfiguration()
        self._api = api if api is not None else type(self).api
        url = self.configuration.url or self._api.url
        if not url:
            raise ApiConnectionError("no url: pass WsConfiguration(url=...)", request_sent=False)
        self._base = url
        self._streams = checked_streams(streams)
        if combined is None:  # several streams, or a server without raw ones: combined
            combined = len(self._streams) > 1 or not self._api.raw_path
        self.combined = bool(combined)
        self.url = stream_url(url, self._api, self._streams, self.combined)
        self._user_agent = (
            f"{self._api.distribution}/{self._api.version} "
            f"python/{sys.version_info[0]}.{sys.version_info[1]}"
        )
        self._events = StreamEvents(self._api)
        self._ids = RequestIds()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._link: _Link | None = None
        self._ready = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._connect_lock = asyncio.Lock()
        self._closing = False
        self._fatal: OpenApiException | None = None
        self.resubscriptions = 0
        self.last_stream: str | None = None  # the stream of the event last returned (combined)

    async def __aenter__(self) -> typing_extensions.Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._link is not None and self._ready.is_set()

    @property
    def streams(self) -> list[str]:
        """The streams the client follows (and subscribes again to after a reconnect)."""
        return list(self._streams)

    async def connect(self) -> None:
        """Open the connection (ApiConnectionError when it cannot be opened); later drops are
        repaired in the background."""
        if self._closing:
            raise ApiConnectionError("the client is closed", request_sent=False)
        async with self._connect_lock:
            if self._supervisor is not None:
                return
            link = await self._open(self.url)
            self._install(link)
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())
            if not self.combined and len(self._streams) > 1:
                # A raw connection names one stream in its URL: the others are subscribed.
                await self.request(SUBSCRIBE, self._streams[1:])

    async def subscribe(self, *streams: str, timeout: float | None = None) -> None:
        """Subscribe to more streams (SUBSCRIBE); the API's error raised if it refuses."""
        names = checked_streams(streams)
        await self.request(SUBSCRIBE, names, timeout=timeout)
        self._streams.extend(name for name in names if name not in self._streams)

    async def unsubscribe(self, *streams: str, timeout: float | None = None) -> None:
        """Stop following streams (UNSUBSCRIBE)."""
        names = checked_streams(streams)
        await self.request(UNSUBSCRIBE, names, timeout=timeout)
        self._streams = [name for name in self._streams if name not in names]

    async def list_subscriptions(self, *, timeout: float | None = None) -> list[str]:
        """The streams the server says this connection follows (LIST_SUBSCRIPTIONS)."""
        return await self.request(LIST_SUBSCRIPTIONS, None, timeout=timeout)

    async def request(
        self,
        op: WsOperation[T],
        params: Sequence[Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> T:
        """Send `{"method", "params", "id"}` and return the answer's parsed `result`.

        `timeout` (default the configuration's request_timeout) bounds the whole call, a wait for
        the connection included. An error answer raises BadRequestException (code and msg).
        """
        loop = asyncio.get_running_loop()
        seconds = self.configuration.request_timeout if timeout is None else timeout
        deadline = loop.time() + seconds
        link = await self._ready_link(op, deadline)
        request_id = self._ids.next()
        future: asyncio.Future[Answer] = loop.create_future()
        link.pending[request_id] = (op, future)
        try:
            try:
                await link.conn.send(request_frame(request_id, op.method, params))
            except SendFailed as exc:
                raise not_sent(op, f"the connection closed ({exc})") from None
            try:
                answer = await asyncio.wait_for(future, max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:  # not the builtin TimeoutError on Python 3.10
                raise ApiTimeoutError(
                    f"{op.method}: no answer within {seconds:g} s", method=WS_METHOD, path=op.method
                ) from None
        finally:
            link.pending.pop(request_id, None)
        return result_of(op, answer)

    def __aiter__(self) -> AsyncStreamClient:
        return self

    async def __anext__(self) -> StreamEvent:
        if self._supervisor is None and not self._closing:
            await self.connect()
        item = await self._queue.get()
        return self._unwrap(item, stop=True)

    async def get(self, timeout: float | None = None) -> StreamEvent:
        """The next event; ApiTimeoutError after `timeout` seconds without one."""
        if self._supervisor is None and not self._closing:
            await self.connect()
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:
            raise ApiTimeoutError(f"no stream event within {timeout:g} s") from None
        return self._unwrap(item, stop=False)

    async def close(self) -> None:
        """Close the connection and stop reconnecting; iteration ends, waiting requests fail."""
        if self._closing:
            return
        self._closing = True
        supervisor = self._supervisor
        if supervisor is not None:
            supervisor.cancel()
            await asyncio.gather(supervisor, return_exceptions=True)
        link = self._link
        if link is not None:
            await link.conn.close()
            if link.reader is not None:
                await asyncio.gather(link.reader, return_exceptions=True)
        self._queue.put_nowait(_END)
        self._ready.set()  # wake requests waiting for a connection: they see the client closed
        logger.debug("stream client closed")

    # -- internals -----------------------------------------------------------------------------

    def _unwrap(self, item: Any, *, stop: bool) -> StreamEvent:
        if item is _END:
            self._queue.put_nowait(_END)  # later reads end too
            if self._fatal is not None:
                raise self._fatal
            if stop:
                raise StopAsyncIteration
            raise ApiConnectionError("the stream client is closed", request_sent=False)
        stream, event = item
        self.last_stream = stream
        return event  # type: ignore[no-any-return]

    async def _ready_link(self, op: WsOperation[Any], deadline: float) -> _Link:
        if self._supervisor is None and not self._closing:
            await self.connect()
        loop = asyncio.get_running_loop()
        while True:
            if self._closing:
                raise not_sent(op, "the client is closed")
            if self._fatal is not None:
                raise not_sent(op, f"the client stopped reconnecting ({self._fatal})")
            link = self._link
            if link is not None and self._ready.is_set():
                return link
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise not_sent(op, "not connected within the request timeout")
            waiter = loop.create_task(self._ready.wait())
            try:
                await asyncio.wait((waiter,), timeout=remaining)
            finally:
                waiter.cancel()

    async def _open(self, url: str) -> _Link:
        conn = await open_connection(url, self.configuration, self._user_agent)
        link = _Link(conn)
        link.reader = asyncio.get_running_loop().create_task(self._read(link))
        return link

    def _install(self, link: _Link) -> None:
        self._link = link
        self._ready.set()
        logger.info("connected to %s", self._base)

    async def _read(self, link: _Link) -> None:
        """Read frames until the connection ends, then fail the requests still waiting on it."""
        conn = link.conn
        try:
            while True:
                text = await conn.recv()
                if text is None:
                    break
                try:
                    self._dispatch(link, text)
                except Exception:  # a bug here must not take the connection down with it
                    logger.exception("a received message could not be handled")
        finally:
            if self._link is link:
                self._link = None
                self._ready.clear()
            why = "the client was closed" if self._closing else conn.close_reason
            for op, future in list(link.pending.values()):
                if not future.done():
                    future.set_exception(lost_request(op, f"no answer: {why}"))
            link.pending.clear()
            if not self._closing:
                logger.warning("stream connection ended (%s)", why)
            await conn.close()

    def _dispatch(self, link: _Link, text: str) -> None:
        frame = parse_frame(text)
        if isinstance(frame, Data):
            self._queue.put_nowait((frame.stream, self._events.parse(frame.payload)))
        elif isinstance(frame, Answer):
            entry = link.pending.get(frame.id) if isinstance(frame.id, int) else None
            if entry is not None:
                if not entry[1].done():
                    entry[1].set_result(frame)
            elif frame.error is not None:
                logger.warning(
                    "error answer to no pending request (id %r): %s", frame.id, frame.error
                )
            else:
                logger.debug("answer to no pending request (id %r): timed out?", frame.id)
        else:
            logger.debug("ignored a message that is not JSON (%d characters)", len(text))

    async def _supervise(self) -> None:
        """Wait for the connection to drop; then reconnect and subscribe again."""
        while not self._closing:
            link = self._link
            if link is not None and link.reader is not None:
                await asyncio.gather(link.reader, return_exceptions=True)
            if self._closing:
                return
            if not self.configuration.reconnect:
                self._give_up(ApiConnectionError("the connection dropped", request_sent=False))
                return
            if not await self._reconnect():
                return

    async def _reconnect(self) -> bool:
        """A new connection to the bare path, every followed stream subscribed in one request."""
        config = self.configuration
        attempt = 0
        while not self._closing:
            attempt += 1
            delay = backoff(attempt, config.backoff_base, config.backoff_max)
            logger.info("reconnecting in %.2f s (attempt %d)", delay, attempt)
            await asyncio.sleep(delay)
            if self._closing:
                return False
            link: _Link | None = None
            try:
                link = await self._open(stream_url(self._base, self._api, (), self.combined))
                self._install(link)
                if self._streams:
                    await self.request(SUBSCRIBE, self._streams)
                self.resubscriptions += 1
                return True
            except OpenApiException as exc:
                failure = exc
                if link is not None:
                    await link.conn.close()
            logger.warning("reconnect attempt %d failed: %s", attempt, failure)
            limit = config.max_reconnect_attempts
            if limit is not None and attempt >= limit:
                self._give_up(failure)
                return False
        return False

    def _give_up(self, error: OpenApiException) -> None:
        logger.error("stream client stopped reconnecting: %s", error)
        self._fatal = error
        self._queue.put_nowait(_END)
        self._ready.set()
