"""`make bench`: our generator beside openapi-generator and openapi-python-client -> bench/results.md.

Sets up the peers' venv (bench/.work/peers-venv) if needed, then runs the sections in order:
generation (cold UDS and Spot, alternating; ours' no-op and one-edit regeneration), imports (the Spot
packages), lines (the Spot output), calls (per-call cost against a loopback server), ws (round trips
of the generated WebSocket API client beside raw aiohttp, bench/ws_calls.py), and writes the report. Everything it makes lives under bench/.work/, which it cleans at the end.

    .venv/bin/python bench/run.py                      # everything -> bench/results.md
    .venv/bin/python bench/run.py --quick              # 1 round, few calls: a smoke run
    .venv/bin/python bench/run.py --only imports,lines --repeat 3
    .venv/bin/python bench/run.py --only ws                    # the WebSocket client alone

A partial or quick run writes bench/.work/results.md (not the committed report) unless --out says
otherwise; the raw figures of every run go to bench/.work/results.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import yaml

import peers_env
from calls import CLIENTS, run_calls
from common import BENCH, OURS, PEERS, REPO, SPOT_SPEC, TOOLS, WORK, remove
from generation import Products, run_generation
from goals import Outcome, check_goals
from imports import run_imports
from lines import run_lines
from report import render
from tools import GITHUB, OKX, SPOT, UDS
from ws_calls import run_ws_calls

SECTIONS = ("generation", "imports", "lines", "calls", "ws")
DEFAULT_REPEAT = 7
DEFAULT_CALLS = 2000
QUICK_CALLS = 200


def log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"1 round, {QUICK_CALLS} calls per client: a smoke run")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, of: {', '.join(SECTIONS)}")
    parser.add_argument("--repeat", type=int, default=None,
                        help=f"alternating rounds per measurement (default {DEFAULT_REPEAT}, 1 with --quick)")
    parser.add_argument("--calls", type=int, default=None,
                        help=f"calls per client and round (default {DEFAULT_CALLS}, {QUICK_CALLS} with --quick)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed to one step (default 600)")
    parser.add_argument("--out", type=Path, default=None,
                        help="report path (default bench/results.md for a full run, else bench/.work/results.md)")
    parser.add_argument("--keep", action="store_true", help="keep the generated outputs in bench/.work/products")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.rounds = args.repeat or (1 if args.quick else DEFAULT_REPEAT)
    args.call_count = args.calls or (QUICK_CALLS if args.quick else DEFAULT_CALLS)
    full = not args.quick and set(args.sections) == set(SECTIONS)
    args.report = (args.out or (BENCH / "results.md" if full else WORK / "results.md")).resolve()
    return args


def largest_tag(spec: Path) -> str:
    """The tag with the most operations (ties: the first in name order)."""
    with spec.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    counts: collections.Counter[str] = collections.Counter()
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
                counts.update(operation.get("tags") or ["default"])
    return min(counts, key=lambda tag: (-counts[tag], tag))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    remove(WORK / "logs")
    options = {"rounds": str(args.rounds), "calls per client": f"{args.call_count:,}",
               "sections": ", ".join(args.sections), "quick": "yes" if args.quick else "no",
               "timeout per step": f"{args.timeout:.0f} s"}
    outcome = Outcome(options=options)

    tools: list[str] = list(TOOLS)
    try:
        peers_env.ensure_peers_venv(log)
    except peers_env.SetupError as exc:
        outcome.setup_error = str(exc)
        tools = [OURS]
        log(f"peers' venv failed, measuring ours only:\n{exc}")
    outcome.machine = peers_env.machine()
    outcome.versions = peers_env.tool_versions()
    runtime = outcome.setup_error is None  # imports and calls run in the peers' venv

    specs = [UDS] + [case for case in (SPOT, GITHUB, OKX) if case.path.exists()]
    for case in (SPOT, GITHUB, OKX):
        if not case.path.exists():
            log(f"{case.path} is missing: {case.title} is skipped")
    products = Products(args.timeout, log)
    digest = peers_env.generator_digest()
    try:
        if "generation" in args.sections:
            log(f"generation: {args.rounds} rounds of {', '.join(tools)}")
            outcome.generation = run_generation(specs, tools, args.rounds, args.timeout, products, log)
        if "imports" in args.sections and runtime and SPOT_SPEC.exists():
            tag = largest_tag(SPOT_SPEC)
            log(f"imports: {args.rounds} rounds (one API class: tag {tag!r})")
            outcome.imports = run_imports(tools, tag, args.rounds, args.timeout, products, log)
        if "lines" in args.sections and SPOT_SPEC.exists():
            log("lines: counting the Spot outputs")
            outcome.lines = run_lines(tools, products)
        if "calls" in args.sections and runtime:
            clients = [c for c, (_, needs) in CLIENTS.items() if needs is None or needs in tools]
            log(f"calls: {args.rounds} rounds of {args.call_count} calls per client")
            outcome.calls = run_calls(clients, args.call_count, args.rounds, args.timeout, products, log)
        if "ws" in args.sections:
            # Ours and raw aiohttp in the project's venv (it has `websockets` for the server; the
            # peers' venv does not), the package generated inside the step.
            log(f"ws: {args.rounds} rounds of {args.call_count} requests per case")
            outcome.ws = run_ws_calls(args.call_count, args.rounds, args.timeout, log, log_dir=WORK / "logs")
            if outcome.ws.versions:
                outcome.versions["WebSocket clients (.venv)"] = ", ".join(
                    f"{k} {v}" for k, v in outcome.ws.versions.items() if k != "python")
    finally:
        if peers_env.generator_digest() != digest:
            outcome.notes.append("our generator's code or templates changed while this run was going on "
                                 "(it is being worked on): rounds before and after the change measured "
                                 "different generators, and medians mix them.")
            log("note: the generator changed during the run")
        remove(WORK / "gen")
        remove(WORK / "edit")
        if not args.keep:
            remove(WORK / "products")

    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(render(outcome), encoding="utf-8")
    (WORK / "results.json").write_text(json.dumps(asdict(outcome), indent=1, default=str), encoding="utf-8")
    log("")
    for goal in check_goals(outcome):
        log(f"{goal.status.strip('*'):>12}  {goal.text}: {goal.figures}")
    shown = args.report.relative_to(REPO) if REPO in args.report.parents else args.report
    log(f"\nwrote {shown} in {time.perf_counter() - started:.0f} s "
        f"(peers: {', '.join(p for p in PEERS if p in tools) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
