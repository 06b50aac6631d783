"""LoopThread: an event loop in a daemon thread, for a blocking client to run its asyncio twin on.

In: coroutines of the asyncio client (WsClient drives AsyncWsClient, StreamClient drives
AsyncStreamClient). Out: their results in the calling thread, or their exceptions; a reader on the
loop answers pings and collects events while the caller does something else.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .exceptions import ApiConnectionError

T = TypeVar("T")


def _no_answer(why: str) -> BaseException:
    return ApiConnectionError(why, request_sent=True)


class LoopThread:
    """One event loop running forever in a daemon thread named `name`, until stop()."""

    __slots__ = ("_thread", "loop")

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def closed(self) -> bool:
        return self.loop.is_closed()

    def run(
        self,
        coro: Coroutine[Any, Any, T],
        wait: float | None,
        on_timeout: Callable[[str], BaseException] = _no_answer,
    ) -> T:
        """Run `coro` on the loop and wait for it, at most `wait` seconds (None: no bound); when the
        bound passes, the coroutine is cancelled and `on_timeout(why)` raised. A caller interrupted
        (KeyboardInterrupt) does not leave the coroutine running on the loop."""
        if self.loop.is_closed():
            coro.close()
            raise ApiConnectionError("the client is closed", request_sent=False)
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(wait)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise on_timeout("the client's event loop did not answer in time") from None
        except BaseException:
            if not future.done():
                future.cancel()
            raise

    def stop(self) -> None:
        """Stop the loop and its thread; the loop is closed once the thread has ended."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5.0)
        if not self._thread.is_alive():
            self.loop.close()

    def stop_soon(self) -> None:
        """Ask the loop to stop, without waiting (a client dropped without close())."""
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)
