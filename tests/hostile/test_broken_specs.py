"""Broken and hostile specs under a sandbox: bounded memory and time, no traceback, the file (and line)
named, the output folder untouched, no network, and nothing read outside the spec's folder.

tests/bad_specs/ pins each case's exact messages; this runs every one of those cases again, plus the
ones too big to keep as files (100,000 levels of nesting, 2 million nodes, 64 MiB), through the real
command line in a subprocess limited by setrlimit and watched by audit hooks (sandbox.py), and once
under strace for what C code opens. The runs go two at a time, once for the module: each is ~1 s.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.spec import source as yaml_source
from tests.bad_specs.test_bad_specs import CountingListener
from tests.conftest import REPO, tree
from tests.hostile.harness import MEMORY_LIMIT, SANDBOX, Run, sandboxed_cli, violations

BAD_SPECS = REPO / "tests" / "bad_specs"
HEADER = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
ASYNCAPI = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
PATHS = "paths:\n  /ping:\n    get:\n      responses:\n        '200': {description: ok}\n"
# Problems that have no line: the file as a whole is refused.
NO_LINE = frozenset({"empty", "too_large"})


@dataclass
class Case:
    name: str
    folder: Path  # the spec's folder: the only one a run may read (with the output folder)
    spec: str  # as given on the command line, relative to `folder`'s parent for the snapshot cases
    cwd: Path
    command: str = "generate"


def _fixed_cases() -> list[Case]:
    cases = BAD_SPECS / "cases"
    return [Case(p.stem, cases, f"cases/{p.name}", BAD_SPECS)
            for p in sorted(cases.iterdir()) if p.suffix in (".yaml", ".json")]


# Each writes its spec into a folder of its own; the listener's port is filled in when it is known.
GENERATED: dict[str, Callable[[Path, int], None]] = {
    "deep_flow_100k": lambda d, _: (d / "openapi.yaml").write_text(
        HEADER + "x-deep: " + "[" * 100_000 + "]" * 100_000 + "\n"),
    "deep_block_100k": lambda d, _: (d / "openapi.yaml").write_text("- " * 100_000 + "x\n"),
    "deep_json_100k": lambda d, _: (d / "openapi.yaml").write_text('{"a": ' * 100_000 + "1" + "}" * 100_000),
    "too_many_nodes": lambda d, _: (d / "openapi.yaml").write_text(
        HEADER + "x-dense: [" + ",".join(["1"] * (yaml_source.MAX_NODES + 1)) + "]\n"),
    "large_with_a_syntax_error_at_the_end": lambda d, _: (d / "openapi.yaml").write_text(
        HEADER + "paths:\n" + "".join(
            f"  /p{i}:\n    get:\n      description: {'lorem ipsum ' * 8}\n"
            f"      responses:\n        '200': {{description: ok}}\n" for i in range(10_000))
        + "x-end: [unclosed\n"),
    "remote_ref_to_a_listener": lambda d, port: (d / "openapi.yaml").write_text(
        HEADER + PATHS + f"components:\n  schemas:\n    A: {{$ref: 'http://127.0.0.1:{port}/a.yaml#/A'}}\n"
        f"    B: {{$ref: '//127.0.0.1:{port}/b.yaml'}}\n"),
    "escapes_by_path": lambda d, _: _escapes(d, symlink=False),
    "escapes_by_symlink": lambda d, _: _escapes(d, symlink=True),
    # AsyncAPI 3.0 documents (the pipeline tells them by their `asyncapi` key, whatever the file's name)
    "asyncapi_deep_payload": lambda d, _: (d / "openapi.yaml").write_text(
        ASYNCAPI + "components:\n  schemas:\n    Deep: " + "{properties: {a: " * 100_000 + "{}" + "}}" * 100_000 + "\n"),
    "asyncapi_remote_refs": lambda d, port: (d / "openapi.yaml").write_text(
        ASYNCAPI + "channels:\n  api:\n    address: /\n    messages:\n"
        f"      m: {{$ref: 'http://127.0.0.1:{port}/m.yaml#/M'}}\n"
        "operations:\n  op:\n    action: receive\n"
        f"    channel: {{$ref: '//127.0.0.1:{port}/c.yaml'}}\n"
        "components:\n  messages:\n    M:\n"
        f"      payload: {{$ref: 'https://127.0.0.1:{port}/p.json'}}\n"),
    "asyncapi_escapes": lambda d, _: _asyncapi_escapes(d),
    "asyncapi_hostile_text": lambda d, _: _asyncapi_hostile_text(d),
}


def _escapes(folder: Path, symlink: bool) -> None:
    """Refs to a file beside the spec's folder: by a relative and an absolute path, or by a link."""
    secret = folder.parent / "secret.yaml"
    secret.write_text("A: {type: string}\n")
    refs = ["../secret.yaml#/A", f"{secret}#/A", "/etc/passwd"]
    if symlink:
        (folder / "link.yaml").symlink_to(secret)
        refs = ["link.yaml#/A"]
    (folder / "openapi.yaml").write_text(HEADER + PATHS + "components:\n  schemas:\n" + "".join(
        f"    S{index}: {{$ref: '{ref}'}}\n" for index, ref in enumerate(refs)))


def _asyncapi_escapes(folder: Path) -> None:
    """An operation's channel, a channel's message and a payload that name files outside the folder."""
    secret = folder.parent / "secret.yaml"
    secret.write_text("A: {address: /}\n")
    (folder / "openapi.yaml").write_text(
        ASYNCAPI + "channels:\n  api:\n    address: /\n    messages:\n"
        f"      m: {{$ref: '{secret}#/A'}}\n"
        "operations:\n  op:\n    action: receive\n    channel: {$ref: '../secret.yaml#/A'}\n"
        "components:\n  messages:\n    M:\n      payload: {$ref: '/etc/passwd'}\n")


def _asyncapi_hostile_text(folder: Path) -> None:
    """Megabytes of text, line breaks and terminal escapes in titles, keys and method names: refused
    (a misspelt key, one method for two operations) with every message on one printable line."""
    method = "ping\x1b[2J\x1b]0;owned\x07\nforged: error: line\u202e"
    text = "x" * 4_000_000 + "\r\n\u2028<script>{{ 7*7 }}"
    document = {
        "asyncapi": "3.0.0", "info": {"title": text, "version": "1", "description": text},
        "channels": {"api": {"address": "/", "messages": {
            "req": {"payload": {"type": "object", "properties": {"method": {"const": method}}}}}}},
        "operations": {
            name: {"action": "send", "title": text, "channel": {"$ref": "#/channels/api"},
                   "messages": [{"$ref": "#/channels/api/messages/req"}]}
            for name in ("first\x1b[31m", "second\n\u202e")},
    }
    document["operations"]["first\x1b[31m"][f"actoin{text[:1000]}\x1b[2J"] = "send"
    (folder / "openapi.yaml").write_text(json.dumps(document), encoding="utf-8")


def _too_large(folder: Path) -> None:
    """A sparse file one byte over the cap: it costs no disk, and the loader must not read it."""
    with (folder / "openapi.yaml").open("wb") as file:
        file.truncate(yaml_source.MAX_FILE_BYTES + 1)


@dataclass
class Outcome:
    case: Case
    out: Path
    before: dict[str, bytes]
    run: Run
    connections: int


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    root = tmp_path_factory.mktemp("broken")
    listener = CountingListener()
    cases = _fixed_cases()
    for name, make in [*GENERATED.items(), ("too_large", lambda d, _: _too_large(d))]:
        folder = root / name / "spec"
        folder.mkdir(parents=True)
        make(folder, listener.port)
        cases.append(Case(name, folder, "openapi.yaml", folder))
    cases.append(Case("remote_ref_validate", root / "remote_ref_to_a_listener" / "spec", "openapi.yaml",
                      root / "remote_ref_to_a_listener" / "spec", "validate"))

    def attempt(case: Case) -> Outcome:
        out = root / f"{case.name}-out"
        (out / "docs").mkdir(parents=True)
        (out / "README.md").write_text("work the user wants to keep\n")
        before = tree(out)
        args = [case.command, case.spec] + (["--out", str(out)] if case.command == "generate" else [])
        run = sandboxed_cli(args, case.cwd, root / f"{case.name}.log")
        return Outcome(case, out, before, run, listener.connections)

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            yield {outcome.case.name: outcome for outcome in pool.map(attempt, cases)}
    finally:
        listener.close()


ALL_CASES = [case.name for case in _fixed_cases()] + [*GENERATED, "too_large", "remote_ref_validate"]


@pytest.mark.parametrize("name", ALL_CASES)
def test_refused_cleanly_within_bounds(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    run, case = outcome.run, outcome.case
    assert run.code in (1, 2), run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    display = re.escape(case.spec)
    assert lines and all(re.match(rf"{display}(:\d+:\d+)?: ", line) for line in lines), run.stderr
    if name not in NO_LINE:
        assert any(re.match(rf"{display}:\d+:\d+: error: ", line) for line in lines), run.stderr
    assert run.seconds < 30, f"{run.seconds:.1f} s"
    assert 0 < run.peak_rss_mib < MEMORY_LIMIT / 2**20
    assert tree(outcome.out) == outcome.before, "the output folder changed"


@pytest.mark.parametrize("name", ALL_CASES)
def test_no_network_no_reads_outside_the_spec_folder_no_writes(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    # A failed run writes nothing at all, not even in its output folder.
    assert violations(outcome.run, outcome.case.cwd, [outcome.case.folder, outcome.out], []) == []
    assert outcome.connections == 0


# -- what C code opens, seen by the kernel ----------------------------------------------------------

_STRACE = shutil.which("strace")
_SYSTEM_READS = ("/etc/ld.so.cache", "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/share/locale/",
                 "/proc/", "/sys/", "/dev/", "/etc/localtime", "/etc/mime.types", "/usr/share/zoneinfo/")


def _strace_works() -> bool:
    if _STRACE is None:
        return False
    try:  # containers may forbid ptrace
        return subprocess.run([_STRACE, "-qq", "-e", "trace=none", "true"], capture_output=True,
                              timeout=30, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _strace_works(), reason="strace is not installed or ptrace is not allowed here")
def test_strace_sees_no_open_outside_the_allowed_folders_and_no_connect(tmp_path: Path) -> None:
    folder = tmp_path / "spec"
    folder.mkdir()
    _escapes(folder, symlink=False)
    listener = CountingListener()
    try:
        (folder / "remote.yaml").write_text(f"X: {{$ref: 'http://127.0.0.1:{listener.port}/x.yaml'}}\n")
        text = (folder / "openapi.yaml").read_text() + "    E: {$ref: 'remote.yaml#/X'}\n"
        (folder / "openapi.yaml").write_text(text)
        out, trace = tmp_path / "out", tmp_path / "strace.txt"
        run = sandboxed_cli(["generate", "openapi.yaml", "--out", str(out)], folder, tmp_path / "audit.log",
                            prefix=[_STRACE, "-f", "-qq", "-o", str(trace), "-e", "trace=open,openat,creat,connect"])
    finally:
        listener.close()
    assert run.code == 1 and "leaves the spec's folder" in run.stderr, run.stderr
    allowed = [str(p) for p in (folder.resolve(), out, tmp_path / "audit.log", SANDBOX, REPO / "generator",
                                REPO / "templates", REPO / "runtime", Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve())]
    opened, connects = [], []
    for line in trace.read_text().splitlines():
        if " connect(" in line and ("AF_INET" in line or "AF_INET6" in line):
            connects.append(line)
        found = re.search(r'open(?:at)?\((?:AT_FDCWD, )?"([^"]+)"', line)
        if found and "ENOENT" not in line:
            opened.append(found[1])
    # System files by the name they were opened under; anything else where it really is (a link in
    # the spec's folder may lead out of it); Python lists the folders on its path to find modules.
    outside = [p for p in opened if not p.startswith(_SYSTEM_READS)
               and not os.path.realpath(folder / p).startswith(tuple(allowed))
               and not (p.startswith(str(REPO)) and Path(p).is_dir())]
    assert "secret.yaml" not in " ".join(opened) and "/etc/passwd" not in opened
    assert outside == [], outside
    assert connects == []
    assert listener.connections == 0
