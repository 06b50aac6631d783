"""generated/ is the golden record: what the generator makes from spec/, byte for byte, every run."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.config import load_config
from generator.incremental import CACHE_FILE
from generator.output import changelog
from generator.output import write as write_stage
from tests.conftest import CONFIG, GENERATED, REPO, SPEC, run_cli, tree


def _history(folder: Path) -> Path:
    """A folder holding only generated/'s CHANGELOG.md and its record: generate goes on from that
    history."""
    folder.mkdir()
    for kept in (changelog.CHANGELOG, changelog.RECORD):
        if (GENERATED / kept).is_file():
            shutil.copy(GENERATED / kept, folder / kept)
    return folder


def test_generated_folder_is_what_generate_writes(tmp_path: Path) -> None:
    result = pipeline.run(SPEC, load_config(CONFIG), out=_history(tmp_path / "history"), display="spec/openapi.yaml")
    todo = write_stage.plan(GENERATED, result.files)
    if todo.changed:
        pytest.fail("generated/ is stale: run `make generate` and commit the result.\n"
                    + write_stage.diff(GENERATED, todo)[:20000])


def _digest(files: dict[str, bytes]) -> str:
    """The output's digest; the run's local cache is not output (git-ignored, absent from a fresh
    clone until the first `make generate`)."""
    output = {k: v for k, v in files.items() if k != CACHE_FILE}
    return hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(output.items()))).hexdigest()


def test_output_is_identical_across_runs_and_hash_seeds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    digests = []
    for seed in ("0", "12345"):
        out = _history(tmp_path / f"out-{seed}")
        done = run_cli("generate", "spec/openapi.yaml", "--config", "spec/generator.toml", "--out", out,
                       env={"PYTHONHASHSEED": seed})
        assert done.code == 0, done.stderr
        digests.append(_digest(tree(out)))
    assert digests[0] == digests[1]
    assert digests[0] == _digest({k: v for k, v in tree(GENERATED).items()
                                  if k in tree(tmp_path / "out-0")})


def test_the_runtime_in_generated_is_a_copy_of_runtime() -> None:
    """The package ships the runtime as it is developed: runtime/*.py and the profile's folder of it."""
    runtime = REPO / "runtime"
    sources = {p.name: p for p in runtime.glob("*.py") if p.name != "__init__.py"}
    sources.update((p.name, p) for p in (runtime / "binance").glob("*.py"))
    package = GENERATED / "binance" / "spot"
    for name, source in sources.items():
        assert (package / name).read_bytes() == source.read_bytes(), name
    assert not (package / "__init__.py").read_text().startswith('"""The runtime every generated client')
