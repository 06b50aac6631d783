"""A YAML or JSON file's bytes -> plain data and a line:column for every node, in bounded work."""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ..diagnostics import Diagnostic, error

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 500  # below libyaml's own limit (1000 in PyYAML 6.0.4), so ours always speaks first
# Composing costs ~450 bytes and ~5 microseconds a node, so the node count, not the byte count,
# bounds memory and time: 2,000,000 nodes take about 1 GB and 10 s. A real spec has ~40 bytes a node
# (Binance Spot: 1.3 MB, 33,000 nodes), so only a dense file ("[1,1,1,...") meets this before the
# byte cap; a 64 MiB one would otherwise need 15 GB.
MAX_NODES = 2_000_000
# Alias expansion may multiply a file's nodes; a real spec has fewer nodes than bytes, so this
# budget never binds without aliases, and a 549-byte "billion laughs" stops after ~100,000 nodes.
# It never exceeds MAX_NODES: aliases expanded, the document is as big as one written out.
NODE_BUDGET_BASE = 100_000
NODE_BUDGET_PER_BYTE = 8

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_MERGE_KEY = object()  # what _Converter._key returns for `<<`

# Everything YAML 1.1 allows in a stream (PyYAML's own check, which reports only an offset).
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CHAR_NAMES = {0: "NUL", 0x7F: "DEL", 0xFFFE: "a noncharacter", 0xFFFF: "a noncharacter"}
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_OTHER_BREAK = re.compile("[\r\x85\u2028\u2029]")


class _Resolver(Resolver):
    """SafeLoader's implicit types minus timestamps and '=': the document must stay JSON data,
    so `2024-01-01` stays the string it looks like (SafeLoader would make a datetime.date).

    A scalar's tag depends on its text alone (no path resolvers are registered), and a spec repeats
    the same scalars ("string", "object", "type"...) thousands of times: each text is resolved once."""

    _tags: dict[tuple[type[Node], Any, Any], str]  # set by each composer: called 60,000 times on Spot

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        key = (kind, value, implicit)  # a collection's value is None: its tag depends on its kind alone
        try:
            return self._tags[key]
        except KeyError:
            tag = self._tags[key] = _resolve(self, kind, value, implicit)
            return tag


_resolve: Callable[[Resolver, type[Node], Any, Any], str] = Resolver.resolve  # untyped in types-pyyaml


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in entries
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")]
    for first, entries in Resolver.yaml_implicit_resolvers.items()
}


try:
    from yaml._yaml import CParser

    class _Composer(CParser, _Resolver):
        def __init__(self, stream: bytes) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)
            self._tags = {}

    C_ACCELERATED = True
except ImportError:  # PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: bytes) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Resolver.__init__(self)
            self._tags = {}

    C_ACCELERATED = False


def unpack(position: int) -> tuple[int, int]:
    """(line, column), 1-based, of a position stored as `line << 32 | column` (0-based): one int
    instead of a tuple, as the tables hold hundreds of thousands."""
    return (position >> 32) + 1, (position & 0xFFFFFFFF) + 1


@dataclass(frozen=True, slots=True)
class RefSite:
    """A mapping with a string `$ref`, found while converting (so nobody walks the document again)."""

    holder: dict[str, Any]
    pointer: str  # of the holder, within its file
    ref: str
    position: int  # packed, of the `$ref` value


@dataclass(slots=True)
class SourceFile:
    display: str
    data: Any
    values: dict[str, int] = field(default_factory=dict)  # pointer -> packed position of the node
    keys: dict[str, int] = field(default_factory=dict)  # pointer -> packed position of its key
    refs: list[RefSite] = field(default_factory=list)


def parse_source(raw: bytes, display: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Bytes -> SourceFile; any problem becomes a Diagnostic, never an exception."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [too_big(display)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col(raw[:exc.start].decode("utf-8", "replace"))
        return None, [error(f"file is not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded",
                            display, line, column)]
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        return None, [_forbidden(text, bad.start(), display)]
    try:
        deep = too_deep(raw, text)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(exc, display, text)]
    if deep is not None:
        message = f"nesting is deeper than {MAX_DEPTH} levels; refusing to parse"
        return None, [error(message, display, *deep)]
    crowded = too_many_nodes(raw, text)
    if crowded is not None:
        message = (f"file has more than {MAX_NODES:,} YAML nodes; refusing to load it (it would take "
                   "gigabytes of memory)")
        return None, [error(message, display, *crowded)]
    # Composing and converting allocate ~2 objects a byte, all of which live on: the cyclic garbage
    # collector would only rescan them, again and again (it doubles the time on a large spec).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compose_and_convert(raw, text, display)
    except MemoryError:  # under a memory limit (ulimit -v, a container): the nodes are freed by now
        return None, [error(f"not enough memory to load this file ({len(raw):,} bytes)", display)]
    finally:
        if collecting:
            gc.enable()


def _compose_and_convert(raw: bytes, text: str,
                         display: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    try:
        root = _compose(raw)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(exc, display, text)]
    except yaml.YAMLError as exc:
        return None, [error(f"YAML error: {exc}", display)]
    except RecursionError:  # only the pure-Python composer recurses in Python
        message = f"nesting is too deep for the YAML parser (limit {MAX_DEPTH} levels)"
        return None, [error(message, display)]
    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL and root.value == ""):
        return None, [error("file is empty: it holds no YAML document", display)]
    source = SourceFile(display, None)
    converter = _Converter(source, min(NODE_BUDGET_BASE + NODE_BUDGET_PER_BYTE * len(raw), MAX_NODES))
    source.data = converter.run(root)
    if converter.diagnostics:
        return None, sorted(converter.diagnostics, key=lambda d: (d.line or 0, d.column or 0))
    return source, []


def too_big(display: str) -> Diagnostic:
    mib, rest = divmod(MAX_FILE_BYTES, 2**20)
    limit = f"{mib} MiB" if rest == 0 else f"{MAX_FILE_BYTES:,} bytes"
    return error(f"file is larger than {limit}; refusing to read it", display)


def _compose(raw: bytes) -> Node | None:
    composer = _Composer(raw)
    try:
        if C_ACCELERATED:
            return composer.get_single_node()
        # The pure composer uses two Python frames a level; give it room for MAX_DEPTH levels.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * MAX_DEPTH + 500))
        try:
            return composer.get_single_node()
        finally:
            sys.setrecursionlimit(limit)
    finally:
        composer.dispose()


def _yaml_error(exc: yaml.MarkedYAMLError, display: str, text: str) -> Diagnostic:
    """PyYAML's problem text, with its context ("while scanning a quoted scalar") and its start."""
    mark = exc.problem_mark or exc.context_mark
    problem, context, context_mark = exc.problem, exc.context, exc.context_mark
    if problem and context and context_mark is not None:
        where = f"at line {context_mark.line + 1}:{context_mark.column + 1}"
        if context.startswith("while "):
            message = f"{problem} ({context} {where})"
        else:  # a sentence in two halves: "expected a single document ... but found another document"
            message = f"{context} {where}, {problem} here"
    else:
        message = problem or context or "cannot parse"
    if mark is None:
        return error(f"YAML syntax error: {message}", display)
    lines = text.splitlines()
    if mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
        message = "a tab cannot indent YAML or start a token; use spaces"
    return error(f"YAML syntax error: {message}", display, mark.line + 1, mark.column + 1)


def _forbidden(text: str, offset: int, display: str) -> Diagnostic:
    code = ord(text[offset])
    name = _CHAR_NAMES.get(code, "a control character")
    count = len(_FORBIDDEN.findall(text))
    more = f" ({count} such characters in the file)" if count > 1 else ""
    return error(f"character U+{code:04X} ({name}) is not allowed in YAML{more}", display,
                 *_line_col(text[:offset]))


def _line_col(prefix: str) -> tuple[int, int]:
    """1-based position just after `prefix`, counting line breaks the way YAML does."""
    breaks = list(_LINE_BREAK.finditer(prefix))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, len(prefix) - start + 1


# -- depth scan ---------------------------------------------------------------------------------
# libyaml parses without recursion, but PyYAML composes nodes recursively: in C the stack overflows
# (a segfault) near 50,000 levels, in Python a RecursionError comes near 500. So before composing,
# a cheap scan of the text looks for anything that might nest deeper than MAX_DEPTH: block
# collections need one more column of indentation (or one more "- " on a line) per level, so only
# lines that start with a long run of spaces and indicators can nest deep; flow collections are
# counted bracket by bracket, skipping quoted scalars, comments and brackets inside plain scalars.
# Only when that scan raises the alarm does libyaml's event stream (flat, exact) measure the depth,
# so an odd but shallow spec is never refused on the scan's word alone.

_BLOCK_RUN = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH // 2}}}", re.M)
_SPECIAL = re.compile(r"""[\[{"'|>]""")
_BLOCK_LINE = re.compile(r"""
    [ ]*(?P<ind>(?:[-?:](?:[ \t]+|$))*)                     # indentation, compact indicators "- ? "
    (?P<key>(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'          # a quoted key
              |[^\s\#'"\[\]{}|>&!*%@`,?:-][^\#\n]*?          # or a plain one
              |[-?:][^\s\#][^\#\n]*?)
            [ \t]*:(?:[ \t]+|$))?
    (?:[&!]\S*[ \t]+)*                                        # anchor, tag
""", re.X | re.M)
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ \t]*(?:\#[^\n]*)?$", re.M)
_FLOW_KEY = re.compile(r"[ \t]*:[ \t]+")
_FLOW_STOP = re.compile(r"""[\[\]{}"'#]""")
_QUOTED_REST = {'"': re.compile(r'(?:[^"\\]|\\.)*"', re.S), "'": re.compile(r"(?:[^']|'')*'")}


def too_deep(raw: bytes, text: str) -> tuple[int, int] | None:
    """(line, column) of the first node nested deeper than MAX_DEPTH, or None."""
    if _OTHER_BREAK.search(text) is not None:
        text = _LINE_BREAK.sub("\n", text)  # the scan splits lines at "\n" only
    if _BLOCK_RUN.search(text) is None and not _flow_may_be_deep(text):
        return None
    parser = _Composer(raw)
    try:
        depth = 0
        while (event := parser.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return None
    except yaml.MarkedYAMLError as exc:
        # Newer libyaml releases stop at their own nesting limit: that is the same finding.
        if "nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            return (exc.problem_mark.line + 1, exc.problem_mark.column + 1)
        return None  # any other syntax error is reported, with its position, by the real parse
    finally:
        parser.dispose()


# -- node count -------------------------------------------------------------------------------
# Every scalar or alias follows a line break, an indicator (`- ? :`) or a flow bracket or comma, or
# starts the file; every collection shares that with its first entry or owns a bracket. So twice
# the count of those characters bounds the nodes: counting them costs milliseconds, and only a file
# that may be over the limit has its nodes counted exactly, from libyaml's (flat) event stream.
_NODE_STARTS = ("\n", "-", "?", ":", ",", "[", "{")
_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)


def too_many_nodes(raw: bytes, text: str) -> tuple[int, int] | None:
    """(line, column) of the node that takes the file over MAX_NODES, or None."""
    if 2 * (sum(text.count(char) for char in _NODE_STARTS) + 1) <= MAX_NODES:
        return None
    parser = _Composer(raw)
    try:
        count = 0
        while (event := parser.get_event()) is not None:
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > MAX_NODES:
                    mark = event.start_mark
                    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return None
    except yaml.MarkedYAMLError:
        return None  # the real parse reports it, with its position
    finally:
        parser.dispose()


def _flow_may_be_deep(text: str) -> bool:
    end = len(text)
    pos = 0
    while (found := _SPECIAL.search(text, pos)) is not None:
        line_start = text.rfind("\n", 0, found.start()) + 1
        line = _BLOCK_LINE.match(text, line_start)
        assert line is not None  # every part of the pattern is optional
        value = line.end()
        first = text[value:value + 1]
        if first in ("[", "{"):
            value = _flow_end(text, value)
            if value < 0:
                return True
            after = _FLOW_KEY.match(text, value)  # [a, b]: "a flow key's value"
            if after is not None and text[after.end():after.end() + 1] in ('"', "'"):
                value = after.end()
                first = text[value]
        if first in ('"', "'"):
            closed = _QUOTED_REST[first].match(text, value + 1)
            if closed is None:
                return False  # never closed: YAML will say so
            value = closed.end()
        elif first in ("|", ">") and _BLOCK_SCALAR.match(text, value):
            # Content runs while lines are indented deeper than the key (or "- ") that owns it.
            if line["key"] is not None:
                parent = line.start("key") - line_start
            elif line["ind"]:
                parent = line.start("ind") + len(line["ind"].rstrip()) - 1 - line_start
            else:
                parent = line.start("ind") - line_start
            content_end = re.compile(rf"\n {{0,{parent}}}(?=[^ \t\n])").search(text, value)
            if content_end is None:
                return False
            pos = content_end.start() + 1
            continue
        newline = text.find("\n", value)
        pos = end if newline < 0 else newline
    return False


def _flow_end(text: str, pos: int) -> int:
    """Index just past the flow collection opening at `pos`; -1 if it nests deeper than MAX_DEPTH
    (or never closes: YAML reports that, after it has composed what came before)."""
    depth = 0
    comments: dict[int, int] = {}  # end -> start of each comment seen, to look back past them
    while (found := _FLOW_STOP.search(text, pos)) is not None:
        index = found.start()
        char = text[index]
        pos = index + 1
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return -1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return pos
        elif char == "#":
            if index == 0 or text[index - 1] in " \t\n":
                newline = text.find("\n", index)
                pos = len(text) if newline < 0 else newline
                comments[pos] = index
        else:
            # A quote opens a quoted scalar only where a node starts; in `[a "b"]` it is a letter.
            before = index - 1
            while True:
                while before >= 0 and text[before] in " \t\n":
                    before -= 1
                if before + 1 in comments:
                    before = comments[before + 1] - 1
                    continue
                break
            if before < 0 or text[before] in "[{,:?":
                closed = _QUOTED_REST[char].match(text, pos)
                if closed is None:
                    return len(text)
                pos = closed.end()
    return len(text)


# -- nodes to data ------------------------------------------------------------------------------

class _Abort(Exception):
    """The node budget is spent: stop converting this file."""


_KIND = {MappingNode: "a mapping", SequenceNode: "a sequence", ScalarNode: "a scalar"}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


class _Converter:
    """Nodes -> plain data, iteratively (a node may be reached through many aliases)."""

    def __init__(self, source: SourceFile, budget: int) -> None:
        self.source = source
        self.budget = budget
        self.count = 0
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[tuple[int | None, int | None, str]] = set()
        self._constructor = SafeConstructor()
        self._flattened: set[int] = set()

    def report(self, message: str, node: Node, pointer: str | None) -> None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if (line, column, message) not in self._reported:  # an aliased node is met more than once
            self._reported.add((line, column, message))
            self.diagnostics.append(error(message, self.source.display, line, column, pointer))

    def run(self, root: Node) -> Any:
        try:
            return self._run(root)
        except _Abort:
            return None

    def _run(self, root: Node) -> Any:
        values, keys, refs = self.source.values, self.source.keys, self.source.refs
        mark = root.start_mark
        values["#"] = mark.line << 32 | mark.column
        top: list[Any] = [None]
        # Work items: (node, container to fill, slot in it, pointer, depth, reached through an alias)
        stack: list[tuple[Node, Any, Any, str, int, bool]] = [(root, top, 0, "#", 0, False)]
        seen: set[int] = set()
        while stack:
            node, parent, slot, pointer, depth, aliased = stack.pop()
            if isinstance(node, ScalarNode):  # only the root gets here; members are done inline
                parent[slot] = self._scalar(node, pointer)
                continue
            if id(node) in seen:
                aliased = True
            else:
                seen.add(id(node))
            if depth >= MAX_DEPTH:
                # No pointer: a thousand levels of it would bury the message.
                message = f"nesting is deeper than {MAX_DEPTH} levels"
                if aliased:
                    message = (f"aliases expand this node deeper than {MAX_DEPTH} levels (is an anchor "
                               "used inside itself?)")
                self.report(message, node, None)
                continue
            self.count += len(node.value) + 1
            if self.count > self.budget:
                self.report(f"aliases expand this file to more than {self.budget:,} nodes; refusing "
                            "to load it (an alias bomb?)", node, None)
                raise _Abort
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    self._bad_tag(node, pointer)
                    continue
                items: list[Any] = [None] * len(node.value)
                parent[slot] = items
                for index, item in enumerate(node.value):
                    child = f"{pointer}/{index}"
                    mark = item.start_mark
                    values[child] = mark.line << 32 | mark.column
                    if type(item) is ScalarNode:
                        items[index] = item.value if item.tag == _STR else self._scalar(item, child)
                    else:
                        stack.append((item, items, index, child, depth + 1, aliased))
                continue
            assert isinstance(node, MappingNode)
            if node.tag != _MAP:
                self._bad_tag(node, pointer)
                continue
            result: dict[str, Any] = {}
            parent[slot] = result
            while True:
                restart = len(stack)
                for key_node, value_node in node.value:
                    if type(key_node) is ScalarNode and key_node.tag == _STR:
                        key = key_node.value
                    else:
                        key = self._key(key_node, pointer)
                        if key is _MERGE_KEY:
                            break
                        if key is None:
                            continue
                    if "/" in key or "~" in key:
                        child = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
                    else:
                        child = f"{pointer}/{key}"
                    if key in result:
                        first = unpack(keys[child])
                        self.report(f"duplicate key {key!r} (first at line {first[0]}:{first[1]}); "
                                    "YAML would silently keep only the last", key_node, child)
                    mark = key_node.start_mark
                    keys[child] = mark.line << 32 | mark.column
                    mark = value_node.start_mark
                    values[child] = mark.line << 32 | mark.column
                    if type(value_node) is ScalarNode:
                        result[key] = (value_node.value if value_node.tag == _STR
                                       else self._scalar(value_node, child))
                    else:
                        result[key] = None
                        stack.append((value_node, result, key, child, depth + 1, aliased))
                else:
                    break
                # A merge key (<<): undo this node's work so far, merge, and convert it again.
                del stack[restart:]
                result.clear()
                self._flatten(node)
            ref = result.get("$ref")
            if type(ref) is str:
                refs.append(RefSite(result, pointer, ref, values[pointer + "/$ref"]))
        return top[0]

    def _bad_tag(self, node: Node, pointer: str) -> None:
        self.report(f"tag {_short_tag(node.tag)} is not allowed: an OpenAPI document holds only "
                    "strings, numbers, booleans, null, mappings and sequences", node, pointer)

    def _scalar(self, node: ScalarNode, pointer: str) -> Any:
        tag = node.tag
        constructor = self._constructor
        try:
            if tag == _STR:
                return node.value
            if tag == _INT:
                return constructor.construct_yaml_int(node)
            if tag == _FLOAT:
                return constructor.construct_yaml_float(node)
            if tag == _BOOL:
                return constructor.construct_yaml_bool(node)
            if tag == _NULL:
                return None
        except (ValueError, KeyError):  # an explicit tag on text that does not fit it: !!int abc
            self.report(f"{node.value!r} is not a valid {_short_tag(tag)}", node, pointer)
            return None
        self._bad_tag(node, pointer)
        return None

    def _key(self, node: Node, pointer: str) -> Any:
        """The key as a string; _MERGE_KEY for `<<`; None (reported) when it cannot be one."""
        if not isinstance(node, ScalarNode):
            self.report(f"a mapping key must be a string, not {_KIND[type(node)]}", node, pointer)
            return None
        tag = node.tag
        text = node.value
        if tag == _INT:
            return text  # `200:` means the response code "200", exactly as written
        if tag == _MERGE:
            return _MERGE_KEY
        if tag in (_BOOL, _NULL, _FLOAT):
            value = self._scalar(node, pointer)
            read = {_BOOL: f"the boolean {str(value).lower()}", _NULL: "null",
                    _FLOAT: f"the number {value!r}"}[tag]
            shown = repr(text) if text else "(empty)"
            self.report(f"mapping key {shown} is read by YAML as {read}; OpenAPI keys are strings: "
                        f"quote it", node, pointer)
            return None
        self._bad_tag(node, pointer)
        return None

    # -- merge keys (<<) ---------------------------------------------------------------------------
    def _flatten(self, top: MappingNode) -> None:
        """Apply `<<` merges to `top`, its sources first (post-order, no recursion), so that PyYAML's
        flatten_mapping only ever goes one level deep; refuse merge cycles and runaway growth."""
        gray, black = 1, 2
        state: dict[int, int] = {}
        stack: list[tuple[MappingNode, bool]] = [(top, False)]
        while stack:
            node, done = stack.pop()
            if done:
                self._flatten_one(node)
                state[id(node)] = black
                continue
            seen = state.get(id(node))
            if seen == black:
                continue
            if seen == gray:
                self.report("merge key '<<' merges a mapping into itself", node, None)
                break
            sources = self._merge_sources(node)
            if sources is None:
                break
            state[id(node)] = gray
            stack.append((node, True))
            stack.extend((source, False) for source in sources)
        else:
            return
        # On error: drop top's merge keys so that converting it can finish (the error is reported).
        top.value = [pair for pair in top.value if pair[0].tag != _MERGE]

    def _merge_sources(self, node: MappingNode) -> list[MappingNode] | None:
        sources: list[MappingNode] = []
        for key, value in node.value:
            if key.tag != _MERGE:
                continue
            candidates = value.value if isinstance(value, SequenceNode) else [value]
            for candidate in candidates:
                if not isinstance(candidate, MappingNode):
                    self.report(f"merge key '<<' needs a mapping or a list of mappings, not "
                                f"{_KIND[type(candidate)]}", candidate, None)
                    return None
                sources.append(candidate)
        return sources

    def _flatten_one(self, node: MappingNode) -> None:
        if id(node) in self._flattened:
            return
        own = [pair for pair in node.value if pair[0].tag != _MERGE]
        merged = sum(len(value.value) if isinstance(value, MappingNode) else
                     sum(len(item.value) for item in value.value)
                     for key, value in node.value if key.tag == _MERGE)
        self.count += merged
        if self.count > self.budget:
            self.report(f"merge keys expand this file to more than {self.budget:,} nodes; refusing "
                        "to load it", node, None)
            raise _Abort
        self._constructor.flatten_mapping(node)
        # flatten_mapping keeps overridden pairs (construction lets the last win). Drop them now, so
        # a mapping merged again does not grow, and its repeated keys are not taken for duplicates.
        merged_part = node.value[:len(node.value) - len(own)]
        taken = {_key_identity(key) for key, _ in own}
        kept = []
        for key, value in reversed(merged_part):
            identity = _key_identity(key)
            if identity not in taken:
                taken.add(identity)
                kept.append((key, value))
        kept.reverse()
        node.value = kept + own
        self._flattened.add(id(node))


def _key_identity(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return node.value if node.tag in (_STR, _INT) else (node.tag, node.value)
    return id(node)
