"""WebSocket API round trips over loopback: the raw libraries and our client on top of each.

    .venv/bin/python bench/ws_calls.py [--calls 2000] [--rounds 5] [--inflight 50]

A Binance-like server (a separate process, websockets' asyncio server, so its CPU is not counted)
answers every `{"id","method","params"}` frame with `{"id","status":200,"result":{...},
"rateLimits":[...]}`. Each client makes `--calls` sequential requests (one in flight: round trips
per second is latency-bound) and, for the asyncio ones, `--calls` requests `--inflight` at a time
(throughput). Reported: requests per second (wall) and CPU microseconds per request of the client's
process (every thread: the blocking client's event-loop thread included), the median of the rounds,
clients alternating round by round. Raw clients do what any client must (json.dumps, json.loads,
match the id); ours also validates the result into a pydantic model and reads rateLimits.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ROOT / "runtime"
PACKAGE = "wsbenchpkg"
RATE_LIMITS = [
    {
        "rateLimitType": "REQUEST_WEIGHT",
        "interval": "MINUTE",
        "intervalNum": 1,
        "limit": 6000,
        "count": 2,
    },
]


# -- the server (its own process) -------------------------------------------------------------


def serve() -> None:
    from websockets.asyncio.server import ServerConnection
    from websockets.asyncio.server import serve as ws_serve

    async def handle(ws: ServerConnection) -> None:
        async for text in ws:
            request = json.loads(text)
            params = request.get("params") or {}
            answer = {
                "id": request["id"],
                "status": 200,
                "result": {"symbol": params.get("symbol", ""), "price": "1.50000000"},
                "rateLimits": RATE_LIMITS,
            }
            await ws.send(json.dumps(answer))

    async def main() -> None:
        async with ws_serve(handle, "127.0.0.1", 0, compression=None, ping_interval=None) as server:
            port = server.sockets[0].getsockname()[1]
            print(port, flush=True)
            await asyncio.get_running_loop().create_future()

    asyncio.run(main())


# -- the clients --------------------------------------------------------------------------------


def request_frame(n: int) -> str:
    return json.dumps({"id": f"r{n}", "method": "ticker.price", "params": {"symbol": "BTCUSDT"}})


def load_ours(root: Path) -> Any:
    """Our runtime (generic, Binance, WebSocket) laid out as a package, plus one model."""
    package = root / PACKAGE
    (package / "models").mkdir(parents=True)
    for source in [
        *RUNTIME.glob("*.py"),
        *(RUNTIME / "binance").glob("*.py"),
        *(RUNTIME / "websocket").glob("*.py"),
    ]:
        if source.name != "__init__.py":
            shutil.copy(source, package / source.name)
    (package / "__init__.py").write_text("")
    (package / "models" / "__init__.py").write_text(
        "from ..base_model import ApiModel\n\n\n"
        "class TickerPrice(ApiModel):\n    symbol: str\n    price: str\n"
    )
    sys.path.insert(0, str(root))
    for module in ("ws_operation", "ws_client", "async_ws_client", "models"):
        importlib.import_module(f"{PACKAGE}.{module}")
    return importlib.import_module(PACKAGE)


Sync = Callable[[int], None]  # run n sequential calls
Async = Callable[[int, int], Awaitable[None]]  # run n calls, k in flight


def raw_websockets_sync(url: str) -> tuple[Sync, Callable[[], None]]:
    from websockets.sync.client import connect

    # websockets 17 wants its sync connect() used as a context manager.
    opened = connect(url, compression=None)
    ws = opened.__enter__()

    def run(n: int) -> None:
        for i in range(n):
            ws.send(request_frame(i))
            reply = json.loads(ws.recv())
            assert reply["id"] == f"r{i}"

    return run, lambda: opened.__exit__(None, None, None)


async def raw_websockets_async(url: str) -> tuple[Async, Callable[[], Awaitable[None]]]:
    from websockets.asyncio.client import connect

    ws = await connect(url, compression=None)
    return _raw_async(ws.send, ws.recv), ws.close


async def raw_aiohttp(url: str) -> tuple[Async, Callable[[], Awaitable[None]]]:
    import aiohttp

    session = aiohttp.ClientSession()
    ws = await session.ws_connect(url, autoping=True)

    async def recv() -> str:
        message = await ws.receive()
        return str(message.data)

    async def close() -> None:
        await ws.close()
        await session.close()

    return _raw_async(ws.send_str, recv), close


def _raw_async(send: Callable[[str], Awaitable[None]], recv: Callable[[], Awaitable[str]]) -> Async:
    """A minimal multiplexing client: a reader task resolving futures by id."""

    async def run(n: int, inflight: int) -> None:
        loop = asyncio.get_running_loop()
        waiting: dict[str, asyncio.Future[Any]] = {}

        async def reader() -> None:
            while True:
                reply = json.loads(await recv())
                waiting.pop(reply["id"]).set_result(reply)

        task = loop.create_task(reader())

        async def one(i: int) -> None:
            future = loop.create_future()
            waiting[f"r{i}"] = future
            await send(request_frame(i))
            await future

        try:
            for start in range(0, n, inflight):
                await asyncio.gather(*(one(i) for i in range(start, min(n, start + inflight))))
        finally:
            task.cancel()

    return run


def ours_sync(pkg: Any, url: str, library: str) -> tuple[Sync, Callable[[], None]]:
    op = pkg.ws_operation.WsOperation("ticker.price", result=pkg.models.TickerPrice)
    config = pkg.ws_operation.WsConfiguration(url, library=library)
    client = pkg.ws_client.WsClient(config)
    client.connect()

    def run(n: int) -> None:
        for _ in range(n):
            assert client.request(op, {"symbol": "BTCUSDT"}).symbol == "BTCUSDT"

    return run, client.close


async def ours_async(
    pkg: Any, url: str, library: str
) -> tuple[Async, Callable[[], Awaitable[None]]]:
    op = pkg.ws_operation.WsOperation("ticker.price", result=pkg.models.TickerPrice)
    config = pkg.ws_operation.WsConfiguration(url, library=library)
    client = pkg.async_ws_client.AsyncWsClient(config)
    await client.connect()

    async def run(n: int, inflight: int) -> None:
        for start in range(0, n, inflight):
            calls = [
                client.request(op, {"symbol": "BTCUSDT"}) for _ in range(min(inflight, n - start))
            ]
            for price in await asyncio.gather(*calls):
                assert price.symbol == "BTCUSDT"

    return run, client.close


# -- measuring ----------------------------------------------------------------------------------


def timed(action: Callable[[], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--inflight", type=int, default=50)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = f"ws://127.0.0.1:{server.stdout.readline().strip()}/ws-api/v3"
        with tempfile.TemporaryDirectory() as tmp:
            run(url, load_ours(Path(tmp)), args.calls, args.rounds, args.inflight)
    finally:
        server.terminate()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()


def run(url: str, pkg: Any, calls: int, rounds: int, inflight: int) -> None:
    loop = asyncio.new_event_loop()
    sync_clients: dict[str, Callable[[], tuple[Sync, Callable[[], None]]]] = {
        "raw websockets, sync": lambda: raw_websockets_sync(url),
        "ours, sync, over websockets": lambda: ours_sync(pkg, url, "websockets"),
        "ours, sync, over aiohttp": lambda: ours_sync(pkg, url, "aiohttp"),
    }
    async_clients: dict[
        str, Callable[[], Awaitable[tuple[Async, Callable[[], Awaitable[None]]]]]
    ] = {
        "raw websockets, asyncio": lambda: raw_websockets_async(url),
        "raw aiohttp": lambda: raw_aiohttp(url),
        "ours, asyncio, over websockets": lambda: ours_async(pkg, url, "websockets"),
        "ours, asyncio, over aiohttp": lambda: ours_async(pkg, url, "aiohttp"),
    }
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    opened_sync = {name: make() for name, make in sync_clients.items()}
    opened_async = {name: loop.run_until_complete(make()) for name, make in async_clients.items()}
    try:
        # Warm up (imports, pydantic schemas, connections), then alternate clients round by round.
        for sync_run, _ in opened_sync.values():
            sync_run(100)
        for async_run, _ in opened_async.values():
            loop.run_until_complete(async_run(100, 1))
        for _ in range(rounds):
            for name, (sync_run, _) in opened_sync.items():
                results.setdefault((name, 1), []).append(timed(partial(sync_run, calls)))
            for name, (async_run, _) in opened_async.items():
                for k in (1, inflight):
                    drive = partial(loop.run_until_complete, async_run(calls, k))
                    results.setdefault((name, k), []).append(timed(drive))
    finally:
        for _, close in opened_sync.values():
            close()
        for _, aclose in opened_async.values():
            loop.run_until_complete(aclose())
        loop.close()
    print(f"{calls} requests per round, median of {rounds} rounds, Python {sys.version.split()[0]}")
    print("| client | in flight | requests/s | CPU µs/request |")
    print("|---|---:|---:|---:|")
    for (name, k), samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        print(f"| {name} | {k} | {calls / wall:,.0f} | {cpu / calls * 1e6:,.0f} |")


if __name__ == "__main__":
    main()
