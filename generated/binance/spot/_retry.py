"""Retry policy and call flow shared by ApiClient and AsyncApiClient, as a sans-I/O generator."""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from ._core import PreparedRequest, build_request, parse_response
from .api_response import ApiResponse
from .configuration import Configuration
from .exceptions import (
    ApiConnectionError,
    ApiException,
    ExecutionStatusUnknownError,
    IPBannedException,
    OpenApiException,
    ResponseValidationError,
    ServiceException,
    _retry_after,
)
from .operation import Operation

if TYPE_CHECKING:
    from .rest import RESTResponse

logger = logging.getLogger(__package__)

# Methods whose repetition leaves the server as one request would (HTTP's idempotent methods). A
# POST whose answer was lost or was a 5xx may have placed an order: it is never sent twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# A 429 is retried only when the server asks for a short pause; longer waits are the caller's call.
MAX_RETRY_AFTER = 10.0
BACKOFF_BASE = 0.25
BACKOFF_MAX = 4.0
# Binance bans for 2 minutes at least; a 418 without Retry-After locks the client that long.
DEFAULT_BAN = 120.0
# "Timestamp for this request is outside of the recvWindow": rejected before execution.
CLOCK_ERROR = -1021
SPOT_TIME_PATH = "/api/v3/time"
# Binance's other REST APIs have their own clock endpoint.
_TIME_PATHS = (
    ("/fapi/", "/fapi/v1/time"),
    ("/dapi/", "/dapi/v1/time"),
    ("/eapi/", "/eapi/v1/time"),
)
# Values in logged URLs that grant access or prove identity.
_SECRET_QUERY = re.compile(r"(?i)((?:^|[?&])(?:signature|listenkey|[^=&]*api-?key)=)[^&]*")

Step = PreparedRequest | float


class ClientState:
    """What one client learns from answers: the 418 lockout, the clock offset, the last headers."""

    __slots__ = ("banned_until", "clock_checked", "clock_offset_ms", "last_headers")

    def __init__(self) -> None:
        self.banned_until = 0.0  # a time.monotonic() value; 0: not banned
        self.clock_offset_ms = 0  # server clock minus local clock
        self.clock_checked = False
        self.last_headers: Mapping[str, str] = {}


def call_flow(
    state: ClientState,
    config: Configuration,
    op: Operation[Any],
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None,
) -> Generator[Step, RESTResponse | ApiConnectionError | None, ApiResponse[Any]]:
    """One call, from the first request to the parsed answer, with every retry the policy allows.

    The generator yields what to do next, a PreparedRequest to send or seconds to sleep, and is
    sent what happened: the RESTResponse, or the ApiConnectionError. The clients only perform
    those steps, so the sync and the async client cannot drift apart.

    Re-sent, up to `config.max_retries` times with exponential backoff and jitter: failures before
    the request left (any method); lost answers, timeouts and 500/502/503/504 for GET, HEAD,
    OPTIONS, PUT and DELETE; 429 of any method when Retry-After is at most MAX_RETRY_AFTER seconds.
    A 5xx or a lost answer for any other method raises ExecutionStatusUnknownError. A 418 is never
    retried and locks the client out until its Retry-After has passed. A SIGNED call rejected with
    -1021 resynchronises the clock and is sent once more. SIGNED requests are signed afresh, with a
    new timestamp, for every attempt.
    """
    if state.banned_until:
        remaining = state.banned_until - time.monotonic()
        if remaining > 0:
            raise IPBannedException.refused(remaining)
        state.banned_until = 0.0
    signed = op.signed
    if signed and config.time_sync_on_start and not state.clock_checked:
        state.clock_checked = True  # once per client, even if it fails: never a request per call
        try:
            yield from clock_flow(state, config, time_path(op.path))
        except IPBannedException:
            raise
        except OpenApiException as exc:
            logger.warning("reading the server clock failed, using the local clock: %s", exc)
    method = op.method
    max_retries = config.max_retries
    attempt = 0
    resynced = params.get("timestamp") is not None  # the caller's own timestamp is left alone
    while True:
        request = build_request(
            config,
            op,
            params,
            timestamp_ms=int(time.time() * 1000) + state.clock_offset_ms if signed else None,
            headers=headers,
        )
        debug = logger.isEnabledFor(logging.DEBUG)
        started = time.perf_counter() if debug else 0.0
        outcome = yield request
        if isinstance(outcome, ApiConnectionError):
            if outcome.request_sent and method not in IDEMPOTENT_METHODS:
                raise ExecutionStatusUnknownError(
                    0, str(outcome), method=method, path=op.path
                ) from outcome
            if attempt < max_retries:
                attempt += 1
                yield _pause(backoff(attempt), attempt, max_retries, op, str(outcome))
                continue
            raise outcome
        assert outcome is not None  # only sleeps are answered with None
        state.last_headers = outcome.headers
        status = outcome.status
        if debug:
            logger.debug(
                "%s %s -> %d (%.1f ms)",
                method,
                redact_url(request.url),
                status,
                (time.perf_counter() - started) * 1000,
            )
        if status >= 400:
            if status == 418:
                _lock_out(state, outcome.headers, op)
            elif status == 400 and signed and not resynced and _is_clock_error(outcome.data):
                resynced = True
                try:
                    yield from clock_flow(state, config, time_path(op.path))
                except IPBannedException:
                    raise
                except OpenApiException as exc:
                    failure = exc
                else:
                    continue
                try:
                    parse_response(op, status, outcome.reason, outcome.headers, outcome.data)
                except ApiException as rejected:
                    rejected.add_note(f"Reading the server clock failed: {failure}")
                    raise
            elif attempt < max_retries:
                wait = retry_wait(method, status, outcome.headers, attempt + 1)
                if wait is not None:
                    attempt += 1
                    yield _pause(wait, attempt, max_retries, op, f"HTTP {status}")
                    continue
        try:
            return parse_response(op, status, outcome.reason, outcome.headers, outcome.data)
        except ServiceException as exc:
            if method in IDEMPOTENT_METHODS:
                raise
            raise ExecutionStatusUnknownError(
                exc.status,
                exc.reason,
                headers=exc.headers,
                body=exc.body,
                data=exc.data,
                method=method,
                path=op.path,
            ) from None


def clock_flow(
    state: ClientState, config: Configuration, path: str = SPOT_TIME_PATH
) -> Generator[Step, RESTResponse | ApiConnectionError | None, int]:
    """Read the server's clock (`{"serverTime": ms}`) and keep its offset from the local clock.

    Returns the offset in milliseconds (server minus local); raises the network or API error.
    """
    op = _time_operation(path)
    request = build_request(config, op, {})
    before = time.time()
    outcome = yield request
    after = time.time()
    if isinstance(outcome, ApiConnectionError):
        raise outcome
    assert outcome is not None
    state.last_headers = outcome.headers
    if outcome.status == 418:
        _lock_out(state, outcome.headers, op)
    data = parse_response(op, outcome.status, outcome.reason, outcome.headers, outcome.data).data
    server_ms = data.get("serverTime") if isinstance(data, dict) else None
    if not isinstance(server_ms, int) or isinstance(server_ms, bool):
        raise ResponseValidationError(
            f"GET {path}: the answer has no integer serverTime",
            status=outcome.status,
            headers=outcome.headers,
            body=outcome.data,
        )
    # The server read its clock somewhere in the round trip: its middle is the best guess.
    offset = server_ms - int((before + after) * 500)
    state.clock_offset_ms = offset
    state.clock_checked = True
    logger.info("clock: the server's is %+d ms from ours; SIGNED timestamps follow it", offset)
    return offset


def time_path(path: str) -> str:
    """The clock endpoint of the Binance API an operation path belongs to."""
    for prefix, clock in _TIME_PATHS:
        if path.startswith(prefix):
            return clock
    return SPOT_TIME_PATH


_time_operations: dict[str, Operation[Any]] = {}


def _time_operation(path: str) -> Operation[Any]:
    op = _time_operations.get(path)
    if op is None:
        op = _time_operations[path] = Operation("ServerTime", "GET", path, responses={"200": "Any"})
    return op


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): exponential, capped, with jitter."""
    # Jitter keeps many clients that failed together from retrying together.
    return min(BACKOFF_MAX, BACKOFF_BASE * 2.0 ** (attempt - 1)) * (0.5 + random.random() / 2)


def retry_wait(method: str, status: int, headers: Mapping[str, str], attempt: int) -> float | None:
    """Seconds to wait before repeating an answer with this status, or None: do not repeat."""
    if status == 429:
        # Binance refused the request unexecuted, so any method may go again, but only when told.
        seconds = _retry_after(headers.get("Retry-After"))
        return seconds if seconds is not None and seconds <= MAX_RETRY_AFTER else None
    if status in RETRY_STATUSES and method in IDEMPOTENT_METHODS:
        wait = backoff(attempt)
        seconds = _retry_after(headers.get("Retry-After"))
        if seconds is not None and wait < seconds <= MAX_RETRY_AFTER:
            return seconds
        return wait
    return None


def redact_url(url: str) -> str:
    """The URL without its secrets (signature, listen key, API keys in the query), for logs."""
    path, mark, query = url.partition("?")
    if not mark:
        return url
    return path + "?" + _SECRET_QUERY.sub(r"\1[redacted]", query)


def _pause(wait: float, attempt: int, max_retries: int, op: Operation[Any], why: str) -> float:
    logger.info(
        "%s %s: %s; retry %d/%d in %.2f s", op.method, op.path, why, attempt, max_retries, wait
    )
    return wait


def _lock_out(state: ClientState, headers: Mapping[str, str], op: Operation[Any]) -> None:
    seconds = _retry_after(headers.get("Retry-After"))
    if seconds is None:
        seconds = DEFAULT_BAN
    state.banned_until = time.monotonic() + seconds
    logger.warning(
        "%s %s: HTTP 418, the IP is banned; this client refuses every call for %.0f s",
        op.method,
        op.path,
        seconds,
    )


def _is_clock_error(body: bytes) -> bool:
    # A substring test first: most 400s are something else, and need no JSON parsing here.
    if b"-1021" not in body:
        return False
    return ApiException(400, body=body).code == CLOCK_ERROR
