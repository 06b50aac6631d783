"""Edit after edit, `generate` into a folder that keeps its cache's record gives the very files
(CHANGELOG.md and the API record included) and the very messages that it gives into a copy of that
folder whose record is deleted before every run: what the record lets a run skip changes nothing.

Each edit is made to the spec's text, at a line chosen by a fixed random sequence; some edits break
the spec, and then both folders must fail alike.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from generator.incremental import CACHE_FILE
from tests.conftest import run_cli, tree

COVERAGE = Path(__file__).resolve().parent / "specs" / "coverage" / "openapi.yaml"
EDITS = [
    lambda line: line.rstrip("\n") + " edited\n",  # a scalar longer (or a key with a space)
    lambda line: "",  # the line gone
    lambda line: line + line,  # twice
    lambda line: "  " + line,  # indented further
    lambda line: line[2:] if line.startswith("  ") else line,  # less
    lambda line: line.replace(":", "_renamed:", 1),  # a key renamed
    lambda line: line + "# a comment\n",
    lambda line: line + "\n",  # a blank line
    lambda line: line.replace(": ", ': "open ', 1),  # a quote left open
    lambda line: line.rstrip("\n") + "\n" + " " * (len(line) - len(line.lstrip())) + "extra: 1\n",
    lambda line: line.replace("$ref: '#/components/schemas/", "$ref: '#/components/schemas/Missing"),
    lambda line: line.rstrip("\n"),  # joined with the next line
]


def _output(folder: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree(folder).items() if path != CACHE_FILE}


def test_edit_after_edit_a_folder_with_its_record_matches_one_without(tmp_path: Path) -> None:
    spec = tmp_path / "spec" / "openapi.yaml"
    spec.parent.mkdir()
    shutil.copy(COVERAGE, spec)
    quick, slow = tmp_path / "quick", tmp_path / "slow"
    options = ("--package-name", "coverage.client", "--lenient")
    assert run_cli("generate", spec, "--out", quick, *options).code == 0
    shutil.copytree(quick, slow)
    rng = random.Random(20261124)
    original = spec.read_text(encoding="utf-8")
    for step in range(12):
        lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
        index = rng.randrange(len(lines))
        lines[index] = EDITS[rng.randrange(len(EDITS))](lines[index])
        spec.write_text("".join(lines), encoding="utf-8")
        (slow / CACHE_FILE).unlink(missing_ok=True)
        fast_run = run_cli("generate", spec, "--out", quick, *options)
        slow_run = run_cli("generate", spec, "--out", slow, *options)
        assert (fast_run.code, fast_run.stderr) == (slow_run.code, slow_run.stderr), step
        assert _output(quick) == _output(slow), step
        if step % 4 == 3:  # start again from the original now and then: later edits land in a valid spec
            spec.write_text(original, encoding="utf-8")
