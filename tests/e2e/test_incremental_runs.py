"""Edit after edit, `generate` into a folder that keeps its cache gives the very files (CHANGELOG.md and
the API record included) and the very messages that it gives into a copy of that folder whose build
memo is deleted before every run: the incremental load (reload.py), the replayed build (memo.py),
the kept parts of tests/cases.py and the reused changelog entries change nothing.

Each edit is made to the spec's text, at a line chosen by a fixed random sequence, in one of the
ways tests/unit/test_reload.py edits (some break the spec: both folders must fail alike).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from generator import cache
from generator import write as write_stage
from generator.config import Config
from tests.conftest import run_cli, tree
from tests.unit.test_reload import COVERAGE, EDITS

CACHES = (write_stage.CACHE_FILE, write_stage.MEMO_FILE)


def _output(folder: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree(folder).items() if path not in CACHES}


def test_edit_after_edit_an_incremental_folder_matches_one_without_a_memo(tmp_path: Path) -> None:
    spec = tmp_path / "spec" / "openapi.yaml"
    spec.parent.mkdir()
    shutil.copy(COVERAGE, spec)
    quick, slow = tmp_path / "quick", tmp_path / "slow"
    options = ("--package-name", "coverage.client", "--lenient")
    assert run_cli("generate", spec, "--out", quick, *options).code == 0
    shutil.copytree(quick, slow)
    code = cache.code_digest(Config(package_name="coverage.client", lenient=True))
    rng = random.Random(20261124)
    original = spec.read_text(encoding="utf-8")
    for step in range(12):
        lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
        index = rng.randrange(len(lines))
        lines[index] = EDITS[rng.randrange(len(EDITS))](lines[index])
        spec.write_text("".join(lines), encoding="utf-8")
        (slow / write_stage.MEMO_FILE).unlink(missing_ok=True)
        fast_run = run_cli("generate", spec, "--out", quick, *options)
        slow_run = run_cli("generate", spec, "--out", slow, *options)
        assert (fast_run.code, fast_run.stderr) == (slow_run.code, slow_run.stderr), step
        assert _output(quick) == _output(slow), step
        if fast_run.code == 0:  # the memo the next run starts from: this spec, as this run read it
            kept = cache.build_memo(quick, code)
            assert kept is not None and kept.load is not None, step
            assert kept.load.raw == spec.read_bytes(), step
        if step % 4 == 3:  # start again from the original now and then: later edits land in a valid spec
            spec.write_text(original, encoding="utf-8")
