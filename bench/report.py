"""Outcome -> bench/results.md: the machine, the tools, the method, the goals, one table per measurement
(ours, each peer, ratios ours / peer), and every failure with its stderr tail.

Deterministic layout and no timestamps or absolute paths: the file is committed, only numbers change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import measure
from calls import CLIENTS, CallResults
from common import (
    NA,
    OURS,
    PEERS,
    SPOT_SPEC,
    TOOLS,
    UDS_SPEC,
    Sample,
    display_path,
    first_error,
    fmt_int,
    fmt_mb,
    fmt_ratio,
    fmt_seconds,
    median_of,
    plural,
    ratio,
    scrub,
)
from generation import GenerationResults
from goals import WS_OVERHEAD, Outcome, check_goals, ws_pairs
from imports import ImportResults
from lines import LineResults, Size
from tools import TITLES
from ws_calls import BY_KEY, PACKAGE, SPEC, WsResults, baseline_of


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    out.append("")
    return out


def _runs(samples: Sequence[Sample]) -> str:
    return f"{sum(s.ok for s in samples)}/{len(samples)}"


class Report:
    def __init__(self, outcome: Outcome) -> None:
        self.o = outcome
        self.lines: list[str] = []
        self.failures: list[tuple[str, str]] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def note_failures(self, where: str, samples: Sequence[Sample]) -> None:
        errors = [s.error for s in samples if not s.ok]
        if errors:
            self.failures.append((f"{where} ({len(errors)} of {len(samples)} runs)", errors[0]))

    def render(self) -> str:
        self.header()
        self.goals()
        if self.o.generation is not None:
            self.generation(self.o.generation)
        if self.o.imports is not None:
            self.imports(self.o.imports)
        if self.o.lines is not None:
            self.size(self.o.lines)
        if self.o.calls is not None:
            self.calls(self.o.calls)
        if self.o.ws is not None:
            self.ws(self.o.ws)
        self.failure_section()
        return scrub("\n".join(self.lines).rstrip() + "\n")

    def header(self) -> None:
        self.add("# Benchmarks: our generator beside the peers", "",
                 "Written by `make bench` (`bench/run.py`); regenerate it rather than editing it. "
                 "Ratios are ours / peer: below 1.00x means ours is faster or smaller.", "")
        self.add("## Machine", "")
        self.add(*_table(["", ""], list(self.o.machine.items())))
        self.add("## Tools", "")
        self.add(*_table(["tool", "version"], list(self.o.versions.items())))
        if self.o.setup_error:
            self.add("The peers' venv could not be set up; the peers were not measured:", "", "```",
                     self.o.setup_error, "```", "")
        self.add("## Method", "")
        options = ", ".join(f"{k} {v}" for k, v in self.o.options.items())
        self.add(
            f"- Options of this run: {options}.",
            "- Alternating: each round runs every tool once, always in the order ours, openapi-generator, "
            "openapi-python-client (A B C A B C ...), so slow phases of this shared machine hit all "
            "of them alike. Figures are medians over the rounds; treat them as ±15 %.",
            "- Generation: each run is a new process writing into a fresh empty folder (wall time around the "
            "whole process: what a user waits for). One untimed run per tool on the first spec comes "
            "first (disk cache, bytecode, JVM class data). Ours runs with `--package-name binance.spot`, "
            "plus `--lenient` for Spot; openapi-generator with `-g python`; openapi-python-client with "
            "its defaults (it runs ruff as a post-hook).",
            f"- Peak RSS: {measure.rss_method()}: the largest single process of the tree. "
            "\"Tree RSS\" is the peak of the tree's summed RSS, sampled every 50 ms from /proc; it "
            "counts parallel workers (ours formats with a process pool) that the former does not.",
            "- Imports and calls run in the peers' venv (one set of runtime libraries for every client), "
            "each figure a fresh interpreter; see the sections for details.",
            f"- Specs: UDS is `{display_path(UDS_SPEC)}`, Spot is `{display_path(SPOT_SPEC)}`.",
            *(f"- **Note:** {note}" for note in self.o.notes),
            "")

    def goals(self) -> None:
        self.add("## Goals (from the issue)", "")
        rows = [[g.text, g.status, g.figures] for g in check_goals(self.o)]
        self.add(*_table(["goal", "status", "figures (medians)"], rows))

    def generation(self, gen: GenerationResults) -> None:
        self.add("## Cold generation", "", f"{plural(gen.rounds, 'alternating round')} per spec.", "")
        for spec_key, by_tool in gen.cold.items():
            title = TITLES.get(spec_key, spec_key)
            ours_wall = median_of(by_tool.get(OURS, []), "wall")
            ours_rss = median_of(by_tool.get(OURS, []), "rss_kb")
            rows = []
            for tool, samples in by_tool.items():
                wall, rss = median_of(samples, "wall"), median_of(samples, "rss_kb")
                rows.append([tool, fmt_seconds(wall), fmt_mb(rss), fmt_mb(median_of(samples, "tree_rss_kb")),
                             NA if tool == OURS else fmt_ratio(ratio(ours_wall, wall)),
                             NA if tool == OURS else fmt_ratio(ratio(ours_rss, rss)), _runs(samples)])
                self.note_failures(f"cold generation, {spec_key}, {tool}", samples)
            self.add(f"### {title}", "")
            self.add(*_table(["tool", "wall", "peak RSS", "tree RSS", "ours / tool (wall)",
                              "ours / tool (RSS)", "runs ok"], rows))
        self.regeneration(gen)

    def regeneration(self, gen: GenerationResults) -> None:
        if not gen.noop and not gen.edit:
            return
        self.add("## Regeneration of Spot (ours only)", "",
                 "The peers have no incremental mode: each always regenerates everything, so their figure "
                 "is their cold Spot time. No-op: generate again, same spec, into the folder the cold run "
                 f"just wrote. Edit: {gen.edit_note}; generated into that same folder.", "")
        spot = gen.cold.get("spot", {})
        rows = []
        for label, samples in (("no-op", gen.noop), ("one-endpoint edit", gen.edit)):
            ours = median_of(samples, "wall")
            row = [label, fmt_seconds(ours)]
            for peer in PEERS:
                theirs = median_of(spot.get(peer, []), "wall")
                row += [fmt_seconds(theirs), fmt_ratio(ratio(ours, theirs))]
            rows.append([*row, fmt_mb(median_of(samples, "rss_kb")), _runs(samples)])
            self.note_failures(f"{label} regeneration, ours", samples)
        header = ["run", "ours"]
        for peer in PEERS:
            header += [f"{peer} (cold)", f"ours / {peer}"]
        self.add(*_table([*header, "ours peak RSS", "runs ok"], rows))
        summaries = [(label, next((s.extra.get("summary") for s in reversed(samples) if s.ok), None))
                     for label, samples in (("no-op", gen.noop), ("edit", gen.edit))]
        for label, summary in summaries:
            if summary:
                self.add(f"- Ours after the {label} run (last round): `{summary}`")
        self.add("")

    def imports(self, imp: ImportResults) -> None:
        baseline = imp.baseline.rss_kb if imp.baseline is not None and imp.baseline.ok else None
        self.add("## Imports of the generated Spot package", "",
                 f"{plural(imp.rounds, 'alternating round')}; each figure a fresh interpreter with the package on "
                 "PYTHONPATH and its bytecode cached. Wall: the import statement alone, interpreter "
                 "start-up excluded. `-X importtime`: the sum of the cumulative column over the top-level "
                 "imports the statement caused, from a separate run. Peak RSS: the whole process (a bare "
                 f"interpreter: {fmt_mb(baseline)}). One API class: the tag with the most operations, "
                 f"{imp.tag!r}; openapi-python-client has one module per endpoint, so its first endpoint "
                 "module of that tag.", "")
        for kind, title in (("package", "The top-level package"), ("api", "One API class")):
            ours_samples = imp.samples.get(OURS, {}).get(kind, [])
            ours_wall = median_of(ours_samples, "wall")
            rows = []
            for tool, kinds in imp.samples.items():
                samples = kinds.get(kind, [])
                wall = median_of(samples, "wall")
                statement = imp.statements.get(tool, {}).get(kind)
                rows.append([tool, f"`{statement}`" if statement else NA, fmt_seconds(wall),
                             fmt_seconds(median_of(samples, "importtime")),
                             fmt_mb(median_of(samples, "rss_kb")), fmt_int(median_of(samples, "modules")),
                             NA if tool == OURS else fmt_ratio(ratio(ours_wall, wall)), _runs(samples)])
                self.note_failures(f"import {kind}, {tool}", samples)
            self.add(f"### {title}", "")
            self.add(*_table(["tool", "statement", "wall", "-X importtime", "peak RSS", "modules loaded",
                              "ours / tool (wall)", "runs ok"], rows))

    def size(self, lines: LineResults) -> None:
        self.add("## Generated code for Spot", "",
                 "Physical lines. Package: the .py files of the importable package; all .py: the whole "
                 "output (tests, setup scripts too); all files: every text file (docs too). Per operation: "
                 "divided by the operations the tool actually generated.", "")
        tools = [t for t in TOOLS if t in lines.sizes]
        ours = lines.sizes.get(OURS)
        header = ["", *tools, *(f"ours / {t}" for t in tools if t != OURS and ours is not None)]
        metrics: list[tuple[str, Callable[[Size], float | None]]] = [
            ("operations generated", lambda s: s.operations),
            ("files", lambda s: s.files),
            (".py files", lambda s: s.py_files),
            ("lines, package .py", lambda s: s.package_lines),
            ("lines, all .py", lambda s: s.py_lines),
            ("lines, all files", lambda s: s.lines_all),
            ("package lines per operation", lambda s: s.per_operation(s.package_lines)),
            ("all .py lines per operation", lambda s: s.per_operation(s.py_lines)),
        ]
        rows = []
        for label, get in metrics:
            row = [label, *(fmt_int(get(lines.sizes[t])) for t in tools)]
            if ours is not None:
                row += [fmt_ratio(ratio(get(ours), get(lines.sizes[t]))) for t in tools if t != OURS]
            rows.append(row)
        self.add(*_table(header, rows))
        for tool, error in lines.errors.items():
            self.failures.append((f"lines, {tool}", error))

    def calls(self, calls: CallResults) -> None:
        self.add("## Per-call cost", "",
                 f"{calls.calls:,} sequential POST /api/v3/userDataStream calls per client and round, "
                 f"{plural(calls.rounds, 'alternating round')}, against a loopback HTTP/1.1 keep-alive server in a "
                 "separate process (its CPU is not counted). Each client is a fresh process that parses "
                 "the JSON answer; set-up and warm-up calls are not timed. CPU: the client process's "
                 "time.process_time per call. The generated clients come from the UDS spec.", "")
        raw = median_of(calls.samples.get("raw-urllib3", []), "cpu_per_call")
        og = median_of(calls.samples.get("openapi-generator", []), "cpu_per_call")
        ours = median_of(calls.samples.get("ours-sync", []), "cpu_per_call")
        rows = []
        for client, samples in calls.samples.items():
            label = CLIENTS[client][0]
            if client in calls.skipped and not samples:
                rows.append([label, "skipped", NA, NA, NA, NA])
                continue
            cpu = median_of(samples, "cpu_per_call")
            rows.append([label, fmt_int(median_of(samples, "calls_per_s")),
                         NA if cpu is None else f"{cpu * 1e6:.0f} µs", fmt_ratio(ratio(cpu, raw)),
                         fmt_ratio(ratio(ours, cpu)) if client != "ours-sync" else NA, _runs(samples)])
            self.note_failures(f"calls, {client}", samples)
        self.add(*_table(["client", "calls/s", "client CPU per call", "CPU vs raw urllib3",
                          "ours (sync) / client (CPU)", "rounds ok"], rows))
        for client, why in calls.skipped.items():
            self.add(f"- {CLIENTS[client][0]}: skipped: {why.splitlines()[0] if why else 'absent'}")
        if og is not None and ours is not None:
            self.add(f"- Ours (sync) against openapi-generator's client, CPU per call: {fmt_ratio(ours / og)}")
        self.add("")

    def ws(self, ws: WsResults) -> None:
        versions = ", ".join(f"{k} {v}" for k, v in ws.versions.items())
        self.add("## WebSocket API round trips", "",
                 f"The WebSocket API client generated in the run from `{display_path(SPEC)}` "
                 f"(`--package-name {PACKAGE}`, into a temporary folder): `ticker_price(symbol=\"BTCUSDT\")` of "
                 "`WebSocketApiClient` (blocking) and `AsyncWebSocketApiClient`, `WsConfiguration(url=...)` "
                 "and otherwise its defaults (aiohttp, keepalive pings). Beside it, the library it uses, "
                 "aiohttp, doing the same frames: json.dumps the request, json.loads the answer, match it to "
                 "its request by id (a reader task resolving one future per request); from blocking code, "
                 "through an event loop in a thread as our blocking client does. `websockets` is shown for "
                 "context. The server is a separate process (websockets' asyncio server; its CPU is not "
                 f"counted) answering each request with a result and rateLimits, over loopback. "
                 f"{ws.calls:,} requests per case and round, {plural(ws.rounds, 'alternating round')}: each "
                 "client a fresh process per round (untimed connection and warm-up, then the sequential "
                 "requests, then the many in flight), each of ours right after its raw aiohttp "
                 f"counterpart (`bench/ws_calls.py`, {versions}). Sequential: one request in flight; many: "
                 f"{ws.inflight} asyncio tasks on one connection, or {ws.threads} threads sharing one "
                 "blocking client. CPU: time.process_time of the client process (every thread, the "
                 "blocking clients' loop threads included) per request. Ratios: against raw aiohttp in the "
                 "same mode (asyncio or blocking) with as many requests in flight.", "")
        if ws.error is not None:
            self.failures.append(("ws", ws.error))
            self.add("Not measured: see Failures.", "")
            return
        rows = []
        for key, samples in ws.samples.items():
            client, _, k = key.partition("@")
            base = baseline_of(key)
            base_samples = ws.samples.get(base, []) if base is not None else []
            cpu, wall = median_of(samples, "cpu_per_call"), median_of(samples, "wall")
            rows.append([BY_KEY[client].label, k, fmt_int(median_of(samples, "rps")),
                         NA if cpu is None else f"{cpu * 1e6:.0f} µs",
                         fmt_ratio(ratio(cpu, median_of(base_samples, "cpu_per_call"))),
                         fmt_ratio(ratio(wall, median_of(base_samples, "wall"))), _runs(samples)])
            self.note_failures(f"ws, {key}", samples)
        self.add(*_table(["client", "in flight", "requests/s", "CPU per request", "CPU vs raw aiohttp",
                          "time per request vs raw aiohttp", "rounds ok"], rows))
        for mode, ours, raw in ws_pairs(ws):
            cpu = ratio(median_of(ws.samples.get(ours, []), "cpu_per_call"),
                        median_of(ws.samples.get(raw, []), "cpu_per_call"))
            if cpu is not None:
                verdict = "within" if cpu <= 1 + WS_OVERHEAD else "over"
                self.add(f"- {mode}: ours {fmt_ratio(cpu)} raw aiohttp's CPU per request ({verdict} the "
                         f"goal's {1 + WS_OVERHEAD:.2f}x)")
        for key, why in ws.errors.items():
            self.add(f"- {key}: not measured: {why.splitlines()[0]}")
        self.add("")

    def failure_section(self) -> None:
        self.add("## Failures", "")
        if not self.failures:
            self.add("None: every run of every step succeeded.")
            return
        for where, error in self.failures:
            self.add(f"- {where}:", "", "  ```", *("  " + line for line in error.splitlines()), "  ```", "")


def render(outcome: Outcome) -> str:
    return Report(outcome).render()


def tools_failed(outcome: Outcome) -> list[str]:
    """Tools whose every cold run failed (for the console summary)."""
    gen = outcome.generation
    if gen is None:
        return []
    return sorted({tool for by_tool in gen.cold.values() for tool, s in by_tool.items() if first_error(s)})
