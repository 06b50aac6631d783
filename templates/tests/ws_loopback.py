"""A Binance-like WebSocket API server (`ws-api/v3`) on 127.0.0.1, scripted from the tests.

In: the test's keys (an API key, an HMAC secret and/or a raw Ed25519 public key) and a table of
answers per method (`answer`, `refuse`, `silence`, `drop_on`, `delay`). Out: answers as Binance
writes them, `{"id", "status", "result" | "error": {"code", "msg"}, "rateLimits"}`, user-data
events `{"subscriptionId", "event"}` (`push`), and a record of every request (`requests`).
Generated packages ship it verbatim as tests/ws_loopback.py: it imports only the standard
library, aiohttp and cryptography.

It knows no spec, only the protocol: `time`, `ping`, the session methods (`session.logon` takes
Ed25519 keys only; `session.status`, `session.logout`, `session.subscriptions`) and the user
data stream methods (`userDataStream.subscribe` on a logged-on connection,
`userDataStream.subscribe.signature`, `userDataStream.unsubscribe`) are built in; every other
method answers what the table says, or -1100 "Unknown method". Credentials are checked as Binance checks them,
on any request that carries them: `timestamp` against `recvWindow` (-1021), `apiKey` (-2015),
`signature` over the other parameters sorted by name (HMAC-SHA256 hex, Ed25519 base64; -1022).
Each request is answered by a task of its own, so answers may overtake each other.

The server runs on an event loop of its own in a daemon thread, so blocking tests and asyncio
tests (`asyncio.run` inside a test function) use it alike:

    with WsLoopback() as server:
        server.answer("ticker.price", {"symbol": "BTCUSDT", "price": "1.5"})
        ...  # point a client at server.url
        assert server.signed_ok(server.requests[-1])

Methods that wait for the client (`wait_for`, `ping_all`) have `*_async` twins for coroutines:
the blocking ones would stall the client's own event loop in the same thread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import contextlib
import hashlib
import hmac
import inspect
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import WSMsgType, web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

T = TypeVar("T")

PATH = "/ws-api/v3"
DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60_000
# How far ahead of the server's clock a timestamp may be (Binance allows about a second).
FUTURE_TOLERANCE_MS = 1000
REQUEST_WEIGHT_LIMIT = 6000

INVALID_KEY = (401, -2015, "Invalid API-key, IP, or permissions for action.")
BAD_SIGNATURE = (400, -1022, "Signature for this request is not valid.")
OUTSIDE_WINDOW = (400, -1021, "Timestamp for this request is outside of the recvWindow.")
HMAC_LOGON = (400, -4056, "HMAC_SHA256 API key is not supported.")

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_string = json.JSONEncoder(ensure_ascii=False).encode


class _Refused(Exception):
    """An error answer: raised while checking or executing a request."""

    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


@dataclass
class _Rule:
    """What to do with the next `times` requests of one method instead of the usual."""

    kind: str  # "refuse", "silence", "drop" or "delay"
    times: int
    error: dict[str, Any] | None = None
    status: int = 0
    seconds: float = 0.0


@dataclass
class _Connection:
    """One accepted connection: its socket, logon and user-data subscriptions."""

    number: int
    ws: web.WebSocketResponse
    transport: asyncio.Transport | None
    connected_since: int
    logged_on: bool = False
    authorized_since: int | None = None
    subscriptions: list[int] = field(default_factory=list)
    next_subscription: int = 0
    pongs: dict[bytes, asyncio.Future[None]] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return not self.ws.closed and self.transport is not None and not self.transport.is_closing()

    def abort(self) -> None:
        """End the connection abruptly (no close frame), as a network failure would."""
        if self.transport is not None:
            self.transport.abort()

    async def send(self, message: Mapping[str, Any]) -> bool:
        """Send one JSON text frame; False when the connection is already gone."""
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(_encode(message))
        except Exception:  # aborted or closing: nobody left to answer
            return False
        return True


class WsLoopback:
    """A Binance-like WebSocket API server on 127.0.0.1 (a free port), in a daemon thread.

    `with WsLoopback() as server:` starts it (`url`) and, on leaving, closes every connection,
    the listening socket and the event loop thread. Scripting methods may be called at any
    time from any thread; one-shot rules (`refuse`, `silence`, `drop_on`, `delay`) queue per
    method and are used in order, before the method's standing `answer` or its built-in one.
    """

    def __init__(
        self,
        *,
        api_key: str = "test-api-key",
        secret_key: str | None = "test-secret-key",
        ed25519_public_key: bytes | None = None,
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.port = port  # 0: a free port
        self._secret = secret_key.encode("utf-8") if secret_key is not None else None
        self._public = (
            ed25519.Ed25519PublicKey.from_public_bytes(ed25519_public_key)
            if ed25519_public_key is not None
            else None
        )
        self.url = ""
        self.requests: list[dict[str, Any]] = []  # every request frame, decoded, in order
        # The server's clock minus the real one, in ms: for tests of the client's clock repair.
        self.clock_offset_ms = 0
        self._lock = threading.Lock()
        self._rules: dict[str, deque[_Rule]] = {}
        self._answers: dict[str, tuple[int, Any]] = {}
        self._connections: list[_Connection] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._pings = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> WsLoopback:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the event loop thread and listen on a free port of 127.0.0.1."""
        if self._loop is not None:
            raise RuntimeError("WsLoopback: already started")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=self._serve, args=(loop,), name="ws-loopback", daemon=True
        )
        self._thread.start()
        try:
            port = self._call(self._start(), 10.0)
        except BaseException:
            self.stop()
            raise
        self.url = f"ws://127.0.0.1:{port}{PATH}"

    def stop(self) -> None:
        """Close every connection and the listening socket; end the loop thread. Idempotent."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        try:
            if thread.is_alive():
                self._call(self._shutdown(), 15.0)
        finally:
            if thread.is_alive():
                loop.call_soon_threadsafe(loop.stop)
                thread.join(10.0)
            if not thread.is_alive():
                loop.close()

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_get(PATH, self._handle)
        # No access log; a short shutdown: stop() has ended every handler by then.
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        await site.start()
        address = runner.addresses[0]
        return int(address[1])

    async def _shutdown(self) -> None:
        self._closing = True
        for conn in list(self._connections):
            conn.abort()
        runner = self._runner
        if runner is not None:
            await runner.cleanup()
        current = asyncio.current_task()
        rest = [task for task in asyncio.all_tasks() if task is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)
        loop = asyncio.get_running_loop()
        await loop.shutdown_asyncgens()
        await loop.shutdown_default_executor()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run `coro` on the server's loop; block this thread until it is done."""
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError("WsLoopback: not running (use `with WsLoopback() as server:`)")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:  # not the builtin TimeoutError on Python 3.10
            future.cancel()
            raise

    async def _call_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the server's loop; await it from the caller's loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError("WsLoopback: not running (use `with WsLoopback() as server:`)")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    # -- scripting -----------------------------------------------------------------------------

    def answer(self, method: str, result: Any, *, status: int = 200) -> None:
        """Answer `method` with `result` from now on (until changed or `clear`ed).

        `result` may be a function of the request's params that returns the result. A status of
        400 or more sends `result` as the `error` object (`{"code", "msg"}`). Credentials the
        request carries are still checked first. A built-in method answered this way does
        nothing of its own: no logon, no subscription.
        """
        with self._lock:
            self._answers[method] = (status, result)

    def refuse(
        self,
        method: str,
        status: int,
        code: int,
        msg: str,
        *,
        times: int = 1,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next `times` requests of `method` with `{"error": {"code", "msg"}}`.

        `data` goes in the error too, as Binance's `data` of a 429/418 (`retryAfter`).
        """
        error: dict[str, Any] = {"code": code, "msg": msg}
        if data is not None:
            error["data"] = dict(data)
        self._add_rule(method, _Rule("refuse", times, error=error, status=status))

    def silence(self, method: str, *, times: int = 1) -> None:
        """Never answer the next `times` requests of `method`."""
        self._add_rule(method, _Rule("silence", times))

    def drop_on(self, method: str, *, times: int = 1) -> None:
        """Abort the connection (no answer, no close frame) on the next `times` requests of
        `method`."""
        self._add_rule(method, _Rule("drop", times))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` requests of `method` as usual, `seconds` late."""
        self._add_rule(method, _Rule("delay", times, seconds=seconds))

    def clear(self, method: str | None = None) -> None:
        """Forget the answers and pending rules of `method` (of every method with None)."""
        with self._lock:
            if method is None:
                self._answers.clear()
                self._rules.clear()
            else:
                self._answers.pop(method, None)
                self._rules.pop(method, None)

    def _add_rule(self, method: str, rule: _Rule) -> None:
        if rule.times < 1:
            raise ValueError(f"WsLoopback: times must be at least 1, got {rule.times}")
        with self._lock:
            self._rules.setdefault(method, deque()).append(rule)

    def _take_rule(self, method: str) -> _Rule | None:
        with self._lock:
            queue = self._rules.get(method)
            if not queue:
                return None
            rule = queue[0]
            rule.times -= 1
            if rule.times <= 0:
                queue.popleft()
            return rule

    # -- what the server saw -------------------------------------------------------------------

    @property
    def connections(self) -> int:
        """How many connections were accepted so far (a reconnect adds one)."""
        return len(self._connections)

    @property
    def open_connections(self) -> int:
        """How many connections are open now."""
        return sum(1 for conn in list(self._connections) if conn.open)

    @property
    def methods(self) -> list[str]:
        """The method of every request received, in order."""
        return [str(request.get("method")) for request in list(self.requests)]

    def requests_for(self, method: str) -> list[dict[str, Any]]:
        """The requests of one method, in order."""
        return [request for request in list(self.requests) if request.get("method") == method]

    def now_ms(self) -> int:
        """The server's clock, in ms (the real one plus `clock_offset_ms`)."""
        return int(time.time() * 1000) + self.clock_offset_ms

    def signed_ok(self, request: Mapping[str, Any]) -> bool:
        """Whether `request` carries this server's API key and a signature valid for its keys."""
        params = request.get("params")
        if not isinstance(params, Mapping) or params.get("apiKey") != self.api_key:
            return False
        return self._signature_kind(params) is not None

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str | None = None
    ) -> None:
        """Poll `predicate` until it is true; AssertionError naming it after `timeout` s.

        From a coroutine, `await wait_for_async(...)`: this would block the client's loop.
        """
        _refuse_in_loop("wait_for")
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"not true within {timeout:g} s: {_described(predicate, what)}"
                )
            time.sleep(0.005)

    async def wait_for_async(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str | None = None
    ) -> None:
        """`wait_for` for coroutines: the caller's event loop keeps running while it polls."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"not true within {timeout:g} s: {_described(predicate, what)}"
                )
            await asyncio.sleep(0.005)

    # -- acting on the connections -------------------------------------------------------------

    def push(self, event: Mapping[str, Any]) -> int:
        """Send `{"subscriptionId", "event"}` to every open subscription; how many got it.

        Pushes arrive in the order they were made.
        """
        return self._call(self._push(dict(event)))

    async def push_async(self, event: Mapping[str, Any]) -> int:
        return await self._call_async(self._push(dict(event)))

    def send_all(self, message: Mapping[str, Any]) -> int:
        """Send `message` as it is to every open connection (an event for no subscription,
        `{"event": {"e": "serverShutdown"}}`, or a malformed frame); how many got it."""
        return self._call(self._send_all(dict(message)))

    def drop_all(self) -> None:
        """Abort every open connection (no close frame): a client should reconnect."""
        self._call(self._drop_all())

    def ping_all(self, timeout: float = 2.0) -> bool:
        """Ping every open connection; True when each answered with a pong within `timeout` s
        (False with no connection open). From a coroutine, `await ping_all_async(...)`."""
        _refuse_in_loop("ping_all")
        return self._call(self._ping_all(timeout), timeout + 5.0)

    async def ping_all_async(self, timeout: float = 2.0) -> bool:
        return await self._call_async(self._ping_all(timeout))

    async def _push(self, event: dict[str, Any]) -> int:
        sent = 0
        for conn in list(self._connections):
            for sid in list(conn.subscriptions):
                if conn.open and await conn.send({"subscriptionId": sid, "event": event}):
                    sent += 1
        return sent

    async def _send_all(self, message: dict[str, Any]) -> int:
        sent = 0
        for conn in list(self._connections):
            if conn.open and await conn.send(message):
                sent += 1
        return sent

    async def _drop_all(self) -> None:
        for conn in list(self._connections):
            conn.abort()

    async def _ping_all(self, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        waiters: list[asyncio.Future[None]] = []
        for conn in list(self._connections):
            if not conn.open:
                continue
            self._pings += 1
            payload = f"loopback-{self._pings}".encode("ascii")
            waiter: asyncio.Future[None] = loop.create_future()
            conn.pongs[payload] = waiter
            try:
                await conn.ws.ping(payload)
            except Exception:  # gone meanwhile: it cannot answer
                conn.pongs.pop(payload, None)
                return False
            waiters.append(waiter)
        if not waiters:
            return False
        _, pending = await asyncio.wait(waiters, timeout=timeout)
        for waiter in pending:
            waiter.cancel()
        return not pending

    # -- the protocol --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        # autoping off: the server answers pings itself and sees the pongs to its own pings.
        ws = web.WebSocketResponse(autoping=False, heartbeat=None, compress=False)
        await ws.prepare(request)
        transport = request.transport
        conn = _Connection(
            len(self._connections),
            ws,
            transport if isinstance(transport, asyncio.Transport) else None,
            self.now_ms(),
        )
        self._connections.append(conn)
        if self._closing:
            conn.abort()
            return ws
        loop = asyncio.get_running_loop()
        async for message in ws:
            kind = message.type
            if kind is WSMsgType.TEXT or kind is WSMsgType.BINARY:
                data = message.data
                text = data if isinstance(data, str) else bytes(data).decode("utf-8", "replace")
                try:
                    frame = json.loads(text)
                except ValueError:
                    frame = None
                if isinstance(frame, dict):
                    self.requests.append(frame)  # here, in arrival order, before any answer
                task = loop.create_task(self._answer(conn, frame))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            elif kind is WSMsgType.PING:
                with contextlib.suppress(Exception):
                    await ws.pong(message.data)
            elif kind is WSMsgType.PONG:
                waiter = conn.pongs.pop(bytes(message.data), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)
            else:  # ERROR: the connection is broken
                break
        for waiter in conn.pongs.values():
            waiter.cancel()
        conn.pongs.clear()
        return ws

    async def _answer(self, conn: _Connection, request: Any) -> None:
        """Answer one decoded request frame (or not, as the rules say)."""
        if not isinstance(request, dict):
            await self._error(conn, None, 400, -1100, "Malformed request.")
            return
        request_id = request.get("id")
        method = request.get("method")
        params = request.get("params", {})
        if not isinstance(method, str) or not isinstance(params, dict):
            await self._error(conn, request_id, 400, -1100, "Malformed request.")
            return
        rule = self._take_rule(method)
        if rule is not None:
            if rule.kind == "drop":
                conn.abort()
                return
            if rule.kind == "silence":
                return
            if rule.kind == "delay":
                await asyncio.sleep(rule.seconds)
            elif rule.error is not None:
                await self._reply(conn, request_id, rule.status, error=rule.error)
                return
        try:
            status, result = self._execute(conn, method, params)
        except _Refused as refused:
            await self._error(conn, request_id, refused.status, refused.code, refused.msg)
            return
        if status >= 400:
            await self._reply(conn, request_id, status, error=result)
        else:
            await self._reply(conn, request_id, status, result=result)

    async def _error(
        self, conn: _Connection, request_id: Any, status: int, code: int, msg: str
    ) -> None:
        await self._reply(conn, request_id, status, error={"code": code, "msg": msg})

    async def _reply(
        self,
        conn: _Connection,
        request_id: Any,
        status: int,
        *,
        result: Any = None,
        error: Any = None,
    ) -> None:
        answer: dict[str, Any] = {"id": request_id, "status": status}
        if error is not None:
            answer["error"] = error
        else:
            answer["result"] = result
        answer["rateLimits"] = [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": REQUEST_WEIGHT_LIMIT,
                "count": len(self.requests),
            }
        ]
        await conn.send(answer)

    def _execute(self, conn: _Connection, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """(status, result or error object) for one request; _Refused as Binance refuses."""
        signed_with = self._authenticate(params)
        with self._lock:
            standing = self._answers.get(method)
        if standing is not None:
            status, result = standing
            return status, result(params) if callable(result) else result
        now = self.now_ms()
        if method == "time":
            return 200, {"serverTime": now}
        if method == "ping":
            return 200, {}
        if method == "session.logon":
            if signed_with is None:
                raise _Refused(400, -1102, _mandatory("signature"))
            if signed_with == "hmac":
                raise _Refused(*HMAC_LOGON)
            conn.logged_on = True
            conn.authorized_since = now
            return 200, self._session(conn)
        if method == "session.logout":
            conn.logged_on = False
            conn.authorized_since = None
            return 200, self._session(conn)
        if method == "session.status":
            return 200, self._session(conn)
        if method == "session.subscriptions":
            return 200, [{"subscriptionId": sid} for sid in conn.subscriptions]
        if method == "userDataStream.subscribe":
            if not conn.logged_on:
                raise _Refused(*INVALID_KEY)
            return 200, {"subscriptionId": self._subscribe(conn)}
        if method == "userDataStream.subscribe.signature":
            if signed_with is None:
                raise _Refused(400, -1102, _mandatory("signature"))
            return 200, {"subscriptionId": self._subscribe(conn)}
        if method == "userDataStream.unsubscribe":
            sid = params.get("subscriptionId")
            if sid is None:
                conn.subscriptions.clear()
            elif sid in conn.subscriptions:
                conn.subscriptions.remove(sid)
            return 200, {}
        raise _Refused(400, -1100, "Unknown method")

    def _session(self, conn: _Connection) -> dict[str, Any]:
        return {
            "apiKey": self.api_key if conn.logged_on else None,
            "authorizedSince": conn.authorized_since,
            "connectedSince": conn.connected_since,
            "returnRateLimits": True,
            "serverTime": self.now_ms(),
            "userDataStream": bool(conn.subscriptions),
        }

    @staticmethod
    def _subscribe(conn: _Connection) -> int:
        sid = conn.next_subscription
        conn.next_subscription += 1
        conn.subscriptions.append(sid)
        return sid

    def _authenticate(self, params: Mapping[str, Any]) -> str | None:
        """Check the credentials a request carries, in Binance's order: timestamp, API key,
        signature. Returns the kind of key that signed it ("hmac", "ed25519") or None.

        A request without `signature` is not refused for it: the server does not know which
        methods need one (and on a logged-on connection none do).
        """
        signed = "signature" in params
        timestamp = params.get("timestamp")
        if timestamp is not None or signed:
            if isinstance(timestamp, bool) or not isinstance(timestamp, int):
                if timestamp is None:
                    raise _Refused(400, -1102, _mandatory("timestamp"))
                raise _Refused(400, -1100, "Illegal characters found in parameter 'timestamp'.")
            window = params.get("recvWindow", DEFAULT_RECV_WINDOW)
            if isinstance(window, str):  # a DECIMAL parameter may come as text ("6000.346")
                try:
                    window = float(window)
                except ValueError:
                    window = None
            if isinstance(window, bool) or not isinstance(window, (int, float)):
                raise _Refused(400, -1100, "Illegal characters found in parameter 'recvWindow'.")
            if window > MAX_RECV_WINDOW:
                raise _Refused(400, -1131, "recvWindow must be less than 60000")
            now = self.now_ms()
            if timestamp > now + FUTURE_TOLERANCE_MS or now - timestamp > window:
                raise _Refused(*OUTSIDE_WINDOW)
        api_key = params.get("apiKey")
        if api_key is not None and api_key != self.api_key:
            raise _Refused(*INVALID_KEY)
        if not signed:
            return None
        if api_key is None:
            raise _Refused(400, -1102, _mandatory("apiKey"))
        kind = self._signature_kind(params)
        if kind is None:
            raise _Refused(*BAD_SIGNATURE)
        return kind

    def _signature_kind(self, params: Mapping[str, Any]) -> str | None:
        """Which configured key made `params["signature"]`: "hmac", "ed25519", or None."""
        signature = params.get("signature")
        if not isinstance(signature, str):
            return None
        payload = signature_payload(params).encode("utf-8")
        if self._secret is not None:
            expected = hmac.new(self._secret, payload, hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8")):
                return "hmac"
        if self._public is not None:
            try:
                self._public.verify(base64.b64decode(signature, validate=True), payload)
            except (InvalidSignature, binascii.Error, ValueError):
                return None
            return "ed25519"
        return None


def signature_payload(params: Mapping[str, Any]) -> str:
    """What a WebSocket API signature covers: every parameter but `signature`, sorted by name,
    as `name=value` joined by `&`. Values as the client writes them: strings as they are,
    true/false, integers, and anything else as compact JSON (floats in plain notation)."""
    return "&".join(
        f"{name}={_payload_text(params[name])}" for name in sorted(params) if name != "signature"
    )


def _payload_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    return _json(value)


def _json(value: Any) -> str:
    """Compact JSON, as the client's writer makes it: UTF-8 kept, floats never in exponent
    notation and always with a fraction (json.dumps would write 1e-05)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    if isinstance(value, Mapping):
        items = (f"{_encode_string(str(k))}:{_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json(item) for item in value) + "]"
    return _encode_string(str(value))


def _mandatory(name: str) -> str:
    return f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."


def _refuse_in_loop(name: str) -> None:
    """Blocking here would stall an event loop running in this thread (the client's, in an
    async test): it could not answer, and the wait would time out for nothing."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"WsLoopback.{name} blocks: in a coroutine, await {name}_async(...)")


def _described(predicate: Callable[[], bool], what: str | None) -> str:
    if what is not None:
        return what
    name = getattr(predicate, "__name__", "")
    if name and name != "<lambda>":
        return name
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


def make_ed25519_key() -> tuple[str, bytes]:
    """A fresh Ed25519 key pair for tests: (private key PEM, for the client's credentials;
    raw 32-byte public key, for `WsLoopback(ed25519_public_key=...)`)."""
    private = ed25519.Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return pem, public


# -- a demo server: `python -m tests.ws_loopback` --------------------------------------------------


def sample_events(now_ms: int) -> list[dict[str, Any]]:
    """Events as Binance sends them on the user data stream: an order placed, then the balances."""
    return [
        {
            "e": "executionReport",
            "E": now_ms,
            "s": "BTCUSDT",
            "c": "demo",
            "S": "BUY",
            "o": "LIMIT",
            "x": "NEW",
            "X": "NEW",
            "i": now_ms,
            "q": "0.00100000",
            "p": "25000.00000000",
        },
        {
            "e": "outboundAccountPosition",
            "E": now_ms,
            "u": now_ms,
            "B": [{"a": "USDT", "f": "975.00000000", "l": "25.00000000"}],
        },
    ]


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted, pushing sample user-data events to every subscription; with
    --drop-after, drop every connection once after that many seconds (a client reconnects)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tests.ws_loopback",
        description="A local stand-in for Binance's WebSocket API (API key test-api-key, HMAC "
        "secret test-secret-key).",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between events")
    parser.add_argument("--drop-after", type=float, default=None, metavar="SECONDS")
    args = parser.parse_args(argv)
    with WsLoopback(port=args.port) as server:
        print(f"serving {server.url}", flush=True)
        started = time.monotonic()
        dropped = False
        try:
            while True:
                time.sleep(args.interval)
                if args.drop_after is not None and not dropped:
                    if time.monotonic() - started >= args.drop_after:
                        server.drop_all()
                        dropped = True
                        print("dropped every connection", flush=True)
                for event in sample_events(server.now_ms()):
                    server.push(event)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
