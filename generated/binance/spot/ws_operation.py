"""WebSocket API descriptors and settings: what generated code hands to the WebSocket clients.

In: a generated package declares one `WsApi` (the server URL and its event models) and one
`WsOperation` per method of the API (`WsOperation("ticker.price", result=TickerPrice)`); users
build a `WsConfiguration`. Out: `WsResponse`, what `call()` returns (the parsed result plus the
request's rate-limit counters). Nothing here does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from .credentials import ApiKeyAuth
from .exceptions import ApiTypeError, ApiValueError

T = TypeVar("T")

# none: market data, no credentials. user_stream: the API key only (`apiKey` in params).
# signed: TRADE and USER_DATA methods: apiKey, timestamp, optional recvWindow and a signature, or,
# on a session that logged on (session.logon), the timestamp alone.
Security = Literal["none", "user_stream", "signed"]
SECURITIES: frozenset[str] = frozenset({"none", "user_stream", "signed"})
# The transports this runtime can drive. aiohttp is the default, chosen by measurement
# (bench/ws_calls.py, loopback): less CPU per request than `websockets`, raw (about 112 vs 130-145
# us sequential, 25-30 vs 35-44 us with 50 in flight) and under this client; and packages already
# use it for their async REST client, so WebSocket support adds no dependency.
Library = Literal["websockets", "aiohttp"]
LIBRARIES: frozenset[str] = frozenset({"websockets", "aiohttp"})
# Binance closes a connection after 24 hours; the client replaces it a little before that.
CONNECTION_LIFETIME = 24 * 3600.0
DEFAULT_MAX_AGE = CONNECTION_LIFETIME - 15 * 60.0
MAX_RECV_WINDOW = 60_000


@dataclass(frozen=True, slots=True)
class WsApi:
    """What a package's WebSocket operations share.

    url: the server (`wss://ws-api.binance.com:443/ws-api/v3`), replaced by a configuration's.
    events: event type (the value of `event_key` in an event, `executionReport`) -> the model it
    parses into: a model class, or the name of one in the package's `models` (looked up on
    first use, so the descriptor module imports no model). An event whose type is not listed,
    or whose body does not fit its model, arrives as a plain ApiModel keeping every field.
    distribution, version: name the client in its User-Agent.
    """

    url: str = ""
    events: Mapping[str, Any] = field(default_factory=dict)
    event_key: str = "e"
    distribution: str = "openapi-client"
    version: str = "0"


UNNAMED_WS = WsApi()


@dataclass(frozen=True, slots=True)
class WsOperation(Generic[T]):
    """One method of a WebSocket API, as a generated method passes it to `request`/`call`.

    method: the wire name (`order.place`). security: see `Security`. result: the type hint the
    `result` of a successful answer is validated against (a model class, `list[Model]`, ...);
    None: the decoded JSON as it is. executes: whether the server may have acted on a request
    whose answer was lost (an order placed): such a request is never sent twice, and a lost
    answer raises ExecutionStatusUnknownError. None means "signed methods do": generators should
    say True for TRADE methods and False for USER_DATA queries. The API (URL, event models) is
    the client's (`WsApi`): one client talks to one server.
    """

    method: str
    security: Security = "none"
    result: Any = None
    executes: bool | None = None
    # The pydantic TypeAdapter for `result`, made on first use (a private cache, as Operation's plan).
    _adapter: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or not self.method:
            raise ApiTypeError("WsOperation: method must be a non-empty str")
        if self.security not in SECURITIES:
            raise ApiValueError(
                f"WsOperation {self.method}: unknown security {self.security!r}, "
                f"expected one of {sorted(SECURITIES)}"
            )

    @property
    def may_execute(self) -> bool:
        """True when a lost answer leaves it unknown whether the server acted on the request."""
        return self.executes if self.executes is not None else self.security == "signed"


class WsConfiguration:
    """Settings of a WebSocket client. Every duration is in seconds and finite.

    url: the server, default the package's (`WsApi.url`). auth: the package's credentials
    (BinanceAuth for SIGNED methods). request_timeout: how long a call waits for its answer,
    including any wait for the connection. connect_timeout: the opening handshake.
    recv_window: milliseconds sent as `recvWindow` on SIGNED methods that do not pass their own.
    logon: log the session on (session.logon) after every connect, so SIGNED requests carry no
    apiKey or signature: True requires an Ed25519 key, False never logs on, None (default) logs
    on when the key is Ed25519. time_sync_on_start: read the server's clock (method `time`)
    after connecting, and stamp requests with it; otherwise that happens only after a -1021.
    reconnect: open a new connection when one drops; backoff_base/backoff_max bound the
    exponential wait (with jitter) between attempts; max_reconnect_attempts (None: forever).
    max_connection_age: a connection is replaced, between requests, before it is this old
    (Binance ends connections at 24 hours). ping_interval/ping_timeout: the client's own
    keepalive pings, which detect a dead connection (None: off; the client always answers the
    server's pings). library: the WebSocket implementation, "aiohttp" (default) or "websockets".
    max_message_size: the largest message accepted, in bytes. proxy: an HTTP proxy URL.
    """

    __slots__ = (
        "auth",
        "backoff_base",
        "backoff_max",
        "connect_timeout",
        "library",
        "logon",
        "max_connection_age",
        "max_message_size",
        "max_reconnect_attempts",
        "ping_interval",
        "ping_timeout",
        "proxy",
        "reconnect",
        "recv_window",
        "request_timeout",
        "time_sync_on_start",
        "url",
    )

    def __init__(
        self,
        url: str | None = None,
        auth: ApiKeyAuth | None = None,
        *,
        request_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        recv_window: int | None = None,
        logon: bool | None = None,
        time_sync_on_start: bool = False,
        reconnect: bool = True,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_reconnect_attempts: int | None = None,
        max_connection_age: float = DEFAULT_MAX_AGE,
        ping_interval: float | None = 30.0,
        ping_timeout: float | None = 30.0,
        library: Library = "aiohttp",
        max_message_size: int = 16 * 1024 * 1024,
        proxy: str | None = None,
    ) -> None:
        if url is not None and not url.startswith(("ws://", "wss://")):
            raise ApiValueError(
                f"WsConfiguration: url must start with ws:// or wss://, got {url!r}"
            )
        if auth is not None and not isinstance(auth, ApiKeyAuth):
            raise ApiTypeError(
                f"WsConfiguration: auth must be the package's credentials, not {type(auth).__name__}"
            )
        self.url = url
        self.auth = auth
        self.request_timeout = _seconds("request_timeout", request_timeout)
        self.connect_timeout = _seconds("connect_timeout", connect_timeout)
        if recv_window is not None and (
            isinstance(recv_window, bool)
            or not isinstance(recv_window, int)
            or not 0 < recv_window <= MAX_RECV_WINDOW
        ):
            raise ApiValueError(f"WsConfiguration: recv_window is 1 to {MAX_RECV_WINDOW} ms")
        self.recv_window = recv_window
        self.logon = logon
        self.time_sync_on_start = bool(time_sync_on_start)
        self.reconnect = bool(reconnect)
        self.backoff_base = _seconds("backoff_base", backoff_base)
        self.backoff_max = _seconds("backoff_max", backoff_max)
        if max_reconnect_attempts is not None and max_reconnect_attempts < 0:
            raise ApiValueError("WsConfiguration: max_reconnect_attempts must be >= 0")
        self.max_reconnect_attempts = max_reconnect_attempts
        self.max_connection_age = _seconds("max_connection_age", max_connection_age)
        if self.max_connection_age > CONNECTION_LIFETIME:
            raise ApiValueError("WsConfiguration: max_connection_age is at most 24 hours")
        self.ping_interval = (
            None if ping_interval is None else _seconds("ping_interval", ping_interval)
        )
        self.ping_timeout = None if ping_timeout is None else _seconds("ping_timeout", ping_timeout)
        if library not in LIBRARIES:
            raise ApiValueError(
                f"WsConfiguration: library must be one of {sorted(LIBRARIES)}, got {library!r}"
            )
        self.library: Library = library
        self.max_message_size = int(max_message_size)
        self.proxy = proxy or None

    def __repr__(self) -> str:
        # auth's repr shows only whether each secret is set; the proxy may carry a password.
        proxy = "<set>" if self.proxy else None
        return (
            f"WsConfiguration(url={self.url!r}, auth={self.auth!r}, "
            f"request_timeout={self.request_timeout}, logon={self.logon}, "
            f"library={self.library!r}, proxy={proxy})"
        )


def _seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiTypeError(f"WsConfiguration: {name} must be a number of seconds")
    if not math.isfinite(value) or value <= 0:
        raise ApiValueError(f"WsConfiguration: {name} must be a finite number > 0")
    return float(value)


# Binance's rateLimits interval names -> the unit letter of its REST X-MBX-* headers.
_INTERVAL_UNITS = {"SECOND": "s", "MINUTE": "m", "HOUR": "h", "DAY": "d"}
# rateLimitType -> the REST header prefix reporting the same counter.
_RATE_LIMIT_NAMES = {"REQUEST_WEIGHT": "x-mbx-used-weight-", "ORDERS": "x-mbx-order-count-"}


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One entry of an answer's `rateLimits`: the counter, its window and its limit."""

    rate_limit_type: str
    interval: str
    interval_num: int
    limit: int
    count: int

    @property
    def key(self) -> str:
        """The name REST reports this counter under (`x-mbx-used-weight-1m`), lower-case."""
        unit = _INTERVAL_UNITS.get(self.interval, self.interval.lower())
        prefix = _RATE_LIMIT_NAMES.get(self.rate_limit_type, self.rate_limit_type.lower() + "-")
        return f"{prefix}{self.interval_num}{unit}"


def parse_rate_limits(raw: Any) -> tuple[RateLimit, ...]:
    """An answer's `rateLimits` list -> RateLimit entries; malformed entries are skipped (entries
    already parsed pass through)."""
    if isinstance(raw, tuple):
        return raw
    if not isinstance(raw, list):
        return ()
    limits = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        try:
            limits.append(
                RateLimit(
                    str(item["rateLimitType"]),
                    str(item["interval"]),
                    int(item["intervalNum"]),
                    int(item["limit"]),
                    int(item["count"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(limits)


class WsResponse(Generic[T]):
    """A successful answer: what `call()` returns (`request()` returns `result` alone).

    id: the request id. status: the answer's status (200). result: the parsed result.
    rate_limit_usage: the answer's `rateLimits` entries; rate_limits: the same counters by the
    names REST's headers give them ({"x-mbx-used-weight-1m": 322}), so code can watch either API.
    """

    __slots__ = ("_limits", "id", "result", "status")

    def __init__(self, id: str, status: int, result: T, rate_limit_usage: Any) -> None:
        self.id = id
        self.status = status
        self.result = result
        # The answer's `rateLimits` as received: parsed when asked for (most callers never do).
        self._limits = rate_limit_usage

    @property
    def rate_limit_usage(self) -> tuple[RateLimit, ...]:
        limits = self._limits = parse_rate_limits(self._limits)
        return limits

    @property
    def rate_limits(self) -> dict[str, int]:
        return {limit.key: limit.count for limit in self.rate_limit_usage}

    def __repr__(self) -> str:
        return (
            f"WsResponse(id={self.id!r}, status={self.status}, result={self.result!r}, "
            f"rate_limits={self.rate_limits!r})"
        )
