"""The listen-key helpers (templates/package/user_data_stream.py.jinja), in a package generated from
spec/openapi.yaml, against a loopback Binance: create, keepalive PUTs, -1125 re-create, close."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
import time
import warnings
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
    """Listen keys as Binance keeps them: POST makes one, PUT extends it, DELETE ends it."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.alive: set[str] = set()
        self.made = 0
        self.lock = threading.Lock()
        self.failing: set[str] = set()  # methods answered with a 500
        server.respond_with(self)

    def __call__(self, request: RecordedRequest) -> tuple[int, Any] | None:
        with self.lock:
            if request.method in self.failing:
                return 500, {"code": -1001, "msg": "Internal error."}
            if request.method == "POST":
                self.made += 1
                key = f"key-{self.made}"
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
    assert "extending the listen key failed" in caplog.text
    assert "closing the listen key failed" in caplog.text
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
    assert "extending the listen key failed" in caplog.text
    assert "closing the listen key failed" in caplog.text


def test_bad_intervals_are_refused(uds: ModuleType, config: Any) -> None:
    for bad in (0, -1, float("nan"), True):
        with pytest.raises(uds.ApiValueError, match="keepalive_interval"):
            uds.UserDataStream(uds.ApiClient(config), bad)
        with pytest.raises(uds.ApiValueError, match="keepalive_interval"):
            uds.AsyncUserDataStream(uds.AsyncApiClient(config), bad)


def test_the_generated_package_imports_neither_aiohttp_nor_pydantic(generated_root: Path) -> None:
    code = (f"import sys; sys.path.insert(0, {str(generated_root)!r}); import {GENERATED}; "
            f"{GENERATED}.UserDataStream, {GENERATED}.AsyncUserDataStream, "
            f"{GENERATED}.AsyncUserDataStreamApi(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'aiohttp', 'pydantic', 'cryptography'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "[]"
