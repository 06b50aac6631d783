"""ApiClient: one call = build (_core) -> send (rest) -> parse (_core), retrying what is safe."""

from __future__ import annotations

import logging
import random
import re
import threading
import time
import warnings
from collections.abc import Mapping
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from ._core import build_request, parse_response
from .api_response import ApiResponse, parse_rate_limits
from .configuration import Configuration
from .exceptions import ApiConnectionError
from .operation import Operation
from .rest import RESTClient, Timeout

logger = logging.getLogger(__package__)

# Methods whose repetition cannot change anything at the server. A Binance POST, PUT or DELETE whose
# answer was lost may have been executed (an order placed or cancelled): it is never sent twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# A 429 is retried only when the server asks for a short pause; longer waits are the caller's call.
MAX_RETRY_AFTER = 10.0
BACKOFF_BASE = 0.25
BACKOFF_MAX = 4.0
# Values in logged URLs that grant access or prove identity.
_SECRET_QUERY = re.compile(r"(?i)((?:^|[?&])(?:signature|listenkey|[^=&]*api-?key)=)[^&]*")

T = TypeVar("T")


class ApiClient:
    """Sends operations to the server described by a Configuration, over one connection pool.

    Use it as a context manager (`with ApiClient(cfg) as client:`) to close the pool on exit.
    It is safe to share between threads.
    """

    _default: ClassVar[ApiClient | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, configuration: Configuration | None = None) -> None:
        self.configuration = (
            configuration if configuration is not None else Configuration.get_default()
        )
        self.rest_client = RESTClient(self.configuration)
        self._last_headers: Mapping[str, str] = {}

    @classmethod
    def get_default(cls) -> ApiClient:
        """The process-wide client, created from Configuration.get_default() on first use."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls()
            return cls._default

    @classmethod
    def set_default(cls, client: ApiClient | None) -> None:
        """Make `client` what API classes use when given none (None: a fresh one on next use)."""
        with cls._default_lock:
            cls._default = client

    @property
    def last_rate_limits(self) -> dict[str, int]:
        """Rate-limit counters from the last answer received (see ApiResponse.rate_limits)."""
        return parse_rate_limits(self._last_headers)

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections; later calls open new ones."""
        self.rest_client.close()

    def call(
        self,
        op: Operation[T],
        params: Mapping[str, Any],
        *,
        timeout: Timeout = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[T]:
        """Call one operation. `params` maps wire names to values; None means not sent.

        Retries, up to `configuration.max_retries` times with exponential backoff and jitter:
        network failures before the request left (any method); lost answers, timeouts and 500/502/
        503/504 for GET/HEAD/OPTIONS only; 429 of any method when Retry-After is at most 10 s
        (Binance refused it unexecuted). Never 418, and never other errors. SIGNED requests are
        re-signed with a fresh timestamp on each attempt.
        """
        if op.deprecated:
            # stacklevel 3: the warning names the user's line, not the generated method or this one.
            warnings.warn(
                f"{op.operation_id} is deprecated by the API", DeprecationWarning, stacklevel=3
            )
        config = self.configuration
        attempt = 0
        while True:
            request = build_request(
                config,
                op,
                params,
                timestamp_ms=int(time.time() * 1000) if op.signed else None,
                headers=headers,
            )
            debug = logger.isEnabledFor(logging.DEBUG)
            started = time.perf_counter() if debug else 0.0
            try:
                response = self.rest_client.request(
                    request.method, request.url, request.headers, request.body, timeout
                )
            except ApiConnectionError as exc:
                if attempt < config.max_retries and (
                    not exc.request_sent or op.method in IDEMPOTENT_METHODS
                ):
                    attempt += 1
                    self._pause(backoff(attempt), attempt, op, str(exc))
                    continue
                raise
            self._last_headers = response.headers
            status = response.status
            if debug:
                logger.debug(
                    "%s %s -> %d (%.1f ms)",
                    op.method,
                    redact_url(request.url),
                    status,
                    (time.perf_counter() - started) * 1000,
                )
            if status >= 400 and attempt < config.max_retries:
                wait = _retry_wait(op.method, status, response.headers, attempt + 1)
                if wait is not None:
                    attempt += 1
                    self._pause(wait, attempt, op, f"HTTP {status}")
                    continue
            return parse_response(op, status, response.reason, response.headers, response.data)

    def _pause(self, wait: float, attempt: int, op: Operation[Any], why: str) -> None:
        logger.info(
            "%s %s: %s; retry %d/%d in %.2f s",
            op.method,
            op.path,
            why,
            attempt,
            self.configuration.max_retries,
            wait,
        )
        time.sleep(wait)

    def __repr__(self) -> str:
        return f"ApiClient({self.configuration!r})"


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): exponential, capped, with jitter."""
    # Jitter keeps many clients that failed together from retrying together.
    return min(BACKOFF_MAX, BACKOFF_BASE * 2.0 ** (attempt - 1)) * (0.5 + random.random() / 2)


def _retry_wait(method: str, status: int, headers: Mapping[str, str], attempt: int) -> float | None:
    """Seconds to wait before repeating an answer with this status, or None: do not repeat."""
    if status == 429:
        value = headers.get("Retry-After")
        try:
            seconds = float(value) if value else None
        except ValueError:
            return None
        return seconds if seconds is not None and 0 <= seconds <= MAX_RETRY_AFTER else None
    if status in RETRY_STATUSES and method in IDEMPOTENT_METHODS:
        return backoff(attempt)
    return None


def redact_url(url: str) -> str:
    """The URL without its secrets (signature, listen key, API keys in the query), for logs."""
    path, mark, query = url.partition("?")
    if not mark:
        return url
    return path + "?" + _SECRET_QUERY.sub(r"\1[redacted]", query)
