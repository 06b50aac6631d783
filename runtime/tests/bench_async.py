"""Benchmark: the async HTTP library choice (aiohttp vs httpx) and AsyncApiClient's own cost.

Run: python3 runtime/tests/bench_async.py [calls [rounds]]
The loopback server runs in a subprocess; each case makes `calls` POST /api/v3/userDataStream calls
(one at a time, then 10 at once for the async cases); rounds alternate and the median is reported,
as client CPU per call (time.process_time: the calling process only) and calls per second. The
overheads over the raw libraries follow, from the medians and from each case's quickest round
(the one a shared, busy machine disturbed least).
httpx cases run only when httpx is installed (it is not a dependency). Not collected by pytest.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `tests`

from runtime.tests.conftest import API_KEY, ROOT, write_package

SERVER = f"""
import sys
sys.path.insert(0, {str(ROOT / "templates" / "tests")!r})
from loopback import LoopbackServer
server = LoopbackServer()
server.respond_with(lambda request: (200, {{"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1"}},
                                     {{"X-MBX-USED-WEIGHT-1M": "2"}}))
print(server.url, flush=True)
sys.stdin.read()
"""
HEADERS = {"X-MBX-APIKEY": API_KEY, "Accept": "application/json"}
CONCURRENCY = 10
OVERHEADS = [("ApiClient.call (sync)", "raw urllib3 (sync)"),
             ("AsyncApiClient, 1 at a time", "raw aiohttp, 1 at a time"),
             ("AsyncApiClient, 10 at once", "raw aiohttp, 10 at once")]


def main(calls: int = 1000, rounds: int = 5) -> None:
    root = Path(tempfile.mkdtemp())
    write_package(root)
    sys.path.insert(0, str(root))
    from rtpkg.api_client import ApiClient
    from rtpkg.async_api_client import AsyncApiClient
    from rtpkg.auth import BinanceAuth
    from rtpkg.configuration import Configuration
    from rtpkg.operation import Operation

    create = Operation("SpotCreateUserDataStreamV3", "POST", "/api/v3/userDataStream",
                       responses={"200": "ListenKey", "4XX": "APIError"}, auth=("ApiKey",))
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    url = base + "/api/v3/userDataStream"
    config = Configuration(host=base, auth=BinanceAuth(api_key=API_KEY), pool_maxsize=CONCURRENCY)
    try:
        import aiohttp

        try:
            import httpx
        except ImportError:
            httpx = None

        pool = urllib3.PoolManager(maxsize=CONCURRENCY, retries=False)
        client = ApiClient(config)

        def raw_urllib3(n: int) -> None:
            for _ in range(n):
                json.loads(pool.urlopen("POST", url, headers=HEADERS, retries=False).data)

        def api_client(n: int) -> None:
            for _ in range(n):
                client.call(create, {})

        async def aiohttp_calls(n: int, width: int) -> None:
            async with aiohttp.ClientSession() as session:
                async def one() -> None:
                    async with session.post(url, headers=HEADERS) as response:
                        json.loads(await response.read())

                for _ in range(n // width):
                    await asyncio.gather(*(one() for _ in range(width)))

        async def httpx_calls(n: int, width: int) -> None:
            async with httpx.AsyncClient() as session:
                async def one() -> None:
                    json.loads((await session.post(url, headers=HEADERS)).content)

                for _ in range(n // width):
                    await asyncio.gather(*(one() for _ in range(width)))

        async def async_api_client_calls(n: int, width: int) -> None:
            async with AsyncApiClient(config) as async_client:
                for _ in range(n // width):
                    await asyncio.gather(*(async_client.call(create, {}) for _ in range(width)))

        def httpx_sync(n: int) -> None:
            with httpx.Client() as session:
                for _ in range(n):
                    json.loads(session.post(url, headers=HEADERS).content)

        def run(coroutine: Callable[[int, int], object], width: int) -> Callable[[int], None]:
            return lambda n: asyncio.run(coroutine(n, width))  # type: ignore[arg-type]

        cases: list[tuple[str, Callable[[int], None]]] = [
            ("raw urllib3 (sync)", raw_urllib3),
            ("ApiClient.call (sync)", api_client),
            ("raw aiohttp, 1 at a time", run(aiohttp_calls, 1)),
            ("AsyncApiClient, 1 at a time", run(async_api_client_calls, 1)),
            ("raw aiohttp, 10 at once", run(aiohttp_calls, CONCURRENCY)),
            ("AsyncApiClient, 10 at once", run(async_api_client_calls, CONCURRENCY)),
        ]
        if httpx is not None:
            cases += [("raw httpx (sync)", httpx_sync),
                      ("raw httpx async, 1 at a time", run(httpx_calls, 1)),
                      ("raw httpx async, 10 at once", run(httpx_calls, CONCURRENCY))]
        cpu: dict[str, list[float]] = {name: [] for name, _ in cases}
        wall: dict[str, list[float]] = {name: [] for name, _ in cases}
        for _, fn in cases:  # warm up: imports, pools, TypeAdapters
            fn(100)
        for _ in range(rounds):
            for name, fn in cases:
                started_cpu, started = time.process_time(), time.perf_counter()
                fn(calls)
                cpu[name].append((time.process_time() - started_cpu) / calls * 1e6)
                wall[name].append((time.perf_counter() - started) / calls)
        for name, _ in cases:
            print(f"{name:30s} {statistics.median(cpu[name]):7.1f} us CPU/call "
                  f"{1 / statistics.median(wall[name]):7.0f} calls/s")
        # The goals (issue 14): at most 10 % over the raw library, in client CPU per call.
        for ours, raw in OVERHEADS:
            print(f"{ours} over {raw}: "
                  f"{statistics.median(cpu[ours]) / statistics.median(cpu[raw]) - 1:+.1%} "
                  f"(quickest rounds: {min(cpu[ours]) / min(cpu[raw]) - 1:+.1%})")
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
