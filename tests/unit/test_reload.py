"""Loading again after an edit (reload.py): parsing only the entry that changed gives exactly what a
full load gives (the document, every node's position, the errors), edit after edit; or it declines and
the full load runs.

Edits are made to the text, line by line, anywhere: values changed, lines deleted, doubled, indented,
keys renamed, comments, anchors and aliases added, quotes left open.
"""

from __future__ import annotations

import marshal
import os
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator import load as load_stage
from generator import reload
from generator.diagnostics import GenerationError
from generator.memo import entries
from generator.yaml_source import parse_source

COVERAGE = Path(__file__).resolve().parents[1] / "e2e" / "specs" / "coverage" / "openapi.yaml"
SPOT = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "binance-spot.openxapi.yaml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20")) * 5
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])

EDITS = [
    lambda line: line.rstrip("\n") + " edited\n",  # a scalar longer (or a key with a space)
    lambda line: "",  # the line gone
    lambda line: line + line,  # twice
    lambda line: "  " + line,  # indented further
    lambda line: line[2:] if line.startswith("  ") else line,  # less
    lambda line: line.replace(":", "_renamed:", 1),  # a key renamed
    lambda line: line + "# a comment\n",
    lambda line: line + "\n",  # a blank line
    lambda line: line.rstrip("\n") + " &anchor\n",
    lambda line: line.replace(": ", ": *anchor ", 1),
    lambda line: line.replace(": ", ': "open ', 1),  # a quote left open
    lambda line: line.replace(": ", ": !!str ", 1),
    lambda line: line.rstrip("\n") + "\n" + " " * (len(line) - len(line.lstrip())) + "extra: 1\n",
    lambda line: line.replace("$ref: '#/components/schemas/", "$ref: '#/components/schemas/Missing"),
    lambda line: line.rstrip("\n"),  # joined with the next line
]


def _same(memo: reload.LoadMemo, path: Path) -> reload.LoadMemo | None:
    """Load path with and without the memo; assert the same result; the next memo (None if none)."""
    try:
        full = load_stage.load(path, "spec.yaml")
    except GenerationError as exc:
        with pytest.raises(GenerationError) as again:
            load_stage.load(path, "spec.yaml", pickle.loads(pickle.dumps(memo)))
        assert [str(d) for d in again.value.diagnostics] == [str(d) for d in exc.diagnostics]
        return None
    quick = load_stage.load(path, "spec.yaml", pickle.loads(pickle.dumps(memo)))
    assert marshal.dumps(quick.document, 2) == marshal.dumps(full.document, 2)
    if quick.changed is not None:  # loaded again: every entry but those named has the value it had
        assert entries(quick.document, (entries(memo.document), quick.changed)) == entries(full.document)
    assert quick.files == full.files
    source, _ = parse_source(path.read_bytes(), "spec.yaml")
    assert source is not None
    for pointer in [*source.values, "#/nowhere", "#/paths/~1none/get"]:
        assert quick.locate(pointer) == full.locate(pointer), pointer
        assert quick.locate_key(pointer) == full.locate_key(pointer), pointer
    kept = quick.memo()
    assert kept is not None
    assert kept.spans == reload.spans_of(path.read_bytes(), full.document, source.keys)
    assert sorted(kept.refs) == sorted(full.memo().refs)  # type: ignore[union-attr]
    return kept


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, len(EDITS) - 1)), min_size=1, max_size=4))
def test_an_edited_spec_loads_as_a_full_load_does(tmp_path_factory: pytest.TempPathFactory,
                                                   edits: list[tuple[int, int]]) -> None:
    path = tmp_path_factory.mktemp("reload") / "openapi.yaml"
    path.write_bytes(COVERAGE.read_bytes())
    memo = load_stage.load(path, "spec.yaml").memo()
    assert memo is not None
    for where, how in edits:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        index = where % len(lines)
        lines[index] = EDITS[how](lines[index])
        path.write_text("".join(lines), encoding="utf-8")
        kept = _same(memo, path)
        if kept is None:
            return
        memo = kept


def test_an_edit_inside_one_path_item_parses_only_that_one(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    text = COVERAGE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    memo = load_stage.load(path, "spec.yaml").memo()
    assert memo is not None
    line = next(line for line in text.splitlines() if line.strip().startswith("summary:"))
    path.write_text(text.replace(line, line + " (edited)", 1), encoding="utf-8")
    quick = load_stage.load(path, "spec.yaml", memo)
    assert quick.reload_memo is not None and quick.reload_memo is not memo
    assert quick.document is memo.document  # the same objects, one entry replaced
    _same(load_stage.load(COVERAGE, "spec.yaml").memo(), COVERAGE)  # type: ignore[arg-type]


@pytest.mark.skipif(not SPOT.is_file(), reason="../shared/specs is not on this machine")
@settings(SETTINGS, max_examples=max(1, EXAMPLES // 10))
@given(st.integers(0, 10**6), st.integers(0, len(EDITS) - 1))
def test_an_edited_spot_loads_as_a_full_load_does(tmp_path_factory: pytest.TempPathFactory, where: int,
                                                  how: int) -> None:
    path = tmp_path_factory.mktemp("spot") / "spot.yaml"
    lines = SPOT.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines), encoding="utf-8")
    memo = _spot_memo(path)
    index = where % len(lines)
    lines[index] = EDITS[how](lines[index])
    path.write_text("".join(lines), encoding="utf-8")
    _same(memo, path)


_SPOT_MEMO: list[bytes] = []


def _spot_memo(path: Path) -> reload.LoadMemo:
    if not _SPOT_MEMO:
        _SPOT_MEMO.append(pickle.dumps(load_stage.load(path, "spec.yaml").memo()))
    return pickle.loads(_SPOT_MEMO[0])
