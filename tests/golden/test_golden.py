"""generated/ is the golden record: what the generator makes from spec/, byte for byte, every run."""

from __future__ import annotations

import hashlib

import pytest

from generator import pipeline
from generator import write as write_stage
from generator.config import load_config
from tests.conftest import CONFIG, GENERATED, SPEC, run_cli, tree


def test_generated_folder_is_what_generate_writes() -> None:
    result = pipeline.generate(SPEC, load_config(CONFIG), None, "spec/openapi.yaml")
    todo = write_stage.plan(GENERATED, result.files)
    if todo.changed:
        pytest.fail("generated/ is stale: run `make generate` and commit the result.\n"
                    + write_stage.diff(GENERATED, todo)[:20000])


def _digest(files: dict[str, bytes]) -> str:
    return hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(files.items()))).hexdigest()


def test_output_is_identical_across_runs_and_hash_seeds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    digests = []
    for seed in ("0", "12345"):
        out = tmp_path / f"out-{seed}"
        done = run_cli("generate", "spec/openapi.yaml", "--config", "spec/generator.toml", "--out", out,
                       env={"PYTHONHASHSEED": seed})
        assert done.code == 0, done.stderr
        digests.append(_digest(tree(out)))
    assert digests[0] == digests[1]
    assert digests[0] == _digest({k: v for k, v in tree(GENERATED).items()
                                  if k in tree(tmp_path / "out-0")})
