"""AsyncWsClient: the asyncio client of a WebSocket API (Binance's `ws-api`), one connection.

In: WsOperation descriptors and their parameters (`await client.request(op, params)`), and
`async with client.subscribe_user_data() as events` for the user data stream. Out: parsed
results (or WsResponse from `call`), the REST client's typed exceptions, and events as models.

Many requests may be in flight at once on the one connection; each waits for the answer with its
id, within `request_timeout`. The client connects on first use, answers pings, logs the session
on when its key allows (Ed25519) or when asked, and keeps the connection: when it drops, pending
requests fail (a request that may have executed, such as order.place, with
ExecutionStatusUnknownError, never sent again), and the client reconnects with exponential
backoff and jitter, logs on again and restores the user-data subscriptions. Before a connection
reaches Binance's 24-hour limit, or when the server announces a shutdown, the client replaces it
between requests. The frames themselves are built and read by _ws_core (no I/O there).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import sys
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, ClassVar, TypeVar, overload

import typing_extensions

from ._ws_core import (
    LOGON,
    LOGOUT,
    SERVER_SHUTDOWN,
    SERVER_TIME,
    USER_DATA_SUBSCRIBE,
    USER_DATA_SUBSCRIBE_SIGNED,
    USER_DATA_UNSUBSCRIBE,
    Event,
    EventParser,
    Pending,
    Reply,
    Session,
    is_clock_error,
    key_is_ed25519,
    lost,
    not_sent,
    outcome,
    outcome_result,
    parse_frame,
    subscription_id,
)
from ._ws_transport import Connection, SendFailed, open_connection
from .base_model import ApiModel
from .exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiValueError,
    OpenApiException,
    RateLimitException,
)
from .ws_operation import (
    UNNAMED_WS,
    WsApi,
    WsConfiguration,
    WsOperation,
    WsResponse,
    parse_rate_limits,
)

logger = logging.getLogger(__package__)

T = TypeVar("T")
# Marks the end of a subscription's events in its queue.
_END: Any = object()
# How long close() gives the server to confirm an unsubscribe: closing must not hang.
_CLOSE_GRACE = 2.0
# Events for a subscription id the client does not know yet, kept for it: the server may send
# the first events right after its answer to the subscribe request, before the caller has read
# that answer (and so learnt the id). Bounded, so a stray id cannot grow memory for ever.
_MAX_EARLY_EVENTS = 10_000


class AsyncUserDataSubscription:
    """The user data stream of the client's account: an async iterator of events (models).

    Made by `client.subscribe_user_data()`; `async with` subscribes (userDataStream.subscribe on
    a logged-on session, else userDataStream.subscribe.signature) and unsubscribes. Events keep
    arriving across reconnects: the client subscribes again on each new connection.
    `resubscriptions` counts the times it did so after a connection dropped: events sent while
    it was down are lost, so reconcile (openOrders.status, say) when it grows. The planned
    replacement of a connection (24 hours, server shutdown) loses nothing and is not counted.
    Iteration ends when the client closes, or raises the client's error when it gave up
    reconnecting.
    """

    def __init__(self, client: AsyncWsClient) -> None:
        self._client = client
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self.subscription_id: int | None = None
        self.resubscriptions = 0
        self._ended = False

    async def __aenter__(self) -> AsyncUserDataSubscription:
        await self._client._start_subscription(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client._stop_subscription(self)

    def __aiter__(self) -> AsyncUserDataSubscription:
        return self

    async def __anext__(self) -> ApiModel:
        item = await self._queue.get()
        return self._unwrap(item, stop=True)

    async def get(self, timeout: float | None = None) -> ApiModel:
        """The next event; ApiTimeoutError after `timeout` seconds without one."""
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:  # not the builtin TimeoutError on Python 3.10
            raise ApiTimeoutError(f"no user data event within {timeout:g} s") from None
        return self._unwrap(item, stop=False)

    def _unwrap(self, item: Any, *, stop: bool) -> ApiModel:
        if item is _END:
            self._queue.put_nowait(_END)  # later reads end too
            error = self._client._fatal
            if error is not None:
                raise error
            if stop:
                raise StopAsyncIteration
            raise ApiConnectionError("the user data subscription has ended", request_sent=False)
        event: ApiModel = item
        return event

    def _put(self, event: ApiModel) -> None:
        if not self._ended:
            self._queue.put_nowait(event)

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(_END)


class _Link:
    """One connection and what belongs to it: its reader, the requests waiting for an answer
    on it, its logon, and its subscription ids (they are per connection)."""

    __slots__ = (
        "by_id",
        "conn",
        "deadlines",
        "early",
        "logged_on",
        "opened_at",
        "pending",
        "reader",
        "sweep",
        "sweep_at",
    )

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.reader: asyncio.Task[None] | None = None
        self.pending: Pending[asyncio.Future[Reply]] = Pending()
        self.logged_on = False  # session.logon succeeded on this connection
        self.by_id: dict[int, AsyncUserDataSubscription] = {}
        # Events of ids not registered yet (_MAX_EARLY_EVENTS).
        self.early: list[Event] = []
        self.opened_at = time.monotonic()
        # Each waiting request's deadline, and one timer for the earliest: a timer per request
        # would cost every request two heap operations on the event loop.
        self.deadlines: dict[asyncio.Future[Reply], float] = {}
        self.sweep: asyncio.TimerHandle | None = None
        self.sweep_at = math.inf


class AsyncWsClient:
    """A client of one WebSocket API connection; `async with` it, or `await close()`.

    Generated packages subclass it with their `api` (a WsApi), or pass `api=`. See the module
    docstring for what it does on the connection's behalf.
    """

    api: ClassVar[WsApi] = UNNAMED_WS

    def __init__(
        self, configuration: WsConfiguration | None = None, *, api: WsApi | None = None
    ) -> None:
        self.configuration = configuration if configuration is not None else WsConfiguration()
        self._api = api if api is not None else type(self).api
        url = self.configuration.url or self._api.url
        if not url:
            raise ApiValueError("AsyncWsClient: no url: pass WsConfiguration(url=...)")
        self.url = url
        self._user_agent = (
            f"{self._api.distribution}/{self._api.version} "
            f"python/{sys.version_info[0]}.{sys.version_info[1]}"
        )
        self._session = Session(self.configuration.auth, self.configuration.recv_window)
        self._events = EventParser(self._api)
        self._link: _Link | None = None  # the connection requests go to
        self._supervisor: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()  # set while a connection is open and set up
        self._rotate = asyncio.Event()  # set to move to a new connection (server shutdown)
        self._connect_lock = asyncio.Lock()
        self._closing = False
        self._fatal: OpenApiException | None = None  # why the client stopped reconnecting
        self._want_logon: bool | None = None  # None: not decided yet (see _should_logon)
        self._clock_synced = False
        self._subscriptions: list[AsyncUserDataSubscription] = []

    # -- the surface shared with WsClient ------------------------------------------------------

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
    def logged_on(self) -> bool:
        return self._link is not None and self._link.logged_on

    @property
    def rate_limits(self) -> dict[str, int]:
        """The rate-limit counters of the last answer (REST's names: x-mbx-used-weight-1m)."""
        limits = parse_rate_limits(self._session.last_rate_limits)
        return {limit.key: limit.count for limit in limits}

    @property
    def clock_offset_ms(self) -> int:
        return self._session.clock_offset_ms

    async def connect(self) -> None:
        """Open the connection and set it up (clock, logon, subscriptions), if not done yet.

        Raises ApiConnectionError when the first connection cannot be opened, and the API's
        error when logging on is refused; later drops are repaired in the background.
        """
        if self._closing:
            raise ApiConnectionError("the client is closed", request_sent=False)
        async with self._connect_lock:
            if self._supervisor is not None:
                return
            self._install(await self._open())
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    async def request(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> T:
        """Send one request and return its parsed result (see `call`)."""
        deadline = self._deadline(timeout)
        self._session.check_ban()
        link = self._link
        if link is None or not self._ready.is_set() or self._closing or self._fatal is not None:
            link = await self._ready_link(op, deadline)
        return outcome_result(self._session, op, await self._reply(link, op, params, deadline))

    async def call(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[T]:
        """Send one request and wait for its answer: a WsResponse, or the API's error raised.

        `params` maps wire names to values (None values are not sent). `timeout` (default the
        configuration's request_timeout) bounds the whole call, including a wait for the
        connection. A request refused for its timestamp (-1021) is sent once more after reading
        the server's clock; nothing else is ever re-sent.
        """
        deadline = self._deadline(timeout)
        self._session.check_ban()
        link = self._link
        if link is None or not self._ready.is_set() or self._closing or self._fatal is not None:
            link = await self._ready_link(op, deadline)
        return outcome(self._session, op, await self._reply(link, op, params, deadline))

    @overload
    async def logon(self) -> WsResponse[Any]: ...
    @overload
    async def logon(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[T]: ...
    async def logon(
        self,
        op: WsOperation[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[Any]:
        """Authenticate the session (session.logon, Ed25519 keys only): later SIGNED requests go
        without apiKey and signature, and the client logs on again after each reconnect.
        `op`: a generated package's descriptor of session.logon (its result typed)."""
        if not key_is_ed25519(self.configuration.auth):
            raise ApiValueError(
                "session.logon needs an Ed25519 private key (BinanceAuth(api_key=..., "
                "private_key_path=...)); HMAC and RSA keys sign every request instead"
            )
        op = LOGON if op is None else op
        deadline = self._deadline(timeout)
        link = await self._ready_link(op, deadline)
        response = await self._checked(link, op, params, deadline, sign_always=True)
        link.logged_on = True
        self._want_logon = True
        return response

    @overload
    async def logout(self) -> WsResponse[Any]: ...
    @overload
    async def logout(
        self,
        op: WsOperation[T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[T]: ...
    async def logout(
        self,
        op: WsOperation[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> WsResponse[Any]:
        """Forget the session's logon (session.logout); SIGNED requests are signed again."""
        op = LOGOUT if op is None else op
        deadline = self._deadline(timeout)
        link = await self._ready_link(op, deadline)
        response = await self._checked(link, op, params, deadline)
        link.logged_on = False
        self._want_logon = False
        return response

    async def sync_clock(self) -> int:
        """Read the server's clock (method `time`); returns the offset (server - local) in ms."""
        deadline = self._deadline(None)
        link = await self._ready_link(SERVER_TIME, deadline)
        return await self._sync_clock_on(link, deadline)

    def subscribe_user_data(self) -> AsyncUserDataSubscription:
        """`async with client.subscribe_user_data() as events: async for event in events: ...`"""
        return AsyncUserDataSubscription(self)

    async def close(self) -> None:
        """Unsubscribe, send a close frame, stop reconnecting; pending requests fail."""
        if self._closing:
            return
        self._closing = True
        link = self._link
        if link is not None and self._ready.is_set():
            for sub in list(self._subscriptions):
                await self._unsubscribe(link, sub, _CLOSE_GRACE)
        supervisor = self._supervisor
        if supervisor is not None:
            supervisor.cancel()
            await asyncio.gather(supervisor, return_exceptions=True)
        if link is not None:
            await link.conn.close()
            if link.reader is not None:
                await asyncio.gather(link.reader, return_exceptions=True)
        for sub in self._subscriptions:
            sub._end()
        self._subscriptions.clear()
        self._ready.set()  # wake requests waiting for a connection: they see the client closed
        logger.debug("websocket client closed")

    # -- requests ------------------------------------------------------------------------------

    def _deadline(self, timeout: float | None) -> float:
        seconds = self.configuration.request_timeout if timeout is None else timeout
        return asyncio.get_running_loop().time() + seconds

    async def _ready_link(self, op: WsOperation[Any], deadline: float) -> _Link:
        """The connection to send on, connecting first if needed, waiting (until `deadline`)
        while the client reconnects."""
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

    async def _checked(
        self,
        link: _Link,
        op: WsOperation[T],
        params: Mapping[str, Any] | None,
        deadline: float,
        *,
        sign_always: bool = False,
    ) -> WsResponse[T]:
        """One exchange on `link`, the -1021 clock repair included, as a WsResponse."""
        reply = await self._reply(link, op, params, deadline, sign_always=sign_always)
        return outcome(self._session, op, reply)

    async def _reply(
        self,
        link: _Link,
        op: WsOperation[Any],
        params: Mapping[str, Any] | None,
        deadline: float,
        *,
        sign_always: bool = False,
    ) -> Reply:
        """One exchange on `link`, the -1021 clock repair included."""
        reply = await self._exchange(link, op, params, deadline, sign_always=sign_always)
        if (
            reply.status == 400
            and op.security == "signed"
            and is_clock_error(reply)
            and not (params and params.get("timestamp") is not None)
        ):
            # Binance refused the request before executing it: safe to send once more.
            await self._sync_clock_on(link, deadline)
            reply = await self._exchange(link, op, params, deadline, sign_always=sign_always)
        return reply

    async def _exchange(
        self,
        link: _Link,
        op: WsOperation[Any],
        params: Mapping[str, Any] | None,
        deadline: float,
        *,
        sign_always: bool = False,
    ) -> Reply:
        """Send one frame on `link` and wait for the reply with its id, until `deadline`."""
        loop = asyncio.get_running_loop()
        request_id, text = self._session.build(
            op, params, logged_on=link.logged_on, sign_always=sign_always
        )
        future: asyncio.Future[Reply] = loop.create_future()
        link.pending.add(request_id, op, future)
        debug = logger.isEnabledFor(logging.DEBUG)
        started = time.perf_counter() if debug else 0.0
        try:
            try:
                await link.conn.send(text)
            except SendFailed as exc:
                raise not_sent(op, f"the connection closed ({exc})") from None
            # The link's one timer fails the future if the answer is late (_sweep).
            link.deadlines[future] = deadline
            if deadline < link.sweep_at:
                if link.sweep is not None:
                    link.sweep.cancel()
                link.sweep = loop.call_at(deadline, _sweep, link, loop)
                link.sweep_at = deadline
            try:
                reply = await future  # raises the connection's loss, if it dropped meanwhile
            except _Expired:
                error = lost(op, "no answer within the request timeout", timeout=True)
                raise error from error.__cause__  # the ApiTimeoutError, for ExecutionStatusUnknown
            finally:
                del link.deadlines[future]
        finally:
            link.pending.pop(request_id)
        if debug:
            # The method, id and status only: parameters may be secrets (apiKey, signature).
            logger.debug(
                "%s id=%s -> %d (%.1f ms)",
                op.method,
                request_id,
                reply.status,
                (time.perf_counter() - started) * 1000,
            )
        return reply

    async def _sync_clock_on(self, link: _Link, deadline: float) -> int:
        before = time.time()
        reply = await self._exchange(link, SERVER_TIME, None, deadline)
        after = time.time()
        result = outcome(self._session, SERVER_TIME, reply).result
        server_ms = result.get("serverTime") if isinstance(result, dict) else None
        if isinstance(server_ms, bool) or not isinstance(server_ms, int):
            raise ApiConnectionError("time: the answer has no integer serverTime")
        # The server read its clock somewhere in the round trip: its middle is the best guess.
        offset = server_ms - int((before + after) * 500)
        self._session.clock_offset_ms = offset
        self._clock_synced = True
        logger.info("clock: the server's is %+d ms from ours; timestamps follow it", offset)
        return offset

    # -- the connection ------------------------------------------------------------------------

    def _should_logon(self) -> bool:
        if self._want_logon is None:
            setting = self.configuration.logon
            is_ed25519 = key_is_ed25519(self.configuration.auth)
            if setting is True and not is_ed25519:
                raise ApiValueError(
                    "WsConfiguration(logon=True) needs an Ed25519 private key; HMAC and RSA keys "
                    "cannot log a session on (they sign every request instead)"
                )
            self._want_logon = is_ed25519 if setting is None else setting
        return self._want_logon

    async def _open(self, *, after_drop: bool = False) -> _Link:
        """A new connection, set up (clock, logon, subscriptions); closed again on failure."""
        conn = await open_connection(self.url, self.configuration, self._user_agent)
        link = _Link(conn)
        link.reader = asyncio.get_running_loop().create_task(self._read(link))
        try:
            await self._set_up(link, after_drop)
        except BaseException:
            await conn.close()
            await asyncio.gather(link.reader, return_exceptions=True)
            raise
        return link

    def _install(self, link: _Link) -> None:
        """Make `link` the connection requests go to."""
        self._link = link
        self._rotate.clear()
        self._ready.set()
        logger.info(
            "connected to %s%s%s",
            self.url.partition("?")[0],
            "; logged on" if link.logged_on else "",
            f"; {len(link.by_id)} subscription(s)" if link.by_id else "",
        )

    async def _set_up(self, link: _Link, after_drop: bool) -> None:
        loop = asyncio.get_running_loop()
        timeout = self.configuration.request_timeout
        if self.configuration.time_sync_on_start and not self._clock_synced:
            await self._sync_clock_on(link, loop.time() + timeout)
        if self._should_logon():
            await self._checked(link, LOGON, None, loop.time() + timeout, sign_always=True)
            link.logged_on = True
        for sub in list(self._subscriptions):
            await self._subscribe_on(link, sub, loop.time() + timeout)
            if after_drop:
                sub.resubscriptions += 1

    async def _read(self, link: _Link) -> None:
        """Read frames until the connection ends, then fail what still waits on it."""
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
            current = self._link is link
            if current:
                self._link = None
                self._ready.clear()
            why = "the client was closed" if self._closing else conn.close_reason
            failed = 0
            for op, future in link.pending.drain():
                if not future.done():
                    future.set_exception(lost(op, f"no answer: {why}"))
                    failed += 1
            if current and not self._closing:
                logger.warning("websocket connection ended (%s); %d request(s) failed", why, failed)
            # Release what the connection holds (aiohttp's session, a half-closed socket).
            await conn.close()

    def _dispatch(self, link: _Link, text: str) -> None:
        frame = parse_frame(text)
        if isinstance(frame, Reply):
            entry = link.pending.pop(frame.id)
            if entry is not None:
                future = entry[1]
                if not future.done():
                    future.set_result(frame)
            elif frame.status >= 400:
                code = frame.error.get("code") if isinstance(frame.error, dict) else None
                logger.warning(
                    "error answer to no pending request (id %r): status %d, code %s",
                    frame.id,
                    frame.status,
                    code,
                )
            else:
                logger.debug("answer to no pending request (id %r): timed out?", frame.id)
        elif isinstance(frame, Event):
            self._route(link, frame)
        else:
            logger.debug("ignored a message of unknown shape (%d characters)", len(text))

    def _route(self, link: _Link, event: Event) -> None:
        payload = event.payload
        shutdown = isinstance(payload, dict) and payload.get(self._api.event_key) == SERVER_SHUTDOWN
        if shutdown and link is self._link:
            logger.info("the server announced a shutdown: moving to a new connection")
            self._rotate.set()
        if event.subscription_id is not None:
            sub = link.by_id.get(event.subscription_id)
            if sub is None:
                if len(link.early) < _MAX_EARLY_EVENTS:
                    link.early.append(event)
                else:
                    logger.debug("event for no subscription (%r)", event.subscription_id)
                return
            targets = [sub]
        else:
            targets = list(self._subscriptions)
        if not targets:
            logger.debug("event for no subscription (%r)", event.subscription_id)
            return
        model = self._events.parse(payload)
        for target in targets:
            target._put(model)

    async def _supervise(self) -> None:
        """Watch the connection: replace it before its 24 hours, reconnect when it drops."""
        loop = asyncio.get_running_loop()
        config = self.configuration
        failures = 0  # replacements that failed in a row
        while not self._closing:
            link = self._link
            if link is None or link.reader is None:
                if not await self._reconnect():
                    return
                continue
            age_left = config.max_connection_age - (time.monotonic() - link.opened_at)
            rotate = loop.create_task(self._rotate.wait())
            try:
                await asyncio.wait(
                    (link.reader, rotate),
                    timeout=max(0.0, age_left),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                rotate.cancel()
            if self._closing:
                return
            if link.reader.done():
                if not config.reconnect:
                    self._give_up(ApiConnectionError("the connection dropped", request_sent=False))
                    return
                continue  # the loop top reconnects
            # Too old, or the server is going away: replace the connection.
            try:
                await self._replace(link)
                failures = 0
            except OpenApiException as exc:
                failures += 1
                delay = backoff(failures, config.backoff_base, config.backoff_max)
                logger.warning("replacing the connection failed (%s); again in %.2f s", exc, delay)
                await asyncio.sleep(delay)

    async def _replace(self, old: _Link) -> None:
        """Move to a new connection without a gap: open it, log on and subscribe there, send new
        requests to it, then close the old one once its pending requests are answered.

        Events of the user data stream may arrive twice while both connections are subscribed,
        never not at all: the old subscriptions end with an unsubscribe whose answer comes after
        every event the old connection carried.
        """
        logger.info("replacing the websocket connection (age limit or server shutdown)")
        new = await self._open()
        self._install(new)
        loop = asyncio.get_running_loop()
        until = loop.time() + self.configuration.request_timeout
        while len(old.pending) and loop.time() < until:
            await asyncio.sleep(0.01)
        for sid in list(old.by_id):
            try:
                await self._checked(old, USER_DATA_UNSUBSCRIBE, {"subscriptionId": sid}, until)
            except OpenApiException as exc:  # the old connection is going anyway
                logger.info("userDataStream.unsubscribe %d failed: %s", sid, type(exc).__name__)
            del old.by_id[sid]
        await old.conn.close()
        if old.reader is not None:
            await asyncio.gather(old.reader, return_exceptions=True)

    async def _reconnect(self) -> bool:
        """Open and set up a new connection, with backoff; False when the client gives up."""
        config = self.configuration
        attempt = 0
        while not self._closing:
            attempt += 1
            delay = backoff(attempt, config.backoff_base, config.backoff_max)
            logger.info("reconnecting in %.2f s (attempt %d)", delay, attempt)
            await asyncio.sleep(delay)
            if self._closing:
                return False
            try:
                self._install(await self._open(after_drop=True))
                return True
            except ApiException as exc:
                if not isinstance(exc, RateLimitException) and exc.status < 500:
                    # Refused, not unreachable (a revoked key, say): retrying will not help.
                    self._give_up(exc)
                    return False
                failure: OpenApiException = exc
            except OpenApiException as exc:
                failure = exc
            logger.warning("reconnect attempt %d failed: %s", attempt, failure)
            limit = config.max_reconnect_attempts
            if limit is not None and attempt >= limit:
                self._give_up(failure)
                return False
        return False

    def _give_up(self, error: OpenApiException) -> None:
        logger.error("websocket client stopped reconnecting: %s", error)
        self._fatal = error
        for sub in self._subscriptions:
            sub._end()
        self._ready.set()  # wake waiting requests: they see _fatal

    # -- user data subscriptions ---------------------------------------------------------------

    async def _start_subscription(self, sub: AsyncUserDataSubscription) -> None:
        deadline = self._deadline(None)
        link = await self._ready_link(USER_DATA_SUBSCRIBE, deadline)
        self._subscriptions.append(sub)
        try:
            await self._subscribe_on(link, sub, deadline)
        except BaseException:
            self._subscriptions.remove(sub)
            raise

    async def _subscribe_on(
        self, link: _Link, sub: AsyncUserDataSubscription, deadline: float
    ) -> None:
        # A logged-on session subscribes its own account; otherwise the request is signed.
        op = USER_DATA_SUBSCRIBE if link.logged_on else USER_DATA_SUBSCRIBE_SIGNED
        response = await self._checked(link, op, None, deadline)
        sid = subscription_id(response.result)
        sub.subscription_id = sid
        link.by_id[sid] = sub
        if link.early:
            # Deliver, in order, what arrived for this id before we knew it was ours.
            early, link.early = link.early, []
            for event in early:
                if event.subscription_id == sid:
                    sub._put(self._events.parse(event.payload))
                else:
                    link.early.append(event)

    async def _stop_subscription(self, sub: AsyncUserDataSubscription) -> None:
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)
            link = self._link
            if link is not None and self._ready.is_set() and not self._closing:
                await self._unsubscribe(link, sub, self.configuration.request_timeout)
        sub._end()

    async def _unsubscribe(
        self, link: _Link, sub: AsyncUserDataSubscription, timeout: float
    ) -> None:
        sid = sub.subscription_id
        if sid is None or link.by_id.get(sid) is not sub:
            return
        del link.by_id[sid]
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            await self._checked(link, USER_DATA_UNSUBSCRIBE, {"subscriptionId": sid}, deadline)
        except OpenApiException as exc:  # the connection is going anyway: report, not raise
            logger.info("userDataStream.unsubscribe %d failed: %s", sid, type(exc).__name__)


class _Expired(Exception):
    """Set on a request's future when its deadline passes; becomes the typed timeout error."""


def _expire(future: asyncio.Future[Reply]) -> None:
    if not future.done():
        future.set_exception(_Expired())


def _sweep(link: _Link, loop: asyncio.AbstractEventLoop) -> None:
    """Fail the requests of `link` whose deadline has passed; wake again at the next deadline."""
    now = loop.time()
    link.sweep, link.sweep_at = None, math.inf
    upcoming = math.inf
    for future, deadline in list(link.deadlines.items()):
        if deadline <= now:
            _expire(future)
        elif deadline < upcoming:
            upcoming = deadline
    if upcoming < math.inf:
        link.sweep = loop.call_at(upcoming, _sweep, link, loop)
        link.sweep_at = upcoming


def backoff(attempt: int, base: float, cap: float) -> float:
    """Seconds before reconnect attempt `attempt` (1, 2, ...): exponential, capped, jittered."""
    # Jitter keeps many clients dropped together (a server restart) from returning together.
    return min(cap, base * 2.0 ** (attempt - 1)) * (0.5 + random.random() / 2)
