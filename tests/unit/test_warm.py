"""warm.py: the helper forked to validate takes one job and gives its result; if it is gone, the job
runs in this process instead; closing it leaves no process behind."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

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


@pytest.fixture
def warm() -> Iterator[Warm]:
    helper = Warm()
    assert helper.pid is not None and helper.ready
    yield helper
    helper.close()


@pytest.mark.parametrize("value", [12, 1 << 600_000], ids=["small", "larger than a pipe holds"])
def test_a_job_runs_in_the_helper(warm: Warm, value: int) -> None:
    result = warm.submit(_pid_and_square, value)
    assert not warm.ready  # one job per helper
    assert result() == (warm.pid, value * value)


def test_a_helper_that_died_leaves_the_job_to_this_process(warm: Warm) -> None:
    assert warm.pid is not None
    os.kill(warm.pid, signal.SIGKILL)
    assert warm.submit(_pid_and_square, 3)() == (os.getpid(), 9)


def test_closing_stops_the_helper_and_reaps_it(warm: Warm) -> None:
    pid = warm.pid
    assert pid is not None
    warm.close()
    assert warm.pid is None and _gone(pid)
    warm.close()  # twice is harmless
