"""What the cache's entries are valid for: digests of the inputs of a run, of the generator, and of
the parts of a document that validation is kept by.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..config import Config
from ..emit import BUILTIN_RUNTIME, BUILTIN_TEMPLATES
from . import installed

_GENERATOR = Path(__file__).resolve().parents[1]
# Whose versions change what a run makes: the formatter, and the validator (its findings are kept).
_TOOLS = ("black", "openapi-spec-validator", "jsonschema", "jsonschema-rs")


def _files_below(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Regular files below a folder of the generator's or the user's templates."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*")
                  if (suffixes is None or p.suffix in suffixes) and "__pycache__" not in p.parts and p.is_file())


def code(config: Config) -> str:
    """What turns a spec into output: the generator's code and templates (the user's too), the
    settings, the formatter's and validator's versions."""
    digest = hashlib.sha256()
    parts = [("generator", p) for p in _files_below(_GENERATOR, (".py",))]
    parts += [("templates", p) for p in _files_below(BUILTIN_TEMPLATES)]
    parts += [("runtime", p) for p in _files_below(BUILTIN_RUNTIME, (".py",))
              if p.relative_to(BUILTIN_RUNTIME).parts[0] != "tests"]
    if config.templates is not None:
        parts += [("user-templates", p) for p in _files_below(config.templates)]
    _digest_files(digest, parts)
    digest.update(json.dumps({k: str(v) for k, v in sorted(asdict(config).items())}, sort_keys=True).encode())
    for tool in _TOOLS:
        digest.update(f"{tool}={_version(tool)}\0".encode())
    return digest.hexdigest()


def inputs(sources: list[Path], code_digest: str) -> str | None:
    """Everything a run's output depends on: the files the spec was read from and `code_digest`.
    (Which files those are can only change through a change in one of them: the `$ref` that names
    a new file is in a file already read.) None if one of them cannot be read."""
    digest = hashlib.sha256()
    try:
        _digest_files(digest, [("spec", path) for path in sources])
    except (OSError, ValueError):
        return None
    digest.update(code_digest.encode())
    return digest.hexdigest()


def _digest_files(digest: Any, parts: list[tuple[str, Path]]) -> None:
    for kind, path in parts:
        digest.update(f"{kind}\0{path}\0".encode())
        with path.open("rb") as stream:
            digest.update(hashlib.file_digest(stream, "sha256").digest())


def _version(tool: str) -> str:
    try:
        return installed.version(tool)
    except Exception:  # not installed (jsonschema-rs is optional)
        return "-"


def value(data: Any) -> str:
    """A digest of plain data in which types count (1, 1.0 and true differ) and so does key order:
    marshal, which writes Binance Spot in 10 ms where JSON takes 60. (Format 2: no back-references,
    whose use depends on which objects happen to be shared.)"""
    try:
        return hashlib.sha256(marshal.dumps(data, 2)).hexdigest()
    except ValueError:  # a type marshal does not know: JSON, with repr for the rest
        text = json.dumps(data, sort_keys=True, default=repr, ensure_ascii=False, allow_nan=True)
        return "json:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def validation_units(document: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A digest of everything outside `paths`, and one of each path item together with what it
    refers to inside `paths` (a ref into another path item makes this one depend on it)."""
    rest = value({k: v for k, v in document.items() if k != "paths"})
    paths = document.get("paths")
    units: dict[str, str] = {}
    for url, item in paths.items() if isinstance(paths, dict) else ():
        if not isinstance(url, str):
            continue
        try:
            data = marshal.dumps(item, 2)
        except ValueError:
            data = None
        if data is not None and b"#/paths/" not in data:  # most items: no walk needed
            units[url] = hashlib.sha256(data).hexdigest()
            continue
        from ..spec.checks import resolve  # here: the no-op tier needs none of the stages

        inside = sorted(r for r in _refs_in(item) if r.startswith("#/paths/"))
        units[url] = value([item, inside, [resolve(document, {"$ref": r}, r)[0] for r in inside]])
    return rest, units


def _refs_in(node: Any) -> set[str]:
    found = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
