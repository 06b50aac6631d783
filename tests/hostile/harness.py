"""The generator run as an untrusted spec would run it: a subprocess under memory, CPU and time limits,
with every file and network access it attempts recorded (sandbox.py), and the rules it must keep.

Also the pieces the hostile and fuzz tests share: writing a spec, generating in process, running a
generated package's own tests in process.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import pipeline
from generator.config import Config
from generator.output import write as write_stage
from tests.conftest import REPO

SANDBOX = Path(__file__).with_name("sandbox.py")
MEMORY_LIMIT = 768 * 2**20  # address space of the generator process; a normal run peaks near 400 MiB
CPU_SECONDS = 60
# Files outside the spec's folder that a run may read: the generator itself, Python, its packages,
# and /etc/mime.types (urllib guesses a MIME type when openapi-spec-validator reads its bundled
# meta-schema from a file:// URL inside the venv).
_CODE_ROOTS = tuple(Path(p).resolve() for p in {
    sys.prefix, sys.base_prefix, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
    str(REPO / "generator"), str(REPO / "templates"), str(REPO / "runtime"),
})
_SYSTEM_FILES = frozenset({"/etc/mime.types", "/dev/null", "/dev/urandom"})
_NETWORK = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto",
                      "socket.sendmsg", "http.client.connect"})
_CHILDREN = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    events: list[list[Any]] = field(default_factory=list)

    @property
    def peak_rss_mib(self) -> float:
        peaks = [e[1] for e in self.events if e[0] == "peak"]
        return max(peaks, default=0) / 1024


def _limits() -> None:
    """In the child, before exec: a runaway parse fails with MemoryError or SIGXCPU, never swaps."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def sandboxed_cli(args: Sequence[str | Path], cwd: Path, log: Path, timeout: float = 60,
                  prefix: Sequence[str] = ()) -> Run:
    """`python -m generator ARGS` in a limited subprocess, its file and socket accesses recorded."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [*prefix, sys.executable, str(SANDBOX), str(log), *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False, preexec_fn=_limits,
    )
    seconds = time.perf_counter() - started
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return Run(done.returncode, done.stdout, done.stderr, seconds, events)


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _resolved(raw: str, cwd: Path) -> Path:
    path = Path(raw) if os.path.isabs(raw) else cwd / raw
    return Path(os.path.realpath(path))


def violations(run: Run, cwd: Path, readable: Iterable[Path], writable: Iterable[Path]) -> list[str]:
    """Every recorded access the rules forbid: a read outside `readable` (and the code roots), a write
    or file-system change outside `writable`, any network use, any child process."""
    readable = [Path(os.path.realpath(p)) for p in readable] + list(_CODE_ROOTS)
    writable = [Path(os.path.realpath(p)) for p in writable]
    found = []
    for event in run.events:
        name, args = event[0], event[1:]
        if name in _NETWORK or name in _CHILDREN:
            found.append(f"{name} {args}")
        elif name == "open" and isinstance(args[0], str):
            path, mode, flags = _resolved(args[0], cwd), args[1], args[2]
            writing = any(c in str(mode) for c in "wax+") if mode else bool(int(flags or 0) & _WRITE_FLAGS)
            if writing and not _inside(path, writable):
                found.append(f"write {path}")
            elif not writing and not _inside(path, [*readable, *writable]) and str(path) not in _SYSTEM_FILES:
                found.append(f"read {path}")
        elif name.startswith(("os.", "shutil.")) and name != "os.exec":
            paths = [a for a in args if isinstance(a, str) and (os.sep in a or a.startswith("."))]
            found += [f"{name} {p}" for p in paths if not _inside(_resolved(p, cwd), writable)]
    return found


# -- generating in process ------------------------------------------------------------------------

def write_spec(folder: Path, document: dict[str, Any], name: str = "openapi.yaml") -> Path:
    """The document as YAML. Non-ASCII is written escaped: the file is the same however it is read."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(document, allow_unicode=False, sort_keys=False, width=2**16),
                    encoding="utf-8")
    return path


def generate_into(spec: Path, out: Path, package_name: str | None = None,
                  lenient: bool = False) -> pipeline.Result:
    """The whole pipeline in process, written into `out` as the command line writes it."""
    result = pipeline.run(spec, Config(package_name=package_name, lenient=lenient))
    write_stage.apply(out, write_stage.plan(out, result.files))
    return result


def run_generated_tests(out: Path, package: str) -> int:
    """The generated package's own tests, in this process (a subprocess each would cost ~1.5 s);
    returns pytest's exit code (its report goes to stdout, which pytest shows on a failure).

    The generated `tests` folder is renamed to a package of its own: this process already has a
    `tests` package (ours), and each generated package needs a name no other one has taken.
    """
    tests = out / f"{package}_tests"
    if not tests.exists():
        (out / "tests").rename(tests)
    (out / "pytest.ini").write_text("[pytest]\n")  # not the pyproject.toml of the package: no addopts
    return int(pytest.main([
        str(tests), "-q", "--tb=short", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
        "--rootdir", str(out), "-c", str(out / "pytest.ini"),
    ]))


def check_generated_package(out: Path, result: pipeline.Result) -> None:
    """Every .py compiles; every module imports and every exported name resolves; its tests pass."""
    package = result.api.package.name
    for path, text in result.files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
    sys.path.insert(0, str(out))
    try:
        for path in sorted(result.files):
            if path.endswith(".py") and path.startswith(result.api.package.path + "/"):
                module = importlib.import_module(path[:-3].replace("/", ".").removesuffix(".__init__"))
                for name in getattr(module, "__all__", ()):
                    getattr(module, name)
        assert run_generated_tests(out, package) == 0
    finally:
        sys.path.remove(str(out))


def import_everything(out: Path, package: str) -> None:
    """Import every module of a generated package and touch every exported name, in a fresh interpreter
    that turns warnings into errors (an invalid escape in a docstring warns) and records what the
    imports attempt: nothing may be printed, written, run or connected to."""
    result = out.parent / f"{package}-import.json"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", _IMPORT_EVERYTHING, package, str(result)],
        cwd=out.parent, env={"PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    imported, events, duplicates = json.loads(result.read_text())
    assert imported > 10 and events == [] and duplicates == []


_IMPORT_EVERYTHING = """
import importlib, json, os, pkgutil, sys
recording, events, duplicates = True, [], []
WATCHED = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen", "socket.connect",
           "socket.getaddrinfo", "os.remove", "os.rename", "os.mkdir", "shutil.rmtree")
def hook(event, args):
    if not recording:
        return
    writing = event == "open" and (any(c in str(args[1] or "") for c in "wax+")
                                   or int(args[2] or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if event in WATCHED or writing:
        events.append([event, repr(args)[:200]])
sys.addaudithook(hook)
name = sys.argv[1]
package = importlib.import_module(name)
modules = [name] + [m.name for m in pkgutil.walk_packages(package.__path__, name + ".")]
for module in modules:
    loaded = importlib.import_module(module)
    exported = list(getattr(loaded, "__all__", ()))
    duplicates += [f"{module}.{n}" for n in set(exported) if exported.count(n) > 1]
    for attribute in exported:
        getattr(loaded, attribute)
recording = False
with open(sys.argv[2], "w") as result:
    json.dump([len(modules), events, duplicates], result)
"""
