"""The three generators as the benchmark drives them: the command that generates a spec into a folder,
and, in what each produced, the package, one API class (or endpoint module), and its operations.

- ours: `python -m generator generate SPEC --out DIR --package-name binance.spot [--lenient]`
- openapi-generator: `openapi-generator-cli generate -i SPEC -g python -o DIR` (package `binance_spot`)
- openapi-python-client: `openapi-python-client generate --path SPEC --output-path DIR` (its package
  name comes from info.title); it runs `ruff` from PATH as a post-hook, so the peers' bin/ leads PATH.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from common import (
    GITHUB_SPEC,
    OKX_SPEC,
    OPENAPI_GENERATOR,
    OPENAPI_PYTHON_CLIENT,
    OUR_PYTHON,
    OURS,
    PEERS_VENV,
    REPO,
    SPOT_SPEC,
    UDS_SPEC,
)
from measure import child_env

PEERS_BIN = PEERS_VENV / "bin"
OG_PACKAGE = "binance_spot"


@dataclass(frozen=True)
class SpecCase:
    key: str  # "uds", "spot", "github", "okx"
    title: str
    path: Path
    lenient: bool  # ours needs --lenient for it (the spec has validation errors)


UDS = SpecCase("uds", "three-endpoint spec (UDS)", UDS_SPEC, lenient=False)
SPOT = SpecCase("spot", "Spot (382 operations)", SPOT_SPEC, lenient=True)
GITHUB = SpecCase("github", "GitHub (874 operations)", GITHUB_SPEC, lenient=True)
OKX = SpecCase("okx", "OKX (313 operations)", OKX_SPEC, lenient=False)
TITLES = {case.key: case.title for case in (UDS, SPOT, GITHUB, OKX)}


def generate_command(tool: str, spec: SpecCase, out: Path, spec_path: Path | None = None) -> list[str]:
    """The command line that generates spec (or spec_path, a copy of it) into out."""
    source = str(spec_path or spec.path)
    if tool == OURS:
        cmd = [str(OUR_PYTHON), "-m", "generator", "generate", source, "--out", str(out),
               "--package-name", "binance.spot"]
        return [*cmd, "--lenient"] if spec.lenient else cmd
    if tool == OPENAPI_GENERATOR:
        return [str(PEERS_BIN / "openapi-generator-cli"), "generate", "-i", source, "-g", "python",
                "-o", str(out), f"--additional-properties=packageName={OG_PACKAGE}"]
    if tool == OPENAPI_PYTHON_CLIENT:
        return [str(PEERS_BIN / "openapi-python-client"), "generate", "--path", source,
                "--output-path", str(out)]
    raise ValueError(tool)


def generate_env(tool: str) -> dict[str, str]:
    return child_env() if tool == OURS else child_env(extra_path=[PEERS_BIN])


def generate_cwd(tool: str, out: Path) -> Path:
    return REPO if tool == OURS else out.parent


@dataclass(frozen=True)
class Package:
    """A generated package: the folder to put on PYTHONPATH, its import name, its folder."""

    root: Path
    name: str

    @property
    def folder(self) -> Path:
        return self.root.joinpath(*self.name.split("."))


def package(tool: str, out: Path) -> Package | None:
    if tool == OURS:
        found = Package(out, "binance.spot")
    elif tool == OPENAPI_GENERATOR:
        found = Package(out, OG_PACKAGE)
    else:
        candidates = sorted(p.name for p in out.iterdir()
                            if (p / "__init__.py").exists() and p.name not in {"test", "tests"})
        if not candidates:
            return None
        found = Package(out, candidates[0])
    return found if found.folder.is_dir() else None


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _pascal(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def api_import(tool: str, pkg: Package, tag: str) -> str | None:
    """An import statement for one API class of tag (for openapi-python-client, which has one module
    per endpoint, the first endpoint module of the tag), or None when the output has none."""
    api = pkg.folder / "api"
    if tool == OPENAPI_PYTHON_CLIENT:
        for folder in sorted(p for p in api.iterdir() if p.is_dir()) if api.is_dir() else []:
            if _norm(folder.name) == _norm(tag):
                modules = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
                if modules:
                    return f"from {pkg.name}.api.{folder.name} import {modules[0]}"
        return None
    for module in sorted(api.glob("*_api.py")):
        if _norm(module.stem.removesuffix("_api")) == _norm(tag):
            cls = _pascal(module.stem)
            if re.search(rf"^class {cls}\b", module.read_text(), re.MULTILINE):
                return f"from {pkg.name}.api.{module.stem} import {cls}"
    return None


_OURS_OPERATION = re.compile(r"^    def \w+_with_http_info\(", re.MULTILINE)
_OG_OPERATION = re.compile(r"^    def \w+_without_preload_content\(", re.MULTILINE)


def count_operations(tool: str, pkg: Package) -> int:
    """Operations the tool actually generated (openapi-python-client drops some and exits 0)."""
    api = pkg.folder / "api"
    if tool == OPENAPI_PYTHON_CLIENT:
        return sum(1 for p in api.rglob("*.py") if p.stem != "__init__")
    pattern = _OURS_OPERATION if tool == OURS else _OG_OPERATION
    return sum(len(pattern.findall(p.read_text())) for p in api.glob("*.py"))
