"""Everything one benchmark run measured (`Outcome`), and the issues' goals checked against it: each goal
-> met / not met / not measured, with the numbers that decide it.

The goals (the redesign's, and the earlier ones that still hold): cold Spot generation at most 0.35 of
the faster peer's time; a no-op regeneration of Spot at most 0.1 of our cold run, a one-endpoint edit
at most 0.5 of it; a cold run of GitHub's spec at most half openapi-generator's; (real specs) cold
GitHub and OKX at most half the faster peer's time, with a peak memory below openapi-generator's; `import binance.spot`
under 50 ms and one API class under 150 ms at Spot size; fewer generated lines of package code per
operation than either peer; per-call CPU overhead over raw urllib3 at most 10 % and below
openapi-generator's client; the generated WebSocket API client at most 15 % over raw aiohttp, in CPU
per request and in time per round trip, blocking and asyncio, sequential and with many in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from calls import CallResults
from common import OPENAPI_GENERATOR, OURS, PEERS, fmt_ratio, fmt_seconds, median_of
from generation import GenerationResults
from imports import ImportResults
from lines import LineResults
from ws_calls import BASELINE, WsResults, case_key

MET, NOT_MET, UNKNOWN = "met", "**not met**", "not measured"


@dataclass
class Outcome:
    options: dict[str, str]
    machine: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    setup_error: str | None = None
    notes: list[str] = field(default_factory=list)  # caveats of this run, shown under Method
    generation: GenerationResults | None = None
    imports: ImportResults | None = None
    lines: LineResults | None = None
    calls: CallResults | None = None
    ws: WsResults | None = None


@dataclass
class Goal:
    text: str
    status: str
    figures: str


def _status(ok: bool) -> str:
    return MET if ok else NOT_MET


COLD_SPOT = 0.35  # of the faster peer's cold Spot time
NOOP = 0.10  # of our cold Spot time
EDIT = 0.50  # likewise
COLD_GITHUB = 0.50  # of openapi-generator's cold GitHub time
COLD_REAL = 0.50  # of the faster peer's cold time on a real spec (GitHub, OKX)


def _cold_spot(outcome: Outcome) -> Goal:
    text = f"Cold Spot generation at most {COLD_SPOT:.2f} of the faster peer's time"
    gen = outcome.generation
    if gen is None or "spot" not in gen.cold:
        return Goal(text, UNKNOWN, "generation not run")
    cold = gen.cold["spot"]
    ours = median_of(cold.get(OURS, []), "wall")
    peers = {p: median_of(cold.get(p, []), "wall") for p in PEERS}
    measured = {p: v for p, v in peers.items() if v is not None}
    if ours is None or not measured:
        return Goal(text, UNKNOWN, "ours or both peers failed")
    fastest = min(measured, key=lambda p: measured[p])
    figures = (f"ours {fmt_seconds(ours)}; faster peer {fastest} {fmt_seconds(measured[fastest])}; "
               f"ratio {fmt_ratio(ours / measured[fastest])}")
    return Goal(text, _status(ours <= COLD_SPOT * measured[fastest]), figures)


def _of_cold(outcome: Outcome, kind: str, limit: float) -> Goal:
    label = "No-op regeneration" if kind == "noop" else "One-endpoint edit"
    text = f"{label} (Spot) at most {limit:.2f} of our cold run"
    gen = outcome.generation
    value = median_of(gen.noop if kind == "noop" else gen.edit, "wall") if gen is not None else None
    cold = median_of(gen.cold.get("spot", {}).get(OURS, []), "wall") if gen is not None else None
    if value is None or cold is None:
        return Goal(text, UNKNOWN, "not run or failed")
    return Goal(text, _status(value <= limit * cold),
                f"ours {fmt_seconds(value)}, ours cold {fmt_seconds(cold)}: {fmt_ratio(value / cold)}")


def _cold_github(outcome: Outcome) -> Goal:
    text = f"Cold GitHub generation at most {COLD_GITHUB:.2f} of openapi-generator's time"
    gen = outcome.generation
    if gen is None or "github" not in gen.cold:
        return Goal(text, UNKNOWN, "generation not run (or the spec is missing)")
    cold = gen.cold["github"]
    ours, theirs = median_of(cold.get(OURS, []), "wall"), median_of(cold.get(OPENAPI_GENERATOR, []), "wall")
    if ours is None or theirs is None:
        return Goal(text, UNKNOWN, "ours or openapi-generator failed")
    return Goal(text, _status(ours <= COLD_GITHUB * theirs),
                f"ours {fmt_seconds(ours)}, openapi-generator {fmt_seconds(theirs)}: {fmt_ratio(ours / theirs)}")


def _cold_real(outcome: Outcome, key: str, title: str) -> list[Goal]:
    """A real spec's cold run: at most COLD_REAL of the faster peer that generated it (a peer that
    failed is reported as failed, never as fast), and a peak RSS below openapi-generator's."""
    speed = f"Cold {title} generation at most {COLD_REAL:.2f} of the faster peer's time"
    memory = f"Peak memory of a cold {title} run below openapi-generator's"
    gen = outcome.generation
    if gen is None or key not in gen.cold:
        return [Goal(speed, UNKNOWN, "generation not run (or the spec is missing)"), Goal(memory, UNKNOWN, "")]
    cold = gen.cold[key]
    ours = median_of(cold.get(OURS, []), "wall")
    peers = {p: median_of(cold.get(p, []), "wall") for p in PEERS}
    failed = [p for p, v in peers.items() if v is None]
    measured = {p: v for p, v in peers.items() if v is not None}
    said = f" ({', '.join(failed)} failed on it)" if failed else ""
    if ours is None or not measured:
        goals = [Goal(speed, UNKNOWN, "ours or every peer failed" + said)]
    else:
        fastest = min(measured, key=lambda p: measured[p])
        goals = [Goal(speed, _status(ours <= COLD_REAL * measured[fastest]),
                      f"ours {fmt_seconds(ours)}; faster peer {fastest} {fmt_seconds(measured[fastest])}; "
                      f"ratio {fmt_ratio(ours / measured[fastest])}{said}")]
    ours_kb, og_kb = median_of(cold.get(OURS, []), "rss_kb"), median_of(cold.get(OPENAPI_GENERATOR, []), "rss_kb")
    if ours_kb is None or og_kb is None:
        goals.append(Goal(memory, UNKNOWN, "ours or openapi-generator failed"))
    else:
        goals.append(Goal(memory, _status(ours_kb < og_kb),
                          f"ours {ours_kb / 1024:.0f} MB, openapi-generator {og_kb / 1024:.0f} MB"))
    return goals


def _import(outcome: Outcome, kind: str, limit: float) -> Goal:
    what = "`import binance.spot`" if kind == "package" else "importing one API class"
    text = f"{what} (Spot) under {limit * 1000:.0f} ms"
    imp = outcome.imports
    if imp is None:
        return Goal(text, UNKNOWN, "imports not run")
    samples = imp.samples.get(OURS, {}).get(kind, [])
    wall = median_of(samples, "wall")
    importtime = median_of(samples, "importtime")
    if wall is None:
        return Goal(text, UNKNOWN, "failed")
    statement = imp.statements.get(OURS, {}).get(kind, "")
    figures = f"`{statement}`: {fmt_seconds(wall)} (`-X importtime`: {fmt_seconds(importtime)})"
    return Goal(text, _status(wall < limit), figures)


def _lines(outcome: Outcome) -> Goal:
    text = "Fewer generated lines of package code per operation than either peer (Spot)"
    lines = outcome.lines
    if lines is None or OURS not in lines.sizes:
        return Goal(text, UNKNOWN, "lines not counted")
    per_op = {t: s.per_operation(s.package_lines) for t, s in lines.sizes.items()}
    ours = per_op[OURS]
    peers = {p: v for p, v in per_op.items() if p != OURS and v is not None}
    if ours is None or not peers:
        return Goal(text, UNKNOWN, "no peer output to compare")
    figures = "; ".join(f"{t} {v:,.0f}" for t, v in [(OURS, ours), *peers.items()])
    ok = all(ours < v for v in peers.values()) and len(peers) == len(PEERS)
    return Goal(text, _status(ok), figures + " lines per operation")


def _calls(outcome: Outcome) -> list[Goal]:
    overhead_text = "Per-call CPU overhead over raw urllib3 at most 10 %"
    ahead_text = "Per-call CPU below openapi-generator's client"
    calls = outcome.calls
    if calls is None:
        return [Goal(overhead_text, UNKNOWN, "calls not run"), Goal(ahead_text, UNKNOWN, "calls not run")]
    cpu = {c: median_of(s, "cpu_per_call") for c, s in calls.samples.items()}
    ours, raw, og = cpu.get("ours-sync"), cpu.get("raw-urllib3"), cpu.get(OPENAPI_GENERATOR)
    goals = []
    if ours is None or raw is None:
        goals.append(Goal(overhead_text, UNKNOWN, "ours or raw urllib3 failed"))
    else:
        overhead = ours / raw - 1
        goals.append(Goal(overhead_text, _status(overhead <= 0.10),
                          f"ours (sync) {ours * 1e6:.0f} µs, raw urllib3 {raw * 1e6:.0f} µs: "
                          f"{overhead * 100:+.0f} %"))
    if ours is None or og is None:
        goals.append(Goal(ahead_text, UNKNOWN, "ours or openapi-generator failed"))
    else:
        goals.append(Goal(ahead_text, _status(ours < og),
                          f"ours (sync) {ours * 1e6:.0f} µs, openapi-generator {og * 1e6:.0f} µs "
                          f"({fmt_ratio(ours / og)})"))
    return goals


WS_OVERHEAD = 0.15  # the generated WebSocket client over raw aiohttp doing the same frames


def ws_pairs(ws: WsResults) -> list[tuple[str, str, str]]:
    """(mode, our case, raw aiohttp case) for each mode the WebSocket goal covers."""
    pairs = []
    for ours, raw in BASELINE.items():
        many = ws.threads if ours == "ours-sync" else ws.inflight
        kind = "blocking" if ours == "ours-sync" else "asyncio"
        crowd = f"{many} threads" if ours == "ours-sync" else f"{many} in flight"
        pairs.append((f"{kind} sequential", case_key(ours, 1), case_key(raw, 1)))
        pairs.append((f"{kind} {crowd}", case_key(ours, many), case_key(raw, many)))
    return pairs


def ws_overheads(ws: WsResults, attr: str) -> list[tuple[str, float, float]] | None:
    """(mode, ours, raw) medians of `attr` per mode; None when a case was not measured.
    attr: cpu_per_call (seconds) or wall (seconds per round: time per round trip times calls)."""
    found = []
    for mode, ours, raw in ws_pairs(ws):
        mine, theirs = median_of(ws.samples.get(ours, []), attr), median_of(ws.samples.get(raw, []), attr)
        if mine is None or theirs is None:
            return None
        found.append((mode, mine, theirs))
    return found


def _percent(ours: float, raw: float) -> str:
    return f"{(ours / raw - 1) * 100:+.0f} %"


def _ws(outcome: Outcome) -> list[Goal]:
    limit = f"{WS_OVERHEAD * 100:.0f} %"
    cpu_text = f"WebSocket API client: CPU per request at most {limit} over raw aiohttp's, in every mode"
    rtt_text = (f"WebSocket API client: round trips per second at most {limit} below raw aiohttp's "
                f"(time per request at most +{limit}), in every mode")
    ws = outcome.ws
    if ws is None or ws.error is not None:
        why = "ws not run" if ws is None else f"failed: {ws.error.splitlines()[0]}"
        return [Goal(cpu_text, UNKNOWN, why), Goal(rtt_text, UNKNOWN, why)]
    goals = []
    for text, attr in ((cpu_text, "cpu_per_call"), (rtt_text, "wall")):
        found = ws_overheads(ws, attr)
        if found is None:
            goals.append(Goal(text, UNKNOWN, "ours or raw aiohttp failed in some mode"))
            continue
        if attr == "cpu_per_call":
            parts = [f"{mode} {ours * 1e6:.0f} vs {raw * 1e6:.0f} µs ({_percent(ours, raw)})"
                     for mode, ours, raw in found]
        else:  # wall per round of ws.calls requests: time per request, and its inverse, requests/s
            parts = [f"{mode} {ws.calls / ours:,.0f} vs {ws.calls / raw:,.0f}/s ({_percent(ours, raw)})"
                     for mode, ours, raw in found]
        ok = all(ours <= (1 + WS_OVERHEAD) * raw for _, ours, raw in found)
        goals.append(Goal(text, _status(ok), "ours vs raw aiohttp: " + "; ".join(parts)))
    return goals


def check_goals(outcome: Outcome) -> list[Goal]:
    return [
        _cold_spot(outcome),
        _of_cold(outcome, "noop", NOOP),
        _of_cold(outcome, "edit", EDIT),
        _cold_github(outcome),
        *_cold_real(outcome, "github", "GitHub"),
        *_cold_real(outcome, "okx", "OKX"),
        _import(outcome, "package", 0.050),
        _import(outcome, "api", 0.150),
        _lines(outcome),
        *_calls(outcome),
        *_ws(outcome),
    ]
