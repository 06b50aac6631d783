"""Incremental generation: a run in a folder an earlier run wrote reuses what that run recorded (which
path items validated to what, which model files were rendered from what) and gives exactly the files
a full run gives."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import cache, pipeline, render
from generator import write as write_stage
from generator.config import Config

FUTURES = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "binance-umfutures.openxapi.yaml"
CONFIG = Config(package_name="binance.futures", lenient=True)
pytestmark = pytest.mark.skipif(not FUTURES.is_file(), reason="../shared/specs is not on this machine")


def _run(spec: Path, out: Path, incremental: bool) -> tuple[pipeline.Result, list[str]]:
    """Generate as `generate` does (write, then record the cache); returns the templates rendered."""
    rendered: list[str] = []
    real = render.Renderer.render

    def spy(self: render.Renderer, template: str, **context: Any) -> str:
        rendered.append(template)
        return real(self, template, **context)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render.Renderer, "render", spy)
        result = pipeline.generate(spec, CONFIG, out if out.is_dir() else None, incremental=incremental)
    return result, rendered


def _write(out: Path, spec: Path, result: pipeline.Result) -> None:
    todo = write_stage.plan(out, result.files.raw)
    write_stage.apply(out, todo)
    assert result.build_memo is not None
    pipeline.keep(out, cache.fingerprint(spec, CONFIG), result, todo)


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def generated(tmp_path: Path) -> tuple[Path, Path]:
    spec = tmp_path / "spec" / "futures.yaml"
    spec.parent.mkdir()
    shutil.copy(FUTURES, spec)
    out = tmp_path / "out"
    result, _ = _run(spec, out, incremental=True)
    _write(out, spec, result)
    return spec, out


def test_an_operation_edit_renders_no_model_and_gives_what_a_full_run_gives(generated: tuple[Path, Path]) -> None:
    spec, out = generated
    _edit(spec, "summary: Account Information V3(USER_DATA)", "summary: Account Information V3 (edited)")
    previous = cache.build_memo(out, cache.code_digest(CONFIG))
    incremental, rendered = _run(spec, out, incremental=True)
    full, rendered_in_full = _run(spec, out, incremental=False)
    assert incremental.files == full.files
    assert incremental.diagnostics == full.diagnostics
    models = len(full.api.models)
    assert rendered_in_full.count("package/models/model.py.jinja") == models > 100
    assert [t for t in rendered if t.endswith(("model.py.jinja", "model.md.jinja"))] == []
    # One API class rendered again, and of the build only the edited operation made again.
    assert rendered.count("package/api/api.py.jinja") == 1
    assert incremental.build_memo is not None and previous is not None
    made = [key for key, record in incremental.build_memo.records.items() if previous.records.get(key) != record]
    assert [key[:3] for key in made] == [("operation", "/fapi/v3/account", "get")]


def test_a_changed_schema_is_rendered_again(generated: tuple[Path, Path]) -> None:
    spec, out = generated
    full_before, _ = _run(spec, out, incremental=False)
    model = next(m for m in full_before.api.models if m.description and len(m.fields) > 1)
    _edit(spec, f"description: {model.description}", "description: Edited by the test")
    incremental, rendered = _run(spec, out, incremental=True)
    full, _ = _run(spec, out, incremental=False)
    assert incremental.files == full.files
    assert rendered.count("package/models/model.py.jinja") == 1


def test_a_model_file_edited_by_hand_is_rendered_again(generated: tuple[Path, Path]) -> None:
    spec, out = generated
    full, _ = _run(spec, out, incremental=False)
    path = next(p for p in sorted(full.files) if "/models/" in p and not p.endswith("__init__.py"))
    (out / path).write_text("# changed by hand\n", encoding="utf-8")
    incremental, rendered = _run(spec, out, incremental=True)
    assert incremental.files == full.files
    assert rendered.count("package/models/model.py.jinja") == 1


def test_other_settings_render_everything(generated: tuple[Path, Path]) -> None:
    spec, out = generated
    other = Config(package_name="binance.other", lenient=True)
    result = pipeline.generate(spec, other, out, incremental=True)
    assert result.files == dict(pipeline.generate(spec, other).files) | {
        k: v for k, v in result.files.items() if k in ("CHANGELOG.md", ".generator-api.json", write_stage.MANIFEST)}


def test_the_build_memo_loads_nothing_but_the_model(generated: tuple[Path, Path], tmp_path: Path) -> None:
    """A pickle may name any function to call when loaded: a planted memo must not run it."""
    _, out = generated
    code = cache.code_digest(CONFIG)
    assert cache.build_memo(out, code) is not None
    assert cache.build_memo(out, "another generator") is None
    memo_file = out / write_stage.MEMO_FILE
    header = memo_file.read_bytes().split(b"\n", 2)
    marker = tmp_path / "ran"
    memo_file.write_bytes(header[0] + b"\n" + header[1] + b"\n" + pickle.dumps(_Planted(str(marker))))
    assert cache.build_memo(out, code) is None
    assert not marker.exists()
    memo_file.write_bytes(b"garbage")
    assert cache.build_memo(out, code) is None


class _Planted:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path(self.marker).touch, ())
