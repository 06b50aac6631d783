"""warm.py: the helper forked to validate takes one job and gives its result; if it is gone, the job
runs in this process instead; closing it leaves no process behind."""

from __future__ import annotations

import os
import signal

import pytest

from generator.warm import Warm

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is forked")


def _pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("value", [12, 1 << 600_000], ids=["small", "larger than a pipe holds"])
def test_a_job_runs_in_the_helper(value: int) -> None:
    warm = Warm()
    try:
        assert warm.pid is not None and warm.ready
        result = warm.submit(_pid_and_square, value)
        assert not warm.ready  # one job per helper
        assert result() == (warm.pid, value * value)
    finally:
        warm.close()


def test_a_helper_that_died_leaves_the_job_to_this_process() -> None:
    warm = Warm()
    pid = warm.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    try:
        assert warm.submit(_pid_and_square, 3)() == (os.getpid(), 9)
    finally:
        warm.close()


def test_closing_stops_the_helper_and_reaps_it() -> None:
    warm = Warm()
    pid = warm.pid
    assert pid is not None
    warm.close()
    assert warm.pid is None and _gone(pid)
    warm.close()  # twice is harmless
