"""Tier 4: a spec file whose text differs from the last run's only inside some path items is not
parsed again as a whole: the last parse, kept in the record, takes the new parse of those path items.

The file is cut into chunks at the lines that start an entry of its top-level `paths` mapping (block
style: `paths:` at column 0, its entries at one indentation, each a key alone on its line). A chunk
parsed alone, as `paths:` and its lines, gives the nodes it gives in the file, at the same depth and
the same pointers, its lines shifted. So the file's parse is the last one with the changed entries'
nodes replaced when: the text outside the chunks is the same, there are as many chunks (the same
entries, each edited or not), each changed chunk parses alone without a problem to one entry (nothing
in it is left open for the next chunk to close), and no changed chunk defines an anchor, before or
after the edit (every alias in the file names what it named; an alias in a changed chunk to an anchor
elsewhere does not parse alone). Otherwise, and for any other shape of file, the whole file is
parsed, as without a record.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import marshal
import re
import zlib
from dataclasses import dataclass
from typing import Any

from ..diagnostics import parts_from_pointer
from ..spec.load import BUNDLE_KEY
from ..spec.source import MAX_FILE_BYTES, RefSite, SourceFile, parse_source, too_many_nodes

_FORMAT = 1
_MAX_CHANGED = 8  # more changed path items than this: parsing the whole file costs about as much
_MAX_KEPT = 16 * 2**20  # characters: a larger parse is not kept (every run reads the record)
# The patterns start at a line break (a literal: the search skips ahead fast; `^` under re.M tries
# every position). The text searched is "\n" + the file's.
_PATHS = re.compile(r"\npaths:[ \t]*(?:#[^\n]*)?\n")
_LINE = re.compile(r"\n( *)[^ #\n]")  # a line that is neither blank nor a comment
_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # line breaks other than \n: lines counted otherwise
# Where an anchor may be defined (a superset: `&gt;` in a description counts too, and only means a
# full parse when its chunk changes).
_ANCHOR = re.compile(r"(?:^|[ \t\[{,])&[^\s\[\]{},]", re.M)


@dataclass(frozen=True)
class Cut:
    """A file's text cut at its path items."""

    indent: int
    rest: bytes  # digest of the text outside the chunks
    starts: tuple[int, ...]  # 0-based line of each chunk's first line
    end: int  # the line after the last chunk
    digests: tuple[bytes, ...]
    anchors: tuple[bool, ...]  # whether the chunk may define an anchor
    texts: tuple[str, ...]


@functools.cache
def _outer(indent: int) -> re.Pattern[str]:
    """Lines (neither blank nor comments) indented `indent` spaces or less."""
    return re.compile(rf"\n {{0,{indent}}}[^ #\n]")


def cut(text: str) -> Cut | None:
    """The file's chunks; None for a file this tier does not take apart."""
    if text.startswith("%") or "\n%" in text or any(b in text for b in _BREAKS):
        return None  # a directive (it might name tags a chunk uses); other line breaks
    text = "\n" + text  # offsets below are one past the file's
    found = _PATHS.search(text)
    if found is None:
        return None  # no block `paths:`
    body = found.end() - 1  # at the line break that ends `paths:`
    first = _LINE.search(text, body)
    if first is None or not first[1]:
        return None  # `paths:` holds nothing
    indent = len(first[1])
    offsets: list[int] = []
    end = len(text)
    for outer in _outer(indent).finditer(text, first.start()):
        spaces = outer.end() - outer.start() - 2
        if spaces == 0:  # the next top-level key
            end = outer.start() + 1
            break
        if spaces < indent or outer[0][-1] in "?:-":
            return None  # not one mapping of path items; a complex key: left to the whole parse
        offsets.append(outer.start() + 1)
    if text.find("\t", body, end) >= 0:
        return None
    bounds = [*offsets, end]
    texts = tuple(text[a:b] for a, b in itertools.pairwise(bounds))
    line = text.count("\n", 1, offsets[0])
    starts = []
    for chunk in texts:
        starts.append(line)
        line += chunk.count("\n")
    rest = hashlib.sha256(text[1:offsets[0]].encode("utf-8", "surrogatepass") + b"\0"
                          + text[end:].encode("utf-8", "surrogatepass")).digest()
    return Cut(indent, rest, tuple(starts), line,
               tuple(hashlib.sha256(chunk.encode("utf-8", "surrogatepass")).digest() for chunk in texts),
               tuple("&" in chunk and _ANCHOR.search(chunk) is not None for chunk in texts), texts)


def record(source: SourceFile, chunks: Cut) -> str | None:
    """The parse of a file as the record keeps it (text), or None when it does not match its cut.
    It is made after loading, which rewrote the `$ref`s (`parse` puts back what the file says) and
    may have bundled other files in (left out); nothing is changed."""
    try:
        return _record(source, chunks)
    except Exception:  # a shape this tier did not foresee: no record, a whole parse next time
        return None


def _record(source: SourceFile, chunks: Cut) -> str | None:
    data = source.data
    if isinstance(data, dict) and BUNDLE_KEY in data:
        data = {k: v for k, v in data.items() if k != BUNDLE_KEY}
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict) or len(paths) != len(chunks.starts):
        return None
    for url, start in zip(paths, chunks.starts, strict=True):
        position = source.keys.get("#/paths/" + _escaped(url)) if isinstance(url, str) else None
        if position != (start << 32 | chunks.indent):
            return None  # an entry that does not start a chunk: some construct this tier does not know
    refs = [(site.pointer, site.ref, site.position) for site in source.refs]
    try:
        kept = marshal.dumps((_FORMAT, chunks.indent, chunks.rest, chunks.starts, chunks.end, chunks.digests,
                              chunks.anchors, data, source.values, source.keys, refs))
    except ValueError:
        return None
    text = base64.b64encode(zlib.compress(kept, 1)).decode("ascii")
    return text if len(text) <= _MAX_KEPT else None


def parse(raw: bytes, text: str, chunks: Cut, kept: str, display: str) -> tuple[SourceFile | None, int]:
    """The file's parse from the kept one and a parse of each changed chunk, and how many chunks
    changed; (None, 0) when this tier cannot make it (the caller parses the whole file)."""
    try:
        (form, indent, rest, starts, end, digests, anchors, data, values, keys,
         refs) = marshal.loads(zlib.decompress(base64.b64decode(kept)))
        paths = data["paths"]
        if not (form == _FORMAT and isinstance(paths, dict) and isinstance(values, dict) and isinstance(keys, dict)
                and len(starts) == len(digests) == len(anchors) == len(paths)):
            return None, 0
    except Exception:  # a record written by hand
        return None, 0
    if (indent, rest) != (chunks.indent, chunks.rest) or len(digests) != len(chunks.digests):
        return None, 0
    changed = [i for i, digest in enumerate(chunks.digests) if digest != digests[i]]
    if len(changed) > _MAX_CHANGED or any(anchors[i] or chunks.anchors[i] for i in changed):
        return None, 0
    # What parse_source checks of the whole file that a chunk's parse does not see.
    if len(raw) > MAX_FILE_BYTES or too_many_nodes(raw, text) is not None:
        return None, 0
    names = list(paths)
    urls = list(names)
    made: list[tuple[int, SourceFile, Any]] = []
    for i in changed:
        alone, problems = parse_source(("paths:\n" + chunks.texts[i]).encode("utf-8", "surrogatepass"), display)
        if alone is None or problems or not isinstance(alone.data, dict) or len(alone.data) != 1:
            return None, 0
        entries = alone.data.get("paths")
        if not isinstance(entries, dict) or len(entries) != 1:
            return None, 0
        (url, item), = entries.items()
        if not isinstance(url, str):
            return None, 0
        made.append((i, alone, item))
        urls[i] = url
    if len(set(urls)) != len(urls) or not all(isinstance(name, str) for name in names):
        return None, 0  # two entries with one key: the whole file's parse says where
    if made:
        gone = {"#/paths/" + _escaped(names[i]) for i in changed}
        below = tuple(pointer + "/" for pointer in gone)
        for table in (values, keys):
            for k in [k for k in table if k.startswith(below) or k in gone]:
                del table[k]
        refs = [r for r in refs if r[0] not in gone and not r[0].startswith(below)]
    for i in reversed(changed):  # what follows a chunk that grew or shrank moves with it
        old_end = starts[i + 1] if i + 1 < len(starts) else end
        new_end = chunks.starts[i + 1] if i + 1 < len(chunks.starts) else chunks.end
        moved = (new_end - chunks.starts[i]) - (old_end - starts[i])
        if moved:
            at, by = old_end << 32, moved << 32
            values = {k: v + by if v >= at else v for k, v in values.items()}
            keys = {k: v + by if v >= at else v for k, v in keys.items()}
            refs = [(p, r, v + by if v >= at else v) for p, r, v in refs]
    try:
        sites = [RefSite(_at(data, pointer), pointer, ref, position) for pointer, ref, position in refs]
    except (KeyError, IndexError, TypeError, ValueError):
        return None, 0
    for site in sites:
        site.holder["$ref"] = site.ref  # as the file says it (the record has it as the loader rewrote it)
    if urls != names:  # a path renamed: the same place in the mapping
        entries = dict(zip(urls, paths.values(), strict=True))
        paths.clear()
        paths.update(entries)
    for i, alone, item in made:
        paths[urls[i]] = item
        by = (chunks.starts[i] - 1) << 32  # line 0 of the chunk's text is the `paths:` put before it
        for table, into in ((alone.values, values), (alone.keys, keys)):
            for k, v in table.items():
                if k not in ("#", "#/paths"):
                    into[k] = v + by
        sites += [RefSite(site.holder, site.pointer, site.ref, site.position + by) for site in alone.refs]
    return SourceFile(display, data, values, keys, sites), len(changed)


def _escaped(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _at(data: Any, pointer: str) -> dict[str, Any]:
    node = data
    for part in parts_from_pointer(pointer):
        node = node[int(part)] if isinstance(node, list) else node[part]
    if not isinstance(node, dict):
        raise TypeError("not a mapping")
    return node

