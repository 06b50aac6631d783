"""write.py when the system refuses a write: the error names the path the user knows (not a staged
name), and moving files in is all or nothing: every file already replaced or removed is put back."""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import pytest

from generator.diagnostics import GenerationError, Kind
from generator.output import write
from tests.conftest import tree


def _files(**texts: str) -> dict[str, str]:
    files = {name.replace("__", "/").replace("_", "."): text for name, text in texts.items()}
    return {**files, write.MANIFEST: write.manifest_text({p: write.digest(t) for p, t in files.items()})}


def test_a_folder_where_a_file_goes_fails_the_move_and_puts_back_what_was_moved(tmp_path: Path) -> None:
    write.apply(tmp_path, write.plan(tmp_path, _files(a_md="old a\n", b_md="old b\n", c_md="old c\n")))
    (tmp_path / "c.md").unlink()
    (tmp_path / "c.md").mkdir()  # sorts after a.md and b.md, which are replaced first
    before = tree(tmp_path)
    todo = write.plan(tmp_path, _files(a_md="new a\n", b_md="new b\n", c_md="new c\n"))
    with pytest.raises(GenerationError) as raised:
        write.apply(tmp_path, todo)
    (problem,) = raised.value.diagnostics
    assert (problem.file, problem.message, problem.kind) == (
        str(tmp_path / "c.md"), "cannot write the output: Is a directory", Kind.OUTPUT)
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [write.MANIFEST, "a.md", "b.md", "c.md"]


def test_removing_a_stale_file_that_cannot_be_removed_puts_back_every_file(tmp_path: Path) -> None:
    write.apply(tmp_path, write.plan(tmp_path, _files(a_md="old a\n", docs__stale_md="stale\n")))
    todo = write.plan(tmp_path, _files(a_md="new a\n"))
    assert todo.remove == ["docs/stale.md"]
    before = tree(tmp_path)
    try:
        made = subprocess.run(["chattr", "+i", str(tmp_path / "docs")], capture_output=True, check=False)
    except FileNotFoundError:
        pytest.skip("chattr is not installed")
    if made.returncode != 0:
        pytest.skip("chattr +i is not allowed here")
    try:
        with pytest.raises(GenerationError) as raised:
            write.apply(tmp_path, todo)
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "docs")], check=True)
    (problem,) = raised.value.diagnostics
    assert problem.file == str(tmp_path / "docs" / "stale.md")
    assert problem.message == "cannot write the output: Operation not permitted"
    assert tree(tmp_path) == before  # a.md and the manifest, replaced before the failure, are back
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted([write.MANIFEST, "a.md", "docs", "stale.md"])


@pytest.mark.parametrize(("named", "shown"), [
    (".a.md.1234.tmp", "a.md"),  # a file staged beside its target
    (".staging.1234.tmp/docs/x.md", "docs/x.md"),  # a file staged in a new folder's staging folder
    (".a.md.1234.bak", "a.md"),  # the old content kept while the new one moves in
])
def test_errors_name_the_file_the_user_knows(tmp_path: Path, named: str, shown: str) -> None:
    exc = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / named))
    (problem,) = write.cannot_write(exc, tmp_path).diagnostics
    assert (problem.file, problem.message) == (str(tmp_path / shown), "cannot write the output: Permission denied")


def test_a_file_on_the_way_to_the_output_is_named(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    exc = NotADirectoryError(errno.ENOTDIR, "Not a directory", str(tmp_path / "a-file" / "out" / "b.md"))
    (problem,) = write.cannot_write(exc, tmp_path / "a-file" / "out").diagnostics
    assert (problem.file, problem.message) == (str(tmp_path / "a-file"),
                                               "cannot write the output: a file is where a folder has to be")
