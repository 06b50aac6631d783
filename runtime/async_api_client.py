"""AsyncApiClient: ApiClient's twin for asyncio; the same call flow (_retry) over aiohttp."""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import AsyncGenerator, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ._core import PreparedRequest
from ._retry import ClientState, Step, call_deadline, call_flow, sync_clock_flow
from .api_response import ApiResponse
from .configuration import Configuration
from .exceptions import ApiConnectionError, ApiValueError
from .operation import QUIET_DEPRECATIONS, ApiInfo, Operation, install_hint
from .rest import RESTResponse, Timeout

if TYPE_CHECKING:
    from .async_rest import AsyncRESTClient

T = TypeVar("T")
R = TypeVar("R")

AIOHTTP_REQUIREMENT = "aiohttp>=3.14.3,<4"


class AsyncApiClient:
    """Sends operations as coroutines: `await client.call(op, params)`, same rules as ApiClient.

    Use it as an async context manager (`async with AsyncApiClient(cfg) as client:`) to close its
    connections on exit. aiohttp is imported, and the connection pool opened, by the first call,
    in the running event loop; the pool belongs to that loop. A client still open when its loop
    is shut down by asyncio.run() is closed with it, and a later call in a new loop opens a new
    pool. Tasks of one loop may share a client; threads running their own loops may not.
    """

    _default: ClassVar[AsyncApiClient | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, configuration: Configuration | None = None) -> None:
        self.configuration = (
            configuration if configuration is not None else Configuration.get_default()
        )
        self._state = ClientState()
        self._transport: AsyncRESTClient | None = None
        self._guard: AsyncGenerator[None, None] | None = None

    @classmethod
    def get_default(cls) -> AsyncApiClient:
        """The process-wide client, created from Configuration.get_default() on first use."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls()
            return cls._default

    @classmethod
    def set_default(cls, client: AsyncApiClient | None) -> None:
        """Make `client` what async API classes use when given none (None: a fresh one)."""
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

    async def __aenter__(self) -> AsyncApiClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the pooled connections; later calls open new ones."""
        transport, guard = self._transport, self._guard
        self._transport = self._guard = None
        if transport is None or guard is None or transport.loop is not asyncio.get_running_loop():
            return  # never opened, or opened in a loop that is gone: nothing to await there
        await guard.aclose()  # its `finally` closes the session

    async def call(
        self,
        op: Operation[T],
        params: Mapping[str, Any],
        *,
        timeout: Timeout = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse[T]:
        """Call one operation. `params` maps wire names to values; None means not sent.

        The retry policy, errors, IP-ban lockout, clock resync and logging are ApiClient's:
        see ApiClient.call.
        """
        if op.deprecated and not QUIET_DEPRECATIONS.get():
            # stacklevel 3: awaiting coroutines chain their frames, so this names the user's line.
            warnings.warn(
                f"{op.operation_id} is deprecated by the API", DeprecationWarning, stacklevel=3
            )
        config = self.configuration
        deadline = call_deadline(config, timeout)
        flow = call_flow(self._state, config, op, params, headers, deadline)
        return await self._run(flow, timeout, deadline)

    async def sync_clock(
        self, path: str | None = None, *, api: ApiInfo | None = None, timeout: Timeout = None
    ) -> int:
        """Read the server clock now; see ApiClient.sync_clock. Returns the offset in ms."""
        config = self.configuration
        flow = sync_clock_flow(self._state, config, path, api)
        return await self._run(flow, timeout, call_deadline(config, timeout))

    async def _run(
        self,
        flow: Generator[Step, RESTResponse | ApiConnectionError | None, R],
        timeout: Timeout,
        deadline: float,
    ) -> R:
        """Perform the flow's steps: send its requests, sleep its pauses, until it returns."""
        try:
            step = next(flow)
            while True:
                if not isinstance(step, PreparedRequest):  # a pause, in seconds
                    await asyncio.sleep(step)
                    step = next(flow)
                    continue
                transport = self._transport
                if (
                    transport is None
                    or transport.loop is not asyncio.get_running_loop()
                    or transport.closed
                ):
                    transport = await self._open()
                try:
                    outcome: RESTResponse | ApiConnectionError = await transport.request(
                        step.method, step.url, step.headers, step.body, timeout, deadline
                    )
                except ApiConnectionError as exc:
                    outcome = exc
                step = flow.send(outcome)
        except StopIteration as done:
            result: R = done.value
            return result

    async def _open(self) -> AsyncRESTClient:
        old = self._transport
        if old is not None and not old.closed and old.loop.is_running():
            raise ApiValueError(
                "this AsyncApiClient's connections belong to another running event loop: "
                "create one AsyncApiClient per event loop"
            )
        try:
            from .async_rest import AsyncRESTClient
        except ImportError as exc:
            # aiohttp is the package's `async` extra: a sync-only install does without it.
            hint = install_hint("async", AIOHTTP_REQUIREMENT, self._state.last_api)
            raise ImportError(
                f"AsyncApiClient needs aiohttp, which is not installed: {hint}"
            ) from exc
        # A pool left behind by a loop that has stopped is dropped: nothing can be awaited there.
        transport = self._transport = AsyncRESTClient(self.configuration)
        guard = self._guard = _closed_with_loop(transport)
        # Started in this loop, the guard is one of the loop's async generators: asyncio.run()
        # closes those at shutdown (shutdown_asyncgens), and so closes the session in its loop.
        await guard.__anext__()
        return transport

    def __repr__(self) -> str:
        return f"AsyncApiClient({self.configuration!r})"


async def _closed_with_loop(transport: AsyncRESTClient) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await transport.close()
