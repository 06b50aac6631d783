"""The peers' virtualenv (bench/.work/peers-venv), set up idempotently from bench/requirements-peers.txt,
and the facts the report starts with: the machine, the interpreters, Java, every tool's version.

The same venv is the runtime of every generated client (ours included: it has pydantic, urllib3,
cryptography and aiohttp pinned), so import and per-call figures compare libraries of one version.
The project's .venv is never touched.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from common import BENCH, OUR_PYTHON, PEERS_PYTHON, PEERS_VENV, REPO, WORK, scrub, tail

REQUIREMENTS = BENCH / "requirements-peers.txt"
STAMP = PEERS_VENV / ".bench-installed"
RUNTIME_LIBS = ("urllib3", "pydantic", "httpx", "aiohttp", "attrs", "python-dateutil", "cryptography")


class SetupError(RuntimeError):
    """The peers' venv could not be made; the message ends with pip's stderr tail."""


def _wanted_stamp() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(platform.python_version().encode())
    return digest.hexdigest()


def ensure_peers_venv(log: Callable[[str], None] = print) -> None:
    """Create bench/.work/peers-venv and install the pinned requirements, unless already done with
    exactly these pins and this Python."""
    wanted = _wanted_stamp()
    if PEERS_PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    WORK.mkdir(parents=True, exist_ok=True)
    log(f"setting up {PEERS_VENV.relative_to(REPO)} from {REQUIREMENTS.relative_to(REPO)} ...")
    # venv run from inside a venv bases the new one on the base interpreter, not on .venv.
    made = subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS_VENV)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise SetupError(f"python -m venv failed\n{scrub(tail(made.stderr))}")
    try:
        pip = subprocess.run(
            [str(PEERS_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(REQUIREMENTS)],
            capture_output=True, text=True, timeout=1200)
    except subprocess.TimeoutExpired as exc:
        raise SetupError("pip install timed out after 1200 s") from exc
    if pip.returncode != 0:
        raise SetupError(f"pip install failed\n{scrub(tail(pip.stderr))}")
    STAMP.write_text(wanted + "\n")


def generator_digest() -> str:
    """A hash of our generator's code and templates: the benchmark notes when it changed mid-run (the
    generator is worked on while benchmarks run, and a figure is only comparable to its own round)."""
    digest = hashlib.sha256()
    for folder in (REPO / "generator", REPO / "templates"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _first_line(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout + done.stderr).strip()
    return text.splitlines()[0] if text else None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def machine() -> dict[str, str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    java = shutil.which("java")
    return {
        "cores (nproc)": str(usable),
        "CPU": _cpu_model(),
        "memory": _memory(),
        "OS": _os_name(),
        "Python (generator, .venv)": _first_line([str(OUR_PYTHON), "--version"]) or "unknown",
        "Python (peers and clients)": (_first_line([str(PEERS_PYTHON), "--version"]) or "unknown"
                                       if PEERS_PYTHON.exists() else "not installed"),
        "Java": (_first_line([java, "-version"]) or "unknown") if java else "not found",
    }


def _versions_in(python: Path, dists: tuple[str, ...]) -> dict[str, str]:
    code = ("import importlib.metadata as m, sys\n"
            "for d in sys.argv[1:]:\n"
            "    try: print(d, m.version(d))\n"
            "    except m.PackageNotFoundError: print(d, '-')\n")
    try:
        done = subprocess.run([str(python), "-c", code, *dists], capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def jar_note() -> str:
    """Where openapi-generator's jar comes from (bundled in the wheel, or not)."""
    found = list(PEERS_VENV.glob("lib/python*/site-packages/openapi_generator_cli/*.jar"))
    if found:
        return f"jar bundled in the PyPI wheel ({found[0].stat().st_size / 1e6:.0f} MB), run with the system `java`"
    return "no bundled jar found"


def tool_versions() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    ours = _versions_in(OUR_PYTHON, ("black", "Jinja2", "PyYAML"))
    versions = {
        "ours (binance-sdk-generator)": f"{project.get('version', '?')} (working tree), "
        + ", ".join(f"{k} {v}" for k, v in ours.items()),
    }
    if PEERS_PYTHON.exists():
        peers = _versions_in(PEERS_PYTHON, ("openapi-generator-cli", "openapi-python-client", *RUNTIME_LIBS))
        versions["openapi-generator"] = (f"{peers.get('openapi-generator-cli', '?')} "
                                         f"(PyPI openapi-generator-cli; {jar_note()}; generator `python`)")
        versions["openapi-python-client"] = f"{peers.get('openapi-python-client', '?')} (PyPI)"
        versions["client runtime (peers venv)"] = ", ".join(f"{d} {peers.get(d, '-')}" for d in RUNTIME_LIBS)
    return versions
