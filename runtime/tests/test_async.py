"""What only the async client has to get right: event loops, tasks, cancellation, its transport."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from loopback import LoopbackServer

from .conftest import API_KEY, PACKAGE, ROOT
from .test_client import hmac_hex, make_op, signed_parts


def test_tasks_share_one_client(rt: ModuleType, server: LoopbackServer, auth: Any) -> None:
    operation = make_op(rt, "GET", "/api/v3/account", ("n", "query"), signed=True)
    config = rt.configuration.Configuration(host=server.url, auth=auth, pool_maxsize=4)

    async def main() -> list[int]:
        async with rt.async_api_client.AsyncApiClient(config) as client:
            answers = await asyncio.gather(*(client.call(operation, {"n": n}) for n in range(40)))
            return [answer.status_code for answer in answers]

    assert asyncio.run(main()) == [200] * 40
    assert sorted(int(r.query["n"][0]) for r in server.requests) == list(range(40))
    for request in server.requests:
        payload, signature = signed_parts(request)
        assert signature == hmac_hex(payload)


def test_the_default_client_survives_successive_event_loops(package_root: Path,
                                                            server: LoopbackServer) -> None:
    # A fresh interpreter with every warning an error: a session left unclosed by a loop's end
    # would show up as a ResourceWarning or aiohttp's "Unclosed client session" on stderr.
    code = f"""
import asyncio, gc, sys, warnings
warnings.simplefilter("error")
sys.path.insert(0, {str(package_root)!r})
from {PACKAGE}.async_api_client import AsyncApiClient
from {PACKAGE}.configuration import Configuration
from {PACKAGE}.operation import Operation
Configuration.set_default(Configuration(host={server.url!r}))
op = Operation("Ping", "GET", "/api/v3/ping", responses={{"200": "Any"}})
async def main():
    return (await AsyncApiClient.get_default().call(op, {{}})).data
print(asyncio.run(main()), asyncio.run(main()), asyncio.run(main()))
gc.collect()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{} {} {}"
    assert done.stderr == ""
    assert len(server.requests) == 3


def test_a_client_belongs_to_one_running_loop(rt: ModuleType, server: LoopbackServer) -> None:
    client = rt.async_api_client.AsyncApiClient(rt.configuration.Configuration(host=server.url))
    operation = make_op(rt, "GET", "/x", auth=())
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(client.call(operation, {}), other).result(10)
        with pytest.raises(rt.exceptions.ApiValueError, match="one AsyncApiClient per event loop"):
            asyncio.run(client.call(operation, {}))
        asyncio.run_coroutine_threadsafe(client.close(), other).result(10)
        assert asyncio.run(client.call(operation, {})).status_code == 200  # closed: may move on
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(10)
        other.close()


def test_cancelling_a_call_leaves_the_client_usable(rt: ModuleType, server: LoopbackServer) -> None:
    config = rt.configuration.Configuration(host=server.url)
    operation = make_op(rt, "GET", "/x", auth=())

    async def main() -> int:
        async with rt.async_api_client.AsyncApiClient(config) as client:
            server.reply(200, {}, delay=2.0)
            task = asyncio.create_task(client.call(operation, {}))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return (await client.call(operation, {})).status_code

    assert asyncio.run(main()) == 200


@pytest.mark.parametrize("flavour_of_user", ["sync", "async"])
def test_deprecated_operations_warn_at_the_callers_line(rt: ModuleType, server: LoopbackServer,
                                                        flavour_of_user: str) -> None:
    config = rt.configuration.Configuration(host=server.url)
    operation = make_op(rt, "POST", "/api/v3/userDataStream", deprecated=True)

    class GeneratedApi:  # the shape of a generated API class: user -> method -> call
        def __init__(self, client: Any) -> None:
            self.client = client

        def create(self) -> Any:
            return self.client.call(operation, {}).data

    class AsyncGeneratedApi(GeneratedApi):
        async def create(self) -> Any:  # type: ignore[override]
            return (await self.client.call(operation, {})).data

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if flavour_of_user == "sync":
            GeneratedApi(rt.api_client.ApiClient(config)).create()
        else:
            async def user_code() -> None:
                async with rt.async_api_client.AsyncApiClient(config) as client:
                    await AsyncGeneratedApi(client).create()

            asyncio.run(user_code())
    (warning,) = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert warning.filename == __file__
    assert "TestPost is deprecated" in str(warning.message)


def test_deprecations_can_be_silenced_per_thread_and_task(rt: ModuleType,
                                                          server: LoopbackServer) -> None:
    config = rt.configuration.Configuration(host=server.url)
    operation = make_op(rt, "POST", "/api/v3/userDataStream", deprecated=True)
    sync_client = rt.api_client.ApiClient(config)
    silenced = rt.operation.deprecations_silenced

    async def quiet_task(client: Any) -> None:
        with silenced():
            await client.call(operation, {})

    async def both() -> None:
        async with rt.async_api_client.AsyncApiClient(config) as client:
            await asyncio.gather(quiet_task(client), client.call(operation, {}))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with silenced():
            sync_client.call(operation, {})
        thread = threading.Thread(target=sync_client.call, args=(operation, {}))
        thread.start()
        thread.join()
        asyncio.run(both())
    # The other thread and the other task were not silenced by this thread's or task's block.
    assert len([w for w in caught if issubclass(w.category, DeprecationWarning)]) == 2


def test_transport_settings(rt: ModuleType) -> None:
    async_rest = pytest.importorskip(f"{PACKAGE}.async_rest")
    proxy, headers = async_rest._proxy_settings("http://al%40ice:s3cret@proxy.local:3128")
    assert proxy == "http://proxy.local:3128"
    assert headers == {"Proxy-Authorization": "Basic YWxAaWNlOnMzY3JldA=="}  # al@ice:s3cret
    assert async_rest._proxy_settings(None) == (None, None)
    with pytest.raises(rt.exceptions.ApiValueError, match="http and https proxies"):
        async_rest._proxy_settings("socks5://proxy.local:1080")
    for bad in (-1.0, 0, (1.0, "x"), True, float("nan"), (1.0, 2.0, 3.0)):
        with pytest.raises(rt.exceptions.ApiValueError, match="invalid timeout"):
            rt.configuration.check_timeout(bad)  # what both transports check a call's timeout with
    assert async_rest._ssl_setting(rt.configuration.Configuration(verify_ssl=False)) is False
    with pytest.raises(rt.exceptions.ApiValueError, match="ssl_ca_cert"):
        async_rest._ssl_setting(rt.configuration.Configuration(ssl_ca_cert="/nonexistent/ca.pem"))


def test_a_socks_proxy_is_refused_on_first_call(rt: ModuleType) -> None:
    config = rt.configuration.Configuration(proxy="socks5://127.0.0.1:1080",
                                            auth=rt.auth.BinanceAuth(api_key=API_KEY))
    client = rt.async_api_client.AsyncApiClient(config)
    with pytest.raises(rt.exceptions.ApiValueError, match="proxies"):
        asyncio.run(client.call(make_op(rt, "GET", "/x"), {}))


def test_async_rest_is_part_of_the_runtime() -> None:
    assert (ROOT / "runtime" / "async_rest.py").is_file()
