"""The listen-key helpers (templates/package/user_data_stream.py.jinja), in a package generated from
spec/openapi.yaml, against a loopback Binance: create, keepalive PUTs, -1125 re-create, close."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from loopback import LoopbackServer, RecordedRequest

from tests.conftest import imported

from .conftest import API_KEY, GENERATED

INTERVAL = 0.1
STREAM = "/api/v3/userDataStream"


@pytest.fixture(scope="module")
def uds(generated_root: Path) -> Iterator[ModuleType]:
    with imported(generated_root, GENERATED) as module:
        yield module


class Binance:
    """Listen keys as Binance keeps them: POST makes one, PUT extends it, DELETE ends it.

    `once(method, status, body)` scripts the next answer to `method` (a failed round: an empty or
    invalid body, an error); a method in `held` is answered only once `release` is set (a hung
    request: `entered` is set when one arrives)."""

    def __init__(self, server: LoopbackServer, key: str = "key-{}") -> None:
        self.server = server
        self.key = key
        self.alive: set[str] = set()
        self.made = 0
        self.lock = threading.Lock()
        self.failing: set[str] = set()  # methods answered with a 500
        self.scripted: dict[str, deque[tuple[int, Any]]] = {}
        self.held: set[str] = set()
        self.entered = threading.Event()
        self.release = threading.Event()
        server.respond_with(self)

    def once(self, method: str, status: int, body: Any) -> None:
        with self.lock:
            self.scripted.setdefault(method, deque()).append((status, body))

    def __call__(self, request: RecordedRequest) -> tuple[int, Any] | None:
        if request.method in self.held:
            self.entered.set()
            self.release.wait(10)
        with self.lock:
            if self.scripted.get(request.method):
                return self.scripted[request.method].popleft()
            if request.method in self.failing:
                return 500, {"code": -1001, "msg": "Internal error."}
            if request.method == "POST":
                self.made += 1
                key = self.key.format(self.made)
                self.alive.add(key)
                return 200, {"listenKey": key}
            key = (request.form or request.query).get("listenKey", [""])[0]
            if key not in self.alive:
                return 400, {"code": -1125, "msg": "This listenKey does not exist."}
            if request.method == "DELETE":
                self.alive.discard(key)
            return 200, {}

    def expire(self, key: str) -> None:
        with self.lock:
            self.alive.discard(key)

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, (r.form or r.query).get("listenKey", [""])[0])
                for r in self.server.requests if r.path == STREAM]


def wait_for(condition: Any, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


async def async_wait_for(condition: Any, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture
def config(uds: ModuleType, server: LoopbackServer) -> Any:
    return uds.Configuration(host=server.url, auth=uds.BinanceAuth(api_key=API_KEY), max_retries=0)


def test_sync_lifecycle(uds: ModuleType, server: LoopbackServer, config: Any) -> None:
    binance = Binance(server)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the helper's calls must not warn
        with uds.ApiClient(config) as client, uds.UserDataStream(client, INTERVAL) as stream:
            assert stream.listen_key == "key-1"
            wait_for(lambda: binance.calls().count(("PUT", "key-1")) >= 2)
    assert binance.calls()[0] == ("POST", "")
    assert binance.calls()[-1] == ("DELETE", "key-1") and not binance.alive
    assert all(r.headers.get("X-MBX-APIKEY") == API_KEY for r in server.requests)
    with pytest.raises(uds.ApiValueError, match="no listen key"):
        _ = stream.listen_key


def test_sync_recreates_an_expired_key(uds: ModuleType, server: LoopbackServer, config: Any) -> None:
    binance = Binance(server)
    changes: list[str] = []
    stream = uds.UserDataStream(uds.ApiClient(config), INTERVAL, on_key_change=changes.append)
    assert stream.start() == "key-1"
    try:
        binance.expire("key-1")  # Binance forgot it: the next keepalive gets -1125
        wait_for(lambda: ("PUT", "key-2") in binance.calls())
        assert stream.listen_key == "key-2" and changes == ["key-2"]
    finally:
        stream.close()
    calls = binance.calls()
    assert ("PUT", "key-1") in calls and calls.count(("POST", "")) == 2
    assert calls[-1] == ("DELETE", "key-2")


def test_sync_failures_are_logged_not_raised(uds: ModuleType, server: LoopbackServer, config: Any,
                                             caplog: pytest.LogCaptureFixture) -> None:
    binance = Binance(server)
    stream = uds.UserDataStream(uds.ApiClient(config), INTERVAL)
    with caplog.at_level(logging.WARNING, logger=GENERATED), stream:
        binance.failing = {"PUT", "DELETE"}
        wait_for(lambda: binance.calls().count(("PUT", "key-1")) >= 2)  # tried again
    assert re.search(r"extending the listen key \S+ failed", caplog.text)
    assert re.search(r"closing the listen key \S+ failed", caplog.text)
    assert "key-1" not in caplog.text  # a listen key is a credential: never logged


def test_the_users_own_calls_still_warn(uds: ModuleType, server: LoopbackServer,
                                        config: Any) -> None:
    Binance(server)
    client = uds.ApiClient(config)
    with uds.UserDataStream(client, INTERVAL), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        uds.UserDataStreamApi(client).spot_create_user_data_stream_v3()
        time.sleep(INTERVAL * 2)  # keepalives from the helper's thread meanwhile: silent
    assert [w.category for w in caught] == [DeprecationWarning]


def test_async_lifecycle_and_recreate(uds: ModuleType, server: LoopbackServer, config: Any) -> None:
    binance = Binance(server)
    changes: list[str] = []

    async def on_change(key: str) -> None:
        changes.append(key)

    async def main() -> None:
        async with uds.AsyncApiClient(config) as client, uds.AsyncUserDataStream(
                client, INTERVAL, on_key_change=on_change) as stream:
            assert stream.listen_key == "key-1"
            await async_wait_for(lambda: binance.calls().count(("PUT", "key-1")) >= 2)
            binance.expire("key-1")
            await async_wait_for(lambda: ("PUT", "key-2") in binance.calls())
            assert stream.listen_key == "key-2" and changes == ["key-2"]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asyncio.run(main())
    assert binance.calls()[-1] == ("DELETE", "key-2") and not binance.alive


def test_async_failures_are_logged_not_raised(uds: ModuleType, server: LoopbackServer, config: Any,
                                              caplog: pytest.LogCaptureFixture) -> None:
    binance = Binance(server)

    async def main() -> None:
        async with uds.AsyncApiClient(config) as client, uds.AsyncUserDataStream(client, INTERVAL):
            binance.failing = {"PUT", "DELETE"}
            await async_wait_for(lambda: binance.calls().count(("PUT", "key-1")) >= 2)

    with caplog.at_level(logging.WARNING, logger=GENERATED):
        asyncio.run(main())
    assert re.search(r"extending the listen key \S+ failed", caplog.text)
    assert re.search(r"closing the listen key \S+ failed", caplog.text)
    assert "key-1" not in caplog.text


def test_bad_intervals_are_refused(uds: ModuleType, config: Any) -> None:
    for bad in (0, -1, float("nan"), True):
        for helper, client in ((uds.UserDataStream, uds.ApiClient),
                               (uds.AsyncUserDataStream, uds.AsyncApiClient)):
            with pytest.raises(uds.ApiValueError, match="keepalive_interval"):
                helper(client(config), bad)
            with pytest.raises(uds.ApiValueError, match="close_timeout"):
                helper(client(config), close_timeout=bad)


def test_the_generated_package_imports_neither_aiohttp_nor_pydantic(generated_root: Path) -> None:
    code = (f"import sys; sys.path.insert(0, {str(generated_root)!r}); import {GENERATED}; "
            f"{GENERATED}.UserDataStream, {GENERATED}.AsyncUserDataStream, "
            f"{GENERATED}.AsyncUserDataStreamApi(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'aiohttp', 'pydantic', 'cryptography'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "[]"


# Issue 14 (items 2, 7, 8): no single failed round ends the keepalive; exit is bounded; no key is
# left open on the server.

LONG_KEY = "lk-secret-{}-0123456789abcdef"  # long enough to show its first 4 characters in logs

# (method, status, body) of one failed round; a POST is the re-create after Binance dropped key 1.
FAILED_ROUNDS = {
    "keepalive, empty body": ("PUT", 200, b""),
    "keepalive, invalid body": ("PUT", 200, b"[1, 2]"),
    "keepalive, not JSON": ("PUT", 200, b"<html>"),
    "keepalive, 500": ("PUT", 500, {"code": -1001, "msg": "Internal error."}),
    "re-create, empty body": ("POST", 200, b""),
    "re-create, no key": ("POST", 200, {}),
    "re-create, invalid body": ("POST", 200, b'"lk-secret-1-0123456789abcdef"'),
    "re-create, 500": ("POST", 500, {"code": -1001, "msg": "Internal error."}),
}


def script_failed_round(binance: Binance, round_: str) -> Any:
    """Script the failed round; returns the condition met once the helper has recovered."""
    method, status, body = FAILED_ROUNDS[round_]
    first = LONG_KEY.format(1)
    binance.once(method, status, body)
    if method == "PUT":
        return lambda: binance.calls().count(("PUT", first)) >= 3  # failed, then extended again
    binance.expire(first)
    return lambda: ("PUT", LONG_KEY.format(2)) in binance.calls()  # failed, then re-created


def assert_logged_redacted(caplog: pytest.LogCaptureFixture, round_: str) -> None:
    what = "extending" if FAILED_ROUNDS[round_][0] == "PUT" else "re-creating"
    warnings_ = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith(f"{what} the listen key lk-s\u2026 failed, next try in") for m in warnings_), \
        warnings_
    for key in (LONG_KEY.format(1), LONG_KEY.format(2), "secret-1", "secret-2"):
        assert key not in caplog.text  # a listen key is a credential: at most its first 4 characters


@pytest.mark.parametrize("round_", FAILED_ROUNDS)
def test_sync_survives_any_failed_round(uds: ModuleType, server: LoopbackServer, config: Any,
                                        caplog: pytest.LogCaptureFixture, round_: str) -> None:
    binance = Binance(server, LONG_KEY)
    with caplog.at_level(logging.INFO, logger=GENERATED), \
            uds.UserDataStream(uds.ApiClient(config), INTERVAL) as stream:
        recovered = script_failed_round(binance, round_)
        wait_for(recovered)
        assert stream._thread.is_alive()
    assert_logged_redacted(caplog, round_)
    assert not binance.alive  # the key in use at the end was closed


@pytest.mark.parametrize("round_", FAILED_ROUNDS)
def test_async_survives_any_failed_round(uds: ModuleType, server: LoopbackServer, config: Any,
                                         caplog: pytest.LogCaptureFixture, round_: str) -> None:
    binance = Binance(server, LONG_KEY)

    async def main() -> None:
        async with uds.AsyncApiClient(config) as client, \
                uds.AsyncUserDataStream(client, INTERVAL) as stream:
            recovered = script_failed_round(binance, round_)
            await async_wait_for(recovered)
            assert not stream._task.done()

    with caplog.at_level(logging.INFO, logger=GENERATED):
        asyncio.run(main())
    assert_logged_redacted(caplog, round_)
    assert not binance.alive


def test_an_empty_create_answer_fails_entry_with_a_clear_error(uds: ModuleType, server: LoopbackServer,
                                                               config: Any) -> None:
    binance = Binance(server)
    binance.once("POST", 200, b"")
    binance.once("POST", 200, b"")
    with pytest.raises(uds.ResponseValidationError), uds.UserDataStream(uds.ApiClient(config)):
        pass

    async def main() -> None:
        async with uds.AsyncApiClient(config) as client, uds.AsyncUserDataStream(client):
            pass

    with pytest.raises(uds.ResponseValidationError):
        asyncio.run(main())
    assert binance.calls() == [("POST", ""), ("POST", "")]


def test_sync_exit_does_not_wait_out_a_hung_keepalive(uds: ModuleType, server: LoopbackServer,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    # A keepalive with 3 attempts of 1 s each would hold close() for 3 s; close_timeout is 0.3 s.
    config = uds.Configuration(host=server.url, auth=uds.BinanceAuth(api_key=API_KEY),
                               max_retries=2, read_timeout=1.0)
    binance = Binance(server, LONG_KEY)
    binance.held = {"PUT"}
    stream = uds.UserDataStream(uds.ApiClient(config), INTERVAL, close_timeout=0.3)
    with caplog.at_level(logging.WARNING, logger=GENERATED):
        stream.start()
        thread = stream._thread
        assert binance.entered.wait(3)
        started = time.monotonic()
        stream.close()
        elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 0.9, elapsed
        assert not binance.alive  # closed anyway
        binance.release.set()
        thread.join(5)
        assert not thread.is_alive()  # the keepalive in flight ended, and the thread with it
    assert "still running after 0.3 s" in caplog.text
    assert "extending" not in caplog.text  # a keepalive failing after close() is no news
    assert LONG_KEY.format(1) not in caplog.text


def test_async_exit_does_not_wait_for_a_hung_keepalive(uds: ModuleType, server: LoopbackServer,
                                                       config: Any) -> None:
    binance = Binance(server)
    binance.held = {"PUT"}

    async def main() -> float:
        async with uds.AsyncApiClient(config) as client:
            stream = uds.AsyncUserDataStream(client, INTERVAL, close_timeout=0.3)
            await stream.start()
            await async_wait_for(binance.entered.is_set)
            started = time.monotonic()
            await stream.close()
            return time.monotonic() - started

    try:
        assert asyncio.run(main()) < 0.3
    finally:
        binance.release.set()
    assert not binance.alive


def test_sync_exit_during_a_re_create_closes_the_new_key(uds: ModuleType, server: LoopbackServer,
                                                         config: Any) -> None:
    binance = Binance(server)
    stream = uds.UserDataStream(uds.ApiClient(config), INTERVAL, close_timeout=0.2)
    stream.start()
    binance.held = {"POST"}
    binance.expire("key-1")
    assert binance.entered.wait(3)  # the re-create is on the server, its answer held
    started = time.monotonic()
    stream.close()
    assert time.monotonic() - started < 0.6
    binance.release.set()  # key-2 is made and answered after close() returned
    wait_for(lambda: ("DELETE", "key-2") in binance.calls())
    assert binance.made == 2 and not binance.alive
    assert ("DELETE", "key-1") not in binance.calls()  # Binance said it no longer exists


@pytest.mark.parametrize("answered_in", ["close_timeout", "too late"])
def test_async_exit_during_a_re_create_closes_the_new_key(uds: ModuleType, server: LoopbackServer,
                                                          config: Any, answered_in: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    binance = Binance(server)

    async def main() -> None:
        async with uds.AsyncApiClient(config) as client, \
                uds.AsyncUserDataStream(client, INTERVAL, close_timeout=0.5):
            binance.held = {"POST"}
            binance.expire("key-1")
            await async_wait_for(binance.entered.is_set)
            if answered_in == "close_timeout":  # answered while close() waits for it
                threading.Timer(0.2, binance.release.set).start()

    with caplog.at_level(logging.WARNING, logger=GENERATED):
        asyncio.run(main())
    binance.release.set()
    if answered_in == "close_timeout":
        assert binance.made == 2 and not binance.alive
        assert binance.calls()[-1] == ("DELETE", "key-2")
    else:  # close() gave up waiting after close_timeout, and says so
        assert "took longer than 0.5 s" in caplog.text
    assert ("DELETE", "key-1") not in binance.calls()
