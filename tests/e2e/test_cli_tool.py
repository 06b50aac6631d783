"""The generator installed as a tool, as `pip install .` (or pipx, which is a venv and that) leaves it:
its console scripts run outside the checkout, say its version, and find their templates and runtime
inside the installed package.

Offline and fast: a venv without pip whose site-packages reaches the project venv's (a .pth file) for
the dependencies, and the project installed into it with the project venv's pip, from the checkout,
without an index (hatchling, the build backend, is in the project venv)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

SPEC = """\
openapi: 3.0.3
info: {title: Tool Shop, version: "1.0"}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "200": {description: ok}
"""


def _run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Nothing of the checkout on the path: PYTHONPATH cleared, and run from a folder outside it.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a venv the generator is installed into, as `pip install .` installs it."""
    root = tmp_path_factory.mktemp("tool")
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
    (Path(purelib.stdout.strip()) / "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
                      "--no-build-isolation", "--no-index", "--disable-pip-version-check",
                      # Not byte-compiled: a __pycache__ in the installed templates can only come from the wheel.
                      "--no-compile", REPO], cwd=root)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv / "bin"


def test_the_console_scripts_say_the_installed_version_and_their_name(tool: Path, tmp_path: Path) -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    for script in ("binance-sdk-generator", "openapi-binance-generate"):
        version = _run([tool / script, "--version"], cwd=tmp_path)
        assert version.returncode == 0, version.stderr
        assert version.stdout == f"binance-sdk-generator {declared}\n"  # the distribution's, installed
        usage = _run([tool / script], cwd=tmp_path)
        assert usage.returncode == 2
        assert usage.stderr.startswith(f"usage: {script} [-h] [--version] COMMAND ...\n")
    module = _run([tool / "python", "-m", "generator"], cwd=tmp_path)
    assert module.returncode == 2 and module.stderr.startswith("usage: python -m generator ")


def test_the_installed_generator_uses_its_own_package_and_packaged_templates(tool: Path, tmp_path: Path) -> None:
    where = _run([tool / "python", "-c", "import generator, generator.emit as e; "
                  "print(generator.__file__); print(e.BUILTIN_TEMPLATES); print(e.BUILTIN_RUNTIME)"], cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    package, templates, runtime = (Path(line) for line in where.stdout.splitlines())
    venv = tool.parent.resolve()
    assert package.is_relative_to(venv) and not package.is_relative_to(REPO)
    assert templates == package.parent / "_templates" and (templates / "docs" / "model.md.jinja").is_file()
    assert runtime == package.parent / "_runtime" and (runtime / "rest.py").is_file()
    # Selected like the code (not copied from the disk as it is): no caches, no runtime tests.
    assert not (runtime / "tests").exists()
    assert not [p for p in (templates, runtime) for p in p.rglob("__pycache__")]


def test_the_installed_tool_generates_and_copies_its_templates(tool: Path, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    done = _run([tool / "binance-sdk-generator", "generate", spec, "--out", out], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 operations, 0 models:" in done.stdout
    assert (out / "tool_shop" / "rest.py").is_file() and (out / "docs" / "DefaultApi.md").is_file()

    mine = tmp_path / "mine"
    copied = _run([tool / "binance-sdk-generator", "templates", "--out", mine, "--only", "docs/model.md.jinja"],
                  cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert (mine / "docs" / "model.md.jinja").read_bytes() == (REPO / "templates/docs/model.md.jinja").read_bytes()
