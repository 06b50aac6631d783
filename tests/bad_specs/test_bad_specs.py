"""Broken specs, each a snapshot: the exact messages, the exit code, and an output folder left as it was.

A case is cases/<name>.yaml (or .json) with <name>.expected.txt beside it: its first line `exit: N`,
then exactly what the generator prints on stderr. UPDATE_SNAPSHOTS=1 rewrites the expected files.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from tests.conftest import run_cli, tree

HERE = Path(__file__).resolve().parent
CASES = sorted(p for p in (HERE / "cases").iterdir() if p.suffix in (".yaml", ".json"))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    (folder / "docs").mkdir(parents=True)
    (folder / "README.md").write_text("work the user wants to keep\n")
    (folder / "docs" / "Kept.md").write_text("also kept\n")
    return folder


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_bad_spec(case: Path, out: Path) -> None:
    before = tree(out)
    done = run_cli("generate", case.relative_to(HERE), "--out", out, cwd=HERE, timeout=60)
    actual = f"exit: {done.code}\n{done.stderr}"
    expected_file = case.with_suffix(".expected.txt")
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not expected_file.exists():
        expected_file.write_text(actual)
    assert actual == expected_file.read_text()
    assert done.code in (1, 2)
    assert "Traceback" not in done.stderr
    assert tree(out) == before, "the output folder changed"


class CountingListener:
    """A TCP listener on 127.0.0.1 that counts connection attempts (there must be none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_remote_ref_is_refused_without_any_connection(tmp_path: Path, out: Path, command: str) -> None:
    listener = CountingListener()
    try:
        spec = tmp_path / "remote.yaml"
        spec.write_text(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n"
            "        '200':\n          description: ok\n          content:\n            application/json:\n"
            f"              schema:\n                $ref: 'http://127.0.0.1:{listener.port}/schemas.yaml#/Foo'\n"
        )
        before = tree(out)
        args = [command, spec] + (["--out", out] if command == "generate" else [])
        done = run_cli(*args)
        assert done.code == 1
        assert "remote.yaml:12:" in done.stderr and "http://127.0.0.1:" in done.stderr
        assert "Traceback" not in done.stderr
        assert tree(out) == before
    finally:
        listener.close()
    assert listener.connections == 0
