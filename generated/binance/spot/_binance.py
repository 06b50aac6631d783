"""Binance's rules, shipped with packages generated for Binance's APIs: SIGNED requests, the server
clock they are stamped with, IP bans, and the two settings SIGNED calls take.

SIGNED operations get `recvWindow` (the configuration's, unless the call passes its own),
`timestamp` (the caller's, else the server's time as the client knows it) and last `signature`,
computed over the percent-encoded query string followed by the body, exactly as sent. A timestamp
Binance refuses (-1021) makes the client read the server's clock and send the call once more; a 418
bans the IP, and the client refuses every call until its Retry-After has passed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import configuration
from ._serialize import quote_component, to_wire
from .exceptions import ApiException, ApiValueError, ErrorFields
from .operation import FORM_URLENCODED, Operation
from .profile import Draft, Profile

# Binance rejects a recvWindow above 60 s.
MAX_RECV_WINDOW = 60_000
# "Timestamp for this request is outside of the recvWindow": rejected before execution.
CLOCK_ERROR = -1021
SPOT_TIME_PATH = "/api/v3/time"
# Binance's other REST APIs have their own clock endpoint.
_TIME_PATHS = (
    ("/fapi/", "/fapi/v1/time"),
    ("/dapi/", "/dapi/v1/time"),
    ("/eapi/", "/eapi/v1/time"),
)
# Filled in on SIGNED calls; a caller's value for `signature` is never sent.
SIGNING_PARAMS = frozenset({"timestamp", "signature"})
# Binance reports what a request used in headers such as X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S
# and, on /sapi, X-SAPI-USED-IP-WEIGHT-1M.
RATE_LIMIT_HEADERS = ("x-mbx-used-weight", "x-mbx-order-count", "x-sapi-used-")
# Binance's error bodies: {"code": -1102, "msg": "Mandatory parameter ... was not sent"}.
ERRORS = ErrorFields("code", "msg", integer_code=True)


class Configuration(configuration.Configuration):
    """Settings for an ApiClient of a Binance API: those of every client, and two for SIGNED calls.

    recv_window: milliseconds sent as `recvWindow` on SIGNED calls that do not pass their own (at
    most 60000). time_sync_on_start: before its first SIGNED call, a client reads the server's
    clock (GET /api/v3/time, or the clock of the API the call belongs to) and stamps requests with
    the server's time; without it the client does so only after Binance rejects a timestamp (-1021).
    """

    __slots__ = ("recv_window", "time_sync_on_start")

    def __init__(
        self,
        host: str | None = None,
        auth: Any = None,
        *,
        recv_window: int | None = None,
        time_sync_on_start: bool = False,
        **settings: Any,
    ) -> None:
        super().__init__(host, auth, **settings)
        if recv_window is not None:
            configuration.check_int("recv_window", recv_window, 1)
            if recv_window > MAX_RECV_WINDOW:
                raise ApiValueError(f"Configuration: recv_window is at most {MAX_RECV_WINDOW} ms")
        self.recv_window = recv_window
        self.time_sync_on_start = bool(time_sync_on_start)

    def _shown(self) -> dict[str, Any]:
        return {
            **super()._shown(),
            "recv_window": self.recv_window,
            "time_sync_on_start": self.time_sync_on_start,
        }


@dataclass(frozen=True, slots=True)
class _Signing:
    """Where an operation's signing parameters go: the query string or the form body."""

    timestamp_in_form: bool
    recv_window_in_form: bool


class BinanceProfile(Profile):
    name = "binance"
    ban_status = 418
    default_ban = 120.0  # Binance bans for 2 minutes at least

    def hidden(self, op: Operation[Any]) -> frozenset[str]:
        return SIGNING_PARAMS if op.signed else frozenset()

    def check(
        self, config: configuration.Configuration, op: Operation[Any], needs_key: bool
    ) -> None:
        auth = config.auth
        if op.signed and (auth is None or not auth.can_sign or (needs_key and not auth.api_key)):
            # Binance rejects any SIGNED request that lacks the key or the signature: say so now.
            raise ApiValueError(
                f"{op.operation_id} is a SIGNED endpoint: configure BinanceAuth(api_key=..., "
                "secret_key=...) or an API key and a private key to call it"
            )

    def plan(self, op: Operation[Any]) -> _Signing | None:
        if not op.signed:
            return None
        multipart = (op.content_type or "").startswith("multipart/")
        has_form = any(p.location == "form" for p in op.params) or (
            op.content_type or ""
        ).startswith(FORM_URLENCODED)
        declared = {p.name: p.location for p in op.params}
        # Signing parameters go where the operation declares them, else with the other fields;
        # never into a multipart body (the signature covers the query string then).
        default = "form" if has_form else "query"
        return _Signing(
            timestamp_in_form=not multipart and declared.get("timestamp", default) == "form",
            recv_window_in_form=not multipart and declared.get("recvWindow", default) == "form",
        )

    def finish(
        self,
        config: configuration.Configuration,
        op: Operation[Any],
        plan: Any,
        params: Mapping[str, Any],
        draft: Draft,
        timestamp_ms: int | None,
    ) -> None:
        if not isinstance(plan, _Signing):
            return
        recv_window = getattr(config, "recv_window", None)
        if recv_window is not None and params.get("recvWindow") is None:
            (draft.form if plan.recv_window_in_form else draft.query).append(
                f"recvWindow={recv_window}"
            )
        timestamp = params.get("timestamp")
        if timestamp is None:
            timestamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        (draft.form if plan.timestamp_in_form else draft.query).append(
            "timestamp=" + to_wire(timestamp)
        )
        auth = config.auth
        assert auth is not None  # check() refused the call without one
        query_string = "&".join(draft.query)
        if draft.form:
            signed_body = "&".join(draft.form)
        else:
            signed_body = draft.body.decode("utf-8") if draft.body is not None else ""
        # Base64 signatures (RSA, Ed25519) contain + / =, which must be percent-encoded.
        signature = "signature=" + quote_component(auth.sign(query_string + signed_body))
        (draft.form if draft.form else draft.query).append(signature)

    def needs_clock(self, op: Operation[Any]) -> bool:
        return op.signed

    def sync_first(self, config: configuration.Configuration) -> bool:
        return bool(getattr(config, "time_sync_on_start", False))

    def clock_path(self, path: str) -> str:
        for prefix, clock in _TIME_PATHS:
            if path.startswith(prefix):
                return clock
        return SPOT_TIME_PATH

    def server_time(self, data: Any) -> int | None:
        server_ms = data.get("serverTime") if isinstance(data, dict) else None
        return server_ms if isinstance(server_ms, int) and not isinstance(server_ms, bool) else None

    def is_clock_error(self, status: int, body: bytes) -> bool:
        # A substring test first: most 400s are something else, and need no JSON parsing here.
        if status != 400 or b"-1021" not in body:
            return False
        return ApiException(400, body=body, errors=ERRORS).code == CLOCK_ERROR


BINANCE = BinanceProfile()
