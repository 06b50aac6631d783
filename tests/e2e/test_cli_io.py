"""The command line's edges, through real subprocesses: an output that cannot be written (exit 2, the
path named, no traceback, the folder as it was), --version and the name usage gives the command,
`templates` (copies of the built-in files to edit), misnamed override files, and `diff` refusing
specs with errors.

The tests run as root, which ignores permission bits: the unwritable outputs here are ones root
cannot write either (a file where a folder has to be, a folder where a file goes, and, where the
file system allows `chattr +i`, an immutable file or folder)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, Completed, run_cli, tree

CACHE = ".generator-cache.json"
SPEC = """\
openapi: 3.0.3
info: {title: Small Shop, version: "1.0"}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Item"}
components:
  schemas:
    Item:
      type: object
      properties:
        id: {type: integer}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec" / "openapi.yaml"
    path.parent.mkdir()
    path.write_text(SPEC)
    return path


def _failed_cleanly(done: Completed, code: int = 2) -> None:
    assert done.code == code, done.stderr
    assert "Traceback" not in done.stderr


# -- an output that cannot be written -------------------------------------------------------------

def test_an_output_below_a_file_is_named_and_nothing_is_made(spec: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    done = run_cli("generate", spec, "--out", blocker / "out" / "deeper")
    _failed_cleanly(done)
    assert done.stderr == f"{blocker}: error: cannot write the output: a file is where a folder has to be\n"
    assert blocker.read_text() == "not a folder\n"


def test_a_folder_where_an_output_file_goes_is_named_and_the_rest_left_as_it_was(
        spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", spec, "--out", out).code == 0
    (out / "README.md").unlink()
    (out / "README.md").mkdir()  # a folder where the generator has to write a file
    spec.write_text(SPEC.replace("Small Shop", "Small Shop Two"))  # every file changes
    before = tree(out)
    done = run_cli("generate", spec, "--out", out, "--package-name", "small_shop")
    _failed_cleanly(done)
    assert f"{out / 'README.md'}: error: cannot write the output: Is a directory\n" in done.stderr
    assert tree(out) == before
    assert not [p for p in out.rglob(".*.tmp")] and not [p for p in out.rglob(".*.bak")]


@contextlib.contextmanager
def _immutable(path: Path) -> Iterator[None]:
    """`chattr +i` (even root cannot change the file or folder) for the block; skip the test where
    the file system or the container does not allow it."""
    try:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("chattr is not installed")
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not allowed here: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_immutable_file_in_the_output_leaves_every_file_as_it_was(spec: Path, tmp_path: Path) -> None:
    # pyproject.toml (its description is the title's) sorts after other files the new title changes
    # (the changelog, the manifest), which the run has replaced when it fails: they are put back.
    out = tmp_path / "out"
    assert run_cli("generate", spec, "--out", out).code == 0
    spec.write_text(SPEC.replace("Small Shop", "Small Shop Two"))
    before = tree(out)
    with _immutable(out / "pyproject.toml"):
        done = run_cli("generate", spec, "--out", out, "--package-name", "small_shop")
    _failed_cleanly(done)
    assert done.stderr == f"{out / 'pyproject.toml'}: error: cannot write the output: Operation not permitted\n"
    assert tree(out) == before
    assert not [p for p in out.rglob(".*.tmp")] and not [p for p in out.rglob(".*.bak")]


def test_an_immutable_output_folder_is_named(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with _immutable(out):
        done = run_cli("generate", spec, "--out", out)
    _failed_cleanly(done)
    assert done.stderr == f"{out}: error: cannot write the output: Operation not permitted\n"
    assert tree(out) == {}


def test_a_spec_that_cannot_be_read_is_an_io_error(tmp_path: Path) -> None:
    # /proc/self/mem is a file that every read of fails (EIO), root's included.
    done = run_cli("validate", "/proc/self/mem")
    _failed_cleanly(done)
    assert done.stderr == "/proc/self/mem: error: cannot read the file: Input/output error\n"


# -- --version and the command's name -------------------------------------------------------------

def test_version_is_the_projects(tmp_path: Path) -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    done = run_cli("--version", cwd=tmp_path)
    assert done.code == 0, done.stderr
    # Run from the checkout, not installed: pyproject.toml's version, said to be so.
    assert done.stdout == f"binance-sdk-generator {declared} (not installed)\n"


def test_usage_names_the_command_as_it_was_run() -> None:
    done = run_cli()
    assert done.code == 2
    assert done.stderr.startswith("usage: python -m generator [-h] [--version] COMMAND ...\n")
    assert "python -m generator: error: the following arguments are required: COMMAND" in done.stderr


# -- templates: copies of the built-in files ------------------------------------------------------

def test_templates_copies_every_overridable_file_at_the_name_it_is_read_by(spec: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    done = run_cli("templates", "--out", mine)
    assert done.code == 0, done.stderr
    listed = run_cli("templates", "--list").stdout.split()
    copied = sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*") if p.is_file())
    # Every template, and the runtime every package ships; not a profile's own runtime files (a user's
    # runtime/ adds its files to packages of every profile).
    assert copied == sorted(name for name in listed if not name.startswith("runtime/")
                            or (REPO / "runtime" / name.removeprefix("runtime/")).is_file())
    assert "docs/model.md.jinja" in copied and "runtime/rest.py" in copied and "runtime/auth.py" not in copied
    assert "runtime/auth.py" in listed
    assert not [name for name in listed if "__pycache__" in name or name.startswith("runtime/tests/")]
    assert (mine / "docs" / "model.md.jinja").read_bytes() == (REPO / "templates/docs/model.md.jinja").read_bytes()
    assert f"{len(copied)} files copied into {mine}." in done.stdout
    # The whole copy, unedited, is a valid template folder that makes the same output as none.
    plain, overridden = tmp_path / "plain", tmp_path / "overridden"
    assert run_cli("generate", spec, "--out", plain).code == 0
    with_copy = run_cli("generate", spec, "--out", overridden, "--templates", mine)
    assert with_copy.code == 0, with_copy.stderr
    assert {**tree(overridden), CACHE: b""} == {**tree(plain), CACHE: b""}  # the record names its inputs


def test_templates_only_copies_the_files_and_folders_named(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    done = run_cli("templates", "--out", mine, "--only", "docs/model.md.jinja", "macros", "runtime/rest.py",
                   "runtime/auth.py")
    assert done.code == 0, done.stderr
    assert sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*") if p.is_file()) == sorted(
        ["docs/model.md.jinja", "runtime/rest.py", "runtime/auth.py",
         *(f"macros/{p.name}" for p in (REPO / "templates" / "macros").iterdir() if p.is_file())])
    # A profile's runtime file, at the name a user's runtime/ replaces it by.
    assert (mine / "runtime" / "auth.py").read_bytes() == (REPO / "runtime/binance/auth.py").read_bytes()


def test_templates_refuses_unknown_names_and_existing_files_and_copies_nothing(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    unknown = run_cli("templates", "--out", mine, "--only", "docs/modle.md.jinja", "runtime/rest.py")
    _failed_cleanly(unknown)
    assert ("--only: error: no built-in template or runtime file is named docs/modle.md.jinja "
            "(did you mean docs/model.md.jinja?)\n") in unknown.stderr
    assert not mine.exists()

    (mine / "docs").mkdir(parents=True)
    (mine / "docs" / "model.md.jinja").write_text("my edits\n")
    existing = run_cli("templates", "--out", mine, "--only", "docs")
    _failed_cleanly(existing)
    assert (f"{mine / 'docs' / 'model.md.jinja'}: error: exists; not overwritten: remove it, or copy into "
            "another folder\n") in existing.stderr
    assert tree(mine) == {"docs/model.md.jinja": b"my edits\n"}

    neither = run_cli("templates")
    assert neither.code == 2
    assert neither.stderr.startswith("usage: python -m generator ")
    assert neither.stderr.endswith("python -m generator: error: templates: --out DIR is required (or --list)\n")


# -- a misnamed override file ---------------------------------------------------------------------

def test_a_misnamed_override_file_is_an_error_naming_the_file_meant(spec: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "docs").mkdir(parents=True)
    (mine / "runtime" / "binance").mkdir(parents=True)
    shutil.copy(REPO / "templates" / "docs" / "model.md.jinja", mine / "docs" / "modle.md.jinja")
    shutil.copy(REPO / "runtime" / "binance" / "auth.py", mine / "runtime" / "binance" / "auth.py")
    (mine / ".model.md.jinja.swp").write_text("an editor's file: not anyone's template")
    out = tmp_path / "out"
    done = run_cli("generate", spec, "--out", out, "--templates", mine)
    _failed_cleanly(done)
    assert done.stderr == (
        f"{mine / 'docs' / 'modle.md.jinja'}: error: docs/modle.md.jinja replaces nothing: no built-in "
        "template or runtime file has this name (did you mean docs/model.md.jinja?)\n"
        f"{mine / 'runtime' / 'binance' / 'auth.py'}: error: runtime/binance/auth.py replaces nothing: no "
        "built-in template or runtime file has this name (did you mean runtime/auth.py?)\n")
    assert not out.exists()


# -- diff refuses specs with errors ---------------------------------------------------------------

def test_diff_of_an_invalid_spec_exits_1_with_every_error_of_both(spec: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(SPEC.replace("type: integer", "type: int"))
    new = tmp_path / "new.yaml"
    new.write_text(SPEC.replace("operationId: listItems\n", "operationId: listItems\n      parameters:\n"
                                "        - {name: q, in: querry, schema: {type: string}}\n"))
    done = run_cli("diff", old, new)
    _failed_cleanly(done, code=1)
    assert done.stdout == ""
    assert done.stderr == (
        f"{old}:18:20: error: 'int' is not one of ['array', 'boolean', 'integer', 'number', 'object', "
        "'string'] (at #/components/schemas/Item/properties/id/type)\n"
        f"{new}:8:25: error: 'querry' is not one of ['path', 'query', 'header', 'cookie'] "
        "(at #/paths/~1items/get/parameters/0/in)\n"
        f"{old}: 1 error; {new}: 1 error; nothing was compared. Fix them, or pass --lenient to compare anyway.\n")

    lenient = run_cli("diff", old, new, "--lenient")
    assert lenient.code == 0, lenient.stderr
    assert lenient.stdout.startswith(f"# API changes: `{old}` -> `{new}`\n")
    assert ": warning: 'querry' is not one of" in lenient.stderr
