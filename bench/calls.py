"""Per-call benchmark: 2,000 (configurable) sequential POST /api/v3/userDataStream calls per client
against the loopback server (call_server.py, a separate process), alternating clients round by round.

Clients: raw urllib3, raw httpx (sync and async), raw aiohttp, our generated client (sync, and async
when binance.spot.AsyncApiClient exists), openapi-generator's and openapi-python-client's clients, all
generated from the three-endpoint spec and run by the peers' venv. Each round of each client is a
fresh process (call_clients.py) reporting wall time and its own CPU time for the timed calls.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import measure
from common import (
    BENCH,
    OPENAPI_GENERATOR,
    OPENAPI_PYTHON_CLIENT,
    OURS,
    PEERS_PYTHON,
    WORK,
    Sample,
    failed,
    scrub,
    tail,
)
from generation import Products
from tools import UDS, package

Log = Callable[[str], None]
CLIENT_SCRIPT = BENCH / "call_clients.py"
SERVER_SCRIPT = BENCH / "call_server.py"
SKIPPED = 3  # call_clients.py's exit code for a client that does not exist

# client name -> (what the table calls it, which generated output it needs, if any)
CLIENTS: dict[str, tuple[str, str | None]] = {
    "raw-urllib3": ("raw urllib3", None),
    "ours-sync": ("ours, sync (urllib3)", OURS),
    "ours-async": ("ours, async (aiohttp)", OURS),
    "openapi-generator": ("openapi-generator client (urllib3 + pydantic)", OPENAPI_GENERATOR),
    "openapi-python-client": ("openapi-python-client client (httpx, sync)", OPENAPI_PYTHON_CLIENT),
    "raw-httpx-sync": ("raw httpx, sync", None),
    "raw-httpx-async": ("raw httpx, async", None),
    "raw-aiohttp": ("raw aiohttp", None),
}


@dataclass
class CallResults:
    calls: int
    rounds: int
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # client -> why it was not measured


class Server:
    """call_server.py in a process of its own, on a free loopback port."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([str(PEERS_PYTHON), str(SERVER_SCRIPT), "--max-seconds", "3600"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"the loopback server did not start: {line}")
        self.port = int(line)

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()  # the server stops when its stdin closes
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _client_setup(client: str, products: Products) -> tuple[list[Path], str] | str:
    """PYTHONPATH and --package for a client, or why it cannot run."""
    needs = CLIENTS[client][1]
    if needs is None:
        return [], ""
    out = products.get(needs, UDS)
    if isinstance(out, str):
        return f"no generated UDS package: {out}"
    pkg = package(needs, out)
    if pkg is None:
        return "no package in the generated UDS output"
    return [pkg.root], pkg.name


def _one_round(client: str, pythonpath: list[Path], pkg: str, port: int, calls: int, warmup: int,
               timeout: float) -> Sample | str:
    args = [str(CLIENT_SCRIPT), client, "--port", str(port), "--calls", str(calls), "--warmup", str(warmup)]
    if pkg:
        args += ["--package", pkg]
    done = measure.run_python(PEERS_PYTHON, args, cwd=WORK, timeout=timeout,
                              env=measure.child_env(pythonpath=pythonpath))
    if isinstance(done, str):
        return failed(done)
    if done.returncode == SKIPPED:
        return scrub(tail(done.stderr, 3))
    if done.returncode != 0:
        return failed(f"exit code {done.returncode}\n{tail(done.stderr)}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(ok=True, wall=data["wall"], cpu=data["cpu"],
                  extra={"calls_per_s": calls / data["wall"], "cpu_per_call": data["cpu"] / calls})


def run_calls(clients: Sequence[str], calls: int, rounds: int, timeout: float, products: Products,
              log: Log) -> CallResults:
    results = CallResults(calls=calls, rounds=rounds)
    setups: dict[str, tuple[list[Path], str]] = {}
    for client in clients:
        setup = _client_setup(client, products)
        if isinstance(setup, str):
            results.samples[client] = [failed(setup)]
        else:
            setups[client] = setup
            results.samples[client] = []
    warmup = max(10, min(200, calls // 10))
    server = Server()
    try:
        for r in range(rounds):
            for client, (pythonpath, pkg) in setups.items():
                if client in results.skipped:
                    continue
                sample = _one_round(client, pythonpath, pkg, server.port, calls, warmup, timeout)
                if isinstance(sample, str):
                    results.skipped[client] = sample
                    log(f"  {client}: skipped ({sample.splitlines()[0] if sample else 'absent'})")
                    continue
                results.samples[client].append(sample)
                if sample.ok:
                    shown = (f"{sample.extra['calls_per_s']:,.0f} calls/s, "
                             f"{sample.extra['cpu_per_call'] * 1e6:.0f} µs CPU/call")
                else:
                    shown = "FAILED: " + sample.error.splitlines()[0]
                log(f"  round {r + 1}/{rounds} {client:22} {shown}")
    finally:
        server.stop()
    return results
