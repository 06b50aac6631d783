"""Generation benchmarks: cold generation of UDS and Spot by every tool, alternating (A B C A B C ...),
each into a fresh empty folder; and, ours only, a no-op regeneration and a one-endpoint-edit
regeneration of Spot into the folder of the cold run just before.

Also keeps, in `Products`, the output of the last successful cold run of each tool and spec: the import,
lines and per-call sections use those (generating them, untimed, when this section did not run).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import measure
from common import OURS, WORK, Sample, display_path, failed, fresh_dir, remove, scrub, tail
from tools import SPOT, SpecCase, generate_command, generate_cwd, generate_env

Log = Callable[[str], None]
EDIT_MARK = " (edited by the benchmark)"


class Products:
    """tool x spec -> the folder its last successful generation wrote, or why there is none."""

    def __init__(self, timeout: float, log: Log) -> None:
        self.timeout = timeout
        self.log = log
        self._done: dict[tuple[str, str], Path | str] = {}

    @staticmethod
    def path(tool: str, spec: SpecCase) -> Path:
        return WORK / "products" / tool / spec.key

    def keep(self, tool: str, spec: SpecCase, out: Path) -> None:
        target = self.path(tool, spec)
        remove(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), str(target))
        self._done[(tool, spec.key)] = target

    def note_failure(self, tool: str, spec: SpecCase, error: str) -> None:
        """A timed run failed: unless an earlier one succeeded, later sections get the error rather
        than another attempt."""
        self._done.setdefault((tool, spec.key), error)

    def get(self, tool: str, spec: SpecCase) -> Path | str:
        """The output folder, generated now (untimed) if this run has none yet; or an error."""
        key = (tool, spec.key)
        if key not in self._done:
            self.log(f"  generating {spec.key} with {tool} (untimed, for the next measurements)")
            out = fresh_dir(WORK / "gen" / f"{tool}-{spec.key}") / "out"
            done = measure.run(generate_command(tool, spec, out), cwd=generate_cwd(tool, out),
                               env=generate_env(tool), timeout=self.timeout, label=f"product-{tool}-{spec.key}")
            if done.sample.ok:
                self.keep(tool, spec, out)
            else:
                self._done[key] = done.sample.error
        return self._done[key]


@dataclass
class GenerationResults:
    cold: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)  # spec key -> tool -> runs
    noop: list[Sample] = field(default_factory=list)
    edit: list[Sample] = field(default_factory=list)
    edit_note: str = ""
    rounds: int = 0


@dataclass
class OwnSpec:
    """Ours' copy of the Spot spec, alone in a folder of its own: ours generates Spot from it, and
    the edit is made to it in place, as a user edits their spec (the same path, so the output's
    mentions of the spec's path stay the same)."""
    path: Path
    original: str
    edited: str

    def edit(self) -> None:
        self.path.write_text(self.edited, encoding="utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def own_spec(spec: Path) -> tuple[OwnSpec, str]:
    """Ours' copy of spec (see OwnSpec), and a note naming the operation the edit changes."""
    original = spec.read_text(encoding="utf-8")
    edited, note = edited_text(original, spec)
    folder = fresh_dir(WORK / "edit")
    own = OwnSpec(folder / spec.name, original, edited)
    own.restore()
    return own, note


def edited_text(text: str, spec: Path) -> tuple[str, str]:
    """The spec's text with the summary of its first operation changed; and a note naming that
    operation."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "paths:")
    path_name, operation_id = "?", "?"
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if re.match(r"^\s+/\S*:\s*$", line):
            path_name = line.strip().rstrip(":")
        elif found := re.match(r"^\s+operationId:\s*(\S+)", line):
            operation_id = found.group(1)
        elif re.match(r"^\s+summary:\s*\S", line):
            body = line.rstrip("\r\n")
            quote = body[-1] if body[-1] in "'\"" else ""
            body = body[:-1] + EDIT_MARK + quote if quote else body + EDIT_MARK
            lines[i] = body + "\n"
            break
    note = (f"the summary of `{operation_id}` ({path_name}), the first operation of "
            f"{display_path(spec)}, gets \"{EDIT_MARK.strip()}\" appended, in place (ours generates Spot, "
            "cold runs included, from a copy of the spec in a folder of its own, edited there)")
    return "".join(lines), note


def _summary_line(done: measure.Completed) -> str:
    for text in (done.stdout, done.stderr):
        lines = [line for line in text.splitlines() if "operations" in line and "files" in line]
        if lines:
            return scrub(lines[-1].strip())
    return scrub(tail(done.stdout, 1))


def _cold(tool: str, spec: SpecCase, label: str, timeout: float, spec_path: Path | None = None
          ) -> tuple[Sample, Path]:
    out = fresh_dir(WORK / "gen" / f"{tool}-{spec.key}") / "out"
    done = measure.run(generate_command(tool, spec, out, spec_path=spec_path), cwd=generate_cwd(tool, out),
                       env=generate_env(tool), timeout=timeout, label=label)
    return done.sample, out


def run_generation(specs: Sequence[SpecCase], tools: Sequence[str], rounds: int, timeout: float,
                   products: Products, log: Log) -> GenerationResults:
    results = GenerationResults(rounds=rounds)
    for spec in specs:
        results.cold[spec.key] = {tool: [] for tool in tools}
    spot = next((s for s in specs if s.key == SPOT.key), None)
    own: OwnSpec | None = None
    if spot is not None and OURS in tools:
        own, results.edit_note = own_spec(spot.path)

    # One untimed run per tool first: disk caches, bytecode, the JVM's class data.
    warm = specs[0]
    for tool in tools:
        log(f"  warm-up: {tool} on {warm.key}")
        _, out = _cold(tool, warm, f"warmup-{tool}", timeout)
        remove(out.parent)

    for r in range(rounds):
        for spec in specs:
            for tool in tools:
                mine = own if tool == OURS and spec is spot else None
                sample, out = _cold(tool, spec, f"cold-{tool}-{spec.key}", timeout,
                                    mine.path if mine is not None else None)
                results.cold[spec.key][tool].append(sample)
                log(f"  round {r + 1}/{rounds} {spec.key:4} {tool:22} {_brief(sample)}")
                if sample.ok and mine is not None:
                    _regenerate(results, spot, mine, out, timeout, log)
                if sample.ok:
                    products.keep(tool, spec, out)
                else:
                    products.note_failure(tool, spec, sample.error)
                remove(out.parent)
    remove(WORK / "edit")
    return results


def _regenerate(results: GenerationResults, spot: SpecCase, own: OwnSpec, out: Path, timeout: float,
                log: Log) -> None:
    """Ours only: generate again into out, unchanged (no-op), then after the edit (own spec put back
    afterwards, for the next round's cold run)."""
    try:
        _regenerate_twice(results, spot, own, out, timeout, log)
    finally:
        own.restore()


def _regenerate_twice(results: GenerationResults, spot: SpecCase, own: OwnSpec, out: Path, timeout: float,
                      log: Log) -> None:
    for kind, series in (("no-op", results.noop), ("edit", results.edit)):
        if kind == "edit":
            own.edit()
        done = measure.run(generate_command(OURS, spot, out, spec_path=own.path), cwd=generate_cwd(OURS, out),
                           env=generate_env(OURS), timeout=timeout, label=f"{kind}-ours-spot")
        if done.sample.ok:
            done.sample.extra["summary"] = _summary_line(done)
        series.append(done.sample)
        log(f"  {'':9} {spot.key:4} {'ours, ' + kind:22} {_brief(done.sample)}")
        if not done.sample.ok:
            if kind == "no-op":
                results.edit.append(failed("skipped: the no-op run failed"))
            return


def _brief(sample: Sample) -> str:
    if not sample.ok:
        return "FAILED: " + sample.error.splitlines()[0]
    rss = f", {sample.rss_kb / 1024:.0f} MB" if sample.rss_kb else ""
    return f"{sample.wall:.2f} s{rss}"
