"""The command line, through a real subprocess: exit codes, summaries, incremental writes, check, overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SPOT_CONFIG, SPOT_SPEC, run_cli, tree


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """The tests' copy of the project's first spec, without its settings file beside it."""
    folder = tmp_path / "spec"
    folder.mkdir()
    shutil.copy(SPOT_SPEC, folder / "openapi.yaml")
    return folder / "openapi.yaml"


def test_generate_then_noop_then_check(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out)
    assert first.code == 0, first.stderr
    assert "3 operations, 2 models:" in first.stdout
    assert " 0 unchanged, 0 removed" in first.stdout
    assert (out / "binance" / "spot" / "api" / "user_data_stream_api.py").is_file()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    second = run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out)
    assert second.code == 0, second.stderr
    assert "0 files written" in second.stdout and "(0 formatted)" in second.stdout
    assert "(inputs and output unchanged)" in second.stdout  # the no-op path: nothing loaded or rendered
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before  # nothing rewritten

    assert run_cli("check", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out).code == 0
    readme = out / "README.md"
    readme.write_text(readme.read_text() + "hand edit\n")
    drift = run_cli("check", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out)
    assert drift.code == 1
    assert "-hand edit" in drift.stdout and "run `make generate`" in drift.stderr


def test_no_op_cache_never_hides_a_change(spec_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", spec_copy, "--out", out).code == 0
    assert "(inputs and output unchanged)" in run_cli("generate", spec_copy, "--out", out).stdout
    docs = out / "docs" / "APIError.md"
    docs.write_text("edited by hand")  # the output changed: a full run restores it
    restored = run_cli("generate", spec_copy, "--out", out)
    assert "unchanged)" not in restored.stdout and "1 files written" in restored.stdout
    assert docs.read_text().startswith("# APIError")
    spec_copy.write_text(spec_copy.read_text().replace("Close out a user data stream.", "Close it."))
    edited = run_cli("generate", spec_copy, "--out", out)  # the spec changed: a full run
    assert "unchanged)" not in edited.stdout and "Close it." in (out / "docs" / "UserDataStreamApi.md").read_text()
    lenient = run_cli("generate", spec_copy, "--out", out, "--lenient")  # so did the settings
    assert "unchanged)" not in lenient.stdout
    assert not (tmp_path / "out" / ".generator-cache.json").read_text().count("\n") > 1


def test_package_name_comes_from_the_title_without_settings(spec_copy: Path, tmp_path: Path) -> None:
    done = run_cli("generate", spec_copy, "--out", tmp_path / "out")
    assert done.code == 0, done.stderr
    assert (tmp_path / "out" / "binance_spot_api" / "__init__.py").is_file()
    named = run_cli("generate", spec_copy, "--out", tmp_path / "named", "--package-name", "acme.client")
    assert named.code == 0, named.stderr
    assert (tmp_path / "named" / "acme" / "client" / "__init__.py").is_file()
    assert not (tmp_path / "named" / "acme" / "__init__.py").exists()  # a namespace package


def test_stale_files_are_removed_and_ignored_files_kept(spec_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", spec_copy, "--out", out).code == 0
    (out / ".generatorignore").write_text("# hand-written\nnotes/\ndocs/APIError.md\n")
    (out / "notes").mkdir()
    (out / "notes" / "mine.txt").write_text("keep me")
    (out / "docs" / "APIError.md").write_text("my own version")
    text = spec_copy.read_text()
    spec_copy.write_text(text.replace("        - User Data Stream\n", "        - Streams\n"))
    done = run_cli("generate", spec_copy, "--out", out)
    assert done.code == 0, done.stderr
    assert "3 removed" in done.stdout  # the old API's module, docs page and test cases went, nothing else
    assert not (out / "docs" / "UserDataStreamApi.md").exists()
    assert not (out / "binance_spot_api" / "api" / "user_data_stream_api.py").exists()
    assert (out / "docs" / "StreamsApi.md").is_file()
    assert (out / "notes" / "mine.txt").read_text() == "keep me"
    assert (out / "docs" / "APIError.md").read_text() == "my own version"


def test_usage_errors_exit_2_and_touch_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    missing = run_cli("generate", tmp_path / "nope.yaml", "--out", out)
    assert missing.code == 2 and "nope.yaml: error: spec file not found" in missing.stderr
    bad_name = run_cli("generate", SPOT_SPEC, "--out", out, "--package-name", "not-a.package")
    assert bad_name.code == 2 and "is not a dotted Python name" in bad_name.stderr
    no_args = run_cli("generate")
    assert no_args.code == 2 and "usage:" in no_args.stderr
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text('package_name = "x"\ncolour = "blue"\n')
    unknown = run_cli("generate", SPOT_SPEC, "--out", out, "--config", bad_config)
    assert unknown.code == 2 and "unknown setting 'colour'" in unknown.stderr
    assert tree(out) == {"keep.txt": b"x"}
    assert "Traceback" not in missing.stderr + bad_name.stderr + unknown.stderr


def test_user_templates_override_the_built_in_ones(tmp_path: Path) -> None:
    mine = tmp_path / "mine" / "docs"
    mine.mkdir(parents=True)
    (mine / "model.md.jinja").write_text("# {{ model.class_name }} (custom)\n{{ model.description|md }}\n")
    out = tmp_path / "out"
    done = run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out, "--templates", tmp_path / "mine")
    assert done.code == 0, done.stderr
    assert (out / "docs" / "APIError.md").read_text() == "# APIError (custom)\nbinance API error\n"
    assert "# binance.spot.UserDataStreamApi" in (out / "docs" / "UserDataStreamApi.md").read_text()


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ model.description }}\n", "spec text printed without an escaping filter"),
    ("{{ model.no_such_field }}\n", "has no attribute 'no_such_field'"),
    ("{% for %}\n", "template syntax error"),
])
def test_template_bugs_name_the_template_and_leave_output_alone(tmp_path: Path, template: str, expected: str) -> None:
    mine = tmp_path / "mine" / "docs"
    mine.mkdir(parents=True)
    (mine / "model.md.jinja").write_text(template)
    out = tmp_path / "out"
    assert run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out).code == 0
    before = tree(out)
    done = run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out, "--templates", tmp_path / "mine")
    assert done.code == 2
    assert "model.md.jinja:1: error:" in done.stderr and expected in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(out) == before


def test_invalid_python_from_a_template_is_reported_with_the_template(tmp_path: Path) -> None:
    mine = tmp_path / "mine" / "package" / "models"
    mine.mkdir(parents=True)
    (mine / "model.py.jinja").write_text("class {{ model.class_name }}(:\n    pass\n")
    done = run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", tmp_path / "out",
                   "--templates", tmp_path / "mine")
    assert done.code == 2
    assert "package/models/model.py.jinja: error: template produced invalid Python for binance/spot/models/" in done.stderr
    assert not (tmp_path / "out").exists()


def test_validate_command(tmp_path: Path) -> None:
    good = run_cli("validate", SPOT_SPEC)
    assert good.code == 0 and "valid OpenAPI" in good.stdout


@pytest.mark.parametrize("existing", [False, True], ids=["absent", "empty"])
def test_a_new_output_folder_staged_during_validation_is_gone_when_validation_fails(
        spec_copy: Path, tmp_path: Path, existing: bool) -> None:
    # A new folder's files are staged while validation runs; a spec that loads and builds but does
    # not validate must leave no trace of them (nor of the folder, if the run made it).
    text = spec_copy.read_text()
    assert "type: string" in text
    spec_copy.write_text(text.replace("type: string", "type: strin", 1))
    out = tmp_path / "fresh" / "out"
    if existing:
        out.mkdir(parents=True)
    run = run_cli("generate", spec_copy, "--out", out, "--package-name", "binance.spot")
    assert run.code == 1, run.stderr
    assert "error:" in run.stderr and "nothing was written" in run.stderr
    if existing:
        assert out.is_dir() and not any(out.iterdir())
    else:
        assert not (tmp_path / "fresh").exists()
    # The same spec with --lenient generates into the same place.
    lenient = run_cli("generate", spec_copy, "--out", out, "--package-name", "binance.spot", "--lenient")
    assert lenient.code == 0, lenient.stderr
    assert (out / "binance" / "spot" / "__init__.py").is_file()
    assert not [p for p in out.rglob("*") if ".staging." in p.name or p.name.endswith(".tmp")]
