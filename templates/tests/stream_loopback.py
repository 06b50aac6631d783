"""A Binance-like market streams server (`/ws/<stream>`, `/stream?streams=a/b`) on 127.0.0.1.

In: the tests' script: events to push on a stream (`push`), requests to refuse (`refuse`),
connections to drop (`drop_all`). Out: what Binance's stream servers send: a raw stream's events
as they are, combined streams' as `{"stream", "data"}`, answers `{"result", "id"}` to SUBSCRIBE,
UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY and GET_PROPERTY (error answers
`{"error": {"code", "msg"}, "id"}`), and a record of every connection's URL and request frame.
Generated packages with market streams ship it verbatim as tests/stream_loopback.py: it imports
only the standard library and aiohttp.

It knows no spec, only the protocol. Each connection follows the streams its URL names and those
it subscribes to; an event pushed on a stream goes to every connection that follows it, in the
order pushed. Requests are answered in the order they arrive, on the connection's own reader.

    with StreamLoopback() as server:
        ...  # point a client at server.url (WsConfiguration(url=server.url))
        server.wait_for(lambda: server.following("btcusdt@trade"))
        server.push("btcusdt@trade", {"e": "trade", ...})

The server runs on an event loop of its own in a daemon thread, so blocking and asyncio tests use
it alike; `wait_for_async` is the coroutine form of `wait_for`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

T = TypeVar("T")

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# Binance's answers to a malformed request (its stream servers' codes).
UNKNOWN_PROPERTY = (0, "Unknown property")
INVALID_REQUEST = (2, "Invalid request")
INVALID_JSON = (3, "Invalid JSON")


@dataclass
class _Connection:
    number: int
    path: str  # the request path and query, as connected
    combined: bool
    ws: web.WebSocketResponse
    transport: asyncio.Transport | None
    streams: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return not self.ws.closed and self.transport is not None and not self.transport.is_closing()

    async def send(self, message: Any) -> bool:
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(_encode(message))
        except Exception:  # aborted or closing: nobody left to read it
            return False
        return True


class StreamLoopback:
    """A market streams server on 127.0.0.1 (a free port), in a daemon thread; `with` it."""

    def __init__(self, *, raw_path: str = "/ws/", combined_path: str = "/stream?streams=", port: int = 0) -> None:
        self.port = port
        # Where raw streams' names follow (`/ws/<stream>`) and combined ones' (`/stream?streams=a/b`).
        self.raw_path = raw_path
        self.combined_path, _, query = combined_path.partition("?")
        self.combined_key = query.partition("=")[0] or "streams"
        self.url = ""  # ws://127.0.0.1:<port>, the base a client's WsConfiguration(url=) takes
        self.requests: list[dict[str, Any]] = []  # every request frame, decoded, in order
        self.paths: list[str] = []  # every connection's path and query, in order
        self._refusals: dict[str, list[tuple[int, str]]] = {}
        self._answers: dict[str, Any] = {}
        self._connections: list[_Connection] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> StreamLoopback:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="stream-loopback", daemon=True)
        self._thread.start()
        port = self._call(self._start())
        self.url = f"ws://127.0.0.1:{port}"

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        try:
            if thread.is_alive():
                self._call(self._shutdown(), 15.0)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10.0)
            if not thread.is_alive():
                loop.close()

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        await site.start()
        return int(runner.addresses[0][1])

    async def _shutdown(self) -> None:
        for conn in list(self._connections):
            if conn.transport is not None:
                conn.transport.abort()
        if self._runner is not None:
            await self._runner.cleanup()
        current = asyncio.current_task()
        rest = [task for task in asyncio.all_tasks() if task is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError("StreamLoopback: not running (use `with StreamLoopback() as server:`)")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:  # not the builtin TimeoutError on Python 3.10
            future.cancel()
            raise

    async def _call_async(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError("StreamLoopback: not running")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    # -- scripting -----------------------------------------------------------------------------

    def answer(self, method: str, result: Any) -> None:
        """Answer every later request of `method` with `{"result": result, "id"}`."""
        with self._lock:
            self._answers[method] = result

    def refuse(self, method: str, code: int = 2, msg: str = "Invalid request") -> None:
        """Answer the next request of `method` with `{"error": {"code", "msg"}, "id"}`."""
        with self._lock:
            self._refusals.setdefault(method, []).append((code, msg))

    def push(self, stream: str, payload: Any) -> int:
        """Send `payload` on `stream` to every open connection following it; how many got it."""
        return self._call(self._push(stream, payload))

    async def push_async(self, stream: str, payload: Any) -> int:
        return await self._call_async(self._push(stream, payload))

    def drop_all(self) -> None:
        """Abort every open connection (no close frame): a client should reconnect."""
        self._call(self._drop_all())

    async def drop_all_async(self) -> None:
        await self._call_async(self._drop_all())

    def following(self, stream: str) -> bool:
        """Whether an open connection follows `stream`."""
        return any(conn.open and stream in conn.streams for conn in list(self._connections))

    @property
    def open_connections(self) -> int:
        return sum(1 for conn in list(self._connections) if conn.open)

    def requests_for(self, method: str) -> list[dict[str, Any]]:
        return [frame for frame in list(self.requests) if frame.get("method") == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        """Block until `predicate()` holds; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"StreamLoopback: timed out waiting {what or 'for the client'}")
            time.sleep(0.01)

    async def wait_for_async(
        self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = ""
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"StreamLoopback: timed out waiting {what or 'for the client'}")
            await asyncio.sleep(0.01)

    async def _push(self, stream: str, payload: Any) -> int:
        sent = 0
        for conn in list(self._connections):
            if conn.open and stream in conn.streams:
                message = {"stream": stream, "data": payload} if conn.combined else payload
                if await conn.send(message):
                    sent += 1
        return sent

    async def _drop_all(self) -> None:
        for conn in list(self._connections):
            if conn.transport is not None:
                conn.transport.abort()

    # -- the protocol --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        combined = bool(self.combined_path) and path == self.combined_path
        raw_root = self.raw_path.rstrip("/")
        if not combined and not (self.raw_path and (path == raw_root or path.startswith(self.raw_path))):
            raise web.HTTPNotFound()
        ws = web.WebSocketResponse(autoping=True, heartbeat=None, compress=False)
        transport = request.transport
        conn = _Connection(len(self._connections), request.path_qs, combined, ws,
                           transport if isinstance(transport, asyncio.Transport) else None)
        conn.properties["combined"] = combined
        if combined:
            named = request.query.get(self.combined_key, "")
            conn.streams.extend(name for name in named.split("/") if name)
        elif path != raw_root:
            conn.streams.append(path[len(self.raw_path):])
        # Recorded before the handshake completes: a client that has connected finds it here.
        self.paths.append(conn.path)
        self._connections.append(conn)
        await ws.prepare(request)
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            try:
                frame = json.loads(message.data)
            except ValueError:
                await conn.send({"error": {"code": INVALID_JSON[0], "msg": INVALID_JSON[1]}, "id": None})
                continue
            if isinstance(frame, dict):
                self.requests.append(frame)
            await self._answer(conn, frame)
        return ws

    async def _answer(self, conn: _Connection, frame: Any) -> None:
        request_id = frame.get("id") if isinstance(frame, dict) else None
        method = frame.get("method") if isinstance(frame, dict) else None
        params = frame.get("params", []) if isinstance(frame, dict) else None
        if not isinstance(method, str) or not isinstance(params, list):
            await self._error(conn, request_id, INVALID_REQUEST)
            return
        with self._lock:
            queued = self._refusals.get(method)
            refusal = queued.pop(0) if queued else None
            scripted = method in self._answers
            result: Any = self._answers.get(method)
        if refusal is not None:
            await self._error(conn, request_id, refusal)
            return
        if not scripted:
            error, result = self._execute(conn, method, params)
            if error is not None:
                await self._error(conn, request_id, error)
                return
        await conn.send({"result": result, "id": request_id})

    @staticmethod
    def _execute(conn: _Connection, method: str, params: list[Any]) -> tuple[tuple[int, str] | None, Any]:
        """The built-in methods: (error, result) of one request on `conn`."""
        if method == "SUBSCRIBE" and all(isinstance(p, str) for p in params):
            conn.streams.extend(p for p in params if p not in conn.streams)
        elif method == "UNSUBSCRIBE" and all(isinstance(p, str) for p in params):
            conn.streams[:] = [s for s in conn.streams if s not in params]
        elif method == "LIST_SUBSCRIPTIONS":
            return None, list(conn.streams)
        elif method == "SET_PROPERTY" and len(params) == 2 and isinstance(params[0], str):
            conn.properties[params[0]] = params[1]
            if params[0] == "combined":
                conn.combined = bool(params[1])
        elif method == "GET_PROPERTY" and len(params) == 1 and params[0] in conn.properties:
            return None, conn.properties[params[0]]
        elif method == "GET_PROPERTY":
            return UNKNOWN_PROPERTY, None
        else:
            return INVALID_REQUEST, None
        return None, None

    @staticmethod
    async def _error(conn: _Connection, request_id: Any, error: tuple[int, str]) -> None:
        await conn.send({"error": {"code": error[0], "msg": error[1]}, "id": request_id})


def _serve(port: int) -> None:
    """`python -m tests.stream_loopback --port 8766`: serve, pushing a trade event every second on
    each followed stream, until interrupted."""
    with StreamLoopback(port=port) as server:
        print(f"serving market streams on {server.url}", flush=True)
        trade = 0
        try:
            while True:
                time.sleep(1.0)
                trade += 1
                for stream in sorted({s for c in list(server._connections) if c.open for s in c.streams}):
                    symbol = stream.partition("@")[0].upper()
                    server.push(stream, {"e": "trade", "E": int(time.time() * 1000), "s": symbol, "t": trade,
                                         "p": "1.5", "q": "2", "T": int(time.time() * 1000), "m": False})
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="A Binance-like market streams server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    _serve(parser.parse_args().port)
