"""{path: text} -> files in the output folder: only what changed, atomically, stale files removed.

The folder keeps a manifest (`.generator-manifest.json`) of the files this generator made, with the
digest of each: it tells which old files to remove. Paths matched by `.generatorignore` (one glob a
line) are never written nor removed, and neither are the files named in `kept` (a local cache).
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..diagnostics import GenerationError, Kind, error

MANIFEST = ".generator-manifest.json"  # the files a run made, with their digests
IGNORE_FILE = ".generatorignore"  # paths the user keeps, never written nor removed


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


def manifest_text(digests: Mapping[str, str]) -> str:
    """The manifest of the output files whose texts have these digests: json.dumps(manifest,
    indent=2, sort_keys=True), written line by line (json's indenting encoder is Python, and slow
    for 1,500 entries)."""
    lines = ["{", '  "files": {']
    lines += [f'    {json.dumps(path)}: {{\n      "sha256": "{digests[path]}"\n    }},' for path in sorted(digests)]
    if digests:
        lines[-1] = lines[-1][:-1]
        lines.append("  },")
    else:
        lines[-1] = '  "files": {},'
    lines.append(f'  "generator": {json.dumps(_GENERATOR_NAME)}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        raise GenerationError([error(f"refusing to write outside the output folder: {path!r}", str(out),
                                     kind=Kind.OUTPUT)])
    return parts


def plan(out: Path, files: Mapping[str, str], kept: Collection[str] = (),
         same: Collection[str] = ()) -> Plan:
    """What a run would change, without changing anything. `kept`: names the folder keeps that are
    not output (a cache); `same`: files the caller has just read from the folder as they are (so
    they are not read again)."""
    patterns = [*ignore_patterns(out), IGNORE_FILE, *kept]
    result = Plan()
    folder = str(out)
    for path in sorted(files):
        target = os.path.join(folder, *_safe_parts(out, path))
        if is_ignored(path, patterns):
            result.ignored.append(path)
            continue
        text = files[path]
        if path in same:
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
        raise cannot_write(exc, out) from None
    return staged


_STAGED_NAME = re.compile(r"^\.(?:staging\.\d+\.tmp|(.+)\.\d+\.(?:tmp|bak))$")


def cannot_write(exc: OSError, out: Path) -> GenerationError:
    """`PATH: error: cannot write the output: REASON` for a failure to write it: PATH is the file or
    folder the system refused (the target of a rename, and a staged file by the name it was
    staged for), or the first file on the way when a folder on it is a file."""
    named = exc.filename2 if exc.filename2 is not None else exc.filename
    path = Path(os.fsdecode(named)) if isinstance(named, str | bytes) else out
    parts = []
    for part in path.parts:  # a staged name (.NAME.PID.tmp, .staging.PID.tmp) as what it stands for
        match = _STAGED_NAME.match(part)
        if match is None:
            parts.append(part)
        elif match[1] is not None:
            parts.append(match[1])
    path = Path(*parts) if parts else out
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):  # making a folder where a file is
        blocking = next((p for p in reversed((path, *path.parents)) if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            path, reason = blocking, "a file is where a folder has to be"
    return GenerationError([error(f"cannot write the output: {reason}", str(path), kind=Kind.OUTPUT)])


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
            raise cannot_write(exc, self.out) from None
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
        """Each staged file renamed over its target, then the stale files removed; if the system
        refuses one (a read-only or immutable file, a folder where a file goes), every file already
        replaced or removed is put back as it was before the error is raised: the folder is left
        as it was, not half updated. What is replaced is kept as a hard link until the end."""
        backups: list[tuple[Path, Path | None]] = []  # (target, its old content, or None: it was new)
        try:
            for temp, target in self.staged:
                backups.append((target, _backup(target)))
                os.replace(temp, target)
            for path in self.todo.remove:
                target = _safe_target(self.out, path)
                backups.append((target, _backup(target, move=True)))
        except OSError:
            self._put_back(backups)
            raise
        for _, backup in backups:
            if backup is not None:
                with contextlib.suppress(OSError):
                    backup.unlink()
        for path in self.todo.remove:
            parent = _safe_target(self.out, path).parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent

    def _put_back(self, backups: list[tuple[Path, Path | None]]) -> None:
        for target, backup in reversed(backups):
            with contextlib.suppress(OSError):  # cleaning up after a failure: never a second one
                if backup is not None:
                    os.replace(backup, target)
                elif target.is_file():
                    target.unlink()

    def abort(self) -> None:
        if self.done:
            return
        for temp, _ in self.staged:
            with contextlib.suppress(OSError):  # cleaning up after a failure: never a second one
                temp.unlink(missing_ok=True)
        for folder in reversed(self.created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.done = True


def _backup(target: Path, move: bool = False) -> Path | None:
    """The file at target kept under a name beside it (`.NAME.PID.bak`), hard-linked (or moved,
    where the file system has no hard links, or with `move`); None when there is none."""
    backup = target.with_name(f".{target.name}.{os.getpid()}.bak")
    if not move:
        try:
            try:
                os.link(target, backup, follow_symlinks=False)
            except FileExistsError:  # left by a run of the same process id that was killed
                backup.unlink()
                os.link(target, backup, follow_symlinks=False)
            return backup
        except FileNotFoundError:
            return None
        except OSError as exc:
            if os.path.isdir(target) and not os.path.islink(target):  # a folder where the file goes
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target)) from None
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
    try:
        os.replace(target, backup)
    except FileNotFoundError:
        return None
    return backup


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
                with contextlib.suppress(OSError):  # cleaning up after a failure: never a second one
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
