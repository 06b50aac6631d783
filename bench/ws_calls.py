"""WebSocket API round trips over loopback: the generated client beside the raw libraries under it.

    .venv/bin/python bench/ws_calls.py [--calls 2000] [--rounds 5] [--inflight 50] [--threads 50]

prints a table; `make bench` (bench/run.py, section `ws`) runs the same measurement as a child
process (`--json`, through `run_ws_calls`) and reports it in bench/results.md beside its goal.

The client under test is generated in the run: tests/e2e/specs/websocket/websocket-api.yaml into a
temporary folder (`--package-name acme.ws`), then `acme.ws.WebSocketApiClient` (blocking) and
`acme.ws.AsyncWebSocketApiClient` call `ticker_price(symbol="BTCUSDT")`, configured by
`WsConfiguration(url=...)` and otherwise its defaults (aiohttp, keepalive pings on). A Binance-like
server (a separate process, websockets' asyncio server, so its CPU is not counted) answers every
`{"id","method","params"}` frame with `{"id","status":200,"result":{...},"rateLimits":[...]}`.

The baseline is the library the client uses, aiohttp, doing the same frames: json.dumps a request,
json.loads the answer, and match it to its request by id (a reader task resolving one future per
request). A blocking caller drives it as our blocking client drives itself: an event loop in a
thread, each call handed over with run_coroutine_threadsafe. `websockets` (asyncio and sync) is
measured beside it for context, raw and under our client (`library="websockets"`).

Modes: sequential (one request in flight: round trips per second are latency-bound), and many in
flight (asyncio: `--inflight` tasks on one connection; blocking: `--threads` threads sharing one
client). Each client is a fresh process per round (the server is one process for the whole run),
clients alternating round by round, each of ours right after the raw client it is held against; in
its process a client connects, warms up untimed (imports, pydantic schemas, threads), then makes
`--calls` requests sequentially and `--calls` with many in flight. Reported: the median over rounds
of requests per second (wall) and CPU microseconds per request of the client process
(time.process_time: every thread, the blocking clients' event-loop threads included).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import importlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import Sample, scrub, tail

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "e2e" / "specs" / "websocket" / "websocket-api.yaml"
PACKAGE = "acme.ws"
SYMBOL = "BTCUSDT"
RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000, "count": 2},
]
DEFAULT_INFLIGHT = 50
DEFAULT_THREADS = 50


# -- the cases: (client, requests in flight) ------------------------------------------------------


@dataclass(frozen=True)
class Client:
    key: str
    label: str
    blocking: bool  # driven from plain threads (else: asyncio tasks)
    ours: bool
    library: str  # aiohttp or websockets
    concurrent: bool = True  # can take many requests in flight


CLIENTS: tuple[Client, ...] = (
    Client("raw-aiohttp", "raw aiohttp, asyncio", blocking=False, ours=False, library="aiohttp"),
    Client("ours-async", "ours, AsyncWebSocketApiClient (aiohttp)", blocking=False, ours=True, library="aiohttp"),
    Client("raw-aiohttp-blocking", "raw aiohttp, blocking (loop thread)", blocking=True, ours=False,
           library="aiohttp"),
    Client("ours-sync", "ours, WebSocketApiClient (aiohttp)", blocking=True, ours=True, library="aiohttp"),
    Client("raw-websockets", "raw websockets, asyncio", blocking=False, ours=False, library="websockets"),
    Client("ours-async-websockets", "ours, AsyncWebSocketApiClient (websockets)", blocking=False, ours=True,
           library="websockets"),
    Client("raw-websockets-sync", "raw websockets, sync", blocking=True, ours=False, library="websockets",
           concurrent=False),
    Client("ours-sync-websockets", "ours, WebSocketApiClient (websockets)", blocking=True, ours=True,
           library="websockets"),
)
BY_KEY = {client.key: client for client in CLIENTS}
# Our client -> the raw aiohttp case it is held against (the goal's pairs).
BASELINE = {"ours-async": "raw-aiohttp", "ours-sync": "raw-aiohttp-blocking"}


def case_key(client: str, in_flight: int) -> str:
    return f"{client}@{in_flight}"


def baseline_of(key: str) -> str | None:
    """The raw aiohttp case a case is compared with: same mode (asyncio or blocking), same in flight."""
    client, _, k = key.partition("@")
    raw = "raw-aiohttp-blocking" if BY_KEY[client].blocking else "raw-aiohttp"
    return None if client == raw else case_key(raw, int(k))


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
        # ping_interval=None: the server never pings; the clients' own keepalive stays as configured.
        async with ws_serve(handle, "127.0.0.1", 0, compression=None, ping_interval=None) as server:
            print(server.sockets[0].getsockname()[1], flush=True)
            # Stop when the benchmark closes our stdin (or dies).
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


class Server:
    """serve() in a process of its own, on a free loopback port."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        port = self.proc.stdout.readline().strip()
        if not port.isdigit():
            self.stop()
            raise RuntimeError(f"the WebSocket server did not start (it said {port!r})")
        self.url = f"ws://127.0.0.1:{port}/ws-api/v3"

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


# -- the generated package ----------------------------------------------------------------------


def generate(out: Path) -> None:
    """Generate the WebSocket API package into `out` with our generator."""
    done = subprocess.run([sys.executable, "-m", "generator", "generate", str(SPEC), "--out", str(out),
                           "--package-name", PACKAGE], cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"generating {SPEC.name} failed (exit code {done.returncode}):\n"
                           f"{(done.stderr or done.stdout).strip()[-2000:]}")


# -- the clients: run(n, k) makes n requests, k in flight; close() -------------------------------


def _split(n: int, k: int) -> list[int]:
    """n requests over k workers."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


class RawAsync:
    """A minimal multiplexing client over any library's send/recv: a reader task resolving one
    future per request by id. What any client must do, and nothing else."""

    def __init__(self, send: Callable[[str], Awaitable[None]], recv: Callable[[], Awaitable[str]]) -> None:
        self.send = send
        self.recv = recv
        self.waiting: dict[str, asyncio.Future[Any]] = {}
        self.ids = itertools.count()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        while True:
            reply = json.loads(await self.recv())
            self.waiting.pop(reply["id"]).set_result(reply)

    async def one(self) -> str:
        request_id = f"r{next(self.ids)}"
        future = asyncio.get_running_loop().create_future()
        self.waiting[request_id] = future
        await self.send(json.dumps({"id": request_id, "method": "ticker.price", "params": {"symbol": SYMBOL}}))
        reply = await future
        if reply["status"] != 200:
            raise RuntimeError(f"status {reply['status']}")
        return str(reply["result"]["symbol"])

    async def run(self, n: int, k: int) -> None:
        async def worker(count: int) -> None:
            for _ in range(count):
                assert await self.one() == SYMBOL

        await asyncio.gather(*(worker(c) for c in _split(n, k)))


async def _open_aiohttp(url: str) -> tuple[RawAsync, Callable[[], Awaitable[None]]]:
    import aiohttp

    session = aiohttp.ClientSession()
    ws = await session.ws_connect(url, autoping=True)

    async def recv() -> str:
        return str((await ws.receive()).data)

    async def close() -> None:
        raw.reader.cancel()
        await ws.close()
        await session.close()

    raw = RawAsync(ws.send_str, recv)
    return raw, close


async def _open_websockets(url: str) -> tuple[RawAsync, Callable[[], Awaitable[None]]]:
    from websockets.asyncio.client import connect

    ws = await connect(url, compression=None)

    async def close() -> None:
        raw.reader.cancel()
        await ws.close()

    async def recv() -> str:
        return str(await ws.recv())

    raw = RawAsync(ws.send, recv)
    return raw, close


class Opened:
    """One connected client: run(n, k) blocks until n requests, k in flight, are answered."""

    def __init__(self, run: Callable[[int, int], None], close: Callable[[], None]) -> None:
        self.run = run
        self.close = close


def _threaded(call: Callable[[], None], close: Callable[[], None]) -> Opened:
    """A blocking call driven sequentially, or from k threads at once (the pool is kept across
    rounds, so no round pays for starting threads)."""
    pools: dict[int, concurrent.futures.ThreadPoolExecutor] = {}

    def worker(count: int) -> None:
        for _ in range(count):
            call()

    def run(n: int, k: int) -> None:
        if k == 1:
            worker(n)
            return
        pool = pools.get(k) or pools.setdefault(k, concurrent.futures.ThreadPoolExecutor(k))
        for future in [pool.submit(worker, c) for c in _split(n, k)]:
            future.result()

    def close_all() -> None:
        for pool in pools.values():
            pool.shutdown()
        close()

    return Opened(run, close_all)


def open_client(client: Client, url: str, pkg: Any, loop: asyncio.AbstractEventLoop) -> Opened:
    if client.ours and client.blocking:
        ws = pkg.WebSocketApiClient(pkg.WsConfiguration(url=url, library=client.library))
        ws.connect()

        def ours_call() -> None:
            assert ws.ticker_price(symbol=SYMBOL).symbol == SYMBOL

        return _threaded(ours_call, ws.close)
    if client.ours:
        aws = pkg.AsyncWebSocketApiClient(pkg.WsConfiguration(url=url, library=client.library))
        loop.run_until_complete(aws.connect())

        async def ours_run(n: int, k: int) -> None:
            async def worker(count: int) -> None:
                for _ in range(count):
                    assert (await aws.ticker_price(symbol=SYMBOL)).symbol == SYMBOL

            await asyncio.gather(*(worker(c) for c in _split(n, k)))

        return Opened(lambda n, k: loop.run_until_complete(ours_run(n, k)),
                      lambda: loop.run_until_complete(aws.close()))
    if client.key == "raw-websockets-sync":
        from websockets.sync.client import connect

        opened = connect(url, compression=None)
        sws = opened.__enter__()  # websockets 17 wants its sync connect() used as a context manager
        ids = itertools.count()

        def sync_call() -> None:
            request_id = f"r{next(ids)}"
            sws.send(json.dumps({"id": request_id, "method": "ticker.price", "params": {"symbol": SYMBOL}}))
            reply = json.loads(sws.recv())
            assert reply["id"] == request_id and reply["result"]["symbol"] == SYMBOL

        return _threaded(sync_call, lambda: opened.__exit__(None, None, None))
    opener = _open_aiohttp if client.library == "aiohttp" else _open_websockets
    if not client.blocking:
        raw, aclose = loop.run_until_complete(opener(url))
        return Opened(lambda n, k: loop.run_until_complete(raw.run(n, k)),
                      lambda: loop.run_until_complete(aclose()))
    # Raw aiohttp from blocking code: its own loop in a thread, as our blocking client does.
    thread_loop = asyncio.new_event_loop()
    thread = threading.Thread(target=thread_loop.run_forever, daemon=True)
    thread.start()
    raw, aclose = asyncio.run_coroutine_threadsafe(opener(url), thread_loop).result(30)

    def blocking_call() -> None:
        assert asyncio.run_coroutine_threadsafe(raw.one(), thread_loop).result() == SYMBOL

    def blocking_close() -> None:
        asyncio.run_coroutine_threadsafe(aclose(), thread_loop).result(30)
        thread_loop.call_soon_threadsafe(thread_loop.stop)
        thread.join(5)
        thread_loop.close()

    return _threaded(blocking_call, blocking_close)


# -- measuring ----------------------------------------------------------------------------------


def timed(opened: Opened, n: int, k: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    opened.run(n, k)
    return time.perf_counter() - wall, time.process_time() - cpu


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for name in ("aiohttp", "websockets", "pydantic"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def measure_client(client: Client, url: str, package_root: Path | None, calls: int, inflight: int,
                   threads: int, warmup: int) -> dict[str, tuple[float, float]]:
    """One client in this process: connect, warm up, then `calls` requests sequentially and `calls`
    with many in flight -> {case: (wall, cpu)}."""
    pkg = None
    if package_root is not None:
        sys.path.insert(0, str(package_root))
        pkg = importlib.import_module(PACKAGE)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    opened = open_client(client, url, pkg, loop)
    try:
        many = threads if client.blocking else inflight
        ks = (1, many) if client.concurrent and many > 1 else (1,)
        for k in ks:
            opened.run(warmup, k)
        return {case_key(client.key, k): timed(opened, calls, k) for k in ks}
    finally:
        opened.close()
        loop.close()


def measure(calls: int, rounds: int, inflight: int, threads: int,
            progress: Callable[[str], None]) -> dict[str, Any]:
    """Generate, serve, measure: the raw figures, as run_ws_calls and the table read them.

    Each client runs in a fresh process per round (as the per-call benchmark's clients do), clients
    alternating round by round, each of ours right after the raw aiohttp client it is held against.
    """
    measured = {"calls": calls, "rounds": rounds, "inflight": inflight, "threads": threads,
                "versions": versions(), "samples": {}, "errors": {}}
    samples: dict[str, list[tuple[float, float]]] = measured["samples"]
    errors: dict[str, str] = measured["errors"]
    warmup = max(10, min(200, calls // 10))
    with tempfile.TemporaryDirectory(prefix="ws-bench-") as tmp:
        started = time.perf_counter()
        generate(Path(tmp))
        progress(f"generated {PACKAGE} from {SPEC.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
        server = Server()
        try:
            for r in range(rounds):
                for client in CLIENTS:
                    if client.key in errors:
                        continue
                    args = [sys.executable, __file__, "--client", client.key, "--url", server.url,
                            "--calls", str(calls), "--inflight", str(inflight), "--threads", str(threads),
                            "--warmup", str(warmup)]
                    if client.ours:
                        args += ["--package-root", tmp]
                    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
                    if done.returncode != 0 or not done.stdout.strip():
                        errors[client.key] = f"round {r + 1}: exit code {done.returncode}: {tail(done.stderr, 5)}"
                        progress(f"  {client.key}: not measured ({errors[client.key]})")
                        continue
                    for key, (wall, cpu) in json.loads(done.stdout.strip().splitlines()[-1]).items():
                        samples.setdefault(key, []).append((wall, cpu))
                progress(f"  round {r + 1}/{rounds}: " + ", ".join(
                    f"{key} {calls / s[-1][0]:,.0f}/s {s[-1][1] / calls * 1e6:.0f} µs"
                    for key, s in samples.items() if BY_KEY[key.partition("@")[0]].library == "aiohttp"))
        finally:
            server.stop()
    return measured


def table(measured: dict[str, Any]) -> list[str]:
    """The figures as a Markdown table (the standalone output)."""
    calls = measured["calls"]
    medians = {key: (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples))
               for key, samples in measured["samples"].items()}
    lines = [f"{calls} requests per case and round, median of {measured['rounds']} rounds, "
             + ", ".join(f"{k} {v}" for k, v in measured["versions"].items()), "",
             "| client | in flight | requests/s | CPU µs/request | CPU vs raw aiohttp | time vs raw aiohttp |",
             "|---|---:|---:|---:|---:|---:|"]
    for key, (wall, cpu) in medians.items():
        client, _, k = key.partition("@")
        base = medians.get(baseline_of(key) or "")
        versus = ("n/a", "n/a") if base is None else (f"{cpu / base[1]:.2f}x", f"{wall / base[0]:.2f}x")
        lines.append(f"| {BY_KEY[client].label} | {k} | {calls / wall:,.0f} | {cpu / calls * 1e6:,.0f} | "
                     f"{versus[0]} | {versus[1]} |")
    lines += [f"- {key}: {why}" for key, why in measured["errors"].items()]
    return lines


# -- bench/run.py's side ------------------------------------------------------------------------


@dataclass
class WsResults:
    """What run_ws_calls measured: per case (`ours-sync@1`), one Sample per round, with
    `rps` (requests per second) and `cpu_per_call` (seconds) in extra."""

    calls: int
    rounds: int
    inflight: int
    threads: int
    versions: dict[str, str] = field(default_factory=dict)
    samples: dict[str, list[Any]] = field(default_factory=dict)  # case -> [common.Sample]
    errors: dict[str, str] = field(default_factory=dict)  # case or client -> why it was not measured
    error: str | None = None  # the whole section failed (generation, server)


def run_ws_calls(calls: int, rounds: int, timeout: float, log: Callable[[str], None], *,
                 inflight: int = DEFAULT_INFLIGHT, threads: int = DEFAULT_THREADS,
                 python: Path | None = None, log_dir: Path | None = None) -> WsResults:
    """This module as a child process (`--json`), in `python` (default: this interpreter); its
    progress lines are passed to `log` as they come."""
    results = WsResults(calls=calls, rounds=rounds, inflight=inflight, threads=threads)
    args = [str(python or sys.executable), __file__, "--json", "--calls", str(calls), "--rounds", str(rounds),
            "--inflight", str(inflight), "--threads", str(threads)]
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        last = ""
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("{"):
                    last = line
                else:
                    log(line.rstrip())
            proc.wait()
        finally:
            killer.cancel()
        err.seek(0)
        stderr = err.read()
    if proc.returncode != 0 or not last:
        why = f"timed out after {timeout:.0f} s" if proc.returncode == -9 else f"exit code {proc.returncode}"
        results.error = scrub(f"{why}\n{tail(stderr)}")
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            (log_dir / "ws_calls.err").write_text(stderr)
        return results
    measured = json.loads(last)
    results.versions = measured["versions"]
    results.errors = {key: scrub(why) for key, why in measured["errors"].items()}
    for key, pairs in measured["samples"].items():
        results.samples[key] = [Sample(ok=True, wall=wall, cpu=cpu,
                                       extra={"rps": calls / wall, "cpu_per_call": cpu / calls})
                                for wall, cpu in pairs]
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="requests per case and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--inflight", type=int, default=DEFAULT_INFLIGHT, help="asyncio tasks at once")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="threads sharing a blocking client")
    parser.add_argument("--json", action="store_true", help="print the raw figures as one JSON line")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    # One client's process (measure() starts one per client and round):
    parser.add_argument("--client", choices=sorted(BY_KEY), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--package-root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=int, default=200, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return
    if args.client:
        figures = measure_client(BY_KEY[args.client], args.url, args.package_root, args.calls, args.inflight,
                                 args.threads, args.warmup)
        print(json.dumps(figures))
        return
    def progress(line: str) -> None:  # with --json, stdout is read line by line by run_ws_calls
        print(line, file=sys.stdout if args.json else sys.stderr, flush=True)

    measured = measure(args.calls, args.rounds, args.inflight, args.threads, progress)
    if args.json:
        print(json.dumps(measured), flush=True)
    else:
        print("\n".join(table(measured)))


if __name__ == "__main__":
    main()
