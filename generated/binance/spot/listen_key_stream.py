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
# close() waits at most this long for a keepalive or re-create in flight, and gives the DELETE
# that closes the key at most this long too: leaving takes at most twice this.
CLOSE_TIMEOUT = 5.0
LISTEN_KEY_DOES_NOT_EXIST = -1125


class ListenKeyStream:
    """Creates a listen key, keeps it alive from a daemon thread, and closes it at the end.

    ```
    with ListenKeyStream(api_client) as stream:
        connect_websocket(stream.listen_key)
    ```

    Entering creates the key (`listen_key`); every `keepalive_interval` seconds the thread extends
    it. When Binance answers -1125 (the key no longer exists) a new key is created and
    `on_key_change(new_key)` is called, from the keepalive thread. A round that fails (an error
    answer, no answer, a body that is not what the API declares) is logged as a WARNING and tried
    again within a minute: no single failure ends the thread. Leaving stops the thread and closes
    the key; errors there are logged, not raised. Leaving takes at most 2 x `close_timeout`
    seconds (default 5): it waits at most `close_timeout` for a keepalive in flight, then closes
    the key anyway, with a DELETE given `close_timeout` too; a key the thread creates after that
    is closed by the thread. `start()` and `close()` do the same without a `with` block. A listen
    key is a credential: logs show only its first 4 characters.

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
        close_timeout: float = CLOSE_TIMEOUT,
    ) -> None:
        self._api = UserDataStreamApi(api_client)
        self.keepalive_interval = _check_seconds("keepalive_interval", keepalive_interval)
        self.close_timeout = _check_seconds("close_timeout", close_timeout)
        self.on_key_change = on_key_change
        self._key: str | None = None
        self._gone: str | None = None  # a key Binance said no longer exists: nothing to close
        self._stop = threading.Event()
        # Hands the key over between the thread and close(): whichever comes second closes a key
        # the thread created while close() was under way.
        self._lock = threading.Lock()
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
            key = self._create()
        self._key, self._gone = key, None
        # An event per start: a thread left running by an earlier close() keeps its own.
        self._stop = stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(stop,), name=f"{__package__}-listen-key", daemon=True
        )
        self._thread.start()
        return key

    def close(self) -> None:
        """Stop the keepalive thread and close the listen key (errors are logged, not raised).

        Returns within 2 x `close_timeout` seconds, whatever a keepalive in flight is doing."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(self.close_timeout)
            if thread.is_alive():
                logger.warning(
                    "a keepalive of the listen key was still running after %.1f s; "
                    "closing the key without waiting for it",
                    self.close_timeout,
                )
        with self._lock:
            key, self._key = self._key, None
        if key is not None and key != self._gone:
            self._close_key(key)

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
        return _key_of(answer.listen_key if answer is not None else None)

    def _close_key(self, key: str) -> None:
        try:
            with deprecations_silenced():
                self._api.spot_delete_user_data_stream_v3(
                    listen_key=key, _request_timeout=self.close_timeout
                )
        except Exception as exc:  # never raised from close(): the key expires on its own
            logger.warning(
                "closing the listen key %s failed: %s", _redacted(key), _scrubbed(exc, key)
            )

    def _run(self, stop: threading.Event) -> None:
        with deprecations_silenced():  # this thread's own context: the user's calls still warn
            wait = self.keepalive_interval
            while not stop.wait(wait):
                try:
                    wait = self._keepalive(stop)
                except Exception as exc:  # whatever failed, the next round comes
                    wait = self._failed(stop, "keeping alive", self._key, exc)

    def _keepalive(self, stop: threading.Event) -> float:
        """Extend the key (or replace it); returns the seconds until the next keepalive."""
        key = self._key
        if key is None:
            return self.keepalive_interval
        try:
            self._api.spot_update_user_data_stream_v3(listen_key=key)
            return self.keepalive_interval
        except ApiException as exc:
            if exc.code != LISTEN_KEY_DOES_NOT_EXIST:
                return self._failed(stop, "extending", key, exc)
        except OpenApiException as exc:
            return self._failed(stop, "extending", key, exc)
        self._gone = key
        if stop.is_set():  # closed meanwhile: no new key
            return self.keepalive_interval
        try:
            new_key = self._create()
        except OpenApiException as exc:
            return self._failed(stop, "re-creating", key, exc)
        with self._lock:
            kept = not stop.is_set()  # close() has not taken the key yet: it closes this one
            if kept:
                self._key = new_key
        if not kept:
            self._close_key(new_key)
            return self.keepalive_interval
        logger.info(
            "the listen key %s had expired; a new one was created: %s",
            _redacted(key),
            _redacted(new_key),
        )
        if new_key != key and self.on_key_change is not None:
            try:
                self.on_key_change(new_key)
            except Exception:  # the user's callback must not end the keepalive thread
                logger.exception("on_key_change raised")
        return self.keepalive_interval

    def _failed(self, stop: threading.Event, what: str, key: str | None, exc: Exception) -> float:
        retry = min(self.keepalive_interval, RETRY_INTERVAL)
        if not stop.is_set():  # after close() a keepalive in flight may fail: expected
            logger.warning(
                "%s the listen key %s failed, next try in %.0f s: %s",
                what,
                _redacted(key),
                retry,
                _scrubbed(exc, key),
            )
        return retry


class AsyncListenKeyStream:
    """ListenKeyStream for asyncio: `async with AsyncListenKeyStream(client) as stream:`.

    The keepalive runs as a task of the running loop; `on_key_change` may be a function or a
    coroutine function. A failed round is logged and tried again, as for ListenKeyStream. Leaving
    cancels the task at once, except a re-create in flight: leaving waits for it (at most
    `close_timeout` seconds, default 5) and closes the new key as well, so that no key is left
    open on the server. The DELETE that closes a key is given `close_timeout` too.

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
        close_timeout: float = CLOSE_TIMEOUT,
    ) -> None:
        self._api = AsyncUserDataStreamApi(api_client)
        self.keepalive_interval = _check_seconds("keepalive_interval", keepalive_interval)
        self.close_timeout = _check_seconds("close_timeout", close_timeout)
        self.on_key_change = on_key_change
        self._key: str | None = None
        self._gone: str | None = None  # a key Binance said no longer exists: nothing to close
        self._task: asyncio.Task[None] | None = None
        # A re-create in flight: its own task, shielded from the keepalive task's cancellation,
        # so that close() can wait for the key it makes and close that one too.
        self._creating: asyncio.Task[str] | None = None

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
            key = await self._create()
        self._key, self._gone = key, None
        self._task = asyncio.create_task(self._run(), name=f"{__package__}-listen-key")
        return key

    async def close(self) -> None:
        """Stop the keepalive task and close the listen key (errors are logged, not raised)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            # wait() rather than `await task`: it never raises the task's CancelledError, so a
            # cancellation of close() itself is not swallowed by mistake.
            await asyncio.wait({task})
        key, self._key = self._key, None
        creating, self._creating = self._creating, None
        new_key = await self._created_meanwhile(creating) if creating is not None else None
        for each in dict.fromkeys((key, new_key)):  # each once, in order
            if each is not None and each != self._gone:
                await self._close_key(each)

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
        return _key_of(answer.listen_key if answer is not None else None)

    async def _created_meanwhile(self, creating: asyncio.Task[str]) -> str | None:
        """The key of a re-create that was in flight when close() came, once it is done (at most
        `close_timeout` seconds); None if it failed or took longer."""
        await asyncio.wait({creating}, timeout=self.close_timeout)
        if not creating.done():
            creating.cancel()
            logger.warning(
                "re-creating the listen key took longer than %.1f s; a key it made is left to "
                "expire",
                self.close_timeout,
            )
            return None
        if creating.cancelled():
            return None
        error = creating.exception()
        if error is not None:
            logger.warning("re-creating the listen key failed: %s", _scrubbed(error, self._gone))
            return None
        return creating.result()

    async def _close_key(self, key: str) -> None:
        try:
            with deprecations_silenced():
                await self._api.spot_delete_user_data_stream_v3(
                    listen_key=key, _request_timeout=self.close_timeout
                )
        except Exception as exc:  # never raised from close(): the key expires on its own
            logger.warning(
                "closing the listen key %s failed: %s", _redacted(key), _scrubbed(exc, key)
            )

    async def _run(self) -> None:
        with deprecations_silenced():  # the task's own context: the user's calls still warn
            wait = self.keepalive_interval
            while True:
                await asyncio.sleep(wait)
                try:
                    wait = await self._keepalive()
                except Exception as exc:  # whatever failed, the next round comes
                    wait = self._failed("keeping alive", self._key, exc)

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
                return self._failed("extending", key, exc)
        except OpenApiException as exc:
            return self._failed("extending", key, exc)
        self._gone = key
        creating = self._creating = asyncio.create_task(self._create())
        try:
            # A cancellation (close()) leaves `creating` running and in self._creating.
            new_key = await asyncio.shield(creating)
        except Exception as exc:
            self._creating = None
            return self._failed("re-creating", key, exc)
        self._creating = None
        self._key = new_key
        logger.info(
            "the listen key %s had expired; a new one was created: %s",
            _redacted(key),
            _redacted(new_key),
        )
        if new_key != key and self.on_key_change is not None:
            try:
                result = self.on_key_change(new_key)
                if inspect.isawaitable(result):
                    await result
            except Exception:  # the user's callback must not end the keepalive task
                logger.exception("on_key_change raised")
        return self.keepalive_interval

    def _failed(self, what: str, key: str | None, exc: Exception) -> float:
        retry = min(self.keepalive_interval, RETRY_INTERVAL)
        logger.warning(
            "%s the listen key %s failed, next try in %.0f s: %s",
            what,
            _redacted(key),
            retry,
            _scrubbed(exc, key),
        )
        return retry


def _check_seconds(name: str, seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ApiValueError(f"{name} must be a positive number of seconds")
    return float(seconds)


def _key_of(key: str | None) -> str:
    if not key:
        raise ResponseValidationError("the create answer carries no listen key", status=200)
    return key


def _redacted(key: str | None) -> str:
    """A listen key as logs show it: its first 4 characters."""
    if not key:
        return "(none)"
    return key[:4] + "\u2026" if len(key) > 8 else "\u2026"


def _scrubbed(exc: BaseException, key: str | None) -> str:
    """`exc`'s message with the listen key redacted (a body quoted in it may carry the key)."""
    text = str(exc) or type(exc).__name__
    return text.replace(key, _redacted(key)) if key else text
