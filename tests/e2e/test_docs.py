"""The generated docs: every relative link resolves, every example runs against a local server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GENERATED, REPO, LoopbackServer

DOCS = sorted([GENERATED / "README.md", *(GENERATED / "docs").glob("*.md")])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```python\n(.*?)```", re.S)
SEED = REPO.parent / "shared" / "seed" / "UserDataStreamApi.md"


def anchors(markdown: str) -> set[str]:
    """Explicit `<a id=...>` anchors and GitHub's heading slugs."""
    found = set(re.findall(r'<a id="([^"]+)"', markdown))
    for heading in re.findall(r"^#+\s+(.*)$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(doc: Path) -> None:
    text = doc.read_text()
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (doc.parent / file_part).resolve() if file_part else doc
        assert linked.is_file(), f"{doc.name}: broken link {target}"
        if anchor:
            assert anchor in anchors(linked.read_text()), f"{doc.name}: no anchor #{anchor} in {linked.name}"


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(GENERATED), **(env or {})}
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, timeout=60, check=False)


EXAMPLES = [(doc, index, code) for doc in DOCS for index, code in enumerate(CODE.findall(doc.read_text()))
            if "api_instance" in code]


@pytest.mark.parametrize(("doc", "index", "code"), EXAMPLES, ids=lambda v: getattr(v, "name", str(v)))
def test_operation_examples_run_as_written_against_a_local_server(
        doc: Path, index: int, code: str, server: LoopbackServer) -> None:
    server.reply(200, {"listenKey": "abc"})
    done = run_python(code.replace("https://api.binance.com", server.url), {"BINANCE_API_KEY": "doc-key"})
    assert done.returncode == 0, done.stderr
    assert "Exception when calling" not in done.stdout
    assert "The response of" in done.stdout
    (request,) = server.requests
    assert request.headers.get("X-MBX-APIKEY") == "doc-key"


MODEL_EXAMPLES = [(doc, code) for doc in DOCS for code in CODE.findall(doc.read_text()) if "from_json" in code]


@pytest.mark.parametrize(("doc", "code"), MODEL_EXAMPLES, ids=lambda v: getattr(v, "name", "code"))
def test_model_examples_run(doc: Path, code: str) -> None:
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("{")


@pytest.mark.skipif(not SEED.is_file(), reason="the seed docs live in ../shared/seed")
def test_the_seeds_own_example_runs_against_a_local_server(server: LoopbackServer) -> None:
    """The seed's example as it stands (plus the `import os` it forgets), host pointed at loopback."""
    (example, *_) = CODE.findall(SEED.read_text())
    server.reply(200, {"listenKey": "from-the-seed"})
    # The example's second Configuration has no host: the API's own, which the test points at loopback.
    prelude = ("import os\nimport binance.spot._metadata as metadata\n"
               f"object.__setattr__(metadata.API, 'host', {server.url!r})\n")
    done = run_python(prelude + example.replace("https://api.binance.com", server.url),
                      {"BINANCE_API_KEY": "seed-key"})
    assert done.returncode == 0, done.stderr
    assert "from-the-seed" in done.stdout
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/api/v3/userDataStream")
    assert request.headers.get("X-MBX-APIKEY") == "seed-key"
