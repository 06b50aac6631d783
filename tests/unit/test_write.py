"""write.py: plans, atomic application, the manifest, the ignore file, refusal to leave the folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diagnostics import GenerationError
from generator.output import write


def files_with_manifest(files: dict[str, str]) -> dict[str, str]:
    return {**files, write.MANIFEST: write.manifest_text({path: write.digest(text) for path, text in files.items()})}


def test_plan_and_apply_write_only_what_changed(tmp_path: Path) -> None:
    first = files_with_manifest({"a.py": "a = 1\n", "pkg/b.md": "# b\n"})
    write.apply(tmp_path, write.plan(tmp_path, first))
    assert (tmp_path / "pkg" / "b.md").read_text() == "# b\n"
    second = files_with_manifest({"a.py": "a = 2\n", "pkg/b.md": "# b\n"})
    todo = write.plan(tmp_path, second)
    assert sorted(todo.write) == [write.MANIFEST, "a.py"] and todo.unchanged == ["pkg/b.md"]
    assert "-a = 1\n+a = 2\n" in write.diff(tmp_path, todo)


def test_stale_files_from_the_manifest_are_removed_with_empty_folders(tmp_path: Path) -> None:
    write.apply(tmp_path, write.plan(tmp_path, files_with_manifest({"keep.py": "", "old/gone.py": ""})))
    (tmp_path / "users-own.txt").write_text("not in the manifest: never removed")
    todo = write.plan(tmp_path, files_with_manifest({"keep.py": ""}))
    assert todo.remove == ["old/gone.py"]
    write.apply(tmp_path, todo)
    assert not (tmp_path / "old").exists()
    assert (tmp_path / "users-own.txt").exists()


def test_ignored_paths_are_neither_written_nor_removed(tmp_path: Path) -> None:
    write.apply(tmp_path, write.plan(tmp_path, files_with_manifest({"README.md": "ours", "docs/A.md": "a"})))
    (tmp_path / write.IGNORE_FILE).write_text("README.md\n# a comment\ndocs/\n")
    (tmp_path / "README.md").write_text("theirs")
    todo = write.plan(tmp_path, files_with_manifest({"README.md": "ours, new"}))
    assert sorted(todo.ignored) == ["README.md"] and todo.remove == []
    write.apply(tmp_path, todo)
    assert (tmp_path / "README.md").read_text() == "theirs"
    assert (tmp_path / "docs" / "A.md").read_text() == "a"


@pytest.mark.parametrize("path", ["../escape.py", "/etc/passwd", "a/../../b"])
def test_paths_outside_the_folder_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(GenerationError, match="outside the output folder"):
        write.plan(tmp_path / "out", {path: "x"})


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    write.apply(tmp_path, write.plan(tmp_path, {"a.txt": "old"}))
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where a folder would have to be")
    todo = write.plan(tmp_path, {"a.txt": "new", "blocked/inner.txt": "x"})
    with pytest.raises(GenerationError, match="cannot write the output"):
        write.apply(tmp_path, todo)
    assert (tmp_path / "a.txt").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "blocked"]


@pytest.mark.parametrize("existing", [False, True], ids=["absent", "empty"])
def test_a_new_output_folder_is_written_whole_or_not_at_all(tmp_path: Path, existing: bool) -> None:
    out = tmp_path / "new" / "out"
    if existing:
        out.mkdir(parents=True)
    files = {"a.txt": "a", "pkg/sub/b.py": "b = 1\n", "docs/c.md": "# c\n"}
    write.apply(out, write.plan(out, files))
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(files)
    assert (out / "pkg" / "sub" / "b.py").read_text() == "b = 1\n"

    other = tmp_path / "other" / "out"
    if existing:
        other.mkdir(parents=True)
    long_name = "x" * 300  # longer than a file name may be: the write fails half-way
    with pytest.raises(GenerationError, match="cannot write the output"):
        write.apply(other, write.plan(other, {"a.txt": "a", f"z/{long_name}.txt": "z"}))
    assert (other.exists(), list(other.iterdir()) if other.exists() else []) == (existing, [])
    assert (tmp_path / "other").exists() == existing


@settings(max_examples=200, deadline=None)
@given(paths=st.lists(st.text(min_size=1, max_size=12), max_size=6, unique=True), data=st.data())
def test_the_manifest_is_what_json_dumps_writes(paths: list[str], data: st.DataObject) -> None:
    digests = {path: write.digest(data.draw(st.text(max_size=5))) for path in paths}
    expected = {"generator": "binance-sdk-generator", "files": {path: {"sha256": sha} for path, sha in digests.items()}}
    assert write.manifest_text(digests) == json.dumps(expected, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize(("path", "ignored"), [
    ("README.md", True), ("docs/A.md", True), ("pkg/docs/A.md", True), ("pkg/a.py", False),
    ("pkg/build/x.py", True), ("x.generated.txt", True), ("pkg/y.generated.txt", True), ("docsx/A.md", False),
])
def test_ignore_patterns_match_a_path_or_any_folder_above_it(path: str, ignored: bool) -> None:
    patterns = ["README.md", "docs/", "pkg/build", "*.generated.txt"]
    assert write.is_ignored(path, patterns) is ignored
    assert write.is_ignored(path, patterns) is ignored  # the folder's answer, kept, is the same
