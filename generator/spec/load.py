"""Spec path -> LoadedSpec: one document, referenced files bundled in, all $refs local, every node located."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..diagnostics import (
    Diagnostic,
    GenerationError,
    Kind,
    error,
    parts_from_pointer,
    pointer_from_parts,
)
from .source import MAX_FILE_BYTES, RefSite, SourceFile, parse_source, too_big, unpack

# The top-level key under which the files a spec references are bundled into its document.
BUNDLE_KEY = "x-generator-files"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Where a `$ref` is data, not a reference: example values, defaults, enums (OpenAPI says these are
# literal), unless the key names a schema or a response (`properties: {default: ...}`,
# `responses: {default: ...}`), which is why the walk knows the maps whose keys are names.
_LITERAL_KEYS = frozenset({"example", "default", "enum", "const"})
_NAME_MAPS = frozenset({
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas", "paths",
    "webhooks", "responses", "parameters", "requestBodies", "headers", "securitySchemes", "links",
    "callbacks", "pathItems", "content", "encoding", "variables",
    # AsyncAPI 3.0's maps of names
    "channels", "operations", "messages", "servers", "replies", "replyAddresses", "correlationIds",
    "operationTraits", "messageTraits", "serverVariables", "serverBindings", "channelBindings",
    "operationBindings", "messageBindings",
})


@dataclass(frozen=True, slots=True)
class _Table:
    """Positions of one file's nodes, by pointer within that file."""

    display: str
    values: Mapping[str, int]
    keys: Mapping[str, int]


@dataclass(frozen=True)
class LoadedSpec:
    document: dict[str, Any]
    root_file: Path
    root_dir: Path
    files: tuple[str, ...]
    # Bundle key ("" for the root file) -> that file's positions.
    tables: Mapping[str, _Table] = field(default_factory=dict, repr=False, compare=False)

    @property
    def paths(self) -> tuple[Path, ...]:
        """The files the spec was read from: its root file, then each file its `$ref`s named."""
        return (self.root_file, *(self.root_dir / key for key in self.tables if key))

    @property
    def source(self) -> str:
        """The root file's display name: where diagnostics about the whole document point."""
        return self.files[0] if self.files else str(self.root_file)

    def locate(self, pointer: str) -> tuple[str, int | None, int | None]:
        """(display file, line, column) of the node at a pointer into `document` (nearest existing
        ancestor if the exact node has no position). A mapping member whose value starts on a later
        line than its key (a block mapping or list) is placed at its key."""
        return self._find(pointer, key=False)

    def locate_key(self, pointer: str) -> tuple[str, int | None, int | None]:
        """Like locate, but a mapping member is always placed at its key."""
        return self._find(pointer, key=True)

    def _find(self, pointer: str, key: bool) -> tuple[str, int | None, int | None]:
        fallback = self.files[0] if self.files else str(self.root_file)
        try:
            parts = parts_from_pointer(pointer)
        except ValueError:
            return fallback, None, None
        table = self.tables.get("")
        if len(parts) >= 2 and parts[0] == BUNDLE_KEY and parts[1] in self.tables:
            table = self.tables[parts[1]]
            parts = parts[2:]
        if table is None:
            return fallback, None, None
        for length in range(len(parts), -1, -1):
            at = pointer_from_parts(parts[:length])
            value = table.values.get(at)
            if value is None:
                continue
            key_position = table.keys.get(at)
            if key_position is not None and (key or value >> 32 > key_position >> 32):
                value = key_position
            return (table.display, *unpack(value))
        return table.display, None, None


# Bytes and a display name -> a parse, as source.parse_source makes it (a caller may hand in one that
# takes most of it from an earlier parse: incremental/).
Parse = Callable[[bytes, str], tuple[SourceFile | None, list[Diagnostic]]]


def load(path: Path, display_name: str | None = None, parse: Parse | None = None) -> LoadedSpec:
    """Read the spec and every file its `$ref`s name; raise GenerationError with every problem found.
    `parse` parses the spec's own file (default, and for the files it names: parse_source)."""
    return _Loader(path, display_name or str(path), parse).run()


def _raw(path: Path, display: str) -> tuple[bytes | None, list[Diagnostic]]:
    try:
        if path.is_dir():
            return None, [error("is a folder, not a file", display)]
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [too_big(display)]  # before reading it all into memory
        return path.read_bytes(), []
    except FileNotFoundError:
        return None, [error("file not found", display)]
    except OSError as exc:  # an I/O error, not the spec's: exit 2
        return None, [error(f"cannot read the file: {exc.strerror or exc}", display, kind=Kind.USAGE)]
    except ValueError as exc:  # a NUL in the path
        return None, [error(f"cannot read the file: {exc}", display)]


def _read(path: Path, display: str, parse: Parse | None = None) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read and parse one file; (None, diagnostics) if it cannot be used at all."""
    raw, problems = _raw(path, display)
    if raw is None:
        return None, problems
    return (parse or parse_source)(raw, display)


@dataclass(slots=True)
class _File:
    source: SourceFile
    key: str  # "" for the root, else its path relative to the root's folder (posix)
    folder: Path  # resolved: relative refs in this file start here


@dataclass(frozen=True, slots=True)
class _Target:
    file: _File
    parts: tuple[str, ...]


class _Loader:
    def __init__(self, path: Path, display: str, parse: Parse | None) -> None:
        self.parse = parse
        self.root_file = path.absolute()
        self.root_dir = self.root_file.parent
        self.display = display
        self.diagnostics: list[Diagnostic] = []
        self.files: dict[Path, _File | None] = {}  # by resolved path; None if it could not be read
        self.read_order: list[str] = [display]  # displays, to sort diagnostics file by file

    def run(self) -> LoadedSpec:
        source, problems = _read(self.root_file, self.display, self.parse)
        if source is None:
            raise GenerationError(problems)
        try:
            self.root_dir = self.root_file.parent.resolve()
            resolved = self.root_file.resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
            problem = error(f"cannot resolve the spec's path: {exc}", self.display)
            raise GenerationError([problem]) from None
        root = _File(source, "", self.root_dir)
        self.files[resolved] = root
        document = source.data
        if not isinstance(document, dict):
            kind = "a list" if isinstance(document, list) else _kind(document)
            raise GenerationError([error(f"the spec must be a mapping (key: value lines) at the top "
                                         f"level, not {kind}", self.display, *unpack(source.values["#"]))])
        if BUNDLE_KEY in document:
            self._error(root, source.keys[f"#/{BUNDLE_KEY}"],
                        f"the top-level key {BUNDLE_KEY!r} is reserved for files this generator "
                        "bundles",
                        f"#/{BUNDLE_KEY}")

        targets: dict[tuple[str, str], tuple[str, str]] = {}  # ref holder -> what it names
        sites: list[tuple[_File, RefSite, _Target]] = []
        queue = [root]
        for current in queue:  # grows as files are found
            for site in sorted(current.source.refs, key=lambda s: s.position):
                target = self._resolve(current, site, queue)
                if target is not None:
                    sites.append((current, site, target))
                    named = (target.file.key, pointer_from_parts(target.parts))
                    targets[(current.key, site.pointer)] = named
        self._report_cycles(sites, targets)
        if self.diagnostics:
            raise GenerationError(self._sorted())

        for _current, site, target in sites:
            if target.file.key:
                site.holder["$ref"] = pointer_from_parts((BUNDLE_KEY, target.file.key, *target.parts))
            else:
                site.holder["$ref"] = pointer_from_parts(target.parts)
        if len(queue) > 1:
            document[BUNDLE_KEY] = {file.key: file.source.data for file in queue[1:]}
        tables = {file.key: _Table(file.source.display, file.source.values, file.source.keys) for file in queue}
        return LoadedSpec(document, self.root_file, self.root_dir,
                          tuple(file.source.display for file in queue), tables)

    # -- one $ref ------------------------------------------------------------------------------------
    def _resolve(self, current: _File, site: RefSite, queue: list[_File]) -> _Target | None:
        """What a `$ref` names; None if it is literal data, or (reported) if it cannot be followed."""
        if _is_literal(current.source.data, parts_from_pointer(site.pointer)):
            return None
        ref = site.ref
        if _SCHEME.match(ref) or ref.startswith("//"):
            self._ref_error(current, site, "is remote: nothing is fetched, only files inside the "
                                           "spec's folder can be referenced")
            return None
        path_part, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            self._ref_error(current, site, "has a fragment that is not a JSON pointer: write "
                                           "'#/' and the path to the node")
            return None
        parts = tuple(part.replace("~1", "/").replace("~0", "~")
                      for part in fragment[1:].split("/")) if fragment else ()
        target = current if not path_part else self._file_for(current, site, unquote(path_part), queue)
        if target is None:
            return None
        node: Any = target.source.data
        for depth, part in enumerate(parts):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and _is_index(part, len(node)):
                node = node[int(part)]
            else:
                prefix = pointer_from_parts(parts[:depth])
                if target is current:
                    where = prefix if depth else "the top level"
                else:
                    display = target.source.display
                    where = f"{display}{prefix}" if depth else f"the top level of {display}"
                if not isinstance(node, dict | list):
                    where += f" ({_kind(node)})"
                self._ref_error(current, site, f"points to nothing: no {part!r} in {where}{_did_you_mean(part, node)}")
                return None
        return _Target(target, parts)

    def _file_for(self, current: _File, site: RefSite, relative: str,
                  queue: list[_File]) -> _File | None:
        try:
            resolved = (current.folder / relative).resolve()
            if resolved in self.files:
                return self.files[resolved]
            if not resolved.is_relative_to(self.root_dir):
                self._ref_error(current, site, "leaves the spec's folder: only files inside it can be "
                                               "referenced")
                return None
            key = resolved.relative_to(self.root_dir).as_posix()
            display = str(Path(self.display).parent / key)
            if not resolved.exists():
                self._ref_error(current, site, f"names a file that does not exist: {display}")
                return None
            if not resolved.is_file():
                self._ref_error(current, site, f"names something that is not a file: {display}")
                return None
        # RuntimeError: a symlink loop; ValueError: a NUL (%00); OSError: a name too long...
        except (OSError, RuntimeError, ValueError) as exc:
            self._ref_error(current, site, f"names a path that cannot be used: {exc}")
            return None
        source, problems = _read(resolved, display)
        self.read_order.append(display)
        self.diagnostics += problems
        found = None if source is None else _File(source, key, resolved.parent)
        self.files[resolved] = found
        if found is not None:
            queue.append(found)
        return found

    def _report_cycles(self, sites: list[tuple[_File, RefSite, _Target]],
                       targets: dict[tuple[str, str], tuple[str, str]]) -> None:
        """A chain of refs that comes back to itself never reaches a schema (recursive schemas are fine:
        their refs name a schema that holds the ref, not the ref itself)."""
        done: set[tuple[str, str]] = set()
        for current, site, _target in sites:
            chain: list[tuple[str, str]] = []
            node = (current.key, site.pointer)
            while node in targets and node not in done and node not in chain:
                chain.append(node)
                node = targets[node]
            if node in chain:
                loop = [*chain[chain.index(node):], node]
                names = " -> ".join(self._name(key, pointer) for key, pointer in loop)
                first_file = next(f for f in self.files.values() if f is not None and f.key == loop[0][0])
                first_site = next(s for s in first_file.source.refs if s.pointer == loop[0][1])
                self._error(first_file, first_site.position, f"$ref chain never reaches a value: {names}",
                            first_site.pointer)
            done.update(chain)

    def _name(self, key: str, pointer: str) -> str:
        return pointer if not key else str(Path(self.display).parent / key) + pointer

    # -- diagnostics ----------------------------------------------------------------------------------
    def _ref_error(self, current: _File, site: RefSite, problem: str) -> None:
        self._error(current, site.position, f"$ref {site.ref!r} {problem}", site.pointer)

    def _error(self, file: _File, position: int, message: str, pointer: str | None) -> None:
        self.diagnostics.append(error(message, file.source.display, *unpack(position), pointer))

    def _sorted(self) -> list[Diagnostic]:
        order = {display: index for index, display in enumerate(self.read_order)}
        return sorted(self.diagnostics,
                      key=lambda d: (order.get(d.file, len(order)), d.line or 0, d.column or 0))


def _did_you_mean(name: str, node: Any) -> str:
    """" (did you mean 'Ticker'?)" for a `$ref` to a name its section lacks, when one is close."""
    if not isinstance(node, dict):
        return ""
    close = difflib.get_close_matches(name, [str(key) for key in node], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_index(part: str, length: int) -> bool:
    return part.isdigit() and (part == "0" or not part.startswith("0")) and int(part) < length


def _kind(value: Any) -> str:
    return {str: "a string", bool: "a boolean", int: "a number", float: "a number",
            type(None): "null"}.get(type(value), "a value")


def _is_literal(document: Any, parts: tuple[str, ...]) -> bool:
    """Whether the node at `parts` lies inside literal data (an example, a default, an enum...)."""
    node = document
    kind = "object"  # or "names" (a map whose keys are names), "examples" (names of Example Objects)
    for part in parts:
        if isinstance(node, list):
            kind = "object"
            node = node[int(part)]
            continue
        value = node[part]
        if kind == "names":
            kind = "object"
        elif kind == "examples":
            kind = "example"
        elif part in _LITERAL_KEYS or (kind == "example" and part == "value"):
            return True
        elif part == "examples":
            if isinstance(value, list):  # JSON Schema's examples: a list of values
                return True
            kind = "examples"
        else:
            kind = "names" if part in _NAME_MAPS else "object"
        node = value
    return False
