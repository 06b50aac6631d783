"""Shared fixtures: paths, the CLI as a real subprocess, and the loopback HTTP server."""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
# The project's spec, settings and output: the user's to grow. Only the golden check (generated/ is what
# `make generate` writes) reads them; every other test of the generator uses specs of its own below.
SPEC = REPO / "spec" / "openapi.yaml"
CONFIG = REPO / "spec" / "generator.toml"
GENERATED = REPO / "generated"
SPECS = REPO / "tests" / "e2e" / "specs"
# The tests' copy of the spec and settings the project first shipped (the three listen-key endpoints).
SPOT_SPEC = SPECS / "user_data_stream" / "openapi.yaml"
SPOT_CONFIG = SPECS / "user_data_stream" / "generator.toml"

# The loopback server is shipped with every generated package's tests; ours use the same file.
sys.path.insert(0, str(REPO / "templates" / "tests"))

from loopback import LoopbackServer  # noqa: E402


@dataclass
class Completed:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None,
            timeout: float = 120) -> Completed:
    """`python -m generator ARGS` in a real subprocess."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False,
    )
    return Completed(done.returncode, done.stdout, done.stderr)


def run_package_tests(out: Path) -> None:
    """A generated package's own tests, in a subprocess of their own; they must all pass."""
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=out, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert tests.returncode == 0, tests.stdout[-5000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout


@contextlib.contextmanager
def imported(root: Path, package: str) -> Iterator[ModuleType]:
    """`package` imported from the folder `root`; afterwards the folder leaves sys.path and every
    module of the package's top level leaves sys.modules, so another output can be imported."""
    sys.path.insert(0, str(root))
    top = package.partition(".")[0]
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder with its bytes: to assert a folder was left exactly as it was."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running
