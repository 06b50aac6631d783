"""The built-in templates lay code out exactly as black would: the proof behind format.py's fast path.

format.py runs black only on files `black_would_change` flags; every other .py file is written as the
templates laid it out. Here black runs over everything several specs produce, real Binance specs and
hostile text included, and must change none of the files that skipped it.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from generator.config import Config
from generator.emit.format import black_would_change, format_files
from generator.emit.render import render
from generator.model.build import build
from generator.spec.load import load
from tests.conftest import REPO, SPOT_SPEC

SHARED = REPO.parent / "shared" / "specs"
SPECS = {
    "project": SPOT_SPEC,
    "signed": REPO / "tests" / "e2e" / "specs" / "signed" / "openapi.yaml",
    "coverage": REPO / "tests" / "e2e" / "specs" / "coverage" / "openapi.yaml",
    "multi-file": REPO / "tests" / "unit" / "load_cases" / "multi" / "openapi.yaml",
    "binance-spot": SHARED / "binance-spot.openxapi.yaml",
    "binance-umfutures": SHARED / "binance-umfutures.openxapi.yaml",
    # Other APIs' specs: other shapes (long unions, nested subscripts, long docstrings).
    "github": SHARED / "real" / "github.json",
    "openai": SHARED / "real" / "openai.yaml",
    "okx": SHARED / "real" / "okx.yaml",
    "opc-baseline-3.1": SHARED / "real" / "opc-baseline-3.1.yaml",
}


def _black(item: tuple[str, str]) -> tuple[str, bool]:
    import black

    from generator.emit.format import black_mode

    path, text = item
    return path, black.format_str(text, mode=black_mode()) == text


def laid_out_files(spec: Path) -> dict[str, str]:
    loaded = load(spec)
    api, _ = build(loaded.document, Config(package_name="binance.spot"), str(spec), loaded.locate)
    rendered = render(api)
    return {p: t for p, t in rendered.items() if p.endswith(".py") and not black_would_change(t)}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_black_changes_nothing_the_templates_laid_out(name: str) -> None:
    if not SPECS[name].is_file():
        pytest.skip(f"{SPECS[name]} is not here")
    files = laid_out_files(SPECS[name])
    with ProcessPoolExecutor(max_workers=2) as pool:
        changed = [path for path, same in pool.map(_black, files.items(), chunksize=16) if not same]
    assert changed == []
    assert len(files) > 10


def test_hostile_text_keeps_the_layout_black_stable(tmp_path: Path) -> None:
    hostile = "x\"\"\"y \\ ' \" {{ 7*7 }} | <b> \u2028 end\""
    spec = tmp_path / "hostile.yaml"
    spec.write_text(
        "openapi: 3.0.3\n"
        f"info: {{title: {json.dumps(hostile)}, version: '1', description: {json.dumps(hostile)}}}\n"
        "paths:\n  /a/{id}:\n    get:\n      operationId: getA\n"
        f"      summary: {json.dumps(hostile)}\n      description: {json.dumps(hostile)}\n"
        "      parameters:\n        - {name: id, in: path, required: true, schema: {type: string},"
        f" description: {json.dumps(hostile)}, example: {json.dumps(hostile)}}}\n"
        "      responses:\n        '200':\n"
        f"          description: {json.dumps(hostile)}\n"
        "          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}\n"
        "components:\n  schemas:\n    Thing:\n      type: object\n"
        f"      description: {json.dumps(hostile)}\n"
        f"      properties: {{'we\"ird': {{type: string, description: {json.dumps(hostile)}, example: {json.dumps(hostile)}}}}}\n"
    )
    files = laid_out_files(spec)
    assert [path for path, same in map(_black, files.items()) if not same] == []


def test_flagged_files_go_through_black() -> None:
    long_line = "x = [" + ", ".join(str(i) for i in range(60)) + "]\n"
    assert black_would_change(long_line)
    files, formatted = format_files({"a.py": long_line}, {"a.py": "t"}, {"a.py"})
    assert formatted == 1 and files["a.py"].startswith("x = [\n")
    files, formatted = format_files({"b.py": "x = 1\n"}, {"b.py": "t"}, {"b.py"})
    assert formatted == 0
    files, formatted = format_files({"c.py": "x=1\n"}, {"c.py": "t"})
    assert formatted == 1 and files["c.py"] == "x = 1\n"  # not laid out by us: black always runs
