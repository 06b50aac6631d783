"""One command -> one `Sample`: wall time, peak RSS, CPU, under a timeout.

Peak RSS comes from `/usr/bin/time` (GNU time's %M: the largest single process of the tree, as the
kernel's rusage reports it) or, where that is missing, from `rusage_wrap.py`, a wrapper process whose
RUSAGE_CHILDREN covers only the one command it runs. Because a tool that works in parallel (our
generator formats with worker processes) would look smaller by that measure, the tree's summed RSS is
also sampled from /proc every 50 ms while the command runs.

Wall time is taken here, around the whole process: what a user waits for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import BENCH, WORK, Sample, failed, tail

GNU_TIME = "/usr/bin/time"
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
_SAMPLE_EVERY = 0.05


@dataclass
class Completed:
    sample: Sample
    stdout: str
    stderr: str


def _has_gnu_time() -> bool:
    if not Path(GNU_TIME).exists():
        return False
    probe = subprocess.run([GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True)
    return probe.returncode == 0 and probe.stderr.strip().isdigit()


HAS_GNU_TIME = _has_gnu_time()


def rss_method() -> str:
    if HAS_GNU_TIME:
        return "GNU time (`/usr/bin/time`, %M)"
    return "getrusage(RUSAGE_CHILDREN) in a wrapper process per run"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue
        found.extend(int(p) for p in text.split())
    return found


def tree_rss_kb(root: int) -> int:
    """Summed RSS of a process and all its descendants, now (0 when /proc cannot tell)."""
    total = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident * _PAGE_KB
        stack.extend(_children(pid))
    return total


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # The command runs in a session of its own that we started: end that group, nothing else.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def run(cmd: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None,
        label: str = "run") -> Completed:
    """Run cmd to completion (or until timeout) and measure it. A failure is a Sample with ok False
    and the tail of its stderr, never an exception."""
    logs = WORK / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
    out_path, err_path, usage_path = (logs / f"{safe}.{kind}" for kind in ("out", "err", "usage"))
    usage_path.unlink(missing_ok=True)
    if HAS_GNU_TIME:
        wrapped = [GNU_TIME, "-f", "%M %U %S", "-o", str(usage_path), *cmd]
    else:
        wrapped = [sys.executable, str(BENCH / "rusage_wrap.py"), str(usage_path), "--", *cmd]
    if shutil.which(cmd[0], path=(env or os.environ).get("PATH")) is None and not Path(cmd[0]).exists():
        return Completed(failed(f"{cmd[0]}: not found"), "", "")

    peak_tree = 0
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = start + timeout
        timed_out = False
        while proc.poll() is None:
            peak_tree = max(peak_tree, tree_rss_kb(proc.pid))
            if time.perf_counter() > deadline:
                _kill_group(proc)
                timed_out = True
                break
            # Waits at most until the next sample, and returns as soon as the process ends: the
            # wall time is exact, not rounded up to the sampling interval (50 ms on a 0.5 s run).
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=_SAMPLE_EVERY)
        wall = time.perf_counter() - start
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    if timed_out:
        return Completed(failed(f"timed out after {timeout:.0f} s\n{tail(stderr)}"), stdout, stderr)
    if proc.returncode != 0:
        message = f"exit code {proc.returncode}\n{tail(stderr) or tail(stdout)}"
        return Completed(failed(message), stdout, stderr)

    rss_kb: int | None = None
    cpu: float | None = None
    try:
        fields = usage_path.read_text().split()
        rss_kb = int(fields[-3])
        cpu = float(fields[-2]) + float(fields[-1])
    except (OSError, ValueError, IndexError):
        pass
    sample = Sample(ok=True, wall=wall, rss_kb=rss_kb, tree_rss_kb=peak_tree or None, cpu=cpu)
    return Completed(sample, stdout, stderr)


def run_python(python: Path, args: list[str], *, cwd: Path, timeout: float,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str] | str:
    """A helper child process whose own stdout is the measurement (a probe, a client loop).
    Returns the finished process, or an error message on timeout."""
    try:
        return subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"


def child_env(extra_path: list[Path] | None = None, pythonpath: list[Path] | None = None) -> dict[str, str]:
    """The environment of a child: ours, with folders put first on PATH / PYTHONPATH."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if extra_path:
        env["PATH"] = os.pathsep.join([*(str(p) for p in extra_path), env.get("PATH", "")])
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # imports are timed with their bytecode cached
    return env
