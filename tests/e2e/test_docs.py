"""The generated docs: every relative link resolves, every example runs against a local server.

The docs come from specs of the tests' own, never from spec/ (the user's, which grows): the project's
first spec (endpoints with an API key), the signed one (SIGNED operations, query and form) and market
(operations without security beside a SIGNED one). What an example's request must carry is read from
the generator's model of the operation it calls: the API key only where the operation's security puts
it, a valid signature (made with the test secret the example reads from the environment) only where
the operation is SIGNED.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from loopback import RecordedRequest

from generator import pipeline
from generator.config import Config, load_config
from generator.model.api import Api, Operation
from tests.conftest import REPO, SPECS, SPOT_CONFIG, SPOT_SPEC, LoopbackServer, run_cli

DOC_SPECS: dict[str, tuple[Path, Path | None]] = {
    "user_data_stream": (SPOT_SPEC, SPOT_CONFIG),
    "signed": (SPECS / "signed" / "openapi.yaml", None),
    "market": (SPECS / "market" / "openapi.yaml", None),
}
API_KEY, SECRET_KEY = "doc-key", "doc-secret"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```python\n(.*?)```", re.S)
CALL = re.compile(r"api_instance = [\w.]+\.(\w+)\(api_client\).*?api_instance\.(\w+)\(", re.S)
SEED = REPO.parent / "shared" / "seed" / "UserDataStreamApi.md"


@dataclass(frozen=True)
class Docs:
    """A package generated from one of DOC_SPECS, and the generator's model of its API."""

    root: Path
    api: Api

    @property
    def pages(self) -> list[Path]:
        return sorted([self.root / "README.md", *(self.root / "docs").glob("*.md")])

    def operation(self, api_class: str, method: str) -> Operation:
        (api,) = [a for a in self.api.apis if a.class_name == api_class]
        (op,) = [o for o in api.operations if o.python_name == method]
        return op


@pytest.fixture(scope="module", params=sorted(DOC_SPECS))
def docs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Docs:
    spec, config = DOC_SPECS[request.param]
    out = tmp_path_factory.mktemp(request.param) / "out"
    done = run_cli("generate", spec, *(("--config", config) if config else ()), "--out", out)
    assert done.code == 0, done.stderr
    model = pipeline.run(spec, load_config(config) if config else Config(), until="model").api
    assert model is not None
    return Docs(out, model)


def anchors(markdown: str) -> set[str]:
    """Explicit `<a id=...>` anchors and GitHub's heading slugs."""
    found = set(re.findall(r'<a id="([^"]+)"', markdown))
    for heading in re.findall(r"^#+\s+(.*)$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_relative_links_resolve(docs: Docs) -> None:
    assert len(docs.pages) > 1
    for doc in docs.pages:
        text = doc.read_text()
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (doc.parent / file_part).resolve() if file_part else doc
            assert linked.is_file(), f"{doc.name}: broken link {target}"
            if anchor:
                assert anchor in anchors(linked.read_text()), f"{doc.name}: no anchor #{anchor} in {linked.name}"


def run_python(code: str, root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, timeout=60, check=False)


def _signature_problem(request: RecordedRequest) -> str | None:
    """None when the request carries a timestamp and the HMAC-SHA256 of Binance's payload (the query
    string followed by the body, without the signature) under SECRET_KEY; else what is wrong."""
    body = request.body.decode()
    in_body = "signature" in request.form
    payload, _, signature = (body if in_body else request.raw_query).rpartition("&signature=")
    payload = request.raw_query + payload if in_body else payload + body
    if "timestamp" not in (request.form if in_body else request.query):
        return "no timestamp"
    if signature != hmac.new(SECRET_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest():
        return f"signature {signature!r} is not the HMAC of {payload!r}"
    return None


def _run_example(docs: Docs, doc: Path, code: str) -> tuple[str, list[str]]:
    """Run one operation example against a local server: the method it called, and what is wrong."""
    call = CALL.search(code)
    assert call is not None, f"{doc.name}: an example that calls no operation:\n{code}"
    op = docs.operation(*call.groups())
    success = next((r for r in op.responses if r.status.startswith("2")), None)
    vendor = docs.api.vendor
    env = {vendor.api_key_env: API_KEY, **({vendor.secret_key_env: SECRET_KEY} if vendor.secret_key_env else {})}
    with LoopbackServer() as server:
        answer = success.example if success is not None else None
        server.reply(200, answer if isinstance(answer, dict | list) else {})
        done = run_python(code.replace(docs.api.host, server.url), docs.root, env)
        requests = server.requests
    where = f"{doc.name}: {op.python_name}"
    if done.returncode != 0 or "Exception when calling" in done.stdout or "The response of" not in done.stdout:
        return op.python_name, [f"{where}: exit {done.returncode}\n{done.stdout}{done.stderr}"]
    if len(requests) != 1:
        return op.python_name, [f"{where}: {len(requests)} requests instead of one"]
    (request,) = requests
    problems = []
    if request.method != op.http_method:
        problems.append(f"{where}: sent {request.method}, not {op.http_method}")
    if op.api_key_header is not None and request.headers.get(op.api_key_header) != API_KEY:
        problems.append(f"{where}: no API key in {op.api_key_header}, its security puts it there")
    if not op.auth and API_KEY in str(request.headers) + request.raw_query + request.body.decode():
        problems.append(f"{where}: sent the API key, but the operation has no security")
    signature = "signature" in request.query or "signature" in request.form
    if op.signed:
        problem = _signature_problem(request)
        problems += [f"{where}: SIGNED, but {problem}"] if problem else []
    elif signature:
        problems.append(f"{where}: signed, but the operation is not SIGNED")
    return op.python_name, problems


def test_operation_examples_run_as_written_against_a_local_server(docs: Docs) -> None:
    called: set[str] = set()
    problems: list[str] = []
    for doc in docs.pages:
        for code in CODE.findall(doc.read_text()):
            if "api_instance" in code:
                method, wrong = _run_example(docs, doc, code)
                called.add(method)
                problems += wrong
    assert not problems, "\n".join(problems)
    assert called == {op.python_name for op in docs.api.operations}  # every operation has a running example


def test_model_examples_run(docs: Docs) -> None:
    examples = [(doc, code) for doc in docs.pages for code in CODE.findall(doc.read_text()) if "from_json" in code]
    assert len(examples) >= len(docs.api.models)
    for doc, code in examples:
        done = run_python(code, docs.root)
        assert done.returncode == 0, f"{doc.name}:\n{code}\n{done.stderr}"
        assert done.stdout.startswith("{"), f"{doc.name}: {done.stdout}"


@pytest.mark.skipif(not SEED.is_file(), reason="the seed docs live in ../shared/seed")
def test_the_seeds_own_example_runs_against_a_local_server(server: LoopbackServer, tmp_path: Path) -> None:
    """The seed's example as it stands (plus the `import os` it forgets), host pointed at loopback, with
    the package the project first shipped."""
    out = tmp_path / "out"
    assert run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out).code == 0
    (example, *_) = CODE.findall(SEED.read_text())
    server.reply(200, {"listenKey": "from-the-seed"})
    # The example's second Configuration has no host: the API's own, which the test points at loopback.
    prelude = ("import os\nimport binance.spot._metadata as metadata\n"
               f"object.__setattr__(metadata.API, 'host', {server.url!r})\n")
    done = run_python(prelude + example.replace("https://api.binance.com", server.url), out,
                      {"BINANCE_API_KEY": "seed-key"})
    assert done.returncode == 0, done.stderr
    assert "from-the-seed" in done.stdout
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/api/v3/userDataStream")
    assert request.headers.get("X-MBX-APIKEY") == "seed-key"
