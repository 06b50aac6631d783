"""Load a spec again after a small edit: parse only the path item or component that changed.

A full parse of Binance Spot takes 0.25 s; most edits change one entry (a path item under `paths`, a
member of a `components` section). The last run keeps the root file's bytes, the document it gave,
where each entry's text starts and ends, and its `$ref`s (LoadMemo). When the edit lies inside one
entry of a block-style YAML file, only that entry's text is parsed, in place (its line numbers are
those of the whole file), and it replaces the old entry in the document.

Anything this cannot vouch for makes a full load, which also reports every problem: a spec of
several files, YAML anchors, aliases, tags or merge keys in the entry before or after, a `$ref`
into the entry or one that does not resolve, line breaks other than `\n`, a problem in the new text.
The checks a full load makes of the whole file hold: its size and node count (the quick bound) are
checked on the new file; its encoding and characters on the new entry (the rest is as it was);
nesting depth on the new entry, counting the levels above it. tests/unit/test_reload.py compares
the result with a full load, edit after edit.

Positions (file, line, column) of nodes outside the entry are not kept for every node: the last run
records those it looked up (they are few: the ones warnings point at), each moved by the lines the
edit added or removed. A lookup of any other node parses the whole file once, lazily.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import yaml

from . import yaml_source
from .diagnostics import parts_from_pointer, pointer_from_parts

# The parents whose members are entries (a member of `paths`, of a section of `components`).
_PARENTS = (("paths",), ("components", "schemas"), ("components", "parameters"), ("components", "responses"),
            ("components", "requestBodies"), ("components", "headers"), ("components", "securitySchemes"),
            ("components", "examples"), ("components", "links"), ("components", "callbacks"),
            ("components", "pathItems"))
_OTHER_BREAKS = (b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")
_NOT_PLAIN = (yaml.AnchorToken, yaml.AliasToken, yaml.TagToken, yaml.DirectiveToken, yaml.DocumentStartToken,
              yaml.DocumentEndToken)


@dataclass(frozen=True)
class Span:
    """Where an entry's text is: lines [start, end) (0-based), bytes [first, last)."""

    pointer: str
    start: int
    end: int
    first: int
    last: int


@dataclass
class LoadMemo:
    raw: bytes  # the root file, as read
    document: dict[str, Any]
    spans: tuple[Span, ...]  # in the file's order
    refs: tuple[tuple[str, str], ...]  # (holder, target) pointers of every $ref followed
    positions: Mapping[str, int | None] = field(default_factory=dict)  # values table, as looked up
    key_positions: Mapping[str, int | None] = field(default_factory=dict)  # keys table, likewise


class Recorded(Mapping[str, int]):
    """A position table that remembers what was looked up in it (for the next run's LoadMemo)."""

    def __init__(self, lookup: Callable[[str], int | None]) -> None:
        self._lookup = lookup
        self.seen: dict[str, int | None] = {}

    def get(self, pointer: str, default: Any = None) -> Any:
        if pointer not in self.seen:
            self.seen[pointer] = self._lookup(pointer)
        found = self.seen[pointer]
        return default if found is None else found

    def __getitem__(self, pointer: str) -> int:
        found = self.get(pointer)
        if found is None:
            raise KeyError(pointer)
        return int(found)

    def __iter__(self) -> Iterator[str]:
        return iter(self.seen)

    def __len__(self) -> int:
        return len(self.seen)


def spans_of(raw: bytes, document: dict[str, Any], keys: Mapping[str, int]) -> tuple[Span, ...]:
    """Every entry's text, from the positions of a full parse: from its key's line to the next line
    that holds a key at an entry's level or above it (or the end of the file)."""
    starts: list[tuple[int, str | None]] = []  # (line, entry pointer or None for a boundary)
    for key in document:
        at = keys.get(pointer_from_parts((key,)))
        if at is not None:
            starts.append((at >> 32, None))
    for parent in _PARENTS:
        node: Any = document
        for part in parent:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        at = keys.get(pointer_from_parts(parent))
        if at is not None:
            starts.append((at >> 32, None))
        for name in node:
            pointer = pointer_from_parts((*parent, name))
            at = keys.get(pointer)
            if at is None:
                return ()  # not a key of its own (a flow mapping on one line): no entry is safe
            starts.append((at >> 32, pointer))
    starts.sort(key=lambda item: item[0])
    offsets = _line_offsets(raw)
    spans = []
    for index, (line, entry) in enumerate(starts):
        if entry is None:
            continue
        end = next((later for later, _ in starts[index + 1:] if later > line), len(offsets) - 1)
        spans.append(Span(entry, line, end, offsets[line], offsets[end]))
    return tuple(spans)


def _line_offsets(raw: bytes) -> list[int]:
    """Byte offset of each line's start, and one past the end."""
    offsets = [0]
    position = raw.find(b"\n")
    while position != -1:
        offsets.append(position + 1)
        position = raw.find(b"\n", position + 1)
    if offsets[-1] != len(raw):
        offsets.append(len(raw))
    return offsets


@dataclass
class Reloaded:
    document: dict[str, Any]
    values: Mapping[str, int]
    keys: Mapping[str, int]
    memo: LoadMemo
    changed: tuple[str, ...] = ()  # the entries whose value is new (pointers, before and after a rename)


def reload(raw: bytes, display: str, previous: LoadMemo, full_tables: Callable[[], tuple[Mapping[str, int],
                                                                                          Mapping[str, int]]]
           ) -> Reloaded | None:
    """The spec from new bytes and the last run's memo, or None if only a full load will do.
    `full_tables`: the whole file's positions, from a full parse (called only if a lookup needs it)."""
    if raw == previous.raw:
        change = None
    else:
        change = _changed_entry(raw, previous)
        if change is None:
            return None
    if any(mark in raw for mark in _OTHER_BREAKS) or _too_many_nodes(raw):
        return None  # (the rest is checked below, in the entry: nothing else changed)
    if change is None:
        values, keys = _moved(previous, full_tables, None)
        return Reloaded(previous.document, values, keys, previous)
    span, start_byte, end_byte = change
    chunk = raw[start_byte:end_byte]
    if not (chunk.endswith(b"\n") or end_byte == len(raw)):
        return None  # the next line would join its last one
    if len(raw) > yaml_source.MAX_FILE_BYTES or _bad_text(chunk):
        return None
    old_chunk = previous.raw[span.first:span.last]
    if not (_plain(chunk) and _plain(old_chunk)):
        return None
    # The entry's text parsed alone is one mapping inside the rest: its nodes are as deep as there
    # plus the levels of the mappings above it (the file's, and `paths` or `components` and a section).
    levels = len(parts_from_pointer(span.pointer)) - 1
    if _depth(chunk) + levels > yaml_source.MAX_DEPTH:
        return None
    padded = b"\n" * span.start + chunk
    source, problems = yaml_source.parse_source(padded, display)
    if source is None or problems or not isinstance(source.data, dict) or len(source.data) != 1:
        return None
    (name, value), = source.data.items()
    parent_parts = parts_from_pointer(span.pointer)[:-1]
    parent: Any = previous.document
    for part in parent_parts:
        parent = parent[part]
    old_name = parts_from_pointer(span.pointer)[-1]
    if not isinstance(name, str) or (name != old_name and name in parent):
        return None
    pointer = pointer_from_parts((*parent_parts, name))
    inside = (span.pointer, pointer)
    if any(_under(target, inside) and not _under(holder, inside) for holder, target in previous.refs):
        return None  # something else names a node in the entry: it may be gone or changed
    document = previous.document
    parent[name] = value  # in place (a new name goes last: put back in order below)
    if name != old_name:
        items = [(name if key == old_name else key, value if key == old_name else item)
                 for key, item in parent.items() if key != name]
        parent.clear()
        parent.update(items)
    refs = [(holder, target) for holder, target in previous.refs if not _under(holder, (span.pointer,))]
    for site in source.refs:
        holder = _moved_pointer(site.pointer, pointer)
        if _is_literal(document, parts_from_pointer(holder)):
            continue  # data (an example holding "$ref"), as the full load takes it
        target = _local_target(document, site.ref)
        if target is None or _under(target, inside):
            return None
        site.holder["$ref"] = target
        refs.append((holder, target))
    lines = raw.count(b"\n") - previous.raw.count(b"\n")
    moved = len(raw) - len(previous.raw)
    spans = tuple(_shifted(s, lines, moved) if s.start > span.start else s for s in previous.spans
                  if s is not span)
    new_span = Span(pointer, span.start, span.end + lines, span.first, span.last + moved)
    spans = tuple(sorted((*spans, new_span), key=lambda s: s.start))
    entry = {_moved_pointer(at, pointer): position for at, position in source.values.items() if at != "#"}
    entry_keys = {_moved_pointer(at, pointer): position for at, position in source.keys.items() if at != "#"}
    values, keys = _moved(previous, full_tables, (inside, entry, entry_keys, span.end, lines))
    memo = LoadMemo(raw, document, spans, tuple(refs))
    return Reloaded(document, values, keys, memo, tuple(sorted({span.pointer, pointer})))


def _changed_entry(raw: bytes, previous: LoadMemo) -> tuple[Span, int, int] | None:
    """The one entry whose text holds every changed byte, and where its text is in the new file."""
    old = previous.raw
    limit = min(len(old), len(raw))
    prefix = _common_prefix(old, raw, limit)
    suffix = _common_suffix(old, raw, limit - prefix)
    old_end, new_end = len(old) - suffix, len(raw) - suffix
    starts = [s.first for s in previous.spans]
    index = bisect.bisect_right(starts, prefix) - 1
    if index < 0:
        return None
    span = previous.spans[index]
    # Every changed byte inside [first, last); not an insertion after the last entry (at the end of
    # the file: it may belong to whatever follows).
    if not (span.first <= prefix and old_end <= span.last) or prefix == span.last:
        return None
    return span, span.first, span.last + (new_end - old_end)


def _common_prefix(a: bytes, b: bytes, limit: int) -> int:
    low, high = 0, limit  # a[:low] == b[:low]; the answer is in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:len(a) - low] == b[len(b) - middle:len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _too_many_nodes(raw: bytes) -> bool:
    """Whether the whole file may hold more nodes than a full load allows (yaml_source.too_many_nodes:
    its quick bound, counted in bytes, which the ASCII characters it counts are in UTF-8 too); if it
    may, only the full load can tell."""
    starts = sum(raw.count(char.encode()) for char in yaml_source._NODE_STARTS)
    return 2 * (starts + 1) > yaml_source.MAX_NODES


def _bad_text(chunk: bytes) -> bool:
    """Whether the entry's new text is not UTF-8 or holds a character YAML forbids (the rest of the
    file is as it was when the last run loaded it)."""
    try:
        return yaml_source._FORBIDDEN.search(chunk.decode("utf-8")) is not None
    except UnicodeDecodeError:
        return True


def _depth(chunk: bytes) -> int:
    """How deep collections nest in a text (a YAML error counts as too deep: the full load reports it)."""
    depth = deepest = 0
    try:
        for event in yaml.parse(chunk, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return yaml_source.MAX_DEPTH + 1
    return deepest


def _plain(chunk: bytes) -> bool:
    """No anchors, aliases, tags, directives, documents or merge keys: its meaning is its own."""
    try:
        for token in yaml.scan(chunk, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(token, _NOT_PLAIN):
                return False
            if isinstance(token, yaml.ScalarToken) and token.plain and token.value == "<<":
                return False
    except yaml.YAMLError:
        return False
    return True


def _under(pointer: str, roots: tuple[str, ...]) -> bool:
    return any(pointer == root or pointer.startswith(root + "/") for root in roots)


def _moved_pointer(at: str, entry: str) -> str:
    """A pointer within the parsed text ({name: value}, name being the entry's) -> within the document."""
    parent = entry.rsplit("/", 1)[0]
    return parent + at[1:]


def _is_literal(document: dict[str, Any], parts: tuple[str, ...]) -> bool:
    from .load import _is_literal as literal  # load.py imports this module

    return literal(document, parts)


def _is_index(part: str, length: int) -> bool:
    from .load import _is_index as index

    return index(part, length)


def _local_target(document: dict[str, Any], ref: str) -> str | None:
    """The canonical pointer a `$ref` in the entry names; None if it is not a local ref to a node
    that exists (the full load reports what is wrong)."""
    if not ref.startswith("#"):
        return None
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):
        return None
    parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in fragment[1:].split("/")) if fragment else ()
    node: Any = document
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and _is_index(part, len(node)):
            node = node[int(part)]
        else:
            return None
    return pointer_from_parts(parts)


def _shifted(span: Span, lines: int, moved: int) -> Span:
    return Span(span.pointer, span.start + lines, span.end + lines, span.first + moved, span.last + moved)


_Edit = tuple[tuple[str, str], dict[str, int], dict[str, int], int, int]


def _moved(previous: LoadMemo, full_tables: Callable[[], tuple[Mapping[str, int], Mapping[str, int]]],
           edit: _Edit | None) -> tuple[Recorded, Recorded]:
    """Position tables for the new file: the entry's own from its parse; the rest as the last run
    looked them up, moved by the lines the edit added; anything else from a full parse."""
    tables: list[tuple[Mapping[str, int], Mapping[str, int]]] = []

    def full() -> tuple[Mapping[str, int], Mapping[str, int]]:
        if not tables:
            tables.append(full_tables())
        return tables[0]

    def lookup(known: Mapping[str, int | None], own: dict[str, int], index: int) -> Callable[[str], int | None]:
        def find(pointer: str) -> int | None:
            if edit is not None and _under(pointer, edit[0]):
                return own.get(pointer)
            if pointer in known:
                position = known[pointer]
                if position is not None and edit is not None and position >> 32 >= edit[3]:
                    position += edit[4] << 32
                return position
            return full()[index].get(pointer)
        return find

    return (Recorded(lookup(previous.positions, edit[1] if edit else {}, 0)),
            Recorded(lookup(previous.key_positions, edit[2] if edit else {}, 1)))
