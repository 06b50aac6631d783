"""load(): safe YAML, a position for every node, $refs resolved and bundled, hostile input refused."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import GenerationError, parts_from_pointer
from generator.spec import source as yaml_source
from generator.spec.load import BUNDLE_KEY, LoadedSpec, load
from generator.spec.source import MAX_DEPTH

CASES = Path(__file__).parent / "load_cases"
SPOT = Path("/work/shared/specs/binance-spot.openxapi.yaml")


def write(folder: Path, files: dict[str, bytes | str]) -> Path:
    """Write files under folder; returns the first (the root spec)."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return folder / next(iter(files))


def errors(path: Path, display: str = "openapi.yaml") -> list[str]:
    with pytest.raises(GenerationError) as caught:
        load(path, display)
    return [str(d) for d in caught.value.diagnostics]


def walk(document: Any) -> list[tuple[tuple[str, ...], Any]]:
    """Every (path, node) of a plain document, without recursion."""
    found = []
    stack: list[tuple[tuple[str, ...], Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        found.append((path, node))
        if isinstance(node, dict):
            stack.extend(((*path, key), value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, str(index)), value) for index, value in enumerate(node))
    return found


def follow(document: Any, ref: str) -> Any:
    node = document
    for part in parts_from_pointer(ref):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def assert_self_contained(spec: LoadedSpec) -> None:
    """Plain JSON data only, and every $ref outside literal values is local and resolves."""
    for path, node in walk(spec.document):
        assert type(node) in (dict, list, str, int, float, bool, type(None)), path
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and "example" not in path \
                and "examples" not in path:
            assert node["$ref"].startswith("#"), path
            follow(spec.document, node["$ref"])


# -- one file, one problem ----------------------------------------------------------------------

BAD_FILES: list[tuple[str, bytes, list[str]]] = [
    ("syntax error", b"openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\n",
     ["openapi.yaml:4:10: error: YAML syntax error: did not find expected ',' or ']' "
      "(while parsing a flow sequence at line 3:10)"]),
    ("unclosed quote", b"openapi: 3.0.3\ninfo:\n  title: 'unclosed\n",
     ["openapi.yaml:4:1: error: YAML syntax error: found unexpected end of stream "
      "(while scanning a quoted scalar at line 3:10)"]),
    ("tab indentation", b"openapi: 3.0.3\ninfo:\n\ttitle: x\n",
     ["openapi.yaml:3:1: error: YAML syntax error: a tab cannot indent YAML or start a token; use spaces"]),
    ("two documents", b"openapi: 3.0.3\n---\nopenapi: 3.1.0\n",
     ["openapi.yaml:2:1: error: YAML syntax error: expected a single document in the stream at line 1:1, "
      "but found another document here"]),
    ("undefined alias", b"openapi: 3.0.3\nx-a: *nope\n",
     ["openapi.yaml:2:6: error: YAML syntax error: found undefined alias"]),
    ("duplicate anchor", b"openapi: 3.0.3\nx-a: &a 1\nx-b: &a 2\n",
     ["openapi.yaml:3:6: error: YAML syntax error: found duplicate anchor; first occurrence at line 2:6, "
      "second occurrence here"]),
    ("duplicate keys", b"openapi: 3.0.3\npaths:\n  /a:\n    get: {}\n    get: {}\nopenapi: 3.1.0\n",
     ["openapi.yaml:5:5: error: duplicate key 'get' (first at line 4:5); YAML would silently keep only "
      "the last (at #/paths/~1a/get)",
      "openapi.yaml:6:1: error: duplicate key 'openapi' (first at line 1:1); YAML would silently keep only "
      "the last (at #/openapi)"]),
    ("NUL", b"openapi: 3.0.3\ninfo:\n  title: a\x00b\n",
     ["openapi.yaml:3:11: error: character U+0000 (NUL) is not allowed in YAML"]),
    ("control characters", b"openapi: 3.0.3\ninfo:\n  title: a\x07b\n  version: \x07\n",
     ["openapi.yaml:3:11: error: character U+0007 (a control character) is not allowed in YAML "
      "(2 such characters in the file)"]),
    ("DEL after a CRLF line", b"openapi: 3.0.3\r\nx-a: \x7f\r\n",
     ["openapi.yaml:2:6: error: character U+007F (DEL) is not allowed in YAML"]),
    ("not UTF-8", b"openapi: 3.0.3\ninfo:\n  title: caf\xe9\n",
     ["openapi.yaml:3:13: error: file is not UTF-8 text: byte 0xe9 cannot be decoded"]),
    ("UTF-16", "openapi: 3.0.3\n".encode("utf-16"),
     ["openapi.yaml:1:1: error: file is not UTF-8 text: byte 0xff cannot be decoded"]),
    ("empty", b"", ["openapi.yaml: error: file is empty: it holds no YAML document"]),
    ("only comments", b"# nothing here\n", ["openapi.yaml: error: file is empty: it holds no YAML document"]),
    ("only a document marker", b"---\n", ["openapi.yaml: error: file is empty: it holds no YAML document"]),
    ("root is a list", b"- openapi\n- 3.0.3\n",
     ["openapi.yaml:1:1: error: the spec must be a mapping (key: value lines) at the top level, not a list"]),
    ("root is a string", b"openapi 3.0.3\n",
     ["openapi.yaml:1:1: error: the spec must be a mapping (key: value lines) at the top level, not a string"]),
    ("python tag", b"openapi: !!python/object/apply:os.system ['echo hi']\n",
     ["openapi.yaml:1:10: error: tag !!python/object/apply:os.system is not allowed: an OpenAPI document "
      "holds only strings, numbers, booleans, null, mappings and sequences (at #/openapi)"]),
    ("local tag", b"openapi: 3.0.3\ninfo: !Info {title: x}\n",
     ["openapi.yaml:2:7: error: tag !Info is not allowed: an OpenAPI document holds only strings, numbers, "
      "booleans, null, mappings and sequences (at #/info)"]),
    ("binary", b"openapi: 3.0.3\nx-data: !!binary aGVsbG8=\n",
     ["openapi.yaml:2:9: error: tag !!binary is not allowed: an OpenAPI document holds only strings, "
      "numbers, booleans, null, mappings and sequences (at #/x-data)"]),
    ("explicit tag that does not fit", b"openapi: 3.0.3\nx-n: !!int twelve\n",
     ["openapi.yaml:2:6: error: 'twelve' is not a valid !!int (at #/x-n)"]),
    ("keys that are not strings", b"openapi: 3.0.3\nx-keys:\n  yes: a\n  null: b\n  1.5: c\n  [a]: d\n"
                                  b"  ? {a: 1}\n  : e\n",
     ["openapi.yaml:3:3: error: mapping key 'yes' is read by YAML as the boolean true; OpenAPI keys are "
      "strings: quote it (at #/x-keys)",
      "openapi.yaml:4:3: error: mapping key 'null' is read by YAML as null; OpenAPI keys are strings: "
      "quote it (at #/x-keys)",
      "openapi.yaml:5:3: error: mapping key '1.5' is read by YAML as the number 1.5; OpenAPI keys are "
      "strings: quote it (at #/x-keys)",
      "openapi.yaml:6:3: error: a mapping key must be a string, not a sequence (at #/x-keys)",
      "openapi.yaml:7:5: error: a mapping key must be a string, not a mapping (at #/x-keys)"]),
    ("merge into itself", b"openapi: 3.0.3\nx-a: &a\n  <<: *a\n  b: 1\n",
     ["openapi.yaml:2:6: error: merge key '<<' merges a mapping into itself"]),
    ("merge of a scalar", b"openapi: 3.0.3\nx-a:\n  <<: 5\n",
     ["openapi.yaml:3:7: error: merge key '<<' needs a mapping or a list of mappings, not a scalar"]),
    ("recursive alias", b"openapi: 3.0.3\nx-a: &a\n  b: *a\n",
     ["openapi.yaml:2:6: error: aliases expand this node deeper than 500 levels (is an anchor used inside "
      "itself?)"]),
    ("reserved key", b"openapi: 3.0.3\nx-generator-files: {}\n",
     ["openapi.yaml:2:1: error: the top-level key 'x-generator-files' is reserved for files this generator "
      "bundles (at #/x-generator-files)"]),
    ("dangling local refs",
     b"openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n"
     b"    C:\n      $ref: '#/components/schemas/A/properties/x'\n"
     b"    D: {$ref: '#/components/schemas/A/$ref/x'}\n    F: {$ref: '#/nowhere'}\n"
     b"    G: {$ref: '#/components/schemas/A~1B'}\n",
     ["openapi.yaml:5:13: error: $ref '#/components/schemas/B' points to nothing: no 'B' in "
      "#/components/schemas (at #/components/schemas/A)",
      "openapi.yaml:7:13: error: $ref '#/components/schemas/A/properties/x' points to nothing: "
      "no 'properties' in #/components/schemas/A (at #/components/schemas/C)",
      "openapi.yaml:8:15: error: $ref '#/components/schemas/A/$ref/x' points to nothing: no 'x' in "
      "#/components/schemas/A/$ref (a string) (at #/components/schemas/D)",
      "openapi.yaml:9:15: error: $ref '#/nowhere' points to nothing: no 'nowhere' in the top level "
      "(at #/components/schemas/F)",
      "openapi.yaml:10:15: error: $ref '#/components/schemas/A~1B' points to nothing: no 'A/B' in "
      "#/components/schemas (at #/components/schemas/G)"]),
    ("ref chains that never reach a value",
     b"openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/A'\n"
     b"    B:\n      $ref: '#/components/schemas/C'\n    C:\n      $ref: '#/components/schemas/B'\n"
     b"    D:\n      $ref: '#/components/schemas/B'\n",
     ["openapi.yaml:5:13: error: $ref chain never reaches a value: #/components/schemas/A -> "
      "#/components/schemas/A (at #/components/schemas/A)",
      "openapi.yaml:7:13: error: $ref chain never reaches a value: #/components/schemas/B -> "
      "#/components/schemas/C -> #/components/schemas/B (at #/components/schemas/B)"]),
    ("fragment that is not a pointer", b"openapi: 3.0.3\nx-a: {$ref: '#Foo'}\n",
     ["openapi.yaml:2:13: error: $ref '#Foo' has a fragment that is not a JSON pointer: write '#/' and the "
      "path to the node (at #/x-a)"]),
    ("refs out of the spec's folder", b"openapi: 3.0.3\nx-a: {$ref: '../outside.yaml#/A'}\n"
                                      b"x-b: {$ref: '/etc/passwd'}\n",
     ["openapi.yaml:2:13: error: $ref '../outside.yaml#/A' leaves the spec's folder: only files inside it "
      "can be referenced (at #/x-a)",
      "openapi.yaml:3:13: error: $ref '/etc/passwd' leaves the spec's folder: only files inside it can be "
      "referenced (at #/x-b)"]),
    ("missing file", b"openapi: 3.0.3\nx-a: {$ref: 'schemas/missing.yaml#/A'}\nx-b: {$ref: '.'}\n",
     ["openapi.yaml:2:13: error: $ref 'schemas/missing.yaml#/A' names a file that does not exist: "
      "schemas/missing.yaml (at #/x-a)",
      "openapi.yaml:3:13: error: $ref '.' names something that is not a file: . (at #/x-b)"]),
    ("NUL in a ref's path", b"openapi: 3.0.3\nx-a: {$ref: 'a%00.yaml'}\n",
     ["openapi.yaml:2:13: error: $ref 'a%00.yaml' names a path that cannot be used: embedded null byte "
      "(at #/x-a)"]),
]


@pytest.mark.parametrize(("content", "expected"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_bad_file(tmp_path: Path, content: bytes, expected: list[str]) -> None:
    assert errors(write(tmp_path, {"openapi.yaml": content})) == expected


def test_missing_and_unreadable_root(tmp_path: Path) -> None:
    assert errors(tmp_path / "nope.yaml", "nope.yaml") == ["nope.yaml: error: file not found"]
    assert errors(tmp_path, "spec") == ["spec: error: is a folder, not a file"]


def test_file_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_FILE_BYTES", 16)
    spec = write(tmp_path, {"openapi.yaml": "openapi: 3.0.3\ninfo: {}\n"})
    assert errors(spec) == ["openapi.yaml: error: file is larger than 16 bytes; refusing to read it"]


# -- hostile input: bounded work, a clean error -------------------------------------------------

DEEP: list[tuple[str, str, str]] = [
    ("flow sequences", "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
     "openapi.yaml:1:1003: error: nesting is deeper than 500 levels; refusing to parse"),
    ("flow mappings", "a: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n",
     "openapi.yaml:1:2000: error: nesting is deeper than 500 levels; refusing to parse"),
    ("flow sequences one a line", "a:\n" + "  [\n" * 100_000 + "  ]\n" * 100_000,
     "openapi.yaml:501:3: error: nesting is deeper than 500 levels; refusing to parse"),
    ("compact block sequences", "- " * 100_000 + "x\n",
     "openapi.yaml:1:1001: error: nesting is deeper than 500 levels; refusing to parse"),
    ("indented block mappings", "".join(" " * level + "a:\n" for level in range(3000)),
     "openapi.yaml:501:501: error: nesting is deeper than 500 levels; refusing to parse"),
]


@pytest.mark.parametrize(("content", "expected"), [case[1:] for case in DEEP], ids=[case[0] for case in DEEP])
def test_deep_nesting_is_refused_before_parsing(tmp_path: Path, content: str, expected: str) -> None:
    assert errors(write(tmp_path, {"openapi.yaml": content})) == [expected]


def test_nesting_up_to_the_limit_loads(tmp_path: Path) -> None:
    spec = write(tmp_path, {"openapi.yaml": "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"})
    node = load(spec).document["a"]
    for _ in range(MAX_DEPTH - 2):
        node = node[0]
    assert node == []


# Brackets that open nothing: the text scan must not take them for nesting (real specs are full of them).
SHALLOW = [
    ("quoted", "a: '" + "[" * 3000 + "'\nb: \"" + "{" * 3000 + "\"\n"),
    ("comment", "a: 1 # " + "[" * 3000 + "\n"),
    ("block scalar", "a: |\n  " + "[" * 3000 + "\n  more\nb: [1]\n"),
    ("plain scalar", "a: x" + "[" * 3000 + "\n"),
    ("quoted in a flow", "a: [" + ", ".join(['"]]]"'] * 3000) + "]\n"),
    ("apostrophe in a flow word", "a: [don't, " + "'[[[['" + "]\n"),
]


@pytest.mark.parametrize("text", [case[1] for case in SHALLOW], ids=[case[0] for case in SHALLOW])
def test_depth_scan_ignores_brackets_that_open_nothing(text: str) -> None:
    assert not yaml_source._flow_may_be_deep(text)
    assert yaml_source.too_deep(text.encode(), text) is None


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    spec = write(tmp_path, {"openapi.yaml": BILLION_LAUGHS})
    budget = yaml_source.NODE_BUDGET_BASE + yaml_source.NODE_BUDGET_PER_BYTE * len(BILLION_LAUGHS)
    assert budget == 102_736
    assert errors(spec) == ["openapi.yaml:2:4: error: aliases expand this file to more than 102,736 nodes; "
                            "refusing to load it (an alias bomb?)"]


def test_merge_bomb_is_refused(tmp_path: Path) -> None:
    # Each level merges the previous one twice; without deduplication the pairs would double each time.
    lines = ["openapi: 3.0.3", "m0: &m0 {k: 1}"]
    lines += [f"m{n}: &m{n} {{<<: [*m{n - 1}, *m{n - 1}], k{n}: {n}}}" for n in range(1, 60)]
    spec = load(write(tmp_path, {"openapi.yaml": "\n".join(lines) + "\n"}))
    assert len(spec.document["m59"]) == 60


# -- remote refs are never fetched ----------------------------------------------------------------

def test_remote_refs_are_refused_without_a_connection(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        port = server.getsockname()[1]
        spec = write(tmp_path, {"openapi.yaml": (
            "openapi: 3.0.3\n"
            f"x-a: {{$ref: 'http://127.0.0.1:{port}/a.yaml'}}\n"
            f"x-b: {{$ref: 'https://127.0.0.1:{port}/a.yaml#/A'}}\n"
            f"x-c: {{$ref: '//127.0.0.1:{port}/a.yaml'}}\n"
            "x-d: {$ref: 'file:///etc/passwd'}\n")})
        remote = "is remote: nothing is fetched, only files inside the spec's folder can be referenced"
        assert errors(spec) == [
            f"openapi.yaml:2:13: error: $ref 'http://127.0.0.1:{port}/a.yaml' {remote} (at #/x-a)",
            f"openapi.yaml:3:13: error: $ref 'https://127.0.0.1:{port}/a.yaml#/A' {remote} (at #/x-b)",
            f"openapi.yaml:4:13: error: $ref '//127.0.0.1:{port}/a.yaml' {remote} (at #/x-c)",
            f"openapi.yaml:5:13: error: $ref 'file:///etc/passwd' {remote} (at #/x-d)",
        ]
        with pytest.raises(BlockingIOError):  # nothing is waiting to be accepted
            server.accept()


def test_symlinks_out_of_the_folder_or_in_a_loop_are_refused(tmp_path: Path) -> None:
    write(tmp_path, {"secret.yaml": "A: {type: string}\n"})
    spec = write(tmp_path / "spec", {"openapi.yaml": "openapi: 3.0.3\nx-a: {$ref: 'link.yaml#/A'}\n"
                                                     "x-b: {$ref: 'loop.yaml'}\n"})
    (tmp_path / "spec" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    (tmp_path / "spec" / "loop.yaml").symlink_to("loop.yaml")
    assert errors(spec) == [
        "openapi.yaml:2:13: error: $ref 'link.yaml#/A' leaves the spec's folder: only files inside it "
        "can be referenced (at #/x-a)",
        f"openapi.yaml:3:13: error: $ref 'loop.yaml' names a path that cannot be used: Symlink loop from "
        f"'{tmp_path.resolve() / 'spec' / 'loop.yaml'}' (at #/x-b)",
    ]


# -- what loads, and how ------------------------------------------------------------------------

GOOD_FILES: list[tuple[str, str, dict[str, Any]]] = [
    ("integer keys become the strings written",
     "responses:\n  200: {description: ok}\n  0x1F: {description: odd}\n",
     {"responses": {"200": {"description": "ok"}, "0x1F": {"description": "odd"}}}),
    ("scalars keep SafeLoader types, but dates stay strings",
     "a: 2024-01-01\nb: '='\nc: 0x1F\nd: yes\ne: 1.5\nf: ~\ng: =\n",
     {"a": "2024-01-01", "b": "=", "c": 31, "d": True, "e": 1.5, "f": None, "g": "="}),
    ("merge keys", "base: &b {x: 1, y: 2}\nboth: &c {z: 0}\nd:\n  <<: [*b, *c]\n  y: 3\n",
     {"base": {"x": 1, "y": 2}, "both": {"z": 0}, "d": {"x": 1, "y": 3, "z": 0}}),
    ("aliases are copies", "a: &a {t: string}\nb: *a\n", {"a": {"t": "string"}, "b": {"t": "string"}}),
    ("JSON", '{"openapi": "3.1.0", "paths": {"/a": {}}, "n": [1, 2.5, true, null]}',
     {"openapi": "3.1.0", "paths": {"/a": {}}, "n": [1, 2.5, True, None]}),
    ("recursive schemas and escaped, percent-encoded pointers",
     "components:\n  schemas:\n    Node:\n      properties:\n        next: {$ref: '#/components/schemas/Node'}\n"
     "    a/b~c: {type: string}\n    Use:\n      $ref: '#/components/schemas/a~1b~0c'\n"
     "    'With space': {type: string}\n    Pct: {$ref: '#/components/schemas/With%20space'}\n",
     {"components": {"schemas": {
         "Node": {"properties": {"next": {"$ref": "#/components/schemas/Node"}}},
         "a/b~c": {"type": "string"}, "Use": {"$ref": "#/components/schemas/a~1b~0c"},
         "With space": {"type": "string"}, "Pct": {"$ref": "#/components/schemas/With space"}}}}),
    ("$ref in literal values is data, but a response named default is followed",
     "responses:\n  default: {$ref: '#/x-r'}\nx-r:\n  description: ok\n  content:\n    a/b:\n"
     "      example: {$ref: nowhere.yaml}\n      examples:\n        one: {value: {$ref: nowhere.yaml}}\n"
     "      schema:\n        enum: [{$ref: nowhere.yaml}]\n        default: {$ref: nowhere.yaml}\n"
     "        properties:\n          default: {$ref: '#/x-r/description'}\n",
     {"responses": {"default": {"$ref": "#/x-r"}},
      "x-r": {"description": "ok", "content": {"a/b": {
          "example": {"$ref": "nowhere.yaml"}, "examples": {"one": {"value": {"$ref": "nowhere.yaml"}}},
          "schema": {"enum": [{"$ref": "nowhere.yaml"}], "default": {"$ref": "nowhere.yaml"},
                     "properties": {"default": {"$ref": "#/x-r/description"}}}}}}}),
]


@pytest.mark.parametrize(("content", "expected"), [case[1:] for case in GOOD_FILES],
                         ids=[case[0] for case in GOOD_FILES])
def test_good_file(tmp_path: Path, content: str, expected: dict[str, Any]) -> None:
    spec = load(write(tmp_path, {"openapi.yaml": content}))
    assert spec.document == expected
    assert json.loads(json.dumps(spec.document)) == expected  # plain JSON data, nothing else


def test_multi_file_spec_is_bundled() -> None:
    spec = load(CASES / "multi" / "openapi.yaml", "spec/openapi.yaml")
    assert spec.files == ("spec/openapi.yaml", "spec/paths/pets.yaml", "spec/schemas/pet.yaml",
                          "spec/schemas/common.yaml")
    assert spec.root_file == (CASES / "multi" / "openapi.yaml").absolute()
    assert spec.root_dir == (CASES / "multi").resolve()
    document = spec.document
    files = document[BUNDLE_KEY]
    assert list(files) == ["paths/pets.yaml", "schemas/pet.yaml", "schemas/common.yaml"]
    refs = {"/".join(path): node["$ref"] for path, node in walk(document)
            if isinstance(node, dict) and "$ref" in node}
    assert refs == {
        "paths//pets": "#/x-generator-files/paths~1pets.yaml",
        "components/schemas/Pet": "#/x-generator-files/schemas~1pet.yaml/Pet",
        # from an external file to another, to itself (local ref), and back to the root
        f"{BUNDLE_KEY}/paths/pets.yaml/get/responses/200/content/application/json/schema/items":
            "#/x-generator-files/schemas~1pet.yaml/Pet",
        f"{BUNDLE_KEY}/paths/pets.yaml/get/responses/default":
            "#/x-generator-files/paths~1pets.yaml/components/responses/Error",
        f"{BUNDLE_KEY}/paths/pets.yaml/components/responses/Error/content/application/json/schema":
            "#/components/schemas/Error",
        # pet.yaml -> common.yaml (a third file) and common.yaml -> pet.yaml (back)
        f"{BUNDLE_KEY}/schemas/pet.yaml/Pet/properties/id": "#/x-generator-files/schemas~1common.yaml/Id",
        f"{BUNDLE_KEY}/schemas/pet.yaml/Pet/properties/parent": "#/x-generator-files/schemas~1pet.yaml/Pet",
        f"{BUNDLE_KEY}/schemas/pet.yaml/Pet/properties/tag": "#/x-generator-files/schemas~1pet.yaml/Tag",
        f"{BUNDLE_KEY}/schemas/common.yaml/Owner/properties/pets/items":
            "#/x-generator-files/schemas~1pet.yaml/Pet",
        # an example value is data: left exactly as written
        f"{BUNDLE_KEY}/schemas/pet.yaml/Pet/properties/example/example": "not/a/reference.yaml",
    }
    assert_self_contained(spec)
    assert follow(document, refs["components/schemas/Pet"])["required"] == ["id"]


LOCATIONS = [
    ("#", ("spec/openapi.yaml", 1, 1)),
    ("#/info/title", ("spec/openapi.yaml", 3, 10)),
    ("#/paths/~1pets", ("spec/openapi.yaml", 6, 3)),  # a block mapping: at its key
    ("#/paths/~1pets/$ref", ("spec/openapi.yaml", 7, 11)),
    ("#/components/schemas/Pet/$ref/nothing/here", ("spec/openapi.yaml", 16, 13)),  # nearest ancestor
    ("#/x-generator-files/paths~1pets.yaml", ("spec/paths/pets.yaml", 1, 1)),
    ("#/x-generator-files/paths~1pets.yaml/get/operationId", ("spec/paths/pets.yaml", 2, 16)),
    ("#/x-generator-files/paths~1pets.yaml/get/responses/200", ("spec/paths/pets.yaml", 4, 5)),
    ("#/x-generator-files/schemas~1pet.yaml/Pet/required/0", ("spec/schemas/pet.yaml", 3, 14)),
    ("#/x-generator-files/schemas~1common.yaml/Id/format", ("spec/schemas/common.yaml", 3, 11)),
    ("not a pointer", ("spec/openapi.yaml", None, None)),
]


@pytest.mark.parametrize(("pointer", "expected"), LOCATIONS)
def test_locate(pointer: str, expected: tuple[str, int | None, int | None]) -> None:
    assert load(CASES / "multi" / "openapi.yaml", "spec/openapi.yaml").locate(pointer) == expected


def test_locate_key() -> None:
    spec = load(CASES / "multi" / "openapi.yaml", "spec/openapi.yaml")
    assert spec.locate("#/x-generator-files/schemas~1pet.yaml/Pet/properties/id/$ref") == \
        ("spec/schemas/pet.yaml", 6, 13)
    assert spec.locate_key("#/x-generator-files/schemas~1pet.yaml/Pet/properties/id/$ref") == \
        ("spec/schemas/pet.yaml", 6, 7)


def test_json_multi_file_spec() -> None:
    spec = load(CASES / "json" / "openapi.json", "openapi.json")
    assert spec.files == ("openapi.json", "schemas.json")
    label = spec.document["components"]["schemas"]["Node"]["properties"]["label"]
    assert label == {"$ref": "#/x-generator-files/schemas.json/Label"}
    assert spec.locate("#/x-generator-files/schemas.json/Label/maxLength") == ("schemas.json", 1, 43)
    assert_self_contained(spec)


def test_bad_refs_across_files() -> None:
    assert errors(CASES / "bad_refs" / "openapi.yaml") == [
        "openapi.yaml:9:13: error: $ref 'schemas/ok.yaml#/Missing' points to nothing: no 'Missing' in the "
        "top level of schemas/ok.yaml (at #/components/schemas/Missing)",
        "openapi.yaml:13:13: error: $ref 'schemas/../../multi/openapi.yaml' leaves the spec's folder: only "
        "files inside it can be referenced (at #/components/schemas/Outside)",
        "schemas/broken.yaml:3:1: error: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence at line 2:9)",
        "schemas/ok.yaml:2:9: error: $ref chain never reaches a value: schemas/ok.yaml#/Loop -> "
        "schemas/other.yaml#/Back -> schemas/ok.yaml#/Loop (at #/Loop)",
        "schemas/ok.yaml:4:9: error: $ref '#/Nope' points to nothing: no 'Nope' in the top level (at #/Local)",
    ]


def test_each_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []

    def counting(raw: bytes, display: str) -> Any:
        read.append(display)
        return yaml_source.parse_source(raw, display)

    monkeypatch.setattr("generator.spec.load.parse_source", counting)
    spec = write(tmp_path, {
        "openapi.yaml": "openapi: 3.0.3\nx-a: {$ref: 'a.yaml#/A'}\nx-b: {$ref: './a.yaml#/B'}\n",
        "a.yaml": "A: {$ref: 'b.yaml#/B'}\nB: {type: string}\n",
        "b.yaml": "B: {$ref: 'a.yaml#/B'}\nC: {$ref: 'openapi.yaml#/x-a'}\n",
    })
    load(spec, "openapi.yaml")
    assert read == ["openapi.yaml", "a.yaml", "b.yaml"]


def test_truncated_files_never_raise_anything_else(tmp_path: Path) -> None:
    """Whatever the prefix of a good spec, load returns or raises GenerationError, nothing else."""
    source = CASES / "multi"
    for name in ("openapi.yaml", "schemas/pet.yaml"):
        text = (source / name).read_bytes()
        for end in range(len(text) + 1):
            folder = tmp_path / f"{name.replace('/', '_')}-{end}"
            shutil.copytree(source, folder)
            (folder / name).write_bytes(text[:end])
            try:
                load(folder / "openapi.yaml")
            except GenerationError as caught:
                assert caught.diagnostics


def test_pure_python_loader(tmp_path: Path) -> None:
    """Without libyaml, the same results from PyYAML's pure composer (run in a fresh interpreter)."""
    deep = write(tmp_path, {"deep.yaml": "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"})
    script = (
        "import sys; sys.modules['yaml._yaml'] = None\n"
        "from pathlib import Path\n"
        "from generator.spec import source as yaml_source\n"
        "from generator.spec.load import load\n"
        "assert not yaml_source.C_ACCELERATED\n"
        f"spec = load(Path({str(CASES / 'multi' / 'openapi.yaml')!r}), 'openapi.yaml')\n"
        "print(len(spec.files), spec.locate('#/x-generator-files/schemas~1pet.yaml/Pet/required/0'))\n"
        f"load(Path({str(deep)!r}))\n"
        "print('deep ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                            cwd=Path(__file__).parents[2])
    assert result.stdout == "4 ('schemas/pet.yaml', 3, 14)\ndeep ok\n", result.stderr


@pytest.mark.skipif(not SPOT.exists(), reason="the shared Binance Spot spec is not on this machine")
def test_binance_spot_spec_loads() -> None:
    spec = load(SPOT, "binance-spot.openxapi.yaml")
    assert spec.files == ("binance-spot.openxapi.yaml",)
    assert spec.document["openapi"].startswith("3.")
    assert BUNDLE_KEY not in spec.document
    assert spec.locate("#/components/schemas/APIError") == ("binance-spot.openxapi.yaml", 3, 9)
    assert spec.locate("#/components/schemas/APIError/properties/code/type") == \
        ("binance-spot.openxapi.yaml", 7, 27)
    assert_self_contained(spec)
