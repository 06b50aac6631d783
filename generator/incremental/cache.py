"""The record one run leaves in its output folder (`.generator-cache.json`), and the tiers it serves.

The record is local (git-ignored, never part of the output) and never trusted further than it can be
checked: anything it does not cover, or that does not match it, makes the stage run as if there were
no record. It holds the digest of the run's inputs and of the generator (digests.py), a summary,
the validator's findings by path item, and for every output file the digest of its text, the key
of the render job that made it, and its stamp (size, modification and change times, inode) once
the file was written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..output.write import IGNORE_FILE, Plan
from ..spec.validate import Finding, Outcome
from . import digests

CACHE_FILE = ".generator-cache.json"
_FORMAT = 1
# A file changed again within one tick of the file system's clock (kernels tick every 10 ms at
# worst) could keep its times: such a file gets no stamp, and is read next time (git's "racily
# clean" entries).
_RACY_NS = 20_000_000

Stamp = list[int]


@dataclass(frozen=True)
class Summary:
    """What the run that wrote the record reported: a run with nothing to do says it again."""

    operations: int
    models: int
    files: int
    warnings: list[str]
    profile: str  # "profile NAME (why)"


class Cache:
    """The last run's record in `out`, for a run of `spec` with `config` (pipeline.Cache)."""

    def __init__(self, out: Path, spec: Path, config: Config) -> None:
        self.out = out
        self.code = digests.code(config)
        self.inputs = digests.inputs(spec, self.code)
        record = _read(out / CACHE_FILE)
        same_code = record.get("format") == _FORMAT and record.get("code") == self.code
        self._record = record if same_code else {}
        files = self._record.get("files")
        self._files: dict[str, Any] = files if isinstance(files, dict) else {}
        self._units: tuple[str, dict[str, str]] | None = None
        self._findings: list[Finding] | None = None
        self._held: set[str] = set()  # files holds() vouched for: their stamps stay as recorded

    # -- tier 0: nothing changed -------------------------------------------------------------------
    def unchanged(self) -> Summary | None:
        """The last run's summary if its inputs were these, and every file it wrote still holds
        what it wrote (stamps spare reading most of them), and the ignore file is as it was."""
        summary = self._record.get("summary")
        if self._record.get("inputs") != self.inputs or not isinstance(summary, dict) or not self._files:
            return None
        if self._record.get("ignore") != _ignore_digest(self.out):
            return None
        for path, entry in self._files.items():
            if not (self.holds(path, entry[0]) or self._read(path, entry[0]) is not None):
                return None
        try:
            return Summary(int(summary["operations"]), int(summary["models"]), int(summary["files"]),
                           [str(w) for w in summary["warnings"]], str(summary["profile"]))
        except (KeyError, TypeError, ValueError):
            return None

    # -- tier 1: path items validated again only when they changed -----------------------------------
    def validation(self, document: dict[str, Any]) -> tuple[Sequence[Finding], Sequence[str] | None]:
        """With everything outside `paths` as it was, the findings of unchanged path items (and of
        the rest) still hold: only the others are checked again."""
        self._units = rest, units = digests.validation_units(document)
        last = self._record.get("validation")
        if not isinstance(last, dict) or last.get("rest") != rest:
            return (), None
        try:
            kept = [_finding(f) for f in last["rest_findings"]]
            again = []
            for url, unit in units.items():
                entry = last["paths"].get(url)
                if entry is not None and entry[0] == unit:
                    kept += [_finding(f) for f in entry[1]]
                else:
                    again.append(url)
        except (KeyError, TypeError, ValueError, AttributeError):
            return (), None  # a record written by hand: validate everything
        return kept, again

    def validated(self, outcome: Outcome) -> None:
        self._findings = outcome.findings if outcome.complete else None

    # -- tier 2: files of unchanged models and API classes not rendered or formatted again ----------
    def rendered(self, path: str, key: str) -> str | None:
        entry = self._files.get(path)
        if entry is None or entry[1] != key:
            return None
        return self._read(path, entry[0])

    # -- tier 3: files known to be unchanged not read to tell ---------------------------------------
    def holds(self, path: str, sha: str) -> bool:
        """Whether the file holds the text whose digest is `sha`, by the stamp recorded with it."""
        entry = self._files.get(path)
        if entry is None or entry[0] != sha or entry[2] is None or _stamp(self.out / path) != entry[2]:
            return False
        self._held.add(path)
        return True

    def _read(self, path: str, sha: str) -> str | None:
        try:
            data = (self.out / path).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    # -- after a run --------------------------------------------------------------------------------
    def keep(self, digests: dict[str, str], keys: dict[str, str], written: Plan, summary: Summary) -> None:
        """Record what a successful run wrote (best effort: a cache that fails to write is no error).
        `digests`: of every output file's text."""
        taken = time.time_ns()
        entries: dict[str, Any] = {}
        for path in (*written.unchanged, *written.write):
            if path in self._held and path not in written.write:
                stamp = self._files[path][2]
            else:
                stamp = _stamp(self.out / path, settled_before=taken - _RACY_NS)
            entries[path] = [digests[path], keys.get(path), stamp]
        record: dict[str, Any] = {
            "format": _FORMAT,
            "code": self.code,
            "inputs": self.inputs,
            "ignore": _ignore_digest(self.out),
            "summary": {"operations": summary.operations, "models": summary.models, "files": summary.files,
                        "warnings": summary.warnings, "profile": summary.profile},
            "files": dict(sorted(entries.items())),
        }
        if self._units is not None and self._findings is not None:
            rest, units = self._units
            by_unit: dict[str | None, list[Finding]] = {}
            for finding in self._findings:
                by_unit.setdefault(finding[0], []).append(finding)
            record["validation"] = {"rest": rest, "rest_findings": sorted(set(by_unit.get(None, ()))),
                                    "paths": {url: [unit, sorted(set(by_unit.get(url, ())))]
                                              for url, unit in units.items()}}
        temporary = self.out / f"{CACHE_FILE}.{os.getpid()}.tmp"
        with contextlib.suppress(OSError):
            temporary.write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(temporary, self.out / CACHE_FILE)


def _read(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _stamp(path: Path, settled_before: int | None = None) -> Stamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if settled_before is not None and max(stat.st_mtime_ns, stat.st_ctime_ns) >= settled_before:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def _ignore_digest(out: Path) -> str | None:
    try:
        return hashlib.sha256((out / IGNORE_FILE).read_bytes()).hexdigest()
    except OSError:
        return None


def _finding(raw: Any) -> Finding:
    unit, pointer, message = raw
    if not (unit is None or isinstance(unit, str)) or not isinstance(pointer, str) or not isinstance(message, str):
        raise ValueError("not a finding")
    if not message.isprintable():  # it is printed: only text the validator's wrapper could have written
        raise ValueError("not a finding")
    return unit, pointer, message
