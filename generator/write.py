"""{path: text} -> files in the output folder: only what changed, atomically, stale files removed.

The folder keeps a manifest (`.generator-manifest.json`) of the files this generator made, with hashes of
their formatted and unformatted text: it tells which old files to remove and which need no formatting.
Paths matched by `.generatorignore` (one glob a line) are never written nor removed.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .diagnostics import GenerationError, error
from .format import sha256

MANIFEST = ".generator-manifest.json"
IGNORE_FILE = ".generatorignore"
CACHE_FILE = ".generator-cache.json"  # cache.py's record: local, never part of the output


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


def manifest_text(files: Mapping[str, str], sources: Mapping[str, str]) -> str:
    """The manifest for a set of outputs; `sources` holds the unformatted text of formatted files."""
    entries = {
        path: {"sha256": sha256(text), **({"source_sha256": sha256(sources[path])} if path in sources else {})}
        for path, text in sorted(files.items())
    }
    return json.dumps({"generator": "binance-sdk-generator", "files": entries}, indent=2, sort_keys=True) + "\n"


def reuse_from(out: Path) -> Reuse:
    return Reuse(out, read_manifest(out))


def _as_written(out: Path, path: str, entry: dict[str, str]) -> str | None:
    """The file's text if it is still exactly what the run that recorded `entry` wrote."""
    try:
        text = (out / path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text if sha256(text) == entry.get("sha256") else None


class Reuse:
    """Looks up formatted text of an unchanged source: on disk, untouched since the last run."""

    def __init__(self, out: Path, manifest: dict[str, dict[str, str]]) -> None:
        self.out, self.manifest = out, manifest

    def __call__(self, path: str, source_sha: str) -> str | None:
        entry = self.manifest.get(path)
        if not entry or entry.get("source_sha256") != source_sha:
            return None
        return _as_written(self.out, path, entry)


class Unformatted:
    """render.Previous over an output folder: the text a model file was rendered as last time, if
    its render key is the one recorded then and the file is still what that run wrote (and what it
    rendered: black changed nothing in it)."""

    def __init__(self, out: Path, keys: Mapping[str, str]) -> None:
        self.out, self.keys, self.manifest = out, keys, read_manifest(out) if keys else {}

    def __call__(self, path: str, key: str) -> str | None:
        entry = self.manifest.get(path)
        if self.keys.get(path) != key or not entry:
            return None
        if entry.get("source_sha256", entry.get("sha256")) != entry.get("sha256"):
            return None  # black changed it: the rendered text is not on disk
        return _as_written(self.out, path, entry)


def ignore_patterns(out: Path) -> list[str]:
    try:
        lines = (out / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def is_ignored(path: str, patterns: list[str]) -> bool:
    """gitignore-like: a pattern matches the path or any folder above it; a trailing / means a folder."""
    parts = PurePosixPath(path).parts
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for pattern in patterns:
        pattern = pattern.rstrip("/").lstrip("/")
        if any(fnmatch.fnmatchcase(c, pattern) or fnmatch.fnmatchcase(PurePosixPath(c).name, pattern)
               for c in candidates):
            return True
    return False


def _safe_target(out: Path, path: str) -> Path:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise GenerationError([error(f"refusing to write outside the output folder: {path!r}", str(out))])
    return out.joinpath(*pure.parts)


def plan(out: Path, files: Mapping[str, str]) -> Plan:
    """What a run would change, without changing anything."""
    patterns = [*ignore_patterns(out), IGNORE_FILE, CACHE_FILE]
    result = Plan()
    for path in sorted(files):
        target = _safe_target(out, path)
        if is_ignored(path, patterns):
            result.ignored.append(path)
            continue
        try:
            current = target.read_bytes()
        except OSError:
            current = None
        if current == files[path].encode("utf-8"):
            result.unchanged.append(path)
        else:
            result.write[path] = files[path]
    for path in sorted(read_manifest(out)):
        if path not in files and not is_ignored(path, patterns) and _safe_target(out, path).is_file():
            result.remove.append(path)
    return result


def apply(out: Path, todo: Plan) -> None:
    """Stage every new file next to its target, then rename them all in; undo the staging on failure.

    A new (absent or empty) output folder is written faster: every file straight into one staging
    folder inside it, whose few top-level entries are then renamed into place.
    """
    if not todo.remove and (not out.exists() or (out.is_dir() and not any(out.iterdir()))):
        _apply_fresh(out, todo)
        return
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    present: set[Path] = set()  # folders known to exist: a large output has hundreds of files per folder
    try:
        for path, text in todo.write.items():
            target = _safe_target(out, path)
            if target.parent not in present:
                missing = [p for p in reversed(target.parents) if not p.exists()]
                target.parent.mkdir(parents=True, exist_ok=True)
                created.extend(missing)
                present.update(target.parents)
            temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temp.write_bytes(text.encode("utf-8"))
            staged.append((temp, target))
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise GenerationError([error(f"cannot write the output: {exc}", str(out))]) from None
    for temp, target in staged:
        os.replace(temp, target)
    for path in todo.remove:
        target = _safe_target(out, path)
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def _apply_fresh(out: Path, todo: Plan) -> None:
    made = [p for p in reversed((out, *out.parents)) if not p.exists()]
    staging = out / f".staging.{os.getpid()}.tmp"
    try:
        staging.mkdir(parents=True)
        present: set[Path] = {staging}
        for path, text in todo.write.items():
            target = staging / _safe_target(out, path).relative_to(out)
            if target.parent not in present:
                target.parent.mkdir(parents=True, exist_ok=True)
                present.update(target.parents)
            target.write_bytes(text.encode("utf-8"))
        for entry in sorted(staging.iterdir()):
            os.replace(entry, out / entry.name)
        staging.rmdir()
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        for top in sorted({PurePosixPath(p).parts[0] for p in todo.write}):
            moved = out / top
            if moved.is_dir() and not moved.is_symlink():
                shutil.rmtree(moved, ignore_errors=True)
            else:
                moved.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise GenerationError([error(f"cannot write the output: {exc}", str(out))]) from None


def diff(out: Path, todo: Plan) -> str:
    """A unified diff from what is in the folder to what generate would write."""
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
