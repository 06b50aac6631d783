"""Spec folder + settings + generator -> a fingerprint: when it and the output are as the last run left
them, `generate` has nothing to do and says so without loading, validating or rendering anything.

The record lives in the output folder as `.generator-cache.json` (git-ignored: it is a local cache, not
part of the output). Anything it does not cover makes a full run: a stale or missing record, a file of
the output changed by hand, a change in the generator, its templates, black or the settings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import pickle
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import installed
from . import write as write_stage
from .config import Config
from .format import sha256
from .layout import CACHE_FILE, MANIFEST, MEMO_FILE
from .write import read_manifest

_SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_GENERATOR = Path(__file__).resolve().parent


def _files_below(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Regular files below a folder, none reached through a link that leads out of it (a spec folder
    is untrusted: the cache reads no more of the disk than the loader may)."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    return sorted(p for p in folder.rglob("*")
                  if (suffixes is None or p.suffix in suffixes) and "__pycache__" not in p.parts
                  and p.resolve().is_relative_to(root) and p.is_file())


def fingerprint(spec: Path, config: Config, code: str | None = None) -> str:
    """Everything a run's output depends on: every spec-like file in the spec's folder (a multi-file
    spec may reference any of them), the settings, the generator's code and templates, black."""
    digest = hashlib.sha256()
    root = spec.resolve().parent
    parts: list[tuple[str, Path]] = [("spec", spec.resolve())]
    parts += [("spec-folder", p) for p in _files_below(root, _SPEC_SUFFIXES)]
    _digest_files(digest, parts)
    digest.update((code or code_digest(config)).encode())  # `code`: code_digest(config), if known
    return digest.hexdigest()


def code_digest(config: Config) -> str:
    """What turns a spec into output: the generator's code and templates (the user's too), the
    settings, black. Part of the fingerprint, and of every render key (render.py)."""
    from .render import BUILTIN_TEMPLATES

    settings = json.dumps({k: str(v) for k, v in sorted(asdict(config).items())}, sort_keys=True)

    digest = hashlib.sha256()
    parts = [("generator", p) for p in _files_below(_GENERATOR, (".py",))]
    parts += [("templates", p) for p in _files_below(BUILTIN_TEMPLATES)]
    if config.templates is not None:
        parts += [("user-templates", p) for p in _files_below(config.templates)]
    _digest_files(digest, parts)
    digest.update(settings.encode())
    digest.update(installed.version("black").encode())
    return digest.hexdigest()


def _digest_files(digest: Any, parts: list[tuple[str, Path]]) -> None:
    for kind, path in parts:
        digest.update(f"{kind}\0{path}\0".encode())
        with path.open("rb") as stream:
            digest.update(hashlib.file_digest(stream, "sha256").digest())


def up_to_date(out: Path, print_: str) -> dict[str, Any] | None:
    """The last run's record (counts, warnings) if the output is exactly what a run with this
    fingerprint wrote, else None. A file whose stamp is the one recorded is not read (write.stamps)."""
    record = _record(out)
    if record.get("fingerprint") != print_:
        return None
    manifest = read_manifest(out)
    try:
        manifest_text = (out / MANIFEST).read_text(encoding="utf-8")
    except OSError:
        return None
    if not manifest or sha256(manifest_text) != record.get("manifest_sha256"):
        return None
    known = stamps(out)
    for path, entry in manifest.items():
        if write_stage.holds(out, path, entry.get("sha256"), known.get(path)):
            continue
        try:
            if sha256((out / path).read_bytes().decode("utf-8")) != entry.get("sha256"):
                return None
        except (OSError, UnicodeDecodeError):
            return None
    return record


# The record as this process last read it: (out, the file's stamp) -> record. A run asks for several
# of its parts; the file is read and parsed once unless it changed.
_RECORDS: dict[Path, tuple[Any, dict[str, Any]]] = {}


def _record(out: Path) -> dict[str, Any]:
    path = out / CACHE_FILE
    try:
        with path.open("rb") as stream:
            stamp = write_stage.stamp_of(os.fstat(stream.fileno()))
            known = _RECORDS.get(out)
            if known is not None and known[0] == stamp:
                return known[1]
            record = json.loads(stream.read().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    record = record if isinstance(record, dict) else {}
    _RECORDS[out] = (stamp, record)
    return record


def validation_memo(out: Path) -> dict[str, Any] | None:
    """What the last run in `out` recorded of its validation (validate.Memo), for the next run to
    reuse; None if nothing usable."""
    memo = _record(out).get("validation")
    return memo if isinstance(memo, dict) else None


def render_keys(out: Path) -> dict[str, str]:
    """The last run's render keys (render.Rendered.keys): which model files it rendered from what."""
    keys = _record(out).get("render_keys")
    if not isinstance(keys, dict):
        return {}
    return {k: v for k, v in keys.items() if isinstance(k, str) and isinstance(v, str)}


def stamps(out: Path) -> dict[str, write_stage.Stamped]:
    """The stamps of the last run's output files, with the digests of the texts they stand for
    (write.stamps): path -> (stamp, sha256)."""
    found = _record(out).get("stamps")
    kept: dict[str, write_stage.Stamped] = {}
    for path, value in found.items() if isinstance(found, dict) else ():
        if (isinstance(value, list) and len(value) == 5 and all(type(v) is int for v in value[:4])
                and isinstance(value[4], str)):
            kept[path] = ((value[0], value[1], value[2], value[3]), value[4])
    return kept


def remember(out: Path, print_: str, files: Mapping[str, str], operations: int, models: int,
             warnings: list[str], validation: dict[str, Any] | None = None,
             render: dict[str, str] | None = None,
             stamped: Mapping[str, write_stage.Stamped] | None = None) -> None:
    """Record the fingerprint after a successful run (best effort: a cache that fails to write is no
    error). Warnings are kept so that a run with nothing to do still shows them. `stamped`: the
    output files' stamps (write.stamps), which spare the next run reading them."""
    record = {
        "stamps": {path: [*stamp, digest] for path, (stamp, digest) in sorted((stamped or {}).items())},
        "fingerprint": print_,
        "manifest_sha256": sha256(files.get(MANIFEST, "")),
        "operations": operations,
        "models": models,
        "files": len(files),
        "warnings": warnings,
        "validation": validation,
        "render_keys": render or {},
    }
    with contextlib.suppress(OSError):
        (out / CACHE_FILE).write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")


# -- the build memo: what build.py may replay --------------------------------------------------------
# Pickled, because it holds the model objects themselves (unpickling them is what makes an edit run
# fast). A pickle may name any function to call when it is loaded, and an output folder may come
# from anyone: the memo is loaded by an unpickler that knows the model's classes and nothing else
# (data classes, made without running any of their code), so a planted file fails to load instead.
_MEMO_FORMAT = b"generator-memo-3\n"
_MEMO_CLASSES = frozenset({
    ("generator.memo", "BuildMemo"), ("generator.schemas", "Record"), ("generator.examples", "Code"),
    ("generator.reload", "LoadMemo"), ("generator.reload", "Span"),
    *(("generator.model", name) for name in (
        "SpecText", "TypeRef", "Example", "Parameter", "Response", "Operation", "Field", "Model", "UnionModel")),
})


_FOUND: dict[tuple[str, str], Any] = {}  # the classes, once looked up (1,091 records ask 6,000 times)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _FOUND.get((module, name))
        if found is None:
            if (module, name) not in _MEMO_CLASSES:
                raise pickle.UnpicklingError(f"not a class of the model: {module}.{name}")
            found = _FOUND[(module, name)] = super().find_class(module, name)
        return found


# The records (schemas.Record) are pickled one by one: a record the next run replays unchanged is
# written back as the bytes it was read from, not pickled again (an edit of Spot keeps 1,090 of its
# 1,091). id(record) -> (record, its bytes), for the records this process read.
_RECORD_BYTES: dict[int, tuple[Any, bytes]] = {}


def build_memo(out: Path, code: str) -> Any:
    """What the last run in `out` kept for build.py (memo.BuildMemo), if it was kept by this generator
    (`code`: code_digest); else None."""
    header = _MEMO_FORMAT + code.encode() + b"\n"
    try:
        with (out / MEMO_FILE).open("rb") as stream:
            if stream.read(len(header)) != header:
                return None
            kept = _ModelUnpickler(stream).load()
        records = {}
        for key, raw in kept.records.items():
            record = records[key] = _ModelUnpickler(io.BytesIO(raw)).load()
            _RECORD_BYTES[id(record)] = (record, raw)
        kept.records = records
        return kept
    except Exception:  # unreadable, planted, or from another Python: start afresh
        return None


def keep_build_memo(out: Path, code: str, kept: Any) -> None:
    """Store what build.py may replay next time (best effort, like remember)."""
    with contextlib.suppress(OSError, pickle.PicklingError):
        packed = {}
        for key, record in kept.records.items():
            known = _RECORD_BYTES.get(id(record))
            packed[key] = known[1] if known is not None and known[0] is record else \
                pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        payload = pickle.dumps(dataclasses.replace(kept, records=packed), protocol=pickle.HIGHEST_PROTOCOL)
        temporary = out / f"{MEMO_FILE}.{os.getpid()}.tmp"
        temporary.write_bytes(_MEMO_FORMAT + code.encode() + b"\n" + payload)
        os.replace(temporary, out / MEMO_FILE)
