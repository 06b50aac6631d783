"""Listen-key lifecycle helpers: ListenKeyStream (keepalive thread), AsyncListenKeyStream (task)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING

from .api.user_data_stream_api import (
    AsyncUserDataStreamApi,
    UserDataStreamApi,
)
from .exceptions import ApiException, ApiValueError, OpenApiException, ResponseValidationError
from .operation import deprecations_silenced

if TYPE_CHECKING:
    from .api_client import ApiClient
    from .async_api_client import AsyncApiClient

logger = logging.getLogger(__package__)

# Binance: a listen key lives 60 minutes unless extended; extend it about every 30.
KEEPALIVE_INTERVAL = 1800.0
# After a failed keepalive the next try comes sooner, while the key still has time to live.
RETRY_INTERVAL = 60.0
LISTEN_KEY_DOES_NOT_EXIST = -1125


class ListenKeyStream:
    """Creates a listen key, keeps it alive from a daemon thread, and closes it at the end.

    ```
    with ListenKeyStream(api_client) as stream:
        connect_websocket(stream.listen_key)
    ```

    Entering creates the key (`listen_key`); every `keepalive_interval` seconds the thread extends
    it. When Binance answers -1125 (the key no longer exists) a new key is created and
    `on_key_change(new_key)` is called, from the keepalive thread. Any other failed keepalive is
    logged and tried again within a minute. Leaving closes the key; errors there are logged, not
    raised. `start()` and `close()` do the same without a `with` block.

    Binance retired the REST listen-key endpoints (POST, PUT and DELETE /api/v3/userDataStream)
    on 2026-02-20 in favour of the WebSocket API's `userDataStream.subscribe`, and the operations
    are marked deprecated. This helper calls them without a DeprecationWarning on every
    keepalive: this note is the warning. It still serves servers that keep the endpoints.
    """

    def __init__(
        self,
        api_client: ApiClient | None = None,
        keepalive_interval: float = KEEPALIVE_INTERVAL,
        *,
        on_key_change: Callable[[str], object] | None = None,
    ) -> None:
        self._api = UserDataStreamApi(api_client)
        self.keepalive_interval = _check_interval(keepalive_interval)
        self.on_key_change = on_key_change
        self._key: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def listen_key(self) -> str:
        """The current listen key (it changes if Binance dropped the previous one)."""
        if self._key is None:
            raise ApiValueError("ListenKeyStream: no listen key; enter the `with` block first")
        return self._key

    def start(self) -> str:
        """Create the listen key and start keeping it alive; returns the key."""
        if self._thread is not None:
            raise ApiValueError("ListenKeyStream: already started")
        with deprecations_silenced():
            self._key = self._create()
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"{__package__}-listen-key", daemon=True
        )
        self._thread.start()
        return self._key

    def close(self) -> None:
        """Stop the keepalive thread and close the listen key (errors are logged, not raised)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()  # a keepalive in flight ends within the client's timeouts
        key, self._key = self._key, None
        if key is None:
            return
        try:
            with deprecations_silenced():
                self._api.spot_delete_user_data_stream_v3(listen_key=key)
        except OpenApiException as exc:
            logger.warning("closing the listen key failed: %s", exc)

    def __enter__(self) -> ListenKeyStream:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _create(self) -> str:
        answer = self._api.spot_create_user_data_stream_v3()
        return _key_of(answer.listen_key)

    def _run(self) -> None:
        with deprecations_silenced():  # this thread's own context: the user's calls still warn
            wait = self.keepalive_interval
            while not self._stop.wait(wait):
                wait = self._keepalive()

    def _keepalive(self) -> float:
        """Extend the key (or replace it); returns the seconds until the next keepalive."""
        key = self._key
        if key is None:
            return self.keepalive_interval
        try:
            self._api.spot_update_user_data_stream_v3(listen_key=key)
            return self.keepalive_interval
        except ApiException as exc:
            if exc.code != LISTEN_KEY_DOES_NOT_EXIST:
                return self._failed("extending", exc)
        except OpenApiException as exc:
            return self._failed("extending", exc)
        try:
            new_key = self._create()
        except OpenApiException as exc:
            return self._failed("re-creating", exc)
        self._key = new_key
        logger.info("the listen key had expired; a new one was created")
        if new_key != key and self.on_key_change is not None:
            try:
                self.on_key_change(new_key)
            except Exception:  # the user's callback must not end the keepalive thread
                logger.exception("on_key_change raised")
        return self.keepalive_interval

    def _failed(self, what: str, exc: OpenApiException) -> float:
        retry = min(self.keepalive_interval, RETRY_INTERVAL)
        logger.warning("%s the listen key failed, next try in %.0f s: %s", what, retry, exc)
        return retry


class AsyncListenKeyStream:
    """ListenKeyStream for asyncio: `async with AsyncListenKeyStream(client) as stream:`.

    The keepalive runs as a task of the running loop; `on_key_change` may be a function or a
    coroutine function.

    Binance retired the REST listen-key endpoints (POST, PUT and DELETE /api/v3/userDataStream)
    on 2026-02-20 in favour of the WebSocket API's `userDataStream.subscribe`, and the operations
    are marked deprecated. This helper calls them without a DeprecationWarning on every
    keepalive: this note is the warning. It still serves servers that keep the endpoints.
    """

    def __init__(
        self,
        api_client: AsyncApiClient | None = None,
        keepalive_interval: float = KEEPALIVE_INTERVAL,
        *,
        on_key_change: Callable[[str], Awaitable[object] | object] | None = None,
    ) -> None:
        self._api = AsyncUserDataStreamApi(api_client)
        self.keepalive_interval = _check_interval(keepalive_interval)
        self.on_key_change = on_key_change
        self._key: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def listen_key(self) -> str:
        """The current listen key (it changes if Binance dropped the previous one)."""
        if self._key is None:
            raise ApiValueError("AsyncListenKeyStream: no listen key; enter `async with` first")
        return self._key

    async def start(self) -> str:
        """Create the listen key and start keeping it alive; returns the key."""
        if self._task is not None:
            raise ApiValueError("AsyncListenKeyStream: already started")
        with deprecations_silenced():
            self._key = await self._create()
        self._task = asyncio.create_task(self._run(), name=f"{__package__}-listen-key")
        return self._key

    async def close(self) -> None:
        """Stop the keepalive task and close the listen key (errors are logged, not raised)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            # wait() rather than `await task`: it never raises the task's CancelledError, so a
            # cancellation of close() itself is not swallowed by mistake.
            await asyncio.wait({task})
        key, self._key = self._key, None
        if key is None:
            return
        try:
            with deprecations_silenced():
                await self._api.spot_delete_user_data_stream_v3(listen_key=key)
        except OpenApiException as exc:
            logger.warning("closing the listen key failed: %s", exc)

    async def __aenter__(self) -> AsyncListenKeyStream:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _create(self) -> str:
        answer = await self._api.spot_create_user_data_stream_v3()
        return _key_of(answer.listen_key)

    async def _run(self) -> None:
        with deprecations_silenced():  # the task's own context: the user's calls still warn
            wait = self.keepalive_interval
            while True:
                await asyncio.sleep(wait)
                wait = await self._keepalive()

    async def _keepalive(self) -> float:
        """Extend the key (or replace it); returns the seconds until the next keepalive."""
        key = self._key
        if key is None:
            return self.keepalive_interval
        try:
            await self._api.spot_update_user_data_stream_v3(listen_key=key)
            return self.keepalive_interval
        except ApiException as exc:
            if exc.code != LISTEN_KEY_DOES_NOT_EXIST:
                return self._failed("extending", exc)
        except OpenApiException as exc:
            return self._failed("extending", exc)
        try:
            new_key = await self._create()
        except OpenApiException as exc:
            return self._failed("re-creating", exc)
        self._key = new_key
        logger.info("the listen key had expired; a new one was created")
        if new_key != key and self.on_key_change is not None:
            try:
                result = self.on_key_change(new_key)
                if inspect.isawaitable(result):
                    await result
            except Exception:  # the user's callback must not end the keepalive task
                logger.exception("on_key_change raised")
        return self.keepalive_interval

    def _failed(self, what: str, exc: OpenApiException) -> float:
        retry = min(self.keepalive_interval, RETRY_INTERVAL)
        logger.warning("%s the listen key failed, next try in %.0f s: %s", what, retry, exc)
        return retry


def _check_interval(seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ApiValueError("keepalive_interval must be a positive number of seconds")
    return float(seconds)


def _key_of(key: str | None) -> str:
    if not key:
        raise ResponseValidationError("the create answer carries no listen key", status=200)
    return key
