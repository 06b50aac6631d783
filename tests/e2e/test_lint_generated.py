"""Every spec of the test suite -> a generated package that its users' tools accept: ruff, mypy --strict
and pyright (standard mode), over the package and its tests, with the package's own pyproject.toml
settings, as `make lint` runs them over generated/.

In: the specs under tests/e2e/specs (each with the settings file beside it, if any). Out: a pass per
spec, or the tools' findings. ruff and mypy run in each package; pyright runs once over all of them
(one execution environment per package, made of its [tool.pyright] table): its start-up, and the
reading of pydantic and typeshed, cost more than a small package's check. Full Binance Spot is a
manual check of the same, at a minute too long for `make test`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import SPECS, Completed, run_cli

# Root documents only (OpenAPI or AsyncAPI): a spec split into files has fragments beside its root, without `openapi:`.
LINTED = sorted(path for path in SPECS.rglob("*.yaml")
                if {"openapi", "asyncapi"} & set(yaml.safe_load(path.read_text(encoding="utf-8")) or {}))
# The tools of the project venv, beside its interpreter (pyright is a dev dependency: pyproject.toml).
BIN = Path(sys.executable).parent
ENVIRONMENT = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


class Generated:
    """Every linted spec generated into a folder of its own, and pyright's findings per folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs: dict[Path, tuple[Path, Completed]] = {}
        for index, spec in enumerate(LINTED):
            out = root / f"package{index}"
            self.runs[spec] = (out, run_cli("generate", spec, "--out", out))
        self.pyright = self._pyright([out for out, done in self.runs.values() if done.code == 0])

    def _pyright(self, outs: list[Path]) -> dict[Path, list[str]]:
        pyright = shutil.which("pyright", path=str(BIN))
        assert pyright is not None, f"pyright is not installed in {BIN}: pip install -r requirements.lock"
        environments, include = [], []
        for out in outs:
            settings = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pyright"]
            assert settings["typeCheckingMode"] == "standard"
            environments.append({"root": out.name, "pythonVersion": settings.get("pythonVersion", "3.10")})
            include.extend(f"{out.name}/{path}" for path in settings["include"])
        config = {"include": include, "executionEnvironments": environments,
                  "typeCheckingMode": "standard"}
        (self.root / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
        done = subprocess.run([pyright, "--outputjson", "--pythonpath", sys.executable], cwd=self.root,
                              capture_output=True, text=True, timeout=600, check=False, env=ENVIRONMENT)
        report = json.loads(done.stdout)
        findings: dict[Path, list[str]] = {out: [] for out in outs}
        for diagnostic in report["generalDiagnostics"]:
            file = Path(diagnostic["file"])
            where = f"{file}:{diagnostic['range']['start']['line'] + 1}"
            owner = next((out for out in outs if file.is_relative_to(out)), self.root)
            findings.setdefault(owner, []).append(f"{where}: {diagnostic['severity']}: {diagnostic['message']}")
        assert report["summary"]["filesAnalyzed"] > 0 and set(findings) == set(outs), findings
        return findings


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(tmp_path_factory.mktemp("lint"))


@pytest.mark.parametrize("spec", LINTED, ids=lambda path: str(path.relative_to(SPECS)))
def test_generated_package_and_its_tests_lint_clean(spec: Path, generated: Generated) -> None:
    out, done = generated.runs[spec]
    assert done.code == 0, done.stderr
    # What every tool is told to check: the package and its tests.
    mypy_packages = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]["packages"]
    assert "tests" in mypy_packages and len(mypy_packages) == 2
    findings = [f"pyright: {finding}" for finding in generated.pyright[out]]
    mypy_cache = generated.root / "mypy-cache"  # shared: the stubs of pydantic and the stdlib read once
    for tool, command in {
        "ruff": [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        "mypy": [sys.executable, "-m", "mypy", "--cache-dir", str(mypy_cache)],
    }.items():
        run = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=300, check=False,
                             env=ENVIRONMENT)
        if run.returncode != 0:
            findings.append(f"{tool} (exit {run.returncode}):\n{run.stdout[-4000:]}{run.stderr[-2000:]}")
    assert not findings, "\n".join(findings)


def test_the_probe_spec_holds_the_names_linters_refused(tmp_path: Path) -> None:
    """The lint probe still has what it is there for: without it the test above proves less."""
    out = tmp_path / "out"
    done = run_cli("generate", SPECS / "lint" / "openapi.yaml", "--out", out, "--package-name", "probe")
    assert done.code == 0, done.stderr
    market = (out / "probe" / "api" / "market_api.py").read_text(encoding="utf-8")
    assert "from ..operation import Operation\n" in market  # no operation of it takes a parameter
    trades = (out / "probe" / "api" / "trades_api.py").read_text(encoding="utf-8")
    assert "def l_(" in trades and "l_: int | None = None" in trades
    model = (out / "probe" / "models" / "i_model.py").read_text(encoding="utf-8")
    assert "class IModel(ApiModel):" in model and 'l_: int | None = Field(default=None, alias="l")' in model
