"""write.py's stamps: a file whose stamp is the one recorded when it was known to hold a text is taken
to hold it still (write.Kept), and is never read back. Every way a file can change under the same name
(rewritten, touched back to its old times, replaced, removed, copied elsewhere) must undo that."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from generator import write
from generator.format import sha256

TEXT = "x = 1\n"
PATH = "pkg/m.py"


def _made(calls: list[str], text: str = TEXT):  # type: ignore[no-untyped-def]
    def make() -> str:
        calls.append(PATH)
        return text
    return make


def _written(out: Path, settle: bool = True) -> dict[str, tuple[write.Stamp, str]]:
    """PATH written as a run writes it (with its manifest), and the stamps that run would record."""
    files = {PATH: TEXT}
    files[write.MANIFEST] = write.manifest_text(files, dict(files))
    todo = write.plan(out, files)
    write.apply(out, todo)
    if settle:
        time.sleep(0.05)  # older than the racy window (write._RACY_NS): its stamp may be kept
    return write.stamps(out, files, todo)


def _previous(out: Path, stamps: dict[str, tuple[write.Stamp, str]]) -> write.Unformatted:
    return write.Unformatted(out, {PATH: "key"}, stamps)


def test_a_settled_file_is_kept_without_being_read(tmp_path: Path) -> None:
    stamps = _written(tmp_path)
    assert set(stamps) == {PATH, write.MANIFEST} and stamps[PATH][1] == sha256(TEXT)
    calls: list[str] = []
    kept = _previous(tmp_path, stamps)(PATH, "key", _made(calls))
    assert isinstance(kept, write.Kept) and kept.sha256 == sha256(TEXT)
    assert write.digest(kept) == sha256(TEXT)
    todo = write.plan(tmp_path, {PATH: kept})
    assert todo.unchanged == [PATH] and not todo.write and calls == []
    # The next run's stamps carry it over; its text is made only when someone asks for it.
    assert write.stamps(tmp_path, {PATH: kept}, todo)[PATH] == stamps[PATH]
    assert write.Outputs({PATH: kept})[PATH] == TEXT and calls == [PATH]


def test_another_key_is_rendered_again(tmp_path: Path) -> None:
    stamps = _written(tmp_path)
    assert _previous(tmp_path, stamps)(PATH, "another key", _made([])) is None


def test_a_file_changed_too_lately_gets_no_stamp(tmp_path: Path) -> None:
    """Changed within a tick of the file system's clock, a file could change again and keep its
    times: it is read back next time instead."""
    stamps = _written(tmp_path, settle=False)
    assert PATH not in stamps
    found = _previous(tmp_path, stamps)(PATH, "key", _made([]))
    assert found == TEXT and not isinstance(found, write.Kept)


@pytest.mark.parametrize("change", ["edited", "edited, times put back", "replaced", "removed"])
def test_any_change_to_the_file_undoes_its_stamp(tmp_path: Path, change: str) -> None:
    stamps = _written(tmp_path)
    target = tmp_path / PATH
    before = target.stat()
    if change == "removed":
        target.unlink()
    elif change == "replaced":  # the same text, another file (an editor saving by rename)
        other = tmp_path / "other.py"
        other.write_text(TEXT)
        os.replace(other, target)
    else:
        target.write_text("x = 2\n")  # same size
        if change == "edited, times put back":
            os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    calls: list[str] = []
    found = _previous(tmp_path, stamps)(PATH, "key", _made(calls))
    if change == "replaced":
        assert found == TEXT and not isinstance(found, write.Kept)  # read back: it holds the text
    else:
        assert found is None  # not what the last run wrote: rendered again
    assert calls == []


@pytest.mark.parametrize("change", ["edited", "touched", "removed"])
def test_a_file_changed_after_it_was_kept_is_planned_by_its_text(tmp_path: Path, change: str) -> None:
    """Between the render and the plan a Kept file may change too: plan() looks at its stamp again."""
    stamps = _written(tmp_path)
    calls: list[str] = []
    kept = _previous(tmp_path, stamps)(PATH, "key", _made(calls))
    assert isinstance(kept, write.Kept)
    target = tmp_path / PATH
    if change == "removed":
        target.unlink()
    elif change == "touched":
        os.utime(target, ns=(1, 1))  # another stamp, the same text: read once, not written
        time.sleep(0.05)  # its new stamp may be kept (else it is read back next time too)
    else:
        target.write_text("x = 2\n")
    todo = write.plan(tmp_path, {PATH: kept})
    if change == "touched":
        assert todo.unchanged == [PATH] and calls == []
        assert write.stamps(tmp_path, {PATH: kept}, todo)[PATH] == (write.stamp_of(target.stat()), sha256(TEXT))
    else:
        assert todo.write == {PATH: TEXT} and calls == [PATH]
        write.apply(tmp_path, todo)
        assert target.read_text() == TEXT


def test_a_copied_folder_is_read_back_not_trusted(tmp_path: Path) -> None:
    stamps = _written(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    found = _previous(tmp_path / "b", stamps)(PATH, "key", _made([]))
    assert found == TEXT and not isinstance(found, write.Kept)


def test_a_stamp_for_another_text_is_not_used(tmp_path: Path) -> None:
    """A stamp counts only with the digest it was recorded with, which must be the manifest's."""
    stamps = _written(tmp_path)
    wrong = {PATH: (stamps[PATH][0], sha256("something else"))}
    found = _previous(tmp_path, wrong)(PATH, "key", _made([]))
    assert found == TEXT and not isinstance(found, write.Kept)
