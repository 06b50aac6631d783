"""`make corpus`: the generator on every real spec we hold -> bench/corpus.md.

For each spec in shared/specs/, shared/specs/real/ and shared/specs/asyncapi/ (or those named
with --only), one fresh folder under bench/.work/corpus/ and these steps, each recorded, none stopping the others:

1. generate: strict first; a spec with validation errors is generated again with --lenient (the
   report says so, with the count of errors). Wall time and peak RSS of the generator process.
2. import: every module of the package imported on its own, first, in a process of its own (forked
   from one that has imported only the libraries the package uses, so that 2,000 modules take
   seconds, not minutes): what fails, with its error.
3. ruff and `mypy --strict` over the package (skipped with --fast).
4. the package's own generated tests (pytest): passed, failed, errors.

Nothing here asserts: the report is the product. `make test` has its own, small feature specs.

    .venv/bin/python bench/corpus.py                   # every spec -> bench/corpus.md
    .venv/bin/python bench/corpus.py --only okx,github --fast --out /tmp/corpus.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common import BENCH, REPO, SHARED, WORK, fmt_seconds, fresh_dir, plural, scrub, tail

PYTHON = REPO / ".venv" / "bin" / "python"
CORPUS_WORK = WORK / "corpus"
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
STEP_TIMEOUT = 1800.0


@dataclass
class SpecResult:
    name: str
    path: str
    mode: str = ""  # "strict", "lenient (N errors)", or "failed"
    operations: int | None = None
    models: int | None = None
    warnings: int | None = None
    seconds: float | None = None
    peak_kb: int | None = None
    modules: int | None = None
    import_failures: list[str] = field(default_factory=list)
    ruff: str = "not run"
    mypy: str = "not run"
    tests_passed: int | None = None
    tests_failed: int | None = None
    tests_errors: int | None = None
    tests_seconds: float | None = None
    problems: list[str] = field(default_factory=list)  # what went wrong, briefly


def specs(only: set[str] | None) -> list[Path]:
    folders = (SHARED / "specs", SHARED / "specs" / "real", SHARED / "specs" / "asyncapi")
    found = [p for folder in folders if folder.is_dir()
             for p in sorted(folder.iterdir()) if p.suffix in SPEC_SUFFIXES and p.is_file()]
    # A name without its suffixes selects too: `binance-spot-streams` for binance-spot-streams.asyncapi.yaml.
    return [p for p in found if only is None or {p.stem, p.name, p.name.partition(".")[0]} & only]


def _measured(command: list[str], cwd: Path | None = None) -> tuple[int, str, str, float, int]:
    """Run a command: (exit code, stdout, stderr, wall seconds, peak RSS in KB of that process)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return -9, out, err + f"\ntimed out after {STEP_TIMEOUT:.0f} s", time.perf_counter() - started, 0
    wall = time.perf_counter() - started
    # The child has been waited for; its rusage is folded into RUSAGE_CHILDREN's maximum, which
    # only grows: read the peak from the generator's own report instead when it is larger.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return process.returncode, out, err, wall, peak


def generate(spec: Path, out: Path, result: SpecResult) -> bool:
    command = [str(PYTHON), "-m", "generator", "generate", str(spec), "--out", str(out)]
    code, stdout, stderr, wall, _ = _measured(["/usr/bin/time", "-f", "%M", *command]) \
        if Path("/usr/bin/time").exists() else _measured(command)
    if code == 1 and ": error:" in stderr:
        errors = stderr.count(": error:")
        fresh_dir(out)
        code, stdout, stderr, wall, _ = _measured(["/usr/bin/time", "-f", "%M", *command, "--lenient"]) \
            if Path("/usr/bin/time").exists() else _measured([*command, "--lenient"])
        result.mode = f"lenient ({errors:,} errors)"
    else:
        result.mode = "strict"
    lines = stderr.strip().splitlines()
    if lines and lines[-1].strip().isdigit():  # GNU time's %M, the last line of stderr
        result.peak_kb = int(lines.pop().strip())
    result.seconds = wall
    result.warnings = sum(1 for line in lines if ": warning:" in line)
    if code != 0:
        result.mode = "failed"
        result.problems.append(f"generate exited {code}: {tail(chr(10).join(lines), 5)}")
        return False
    summary = re.search(r"(\d+) operations, (\d+) models", stdout)
    if summary:
        result.operations, result.models = int(summary[1]), int(summary[2])
    return True


_IMPORT_DRIVER = r'''
import importlib, json, os, sys, traceback
sys.path.insert(0, sys.argv[1])
package, modules = sys.argv[2], json.loads(sys.stdin.read())
import pydantic, urllib3  # what every module pulls in: imported once, before the forks
failures = []
for module in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            os._exit(0)
        except BaseException as exc:
            message = f"{module}: {type(exc).__name__}: {exc}".splitlines()[0][:300]
            os.write(write, message.encode())
            os._exit(1)
    os.close(write)
    message = b""
    while chunk := os.read(read, 65536):
        message += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failures.append(message.decode() or f"{module}: exit status {status}")
print(json.dumps(failures))
'''


def package_of(out: Path) -> tuple[str, Path] | None:
    """(dotted name, folder) of the package the generator wrote: the folder with py.typed."""
    marks = sorted(p for p in out.rglob("py.typed") if "tests" not in p.relative_to(out).parts)
    if not marks:
        return None
    folder = marks[0].parent
    return ".".join(folder.relative_to(out).parts), folder


def imports(out: Path, result: SpecResult) -> None:
    found = package_of(out)
    if found is None:
        result.problems.append("no package folder (py.typed) in the output")
        return
    package, folder = found
    modules = sorted(
        ".".join((package, *p.relative_to(folder).with_suffix("").parts)).removesuffix(".__init__")
        for p in folder.rglob("*.py"))
    result.modules = len(modules)
    process = subprocess.run([str(PYTHON), "-c", _IMPORT_DRIVER, str(out), package], input=json.dumps(modules),
                             capture_output=True, text=True, timeout=STEP_TIMEOUT)
    if process.returncode != 0:
        result.problems.append(f"import driver failed: {tail(process.stderr, 5)}")
        return
    result.import_failures = json.loads(process.stdout)


def lint(out: Path, result: SpecResult) -> None:
    found = package_of(out)
    if found is None:
        return
    _, folder = found
    target = str(folder.relative_to(out).parts[0])
    ruff = subprocess.run([str(PYTHON), "-m", "ruff", "check", "--quiet", "--output-format", "concise", target],
                          cwd=out, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    findings = [line for line in ruff.stdout.splitlines() if line.strip()]  # concise: one line each
    result.ruff = "clean" if ruff.returncode == 0 else plural(len(findings), "finding")
    mypy = subprocess.run([str(PYTHON), "-m", "mypy", "--strict", "--no-incremental", target], cwd=out,
                          capture_output=True, text=True, timeout=STEP_TIMEOUT)
    counted = re.search(r"Found (\d+) errors?", mypy.stdout)
    result.mypy = "clean" if mypy.returncode == 0 else \
        (plural(int(counted[1]), "error") if counted else f"failed: {tail(mypy.stdout + mypy.stderr, 2)}")
    if ruff.returncode != 0 or mypy.returncode != 0:  # what they found, for the Problems section
        result.problems += [f"ruff: {line}" for line in findings[:5]]
        result.problems += [f"mypy: {line}" for line in mypy.stdout.splitlines() if ": error:" in line][:5]


def tests(out: Path, result: SpecResult) -> None:
    started = time.perf_counter()
    process = subprocess.run([str(PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=out,
                             capture_output=True, text=True, timeout=STEP_TIMEOUT)
    result.tests_seconds = time.perf_counter() - started
    closing = process.stdout.strip().splitlines()[-1] if process.stdout.strip() else ""
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|errors?)", closing)}
    result.tests_passed = counts.get("passed", 0)
    result.tests_failed = counts.get("failed", 0)
    result.tests_errors = counts.get("error", 0) + counts.get("errors", 0)
    if process.returncode not in (0, 1):
        result.problems.append(f"pytest exited {process.returncode}: {tail(process.stdout + process.stderr, 3)}")


def run_one(spec: Path, fast: bool) -> SpecResult:
    result = SpecResult(spec.stem, scrub(str(spec)))
    out = fresh_dir(CORPUS_WORK / spec.stem)
    if generate(spec, out, result):
        imports(out, result)
        if not fast:
            lint(out, result)
        tests(out, result)
    return result


def _cell(value: object) -> str:
    return "n/a" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def report(results: list[SpecResult], fast: bool) -> str:
    lines = [
        "# The generator on real specs",
        "",
        "Written by `make corpus` (`bench/corpus.py`); regenerate it rather than editing it. Each spec is "
        "generated into a fresh folder (strict, or lenient when the spec has validation errors), every module "
        "of the package is imported on its own in a new process, ruff and `mypy --strict` check the package, "
        "and the package's own generated tests run against their loopback server."
        + (" This run skipped ruff and mypy (--fast)." if fast else ""),
        "",
        "| spec | mode | operations | models | warnings | modules failing import | ruff | mypy --strict "
        "| tests passed | tests failed | generate | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        failed = None if r.tests_failed is None else r.tests_failed + (r.tests_errors or 0)
        imports_cell = "n/a" if r.modules is None else f"{len(r.import_failures):,} of {r.modules:,}"
        lines.append(
            f"| `{r.name}` | {r.mode} | {_cell(r.operations)} | {_cell(r.models)} | {_cell(r.warnings)} "
            f"| {imports_cell} | {r.ruff} | {r.mypy} | {_cell(r.tests_passed)} | {_cell(failed)} "
            f"| {fmt_seconds(r.seconds)} | {'n/a' if r.peak_kb is None else f'{r.peak_kb / 1024:.0f} MB'} |")
    details = [r for r in results if r.import_failures or r.problems]
    if details:
        lines += ["", "## Problems", ""]
        for r in details:
            lines.append(f"- `{r.name}`:")
            lines += [f"  - {scrub(p)}" for p in r.problems]
            shown = r.import_failures[:10]
            lines += [f"  - import: `{scrub(f)}`" for f in shown]
            if len(r.import_failures) > len(shown):
                lines.append(f"  - ... and {len(r.import_failures) - len(shown):,} more modules")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/corpus.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated spec names (file stems) to run")
    parser.add_argument("--fast", action="store_true", help="skip ruff and mypy")
    parser.add_argument("--out", type=Path, default=BENCH / "corpus.md", help="report path")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",")} if args.only else None
    chosen = specs(only)
    if not chosen:
        print(f"no specs found under {SHARED / 'specs'}", file=sys.stderr)
        return 2
    results = []
    for spec in chosen:
        print(f"{spec.name} ...", flush=True)
        result = run_one(spec, args.fast)
        print(f"  {result.mode}; tests {result.tests_passed} passed, {result.tests_failed} failed; "
              f"{len(result.import_failures)} import failures", flush=True)
        results.append(result)
    args.out.write_text(report(results, args.fast), encoding="utf-8")
    (CORPUS_WORK / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main(sys.argv[1:]))
