"""ApiClient: one call = the shared call flow (_retry: build, sign, retry, parse) over urllib3."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Generator, Mapping
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from ._core import PreparedRequest
from ._retry import ClientState, Step, call_deadline, call_flow, sync_clock_flow
from .api_response import ApiResponse
from .configuration import Configuration
from .exceptions import ApiConnectionError
from .operation import QUIET_DEPRECATIONS, ApiInfo, Operation
from .rest import RESTClient, RESTResponse, Timeout

T = TypeVar("T")
R = TypeVar("R")


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
        self._state = ClientState()

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
        return self._state.rate_limits

    @property
    def clock_offset_ms(self) -> int:
        """Milliseconds added to the local clock for timestamps the API's profile stamps requests
        with (signed requests; 0 until a clock sync)."""
        return self._state.clock_offset_ms

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

        Retries what is safe to repeat, up to `configuration.max_retries` times, with exponential
        backoff and jitter: network failures before the request left (any method); lost answers,
        timeouts and 500/502/503/504 for GET, HEAD, OPTIONS, PUT and DELETE; 429 of any method
        when Retry-After is at most 10 s. A POST that got a 5xx or lost its answer raises
        ExecutionStatusUnknownError. For an API whose profile bans IPs, a ban (a 418, say)
        raises IPBannedException and later calls are refused until its Retry-After has passed. A
        call stamped with the server's time that is refused for its timestamp
        is resent once after reading the server clock. Each attempt is built (and signed) afresh.

        `timeout`: seconds the whole call may take (every attempt, pause and byte of the answer),
        also each attempt's connect and read timeout; or a (connect, read) pair for each attempt.
        Default: the configuration's timeouts, total_timeout bounding the call.
        """
        if op.deprecated and not QUIET_DEPRECATIONS.get():
            # stacklevel 3: the warning names the user's line, not the generated method or this one.
            warnings.warn(
                f"{op.operation_id} is deprecated by the API", DeprecationWarning, stacklevel=3
            )
        config = self.configuration
        deadline = call_deadline(config, timeout)
        flow = call_flow(self._state, config, op, params, headers, deadline)
        return self._run(flow, timeout, deadline)

    def sync_clock(
        self, path: str | None = None, *, api: ApiInfo | None = None, timeout: Timeout = None
    ) -> int:
        """Read the server clock now; timestamps follow it. Returns the offset in ms. `api`: the
        package's API (its `API`), default that of the operations this client called; `path`:
        its clock endpoint, default the one those operations need."""
        config = self.configuration
        flow = sync_clock_flow(self._state, config, path, api)
        return self._run(flow, timeout, call_deadline(config, timeout))

    def _run(
        self,
        flow: Generator[Step, RESTResponse | ApiConnectionError | None, R],
        timeout: Timeout,
        deadline: float,
    ) -> R:
        """Perform the flow's steps: send its requests, sleep its pauses, until it returns."""
        send = self.rest_client.request
        try:
            step = next(flow)
            while True:
                if not isinstance(step, PreparedRequest):  # a pause, in seconds
                    time.sleep(step)
                    step = next(flow)
                    continue
                try:
                    outcome: RESTResponse | ApiConnectionError = send(
                        step.method, step.url, step.headers, step.body, timeout, deadline
                    )
                except ApiConnectionError as exc:
                    outcome = exc
                step = flow.send(outcome)
        except StopIteration as done:
            result: R = done.value
            return result

    def __repr__(self) -> str:
        return f"ApiClient({self.configuration!r})"
