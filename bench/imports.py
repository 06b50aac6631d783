"""Import benchmarks on the generated Spot packages: importing the top-level package, and importing one API
class (ours and openapi-generator: the class of the tag with the most operations; openapi-python-client,
which has one module per endpoint: that tag's first endpoint module).

Each figure is a fresh interpreter of the peers' venv (the clients' runtime) with the package on
PYTHONPATH, alternating tools: the statement's wall time inside the process (start-up excluded), the
process's peak RSS, and, in a separate process, `python -X importtime`'s cumulative total: the sum of
the cumulative column over the top-level imports the statement caused (those not already imported by a
bare interpreter's start-up). One untimed import first writes the bytecode caches.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import measure
from common import BENCH, PEERS_PYTHON, Sample, failed, scrub, tail
from generation import Products
from tools import SPOT, api_import, package

Log = Callable[[str], None]
PROBE = BENCH / "import_probe.py"
KINDS = ("package", "api")


@dataclass
class ImportResults:
    statements: dict[str, dict[str, str]] = field(default_factory=dict)  # tool -> kind -> statement
    samples: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)  # tool -> kind -> runs
    baseline: Sample | None = None  # a bare interpreter ("pass")
    tag: str = ""
    rounds: int = 0


def _importtime_levels(stderr: str) -> list[tuple[int, int, str]]:
    """`-X importtime` lines as (level, cumulative microseconds, module)."""
    rows: list[tuple[int, int, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        try:
            _, cumulative, name = line[len("import time:"):].split("|", 2)
            level = (len(name) - len(name.lstrip(" ")) - 1) // 2
            rows.append((level, int(cumulative), name.strip()))
        except ValueError:
            continue
    return rows


def _importtime(statement: str, root: Path, startup: set[str], timeout: float) -> float | str:
    env = measure.child_env(pythonpath=[root])
    done = measure.run_python(PEERS_PYTHON, ["-X", "importtime", "-c", statement], cwd=root,
                              timeout=timeout, env=env)
    if isinstance(done, str):
        return done
    if done.returncode != 0:
        return f"exit code {done.returncode}\n{scrub(tail(done.stderr))}"
    top = [cum for level, cum, name in _importtime_levels(done.stderr) if level == 0 and name not in startup]
    return sum(top) / 1e6


def _probe(statement: str, root: Path, timeout: float) -> Sample:
    done = measure.run_python(PEERS_PYTHON, [str(PROBE), statement], cwd=root, timeout=timeout,
                              env=measure.child_env(pythonpath=[root]))
    if isinstance(done, str):
        return failed(done)
    if done.returncode != 0:
        return failed(f"exit code {done.returncode}\n{tail(done.stderr)}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(ok=True, wall=data["wall"], rss_kb=data["rss_kb"], extra={"modules": data["modules"]})


def _startup_modules(timeout: float) -> set[str]:
    done = subprocess.run([str(PEERS_PYTHON), "-X", "importtime", "-c", "pass"], capture_output=True,
                          text=True, timeout=timeout)
    return {name for _, _, name in _importtime_levels(done.stderr)}


def run_imports(tools: Sequence[str], tag: str, rounds: int, timeout: float, products: Products,
                log: Log) -> ImportResults:
    results = ImportResults(tag=tag, rounds=rounds)
    roots: dict[str, Path] = {}
    for tool in tools:
        out = products.get(tool, SPOT)
        results.samples[tool] = {kind: [] for kind in KINDS}
        pkg = package(tool, out) if isinstance(out, Path) else None
        if pkg is None:
            reason = out if isinstance(out, str) else "no package in its output"
            for kind in KINDS:
                results.samples[tool][kind].append(failed(f"no Spot package: {reason}"))
            continue
        roots[tool] = pkg.root
        api = api_import(tool, pkg, tag)
        results.statements[tool] = {"package": f"import {pkg.name}"}
        if api is None:
            results.samples[tool]["api"].append(failed(f"no API module for tag {tag!r}"))
        else:
            results.statements[tool]["api"] = api

    startup = _startup_modules(timeout)
    results.baseline = _probe("pass", Path.cwd(), timeout)
    for tool, root in roots.items():  # warm-up: writes __pycache__
        for warm in results.statements[tool].values():
            _probe(warm, root, timeout)

    for r in range(rounds):
        for kind in KINDS:
            for tool, root in roots.items():
                statement = results.statements[tool].get(kind)
                if statement is None:
                    continue
                sample = _probe(statement, root, timeout)
                if sample.ok:
                    total = _importtime(statement, root, startup, timeout)
                    if isinstance(total, str):
                        sample.extra["importtime_error"] = total
                    else:
                        sample.extra["importtime"] = total
                results.samples[tool][kind].append(sample)
                shown = f"{sample.wall * 1000:.0f} ms" if sample.ok and sample.wall is not None else "FAILED"
                log(f"  round {r + 1}/{rounds} {kind:7} {tool:22} {shown}")
    return results
