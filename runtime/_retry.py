"""Retry policy and call flow shared by ApiClient and AsyncApiClient, as a sans-I/O generator."""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from ._core import PreparedRequest, build_request, parse_response
from ._tokens import Tokens, schemes_to_fetch, token_flow
from .api_response import ApiResponse, parse_rate_limits
from .configuration import Configuration, check_timeout
from .exceptions import (
    ApiConnectionError,
    ApiException,
    ApiValueError,
    ExecutionStatusUnknownError,
    IPBannedException,
    OpenApiException,
    ResponseValidationError,
    ServiceException,
    add_note,
    redact_url,
    retry_after,
)
from .operation import ApiInfo, Operation

if TYPE_CHECKING:
    from .rest import RESTResponse, Timeout

logger = logging.getLogger(__package__)

# Methods whose repetition leaves the server as one request would (HTTP's idempotent methods). A
# POST whose answer was lost or was a 5xx may have placed an order: it is never sent twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# A 429 is retried only when the server asks for a short pause; longer waits are the caller's call.
MAX_RETRY_AFTER = 10.0
BACKOFF_BASE = 0.25
BACKOFF_MAX = 4.0

Step = PreparedRequest | float


class ClientState:
    """What one client learns from answers: an IP ban, the clock offset, the last headers."""

    __slots__ = (
        "banned_until",
        "clock",
        "clock_checked",
        "clock_offset_ms",
        "last_api",
        "last_headers",
        "tokens",
    )

    def __init__(self) -> None:
        self.banned_until = 0.0  # a time.monotonic() value; 0: not banned
        self.clock_offset_ms = 0  # server clock minus local clock
        self.clock_checked = False
        self.clock: tuple[ApiInfo, str] | None = None  # the API and clock path the last call needed
        self.last_api: ApiInfo | None = None  # the API of the last call (its rate-limit headers)
        self.last_headers: Mapping[str, str] = {}
        self.tokens = Tokens()  # OAuth 2 access tokens the client fetched (_tokens.py)

    @property
    def rate_limits(self) -> dict[str, int]:
        """The rate-limit counters of the last answer received (ApiResponse.rate_limits)."""
        prefixes = self.last_api.rate_limit_headers if self.last_api is not None else ()
        return parse_rate_limits(self.last_headers, prefixes)


def call_deadline(config: Configuration, timeout: Timeout) -> float:
    """The time.monotonic() by which a call must be over: its `timeout` from now when that is a
    number of seconds, else the configuration's total_timeout."""
    if timeout is None or isinstance(timeout, tuple):
        return time.monotonic() + config.total_timeout
    return time.monotonic() + check_timeout(timeout)[0]


def call_flow(
    state: ClientState,
    config: Configuration,
    op: Operation[Any],
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None,
    deadline: float = math.inf,
) -> Generator[Step, RESTResponse | ApiConnectionError | None, ApiResponse[Any]]:
    """One call, from the first request to the parsed answer, with every retry the policy allows.

    The generator yields what to do next, a PreparedRequest to send or seconds to sleep, and is
    sent what happened: the RESTResponse, or the ApiConnectionError. The clients only perform
    those steps, so the sync and the async client cannot drift apart.

    Re-sent, up to `config.max_retries` times with exponential backoff and jitter: failures before
    the request left (any method); lost answers, timeouts and 500/502/503/504 for GET, HEAD,
    OPTIONS, PUT and DELETE; 429 of any method when Retry-After is at most MAX_RETRY_AFTER seconds.
    Never past `deadline` (a time.monotonic() value): a retry whose pause would end after it is
    not made, and the last failure is raised. A 5xx or a lost answer for any other method raises
    ExecutionStatusUnknownError. For an API whose
    profile says so, a ban status (such as a 418) is never retried and locks the client out until
    its Retry-After has passed, and a call stamped with the server's time that is refused for its
    timestamp resynchronises the clock and is sent once more. Requests are built
    afresh (signed afresh, with a new timestamp) for every attempt.
    """
    if state.banned_until:
        remaining = state.banned_until - time.monotonic()
        if remaining > 0:
            raise IPBannedException.refused(remaining)
        state.banned_until = 0.0
    api = op.api
    profile = api.profile
    state.last_api = api
    clocked = profile.needs_clock(op)
    clock = profile.clock_path(op.path) if clocked else None
    if clock is not None:
        state.clock = (api, clock)
        if profile.sync_first(config) and not state.clock_checked:
            state.clock_checked = (
                True  # once per client, even if it fails: never a request per call
            )
            try:
                yield from clock_flow(state, config, api, clock)
            except IPBannedException:
                raise
            except OpenApiException as exc:
                logger.warning("reading the server clock failed, using the local clock: %s", exc)
    method = op.method
    max_retries = config.max_retries
    attempt = 0
    resynced = params.get("timestamp") is not None  # the caller's own timestamp is left alone
    fetched = schemes_to_fetch(config, op) if api.token_urls else ()
    renewed = False
    while True:
        bearers = None
        if fetched:
            for scheme in fetched:
                if state.tokens.get(scheme) is None:
                    yield from token_flow(state.tokens, config, api, scheme)
            bearers = state.tokens.bearers(fetched)
        request = build_request(
            config,
            op,
            params,
            timestamp_ms=int(time.time() * 1000) + state.clock_offset_ms if clocked else None,
            headers=headers,
            bearers=bearers,
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
                wait = backoff(attempt + 1)
                if time.monotonic() + wait < deadline:
                    attempt += 1
                    yield _pause(wait, attempt, max_retries, op, str(outcome))
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
            if status == 401 and fetched and not renewed:
                # A token revoked or expired early: once more, with a new one.
                renewed = True
                state.tokens.drop(fetched)
                continue
            if status == profile.ban_status:
                _lock_out(state, outcome.headers, op)
            elif (
                clock is not None and not resynced and profile.is_clock_error(status, outcome.data)
            ):
                resynced = True
                try:
                    yield from clock_flow(state, config, api, clock)
                except IPBannedException:
                    raise
                except OpenApiException as exc:
                    failure = exc
                else:
                    continue
                try:
                    parse_response(op, status, outcome.reason, outcome.headers, outcome.data)
                except ApiException as rejected:
                    add_note(rejected, f"Reading the server clock failed: {failure}")
                    raise
            elif attempt < max_retries:
                pause = retry_wait(method, status, outcome.headers, attempt + 1)
                if pause is not None and time.monotonic() + pause < deadline:
                    attempt += 1
                    yield _pause(pause, attempt, max_retries, op, f"HTTP {status}")
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
                errors=api.errors,
            ) from None


def clock_flow(
    state: ClientState, config: Configuration, api: ApiInfo, path: str
) -> Generator[Step, RESTResponse | ApiConnectionError | None, int]:
    """Read the server's clock (GET `path` of `api`, whose profile reads the time from the answer)
    and keep its offset from the local clock.

    Returns the offset in milliseconds (server minus local); raises the network or API error.
    """
    op = _time_operation(api, path)
    request = build_request(config, op, {})
    before = time.time()
    outcome = yield request
    after = time.time()
    if isinstance(outcome, ApiConnectionError):
        raise outcome
    assert outcome is not None
    state.last_headers = outcome.headers
    if outcome.status == api.profile.ban_status:
        _lock_out(state, outcome.headers, op)
    data = parse_response(op, outcome.status, outcome.reason, outcome.headers, outcome.data).data
    server_ms = api.profile.server_time(data)
    if server_ms is None:
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
    logger.info("clock: the server's is %+d ms from ours; timestamps follow it", offset)
    return offset


def sync_clock_flow(
    state: ClientState, config: Configuration, path: str | None, api: ApiInfo | None
) -> Generator[Step, RESTResponse | ApiConnectionError | None, int]:
    """clock_flow for ApiClient.sync_clock: `api` (default: that of the client's calls, those that
    needed the server's time first), `path` (default: the clock those calls needed, else the
    API's own)."""
    known = state.clock
    api = api or (known[0] if known is not None else state.last_api)
    if api is None:
        raise ApiValueError("sync_clock: pass api=<the package's API>, or call an operation first")
    clock = path or (
        known[1] if known is not None and known[0] is api else api.profile.clock_path("/")
    )
    if clock is None:
        raise ApiValueError(f"sync_clock: {api.distribution}'s API has no server clock")
    return (yield from clock_flow(state, config, api, clock))


def _time_operation(api: ApiInfo, path: str) -> Operation[Any]:
    return Operation("ServerTime", "GET", path, responses={"200": "Any"}, api=api)


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): exponential, capped, with jitter."""
    # Jitter keeps many clients that failed together from retrying together.
    return min(BACKOFF_MAX, BACKOFF_BASE * 2.0 ** (attempt - 1)) * (0.5 + random.random() / 2)


def retry_wait(method: str, status: int, headers: Mapping[str, str], attempt: int) -> float | None:
    """Seconds to wait before repeating an answer with this status, or None: do not repeat."""
    if status == 429:
        # The server refused the request unexecuted, so any method may go again, but only when told.
        seconds = retry_after(headers)
        return seconds if seconds is not None and seconds <= MAX_RETRY_AFTER else None
    if status in RETRY_STATUSES and method in IDEMPOTENT_METHODS:
        wait = backoff(attempt)
        seconds = retry_after(headers)
        if seconds is not None and wait < seconds <= MAX_RETRY_AFTER:
            return seconds
        return wait
    return None


def _pause(wait: float, attempt: int, max_retries: int, op: Operation[Any], why: str) -> float:
    logger.info(
        "%s %s: %s; retry %d/%d in %.2f s", op.method, op.path, why, attempt, max_retries, wait
    )
    return wait


def _lock_out(state: ClientState, headers: Mapping[str, str], op: Operation[Any]) -> None:
    seconds = retry_after(headers)  # at most RETRY_AFTER_MAX: a day
    if seconds is None:
        seconds = op.api.profile.default_ban
    state.banned_until = time.monotonic() + seconds
    logger.warning(
        "%s %s: HTTP %d, the IP is banned; this client refuses every call for %.0f s",
        op.method,
        op.path,
        op.api.profile.ban_status,
        seconds,
    )
