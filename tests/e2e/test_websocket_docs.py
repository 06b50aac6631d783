"""The WebSocket API's docs page: every example runs as written against the stand-in server (the
generated package's tests/ws_loopback.py), signing with an Ed25519 key the example reads from its
placeholder path, and the user data stream example prints the events pushed to it."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from generator import pipeline
from generator.config import Config
from generator.model.api import Api
from tests.conftest import SPECS, run_cli

SPEC = SPECS / "websocket" / "websocket-api.yaml"
CODE = re.compile(r"```python\n(.*?)```", re.S)
KEY_PLACEHOLDER = "/path/to/ed25519_private_key.pem"
API_KEY = "doc-key"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wsdocs") / "out"
    done = run_cli("generate", SPEC, "--out", root, "--package-name", "acme.ws")
    assert done.code == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def api() -> Api:
    model = pipeline.run(SPEC, Config(package_name="acme.ws"), until="model").api
    assert model is not None and model.websocket is not None
    return model


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    private = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path_factory.mktemp("key") / "ed25519.pem"
    path.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return path, private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@pytest.fixture(scope="module")
def loopback(out: Path) -> Iterator[ModuleType]:
    """The generated package's own stand-in server module (by its file: this suite has a `tests` too)."""
    spec = importlib.util.spec_from_file_location("generated_ws_loopback", out / "tests" / "ws_loopback.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def _environment(out: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(out), "BINANCE_API_KEY": API_KEY, "PYTHONDONTWRITEBYTECODE": "1"}


def _examples(out: Path) -> list[str]:
    return CODE.findall((out / "docs" / "WebSocketApiClient.md").read_text(encoding="utf-8"))


def _prepared(code: str, api: Api, url: str, key: Path) -> str:
    assert api.websocket is not None
    return code.replace(str(api.websocket.url), url).replace(KEY_PLACEHOLDER, str(key))


def test_every_method_example_runs_against_the_stand_in(out: Path, api: Api, key: tuple[Path, bytes],
                                                        loopback: Any) -> None:
    assert api.websocket is not None
    methods = {m.python_name: m for m in api.websocket.methods}
    called: set[str] = set()
    problems: list[str] = []
    for code in _examples(out):
        found = re.search(r"result = ws\.(\w+)\(", code)
        if found is None:
            continue
        method = methods[found.group(1)]
        with loopback.WsLoopback(api_key=API_KEY, secret_key=None, ed25519_public_key=key[1]) as server:
            if method.runtime_call == "request":
                server.answer(str(method.method), method.result_example)
            done = subprocess.run([sys.executable, "-c", _prepared(code, api, server.url, key[0])], cwd=out,
                                  capture_output=True, text=True, timeout=60, check=False, env=_environment(out))
            sent = server.requests_for(str(method.method))
        called.add(method.python_name)
        if done.returncode != 0 or "The result of" not in done.stdout or "Exception when calling" in done.stdout:
            problems.append(f"{method.python_name}: exit {done.returncode}\n{done.stdout}{done.stderr}")
        elif len(sent) != (2 if method.runtime_call == "logon" else 1):  # an Ed25519 client logs on at connect
            problems.append(f"{method.python_name}: {len(sent)} requests of {method.method}")
        elif method.security == "signed" and method.runtime_call == "request" and "signature" in sent[0]["params"]:
            problems.append(f"{method.python_name}: signed, though the Ed25519 session had logged on")
    assert not problems, "\n".join(problems)
    assert called == set(methods)


def test_the_user_data_stream_example_prints_the_events_pushed(out: Path, api: Api, key: tuple[Path, bytes],
                                                              loopback: Any) -> None:
    assert api.websocket is not None and api.websocket.first_event is not None
    (code,) = [c for c in _examples(out) if "user_data_stream()" in c]
    event = api.websocket.first_event
    with loopback.WsLoopback(api_key=API_KEY, secret_key=None, ed25519_public_key=key[1]) as server:
        process = subprocess.Popen([sys.executable, "-c", _prepared(code, api, server.url, key[0])], cwd=out,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment(out))
        try:
            server.wait_for(lambda: server.push(event.example) == 1, timeout=30)
            assert process.stdout is not None
            line = process.stdout.readline()
        finally:
            process.kill()
            process.wait(10)
            time.sleep(0)
    assert line.startswith(str(event.event_type) + " "), line
    logon = server.requests_for("session.logon")
    assert len(logon) == 1 and server.signed_ok(logon[0])
