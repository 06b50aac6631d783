"""{path: text} -> files in the output folder: only what changed, atomically, stale files removed.

The folder keeps a manifest (`.generator-manifest.json`) of the files this generator made, with hashes of
their formatted and unformatted text: it tells which old files to remove and which need no formatting.
Paths matched by `.generatorignore` (one glob a line) are never written nor removed.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .diagnostics import GenerationError, error
from .format import sha256
from .layout import CACHE_FILE as CACHE_FILE
from .layout import IGNORE_FILE as IGNORE_FILE
from .layout import MANIFEST as MANIFEST
from .layout import MEMO_FILE as MEMO_FILE


@dataclass
class Plan:
    write: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.write or self.remove)


def read_manifest(out: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): v for k, v in files.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


_GENERATOR_NAME = "binance-sdk-generator"


def manifest_text(files: Mapping[str, Text], sources: Mapping[str, Text]) -> str:
    """The manifest for a set of outputs; `sources` holds the unformatted text of formatted files.

    It is json.dumps(manifest, indent=2, sort_keys=True), written line by line: json's indenting
    encoder is Python, and slow for 1,500 entries (tests/unit/test_write.py holds the two equal)."""
    lines = ["{", '  "files": {']
    for path in sorted(files):
        lines.append(f"    {json.dumps(path)}: {{")
        if path in sources:
            lines.append(f'      "sha256": "{digest(files[path])}",')
            lines.append(f'      "source_sha256": "{digest(sources[path])}"')
        else:
            lines.append(f'      "sha256": "{digest(files[path])}"')
        lines.append("    },")
    if files:
        lines[-1] = "    }"
        lines.append("  },")
    else:
        lines[-1] = '  "files": {},'
    lines.append(f'  "generator": {json.dumps(_GENERATOR_NAME)}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def reuse_from(out: Path) -> Reuse:
    return Reuse(out, read_manifest(out))


# A file's stamp: size, modification and change times, inode. While it is the one recorded when the
# file was known to hold some text, the file holds that text still: nothing writes a file, renames
# one over it or sets its times without changing its change time (ctime), which no one can set.
Stamp = tuple[int, int, int, int]
# Stamps are kept only for files whose last change is older than this when the stamp is taken: a file
# changed again within the same tick of the file system's clock (kernels tick every 10 ms at worst)
# could keep its times. Such a file is read back next time instead (git's "racily clean" entries).
_RACY_NS = 20_000_000


Stamped = tuple[Stamp, str]  # a stamp and the digest of the text the file held when it was taken


def stamp_of(stat: os.stat_result) -> Stamp:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def _read_stamped(target: str) -> tuple[bytes, Stamp, bool] | None:
    """The file's bytes, its stamp as they were read, and whether that stamp may be kept (the file
    changed long enough before: _RACY_NS); None if it cannot be read."""
    try:
        taken = time.time_ns()
        with open(target, "rb") as stream:
            stat = os.fstat(stream.fileno())
            return stream.read(), stamp_of(stat), _settled_since(stat, taken)
    except OSError:
        return None


def holds(out: Path, path: str, sha: str | None, known: Stamped | None) -> bool:
    """Whether the file is known to hold the text whose digest is `sha`, by its stamp (`known`: the
    one recorded with that digest), without reading it. `path`: one of the output's own."""
    return known is not None and known[1] == sha and _stamp_now(os.path.join(out, path)) == known[0]


def _settled_since(stat: os.stat_result, taken_ns: int) -> bool:
    return max(stat.st_mtime_ns, stat.st_ctime_ns) < taken_ns - _RACY_NS


class Kept:
    """Stands in for the text of an output file that this run would write again as the last run
    wrote it (same render key), while the file's stamp says it is still as written: the text is not
    read back (a one-endpoint edit of Binance Spot keeps 1,460 files). The manifest has its digest;
    plan() checks the stamp once more; `text()` renders it again, for whoever asks to see it."""

    __slots__ = ("_make", "_text", "path", "sha256", "stamp")

    def __init__(self, path: str, sha256: str, stamp: Stamp, make: Callable[[], str]) -> None:
        self.path, self.sha256, self._make = path, sha256, make
        self.stamp: Stamp | None = stamp
        self._text: str | None = None

    def text(self) -> str:
        if self._text is None:
            self._text = self._make()
        return self._text

    def found_in(self, target: str) -> bool:
        """Whether the file at target holds the text all the same (its stamp changed: a copied
        folder, a file touched or written back as it was). Its stamp then becomes the file's, or
        None if the file changed too lately for a stamp to be kept."""
        read = _read_stamped(target)
        if read is None or hashlib.sha256(read[0]).hexdigest() != self.sha256:
            return False
        self.stamp = read[1] if read[2] else None
        return True

    def __repr__(self) -> str:
        return f"Kept({self.path!r}, {self.sha256[:12]})"


Text = str | Kept  # an output file's text, or what stands in for it


def digest(text: Text) -> str:
    return text.sha256 if isinstance(text, Kept) else sha256(text)


class Outputs(Mapping[str, str]):
    """Output path -> text, as a run made them: `raw` may hold Kept files, whose texts are made only
    when asked for (the CLI never asks: it plans and writes from `raw`)."""

    def __init__(self, raw: dict[str, Text]) -> None:
        self.raw = raw

    def __getitem__(self, path: str) -> str:
        text = self.raw[path]
        return text.text() if isinstance(text, Kept) else text

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


# Texts this process read back from an output folder, (out, path) -> (text, the file's stamp then, and
# whether that stamp may be kept): plan() need not read a file again to know that it still holds the
# very text it was read as.
_READ_BACK: dict[tuple[Path, str], tuple[str, Stamp, bool]] = {}


def _as_written(out: Path, path: str, entry: dict[str, str]) -> str | None:
    """The file's text if it is still exactly what the run that recorded `entry` wrote."""
    known = _READ_BACK.get((out, path))
    if known is not None and _still_read_back(out, path, known[0]):  # read once already
        return known[0] if sha256(known[0]) == entry.get("sha256") else None
    read = _read_stamped(os.path.join(out, path))
    if read is None:
        return None
    try:
        text = read[0].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if sha256(text) != entry.get("sha256"):
        return None
    _READ_BACK[(out, path)] = (text, read[1], read[2])
    return text


def _still_read_back(out: Path, path: str, text: str) -> bool:
    known = _READ_BACK.get((out, path))
    if known is None or known[0] is not text:
        return False
    return _stamp_now(os.path.join(out, path)) == known[1]


def _stamp_now(target: str) -> Stamp | None:
    try:
        return stamp_of(os.stat(target))
    except OSError:
        return None


class Reuse:
    """Looks up formatted text of an unchanged source: on disk, untouched since the last run."""

    def __init__(self, out: Path, manifest: dict[str, dict[str, str]]) -> None:
        self.out, self.manifest = out, manifest

    def __call__(self, path: str, source_sha: str) -> str | None:
        entry = self.manifest.get(path)
        if not entry or entry.get("source_sha256") != source_sha:
            return None
        return _as_written(self.out, path, entry)

    def settled(self, path: str, text: str) -> bool:
        """Whether `text` is the very text read back for `path` this run, from a file black changed
        nothing in when it was written (so its formatted text is itself)."""
        known = _READ_BACK.get((self.out, path))
        entry = self.manifest.get(path) or {}
        return (known is not None and known[0] is text
                and entry.get("source_sha256", entry.get("sha256")) == entry.get("sha256"))


class Unformatted:
    """render.Previous over an output folder: the text a file was rendered as last time, if its
    render key is the one recorded then and the file is still what that run wrote (and what it
    rendered: black changed nothing in it). With the file's stamp recorded (`stamps`, see stamps()),
    a Kept stands in for the text instead of reading it."""

    def __init__(self, out: Path, keys: Mapping[str, str], stamps: Mapping[str, Stamped]) -> None:
        self.out, self.keys, self.manifest = out, keys, read_manifest(out) if keys else {}
        self.stamps = stamps

    def __call__(self, path: str, key: str, make: Callable[[], str]) -> Text | None:
        entry = self.manifest.get(path)
        if self.keys.get(path) != key or not entry:
            return None
        if entry.get("source_sha256", entry.get("sha256")) != entry.get("sha256"):
            return None  # black changed it: the rendered text is not on disk
        known = self.stamps.get(path)
        if holds(self.out, path, entry.get("sha256"), known):
            assert known is not None
            return Kept(path, known[1], known[0], make)
        return _as_written(self.out, path, entry)


def stamps(out: Path, files: Mapping[str, Text], todo: Plan) -> dict[str, Stamped]:
    """After a run wrote `todo`: path -> (stamp, digest of the text) of each output file known to hold
    that text, for the next run's Unformatted. A Kept file keeps its stamp; one read back this run has
    the stamp it was read with; the others are looked at now. Files changed too lately are left out."""
    kept: dict[str, Stamped] = {}
    taken = time.time_ns()
    folder = str(out)
    for path in (*todo.unchanged, *todo.write):
        text, written = files[path], path in todo.write
        if isinstance(text, Kept):
            if not written:
                if text.stamp is not None:
                    kept[path] = (text.stamp, text.sha256)
                continue
            text = text.text()
        known = _READ_BACK.get((out, path))
        if known is not None and known[0] is text and not written:
            if known[2]:
                kept[path] = (known[1], sha256(text))
            continue
        try:
            stat = os.stat(os.path.join(folder, *_parts(path)))
        except OSError:
            continue
        if _settled_since(stat, taken) and stat.st_size == len(text.encode("utf-8")):
            kept[path] = (stamp_of(stat), sha256(text))
    return kept


def ignore_patterns(out: Path) -> list[str]:
    try:
        lines = (out / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _parts(path: str) -> tuple[str, ...]:
    """PurePosixPath(path).parts of a relative path, without making one (plan() asks 1,500 times)."""
    return tuple(part for part in path.split("/") if part not in ("", "."))


def is_ignored(path: str, patterns: list[str]) -> bool:
    """gitignore-like: a pattern matches the path or any folder above it; a trailing / means a folder."""
    return _Ignored.of(tuple(patterns))(path)


class _Ignored:
    """is_ignored for one set of patterns, as one regular expression (fnmatch's, case-sensitive), with
    the answer for each folder kept: plan() asks for every file of the output, most in a few folders."""

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def of(patterns: tuple[str, ...]) -> _Ignored:
        return _Ignored(patterns)

    def __init__(self, patterns: tuple[str, ...]) -> None:
        either = "|".join(f"(?:{fnmatch.translate(p.rstrip('/').lstrip('/'))})" for p in patterns)
        self.match: Callable[[str], Any] = re.compile(either, re.DOTALL).match if patterns else lambda _: None
        self.folders: dict[str, bool] = {"": False}

    def __call__(self, path: str) -> bool:
        folder, _, name = "/".join(_parts(path)).rpartition("/")
        return self._matches(folder + "/" + name if folder else name, name) or self._folder(folder)

    def _matches(self, candidate: str, name: str) -> bool:
        return self.match(candidate) is not None or self.match(name) is not None

    def _folder(self, folder: str) -> bool:
        known = self.folders.get(folder)
        if known is None:
            above, _, name = folder.rpartition("/")
            known = self.folders[folder] = self._matches(folder, name) or self._folder(above)
        return known


def _safe_target(out: Path, path: str) -> Path:
    return out.joinpath(*_safe_parts(out, path))


def _safe_parts(out: Path, path: str) -> tuple[str, ...]:
    parts = _parts(path)
    if path.startswith("/") or ".." in parts or not parts:
        raise GenerationError([error(f"refusing to write outside the output folder: {path!r}", str(out))])
    return parts


def plan(out: Path, files: Mapping[str, Text]) -> Plan:
    """What a run would change, without changing anything. A Kept file is unchanged while its
    stamp is the one recorded; else its text is made and compared like any other."""
    patterns = [*ignore_patterns(out), IGNORE_FILE, CACHE_FILE, MEMO_FILE]
    result = Plan()
    folder = str(out)
    for path in sorted(files):
        target = os.path.join(folder, *_safe_parts(out, path))
        if is_ignored(path, patterns):
            result.ignored.append(path)
            continue
        text = files[path]
        if isinstance(text, Kept):
            if _stamp_now(target) == text.stamp or text.found_in(target):
                result.unchanged.append(path)
                continue
            text = text.text()
        elif _still_read_back(out, path, text):
            result.unchanged.append(path)
            continue
        try:
            with open(target, "rb") as stream:
                current: bytes | None = stream.read()
        except OSError:
            current = None
        if current == text.encode("utf-8"):
            result.unchanged.append(path)
        else:
            result.write[path] = text
    for path in sorted(read_manifest(out)):
        if path not in files and not is_ignored(path, patterns) and _safe_target(out, path).is_file():
            result.remove.append(path)
    return result


def apply(out: Path, todo: Plan) -> None:
    """Stage every new file, then move them all into place (see stage)."""
    stage(out, todo).commit()


def stage(out: Path, todo: Plan) -> Staged:
    """Write every new file where the output folder's readers do not look yet; commit() moves them
    into place, abort() removes them. Until commit() the folder's content is as it was: a run may
    stage its output while it waits for validation, and still leave nothing behind if that fails.

    An existing folder gets each file staged next to its target (`.NAME.PID.tmp`), renamed over it
    on commit. A new (absent or empty) one is faster: every file into one staging folder inside it,
    whose few top-level entries are renamed into place on commit.
    """
    staged = _FreshStaging(out, todo) if not todo.remove and is_new(out) else _Staging(out, todo)
    try:
        staged.write()
    except OSError as exc:
        staged.abort()
        raise GenerationError([error(f"cannot write the output: {exc}", str(out))]) from None
    return staged


def is_new(out: Path) -> bool:
    """An output folder that does not exist yet, or is empty."""
    return not out.exists() or (out.is_dir() and not any(out.iterdir()))


class Staged:
    """Files written but not yet in place."""

    def __init__(self, out: Path, todo: Plan) -> None:
        self.out, self.todo = out, todo
        self.done = False

    def write(self) -> None:
        raise NotImplementedError

    def _move_in(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        if self.done:
            return
        try:
            self._move_in()
        except OSError as exc:
            self.abort()
            raise GenerationError([error(f"cannot write the output: {exc}", str(self.out))]) from None
        self.done = True

    def abort(self) -> None:
        raise NotImplementedError


class _Staging(Staged):
    def __init__(self, out: Path, todo: Plan) -> None:
        super().__init__(out, todo)
        self.staged: list[tuple[Path, Path]] = []
        self.created: list[Path] = []

    def write(self) -> None:
        present: set[Path] = set()  # folders known to exist: a large output has hundreds of files per folder
        for path, text in self.todo.write.items():
            target = _safe_target(self.out, path)
            if target.parent not in present:
                missing = [p for p in reversed(target.parents) if not p.exists()]
                target.parent.mkdir(parents=True, exist_ok=True)
                self.created.extend(missing)
                present.update(target.parents)
            temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temp.write_bytes(text.encode("utf-8"))
            self.staged.append((temp, target))

    def _move_in(self) -> None:
        for temp, target in self.staged:
            os.replace(temp, target)
        for path in self.todo.remove:
            target = _safe_target(self.out, path)
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent

    def abort(self) -> None:
        if self.done:
            return
        for temp, _ in self.staged:
            temp.unlink(missing_ok=True)
        for folder in reversed(self.created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.done = True


class _FreshStaging(Staged):
    def __init__(self, out: Path, todo: Plan) -> None:
        super().__init__(out, todo)
        self.made = [p for p in reversed((out, *out.parents)) if not p.exists()]
        self.staging = out / f".staging.{os.getpid()}.tmp"

    def write(self) -> None:
        self.staging.mkdir(parents=True)
        present: set[Path] = {self.staging}
        for path, text in self.todo.write.items():
            target = self.staging / _safe_target(self.out, path).relative_to(self.out)
            if target.parent not in present:
                target.parent.mkdir(parents=True, exist_ok=True)
                present.update(target.parents)
            target.write_bytes(text.encode("utf-8"))

    def _move_in(self) -> None:
        for entry in sorted(self.staging.iterdir()):
            os.replace(entry, self.out / entry.name)
        self.staging.rmdir()

    def abort(self) -> None:
        if self.done:
            return
        import shutil  # here: only a failed run needs it

        shutil.rmtree(self.staging, ignore_errors=True)
        for top in sorted({PurePosixPath(p).parts[0] for p in self.todo.write}):
            moved = self.out / top
            if moved.is_dir() and not moved.is_symlink():
                shutil.rmtree(moved, ignore_errors=True)
            else:
                moved.unlink(missing_ok=True)
        for folder in reversed(self.made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.done = True


def diff(out: Path, todo: Plan) -> str:
    """A unified diff from what is in the folder to what generate would write."""
    import difflib  # here: only `check` needs it

    chunks: list[str] = []
    for path, text in todo.write.items():
        target = out / path
        try:
            old = target.read_text(encoding="utf-8").splitlines(keepends=True)
            label = f"a/{path}"
        except (OSError, UnicodeDecodeError):
            old, label = [], "/dev/null"
        chunks.extend(difflib.unified_diff(old, text.splitlines(keepends=True), label, f"b/{path}"))
    for path in todo.remove:
        old = (out / path).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(old, [], f"a/{path}", "/dev/null"))
    return "".join(chunk if chunk.endswith("\n") else chunk + "\n" for chunk in chunks)
