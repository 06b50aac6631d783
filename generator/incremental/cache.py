"""The record one run leaves in its output folder (`.generator-cache.json`), and the tiers it serves.

The record is local (git-ignored, never part of the output) and never trusted further than it can be
checked: anything it does not cover, or that does not match it, makes the stage run as if there were
no record. It holds the digest of the run's inputs and of the generator (digests.py), a summary,
the validator's findings by path item, for every output file the digest of its text and the key of
the render job that made it, and the parse of the spec's file (chunks.py: marshal, compressed, as
base64 text: a no-op run reads it as one string).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..output.write import IGNORE_FILE
from . import digests

if TYPE_CHECKING:  # the no-op tier answers before the stages that make output are imported
    from collections.abc import Callable

    from ..diagnostics import Diagnostic
    from ..output.write import Plan
    from ..spec.source import SourceFile
    from ..spec.validate import Finding, Outcome
    from .chunks import Cut

CACHE_FILE = ".generator-cache.json"
_FORMAT = 2


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
        self._folder = str(out)
        try:
            self.spec = spec.resolve()
        except (OSError, RuntimeError):  # a symlink loop: no record can be for it
            self.spec = spec.absolute()
        self.code = digests.code(config)
        record = _read(out / CACHE_FILE)
        same_code = record.get("format") == _FORMAT and record.get("code") == self.code
        self._record = record if same_code else {}
        files = self._record.get("files")
        self._files: dict[str, Any] = files if isinstance(files, dict) else {}
        self._units: tuple[str, dict[str, str]] | None = None
        self._findings: list[Finding] | None = None
        self._parsed: tuple[SourceFile, str, Cut | None] | None = None  # the spec file's parse
        self._source: str | None = None  # the record's parse of the spec file, for the next run

    # -- tier 4: a spec file edited inside path items is not parsed again as a whole -----------------
    def parse(self, raw: bytes, display: str) -> tuple[SourceFile | None, list[Diagnostic]]:
        """The spec file's parse (spec.load.Parse): the record's, with the path items whose text
        changed parsed again, when it can be (chunks.py); else the whole file's."""
        from ..spec.source import parse_source  # here: the no-op tier needs none of the stages
        from . import chunks

        kept = self._record.get("source")
        text, cut, source = None, None, None
        try:
            text = raw.decode("utf-8")
            if isinstance(kept, str):
                cut = chunks.cut(text)
                if cut is not None:
                    source, changed = chunks.parse(raw, text, cut, kept, display)
                    if source is not None and not changed:
                        self._source = kept  # the same text: the same record
        except Exception:  # not UTF-8 (parse_source says so); a record written by hand
            source = None
        if source is None:
            self._source = None
            source, problems = parse_source(raw, display)
        else:
            problems = []
        if source is not None and text is not None:
            self._parsed = (source, text, cut)
        return source, problems

    def recording(self) -> Callable[[], str | None] | None:
        """What makes the record of this run's parse of the spec file, to be run in a process of its
        own after loading (it undoes what the loader changed); None if there is nothing to do."""
        return self._record_source if self._parsed is not None and self._source is None else None

    def _record_source(self) -> str | None:
        from . import chunks

        assert self._parsed is not None
        source, text, cut = self._parsed
        cut = cut if cut is not None else chunks.cut(text)
        return chunks.record(source, cut) if cut is not None else None

    def recorded(self, kept: str | None) -> None:
        """What `recording` made (None: no record of the parse)."""
        self._source = kept

    # -- tier 1: nothing changed -------------------------------------------------------------------
    def unchanged(self) -> Summary | None:
        """The last run's summary if its inputs were these, and every file it wrote still holds
        what it wrote, and the ignore file is as it was."""
        summary = self._record.get("summary")
        sources = self._record.get("sources")
        if not (isinstance(sources, list) and sources and sources[0] == str(self.spec)
                and all(isinstance(s, str) for s in sources)):
            return None
        inputs = digests.inputs([Path(s) for s in sources], self.code)
        if inputs is None or self._record.get("inputs") != inputs or not isinstance(summary, dict) or not self._files:
            return None
        if self._record.get("ignore") != _ignore_digest(self.out):
            return None
        for path, entry in self._files.items():
            if self._read(path, entry[0]) is None:
                return None
        try:
            return Summary(int(summary["operations"]), int(summary["models"]), int(summary["files"]),
                           [str(w) for w in summary["warnings"]], str(summary["profile"]))
        except (KeyError, TypeError, ValueError):
            return None

    # -- tier 2: path items validated again only when they changed -----------------------------------
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

    # -- tier 3: files of unchanged models and API classes not rendered or formatted again ----------
    def rendered(self, path: str, key: str) -> str | None:
        entry = self._files.get(path)
        if entry is None or entry[1] != key:
            return None
        return self._read(path, entry[0])

    def digest(self, path: str) -> str:
        """The digest of a file `rendered` has just read (it was checked against it)."""
        return str(self._files[path][0])

    def _read(self, path: str, sha: str) -> str | None:
        try:
            with open(os.path.join(self._folder, path), "rb") as stream:  # no pathlib: 1,500 a run
                data = stream.read()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    # -- after a run --------------------------------------------------------------------------------
    def keep(self, file_digests: dict[str, str], keys: dict[str, str], written: Plan, summary: Summary,
             sources: tuple[Path, ...]) -> None:
        """Record what a successful run wrote (best effort: a cache that fails to write is no error).
        `file_digests`: of every output file's text; `sources`: the files the spec was read from."""
        entries = {path: [file_digests[path], keys.get(path)] for path in (*written.unchanged, *written.write)}
        resolved = [str(path.resolve()) for path in sources]
        record: dict[str, Any] = {
            "format": _FORMAT,
            "code": self.code,
            "sources": resolved,
            "inputs": digests.inputs([Path(p) for p in resolved], self.code),
            "ignore": _ignore_digest(self.out),
            "summary": {"operations": summary.operations, "models": summary.models, "files": summary.files,
                        "warnings": summary.warnings, "profile": summary.profile},
            "files": dict(sorted(entries.items())),
        }
        if self._source is not None:
            record["source"] = self._source
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
