"""The README's runtime guide (templates/docs/runtime_guide.md.jinja): every example runs as written,
in the package the project first shipped (tests/e2e/specs/user_data_stream/), never spec/'s."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from loopback import LoopbackServer

from .conftest import GENERATED
from .test_user_data_stream import Binance

CODE = re.compile(r"```python\n(.*?)```", re.S)
SECTIONS = ("Authentication", "Async usage", "Timeouts and retries", "Errors", "Rate limits",
            "Logging", "Runtime guarantees", "Keeping a listen key alive")
TESTS = Path(__file__).resolve().parent


def guide(generated_root: Path) -> str:
    readme = (generated_root / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Using the client")
    return readme[start:readme.index("## Documentation for API Endpoints")]


def test_the_guide_sits_before_the_endpoint_list_with_every_section(generated_root: Path) -> None:
    text = guide(generated_root)
    for section in SECTIONS:
        assert f"### {section}\n" in text
    assert f'logging.getLogger("{GENERATED}")' in text
    assert "ExecutionStatusUnknownError" in text and "2026-02-20" in text
    for setting in ("total_timeout=", "max_response_size=", "pool_maxsize=", "close_timeout"):
        assert setting in text


def test_each_guarantee_names_tests_that_exist(generated_root: Path) -> None:
    text = guide(generated_root)
    table = text[text.index("### Runtime guarantees"):text.index("### Keeping a listen key alive")]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 18  # every fault of the repository README's table, and the helper's
    for row in rows:
        cell = row.rstrip(" |").rpartition(" | ")[2]
        named = re.findall(r"`(\w+\.py)?::(\w+)`", cell)
        assert named, row
        module = ""
        for file, name in named:
            module = file or module  # `::name` is in the file named before it
            assert re.search(rf"^def {name}\(", (TESTS / module).read_text(), re.M), (module, name)


def test_every_example_runs_against_a_local_server(generated_root: Path,
                                                   server: LoopbackServer) -> None:
    binance = Binance(server)
    examples = CODE.findall(guide(generated_root))
    assert len(examples) >= 7
    environment = {**os.environ, "PYTHONPATH": str(generated_root), "BINANCE_API_KEY": "doc-key",
                   "BINANCE_SECRET_KEY": "doc-secret"}
    for code in examples:
        done = subprocess.run([sys.executable, "-c", code.replace("https://api.binance.com", server.url)],
                              env=environment, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, f"{code}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        assert "doc-key" not in done.stdout + done.stderr and "doc-secret" not in done.stdout
    assert binance.made >= 4  # the examples really called the server
    assert all(r.headers.get("X-MBX-APIKEY") in ("doc-key", None) for r in server.requests)
    # The two helper examples closed their keys (the plain create calls leave theirs to expire).
    assert [call for call in binance.calls() if call[0] == "DELETE"] == [
        ("DELETE", f"key-{binance.made - 1}"), ("DELETE", f"key-{binance.made}")]


def test_names_the_guide_uses_exist(generated_root: Path) -> None:
    names = ["ApiValueError", "ExecutionStatusUnknownError", "UserDataStream", "AsyncUserDataStream",
             "AsyncApiClient", "BinanceAuth", "IPBannedException", "RateLimitException"]
    code = (f"import sys; sys.path.insert(0, {str(generated_root)!r}); import {GENERATED}; "
            f"import {GENERATED}.exceptions as e; "
            f"missing = [n for n in {names!r} if not hasattr({GENERATED}, n) and not hasattr(e, n)]; "
            "assert not missing, missing")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
