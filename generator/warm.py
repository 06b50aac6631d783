"""A process forked at the start of a run to get the validator ready while this one does the rest.

Importing openapi-spec-validator takes 0.25 s, more than checking the path items a one-endpoint edit
changes: the CLI forks this helper before it imports anything else, so the import overlaps with
loading, building and rendering, and the changed path items are checked the moment they are known.

The helper takes one job over a pipe (a pickled function of this package and its argument), sends
back the pickled outcome, and exits; it also exits when the pipe is closed without a job (a run with
nothing to validate, or one that failed). Only this module's parent writes to that pipe.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any


class Warm:
    """The helper process, if this platform can fork. Closed by whoever made it."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self._jobs = self._results = -1
        self._submitted = False
        if not hasattr(os, "fork"):
            return
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: never returns into the caller's code
            status = 1
            try:
                os.close(jobs_write)
                os.close(results_read)
                quiet = os.open(os.devnull, os.O_RDWR)  # the terminal (or the caller's pipes) are not its
                for fd in (0, 1, 2):
                    os.dup2(quiet, fd)
                _serve(jobs_read, results_write)
                status = 0
            finally:
                os._exit(status)
        os.close(jobs_read)
        os.close(results_write)
        self.pid, self._jobs, self._results = pid, jobs_write, results_read

    @property
    def ready(self) -> bool:
        """Whether a job may still be submitted."""
        return self.pid is not None and not self._submitted

    def submit(self, function: Callable[[Any], Any], argument: Any) -> Callable[[], Any]:
        """Hand the helper `function(argument)`; the call returned waits for its result. If the
        helper fails (or is gone) the function runs here instead: the outcome is the same."""
        assert self.ready
        self._submitted = True
        payload = pickle.dumps((function, argument), protocol=pickle.HIGHEST_PROTOCOL)
        # Written from a thread, which closes the pipe when done: the pipe holds 64 KiB, and the
        # helper reads only once it is ready.
        sender = threading.Thread(target=_send, args=(self._jobs, payload), daemon=True)
        self._jobs = -1
        sender.start()

        def result() -> Any:
            received = _receive(self._results)
            sender.join()
            with contextlib.suppress(Exception):
                done, value = pickle.loads(received)
                if done:
                    return value
            return function(argument)

        return result

    def close(self) -> None:
        if self.pid is None:
            return
        for fd in (self._jobs, self._results):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._jobs = self._results = -1
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        self.pid = None


def _serve(jobs: int, results: int) -> None:
    from . import validate

    validate.prepare_validator()
    received = _receive(jobs)
    if not received:
        return  # closed without a job
    function, argument = pickle.loads(received)
    try:
        outcome = (True, function(argument))
    except Exception:  # the parent runs it again itself, and reports what it finds
        outcome = (False, None)
    _send(results, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))


def _send(fd: int, payload: bytes) -> None:
    with contextlib.suppress(OSError):
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    with contextlib.suppress(OSError):
        os.close(fd)


def _receive(fd: int) -> bytes:
    chunks = []
    with contextlib.suppress(OSError):
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    return b"".join(chunks)
