"""Child process of the per-call benchmark: one client makes N sequential POST /api/v3/userDataStream
calls to the loopback server and reports what they cost this process.

Usage: call_clients.py CLIENT --port P --calls N [--warmup W] [--package NAME]. Set-up (imports, client
construction) and W warm-up calls are not timed. Prints JSON: `wall` and `cpu` (time.process_time, so
this process's CPU only: the server is another process) for the N calls. Every client parses the JSON
answer and returns the listen key, which is checked. Exit code 3 means the client does not exist here
(say, our async client before it is generated), with the reason on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

PATH = "/api/v3/userDataStream"
API_KEY = "bench-api-key"
LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"

SyncCall = Callable[[], str]
AsyncCall = Callable[[], Awaitable[str]]


class Absent(Exception):
    """The client is not available in this output (exit code 3)."""


def raw_urllib3(base: str, _: str) -> SyncCall:
    import urllib3

    host, port = base.removeprefix("http://").split(":")
    pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=1)
    headers = {"X-MBX-APIKEY": API_KEY}

    def call() -> str:
        response = pool.request("POST", PATH, headers=headers)
        return str(json.loads(response.data)["listenKey"])

    return call


def raw_httpx_sync(base: str, _: str) -> SyncCall:
    import httpx

    client = httpx.Client(base_url=base, headers={"X-MBX-APIKEY": API_KEY})
    return lambda: str(client.post(PATH).json()["listenKey"])


def ours_sync(base: str, _: str) -> SyncCall:
    spot: Any = importlib.import_module("binance.spot")
    config = spot.Configuration(host=base, auth=spot.BinanceAuth(api_key=API_KEY))
    api = spot.UserDataStreamApi(spot.ApiClient(config))
    return lambda: str(api.spot_create_user_data_stream_v3().listen_key)


def openapi_generator(base: str, package: str) -> SyncCall:
    og: Any = importlib.import_module(package or "binance_spot")
    config = og.Configuration(host=base, api_key={"ApiKey": API_KEY})
    api = og.UserDataStreamApi(og.ApiClient(config))
    return lambda: str(api.spot_create_user_data_stream_v3().listen_key)


def openapi_python_client(base: str, package: str) -> SyncCall:
    client_module: Any = importlib.import_module(package)
    operation: Any = importlib.import_module(f"{package}.api.user_data_stream.spot_create_user_data_stream_v3")
    client = client_module.AuthenticatedClient(base_url=base, token=API_KEY)
    return lambda: str(operation.sync(client=client).listen_key)


async def raw_httpx_async(base: str, _: str) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
    import httpx

    client = httpx.AsyncClient(base_url=base, headers={"X-MBX-APIKEY": API_KEY})

    async def call() -> str:
        return str((await client.post(PATH)).json()["listenKey"])

    return call, client.aclose


async def raw_aiohttp(base: str, _: str) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
    import aiohttp

    session = aiohttp.ClientSession(base_url=base, headers={"X-MBX-APIKEY": API_KEY})

    async def call() -> str:
        async with session.post(PATH) as response:
            return str((await response.json())["listenKey"])

    return call, session.close


async def ours_async(base: str, _: str) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
    spot: Any = importlib.import_module("binance.spot")
    try:
        client_class = spot.AsyncApiClient
        api_class = spot.AsyncUserDataStreamApi
    except (AttributeError, ImportError) as exc:
        raise Absent(f"binance.spot.AsyncApiClient is not available: {exc}") from exc
    client = client_class(spot.Configuration(host=base, auth=spot.BinanceAuth(api_key=API_KEY)))
    api = api_class(client)

    async def call() -> str:
        return str((await api.spot_create_user_data_stream_v3()).listen_key)

    return call, client.close


SYNC_CLIENTS: dict[str, Callable[[str, str], SyncCall]] = {
    "raw-urllib3": raw_urllib3,
    "raw-httpx-sync": raw_httpx_sync,
    "ours-sync": ours_sync,
    "openapi-generator": openapi_generator,
    "openapi-python-client": openapi_python_client,
}
ASYNC_CLIENTS = {
    "raw-httpx-async": raw_httpx_async,
    "raw-aiohttp": raw_aiohttp,
    "ours-async": ours_async,
}


def _check(key: str) -> None:
    if key != LISTEN_KEY:
        raise SystemExit(f"unexpected listen key {key!r}")


def run_sync(make: Callable[[str, str], SyncCall], base: str, package: str, calls: int,
             warmup: int) -> dict[str, float]:
    call = make(base, package)
    for _ in range(warmup):
        _check(call())
    cpu, start = time.process_time(), time.perf_counter()
    for _ in range(calls):
        call()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    _check(call())
    return {"wall": wall, "cpu": cpu}


async def run_async(make: Any, base: str, package: str, calls: int, warmup: int) -> dict[str, float]:
    call, close = await make(base, package)
    try:
        for _ in range(warmup):
            _check(await call())
        cpu, start = time.process_time(), time.perf_counter()
        for _ in range(calls):
            await call()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        _check(await call())
    finally:
        closing = close()
        if closing is not None:
            await closing
    return {"wall": wall, "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("client", choices=[*SYNC_CLIENTS, *ASYNC_CLIENTS])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--package", default="")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    try:
        if args.client in SYNC_CLIENTS:
            result = run_sync(SYNC_CLIENTS[args.client], base, args.package, args.calls, args.warmup)
        else:
            result = asyncio.run(run_async(ASYNC_CLIENTS[args.client], base, args.package, args.calls,
                                           args.warmup))
    except Absent as exc:
        print(exc, file=sys.stderr)
        return 3
    print(json.dumps({**result, "calls": args.calls}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
