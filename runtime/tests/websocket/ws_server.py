"""A loopback stand-in for Binance's WebSocket API (`ws-api/v3`), for the WebSocket client's tests.

It speaks the protocol as Binance documents it: one JSON request per text frame
`{"id", "method", "params"}`, answers `{"id", "status", "result" | "error", "rateLimits"}`,
user-data events `{"subscriptionId", "event"}`. It checks what Binance checks: HMAC-SHA256 and
Ed25519 signatures over the sorted parameters (with the test's own keys), timestamps against
recvWindow (-1021), API keys (-2015), session.logon (Ed25519 only) and what it allows afterwards.
Tests script it: delay replies, answer errors, never answer, drop the connection, push events,
send pings. It runs on its own event loop in a thread, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from websockets.asyncio.server import Server, ServerConnection, serve

# The server's own logger, kept quiet: at DEBUG websockets would log every frame, and the tests
# that look for secrets in log records must only see the client's.
SERVER_LOGGER = logging.getLogger("tests.ws_server")
SERVER_LOGGER.setLevel(logging.WARNING)

SIGNED_METHODS = frozenset(
    {"order.place", "order.cancel", "account.status", "userDataStream.subscribe.signature"}
)
TRADE_METHODS = frozenset({"order.place", "order.cancel"})
RATE_LIMITS = [
    {
        "rateLimitType": "REQUEST_WEIGHT",
        "interval": "MINUTE",
        "intervalNum": 1,
        "limit": 6000,
        "count": 7,
    },
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50, "count": 1},
]


@dataclass
class Key:
    """An API key the server knows: HMAC (`secret`) or Ed25519 (`public`)."""

    kind: str
    secret: bytes | None = None
    public: ed25519.Ed25519PublicKey | None = None


@dataclass
class Rule:
    """What the server does with the next request(s) of one method instead of answering."""

    delay: float = 0.0
    error: tuple[int, int, str, dict[str, Any] | None] | None = None
    drop: bool = False  # close the TCP connection abruptly, no answer
    silent: bool = False  # never answer
    times: int = 1


@dataclass
class ConnectionState:
    ws: ServerConnection
    number: int
    logged_on_key: str | None = None
    subscriptions: dict[int, str] = field(default_factory=dict)  # id -> API key
    next_subscription: int = 0


def payload_text(value: Any) -> str:
    """How the server reads a parameter for the signature payload (written apart from the client)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (str, int)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class BinanceWsServer:
    def __init__(self, keys: dict[str, Key]) -> None:
        self.keys = keys
        self.requests: list[dict[str, Any]] = []  # every request frame, parsed, in order
        self.connections: list[ConnectionState] = []
        self.rules: dict[str, list[Rule]] = {}
        self.delays: dict[str, float] = {}  # ticker.price: seconds to wait, by symbol
        self.skew_ms = 0  # the server's clock minus the real time
        self.orders = 0
        # Events sent right behind the answer to a subscribe request, before anything else.
        self.greeting_events: list[dict[str, Any]] = []
        self.loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.url = ""

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> BinanceWsServer:
        self._thread.start()

        async def start() -> Server:
            return await serve(
                self._handle,
                "127.0.0.1",
                0,
                compression=None,
                logger=SERVER_LOGGER,
                ping_interval=None,
            )

        self._server = self._run(start())
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws-api/v3"
        return self

    def __exit__(self, *exc: object) -> None:
        server = self._server
        if server is not None:
            server.close()
            self._run(server.wait_closed(), timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()

    def _run(self, coro: Any, timeout: float = 5.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    # -- scripting (called from the test's thread) ---------------------------------------------

    def on(self, method: str, rule: Rule) -> None:
        self.rules.setdefault(method, []).append(rule)

    def fail(
        self,
        method: str,
        status: int,
        code: int,
        msg: str,
        data: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        self.on(method, Rule(error=(status, code, msg, data), times=times))

    def push(self, event: dict[str, Any]) -> int:
        """Send `event` to every user-data subscription open now; returns how many got it."""

        async def send() -> int:
            sent = 0
            for conn in list(self.connections):
                for sid in list(conn.subscriptions):
                    frame = {"subscriptionId": sid, "event": event}
                    try:
                        await conn.ws.send(json.dumps(frame))
                        sent += 1
                    except Exception:
                        pass
            return sent

        return int(self._run(send()))

    def drop_all(self) -> None:
        """Cut every connection abruptly (no close frame), as a network failure would."""

        async def drop() -> None:
            for conn in self.connections:
                conn.ws.transport.abort()

        self._run(drop())

    def ping_all(self, timeout: float = 2.0) -> bool:
        """Ping every open connection; True when each answered with a pong in time."""

        async def ping() -> bool:
            waiters = [await c.ws.ping() for c in self.connections if c.ws.state.name == "OPEN"]
            if not waiters:
                return False
            done, _ = await asyncio.wait(waiters, timeout=timeout)
            return len(done) == len(waiters)

        return bool(self._run(ping(), timeout + 2))

    def stop_accepting(self) -> None:
        """Close the listening socket and every connection: reconnecting clients find no server."""
        assert self._server is not None
        self.drop_all()  # no closing handshake: an asyncio client's loop may not be running
        self._server.close()
        self._run(self._server.wait_closed())

    def open_connections(self) -> list[ConnectionState]:
        return [c for c in self.connections if c.ws.state.name == "OPEN"]

    def methods(self) -> list[str]:
        return [r.get("method", "") for r in self.requests]

    # -- the protocol --------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        conn = ConnectionState(ws, len(self.connections))
        self.connections.append(conn)
        tasks: set[asyncio.Task[None]] = set()
        try:
            async for text in ws:
                request = json.loads(text)
                self.requests.append(request)
                # Each request is answered by a task of its own: answers may overtake each other.
                task = asyncio.get_running_loop().create_task(self._answer(conn, request))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except Exception:
            pass

    async def _answer(self, conn: ConnectionState, request: dict[str, Any]) -> None:
        request_id = request.get("id")
        method = request.get("method", "")
        params = request.get("params", {})
        rules = self.rules.get(method)
        if rules:
            rule = rules[0]
            rule.times -= 1
            if rule.times <= 0:
                rules.pop(0)
            if rule.delay:
                await asyncio.sleep(rule.delay)
            if rule.drop:
                conn.ws.transport.abort()
                return
            if rule.silent:
                return
            if rule.error is not None:
                status, code, msg, data = rule.error
                await self._error(conn, request_id, status, code, msg, data)
                return
        try:
            status, result = await self._execute(conn, method, params)
        except _Refused as refused:
            await self._error(conn, request_id, refused.status, refused.code, refused.msg)
            return
        answer = {"id": request_id, "status": status, "result": result, "rateLimits": RATE_LIMITS}
        with contextlib.suppress(Exception):  # the connection may be gone: nobody to answer
            await conn.ws.send(json.dumps(answer))
            if method.startswith("userDataStream.subscribe"):
                for event in self.greeting_events:
                    frame = {"subscriptionId": result["subscriptionId"], "event": event}
                    await conn.ws.send(json.dumps(frame))

    async def _error(
        self,
        conn: ConnectionState,
        request_id: Any,
        status: int,
        code: int,
        msg: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        error: dict[str, Any] = {"code": code, "msg": msg}
        if data is not None:
            error["data"] = data
        answer = {"id": request_id, "status": status, "error": error, "rateLimits": RATE_LIMITS}
        with contextlib.suppress(Exception):  # the connection may be gone: nobody to answer
            await conn.ws.send(json.dumps(answer))

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.skew_ms

    async def _execute(
        self, conn: ConnectionState, method: str, params: dict[str, Any]
    ) -> tuple[int, Any]:
        if method == "ping":
            return 200, {}
        if method == "time":
            return 200, {"serverTime": self.now_ms()}
        if method == "ticker.price":
            symbol = params.get("symbol", "")
            await asyncio.sleep(self.delays.get(symbol, 0.0))
            return 200, {"symbol": symbol, "price": "1.5"}
        if method == "session.logon":
            key = self._verify(conn, params, allow_logon=False)
            if self.keys[key].kind != "ed25519":
                raise _Refused(400, -4056, "HMAC_SHA256 API key is not supported.")
            conn.logged_on_key = key
            return 200, {
                "apiKey": key,
                "authorizedSince": self.now_ms(),
                "serverTime": self.now_ms(),
                "userDataStream": False,
            }
        if method == "session.logout":
            conn.logged_on_key = None
            return 200, {"apiKey": None, "serverTime": self.now_ms()}
        if method == "session.status":
            return 200, {"apiKey": conn.logged_on_key, "userDataStream": bool(conn.subscriptions)}
        if method == "userDataStream.subscribe":
            if conn.logged_on_key is None:
                raise _Refused(401, -2015, "Invalid API-key, IP, or permissions for action.")
            return 200, {"subscriptionId": self._subscribe(conn, conn.logged_on_key)}
        if method == "userDataStream.unsubscribe":
            sid = params.get("subscriptionId")
            if sid is None:
                conn.subscriptions.clear()
            else:
                conn.subscriptions.pop(sid, None)
            return 200, {}
        if method in SIGNED_METHODS:
            key = self._verify(
                conn, params, allow_logon=method != "userDataStream.subscribe.signature"
            )
            if method == "userDataStream.subscribe.signature":
                return 200, {"subscriptionId": self._subscribe(conn, key)}
            if method == "order.place":
                self.orders += 1
                return 200, {
                    "symbol": params.get("symbol"),
                    "orderId": self.orders,
                    "status": "NEW",
                }
            return 200, {"canTrade": True, "apiKey": key}
        raise _Refused(400, -1100, f"Unknown method {method}")

    def _subscribe(self, conn: ConnectionState, key: str) -> int:
        sid = conn.next_subscription
        conn.next_subscription += 1
        conn.subscriptions[sid] = key
        return sid

    def _verify(self, conn: ConnectionState, params: dict[str, Any], *, allow_logon: bool) -> str:
        """The API key a SIGNED request acts for; _Refused as Binance would refuse it."""
        timestamp = params.get("timestamp")
        if not isinstance(timestamp, int):
            raise _Refused(400, -1102, "Mandatory parameter 'timestamp' was not sent.")
        window = params.get("recvWindow", 5000)
        now = self.now_ms()
        if timestamp > now + 1000 or now - timestamp > window:
            raise _Refused(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        if allow_logon and conn.logged_on_key is not None and "signature" not in params:
            if "apiKey" in params:
                raise _Refused(400, -1104, "apiKey is not needed on a logged-on session.")
            return conn.logged_on_key
        api_key = params.get("apiKey")
        key = self.keys.get(api_key) if isinstance(api_key, str) else None
        if key is None:
            raise _Refused(401, -2015, "Invalid API-key, IP, or permissions for action.")
        signature = params.get("signature")
        if not isinstance(signature, str):
            raise _Refused(400, -1102, "Mandatory parameter 'signature' was not sent.")
        payload = "&".join(
            f"{name}={payload_text(params[name])}" for name in sorted(params) if name != "signature"
        ).encode("utf-8")
        if key.kind == "hmac":
            assert key.secret is not None
            expected = hmac.new(key.secret, payload, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, signature)
        else:
            assert key.public is not None
            try:
                key.public.verify(base64.b64decode(signature), payload)
                valid = True
            except (InvalidSignature, ValueError):
                valid = False
        if not valid:
            raise _Refused(400, -1022, "Signature for this request is not valid.")
        assert isinstance(api_key, str)
        return api_key


class _Refused(Exception):
    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


def make_ed25519() -> tuple[str, ed25519.Ed25519PublicKey]:
    """A fresh Ed25519 key: (private key PEM, public key)."""
    from cryptography.hazmat.primitives import serialization

    private = ed25519.Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return pem, private.public_key()
