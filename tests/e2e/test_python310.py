"""A generated package on Python 3.10, the oldest its default `python_requires` (>=3.10) admits: built
into a wheel, installed with pip into a 3.10 venv, imported, and called against a loopback server;
and called by its async client too (the `async` extra); then its own tests run there.

In: a Python 3.10 interpreter (`python3.10` on PATH, or pyenv's), and the package index for the venv's
pydantic, urllib3, aiohttp and pytest (the versions requirements.lock pins). Out: a pass, or a skip when there
is no 3.10 interpreter or the index cannot be reached. The venv is kept in .venv/py310-test, keyed
by those pins, so only the first run pays for it (10 to 20 s).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, SPECS, run_cli

# Installed into the 3.10 venv at the versions the project's own venv has (requirements.lock): the
# package's dependencies, its `async` extra, and pytest for its tests.
PINNED = ("pydantic", "urllib3", "aiohttp", "pytest")
VENV = REPO / ".venv" / "py310-test"


def python310() -> str | None:
    """A Python 3.10 interpreter that runs: on PATH, else the newest 3.10 pyenv has. (pyenv's
    `python3.10` shim is on PATH even where 3.10 is not its selected version, and then fails.)"""
    candidates = [shutil.which("python3.10"),
                  *sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10.*/bin/python")), reverse=True)]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
                               capture_output=True, text=True, timeout=60, check=False)
        if probe.stdout.strip() == "True":
            return candidate
    return None


def pins() -> list[str]:
    lines = (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return sorted(line for line in lines if line.split("==")[0].lower() in PINNED)


def venv310(interpreter: str) -> Path:
    """The cached 3.10 venv's python, made (in a folder of its own, then moved in place) if needed."""
    wanted = "\n".join(pins()) + "\n"
    python = VENV / "bin" / "python"
    if (VENV / "pins.txt").is_file() and (VENV / "pins.txt").read_text() == wanted and python.exists():
        return python
    staging = VENV.with_name(f"{VENV.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run([interpreter, "-m", "venv", staging], check=True, capture_output=True, timeout=120)
    install = subprocess.run(
        [staging / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *wanted.split()],
        capture_output=True, text=True, timeout=300, check=False,
    )
    if install.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip(f"cannot install {', '.join(PINNED)} for Python 3.10 (no index?): {install.stderr[-500:]}")
    (staging / "pins.txt").write_text(wanted)
    shutil.rmtree(VENV, ignore_errors=True)
    try:
        staging.rename(VENV)
    except OSError:  # another run moved its own in first: the same pins, use that one
        shutil.rmtree(staging, ignore_errors=True)
    return python


# Run by the 3.10 interpreter from a folder that holds no source: the package comes from the wheel.
CALLS = """
import sys
assert sys.version_info[:2] == (3, 10), sys.version
import acme.client as package
from loopback import LoopbackServer

with LoopbackServer() as server:
    configuration = package.Configuration(host=server.url, auth=package.BinanceAuth(api_key="k", secret_key="s"))
    with package.ApiClient(configuration) as client:
        server.reply(200, {"makerCommission": 15, "canTrade": True})
        account = package.AccountApi(client).spot_get_account_v3(omit_zero_balances=True)
        server.reply(200, {"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"})
        listen_key = package.UserDataStreamApi(client).spot_create_user_data_stream_v3().listen_key
    signed, plain = server.requests
print(type(account).__name__, account.maker_commission, account.can_trade)
print(sorted(signed.query), signed.headers["X-MBX-APIKEY"])
print(plain.method, plain.path, listen_key[:6])


# The async client, and its read timeout: aiohttp's timeouts derive from asyncio.TimeoutError, which
# is not the built-in TimeoutError on 3.10.
async def main() -> None:
    with LoopbackServer() as server:
        auth = package.BinanceAuth(api_key="k", secret_key="s")
        configuration = package.Configuration(host=server.url, auth=auth, max_retries=0)
        async with package.AsyncApiClient(configuration) as client:
            server.reply(200, {"listenKey": "abc"})
            created = await package.AsyncUserDataStreamApi(client).spot_create_user_data_stream_v3()
            print("async", created.listen_key)
            server.reply(200, {"makerCommission": 15}, delay=2.0)
            try:
                await package.AsyncAccountApi(client).spot_get_account_v3(_request_timeout=0.2)
            except package.ApiTimeoutError as exc:
                print("timeout", exc.request_sent)

import asyncio
asyncio.run(main())
"""


def test_a_generated_package_installs_and_runs_on_python310(tmp_path: Path) -> None:
    interpreter = python310()
    if interpreter is None:
        pytest.skip("no Python 3.10 interpreter (python3.10, or pyenv's 3.10.*)")
    out = tmp_path / "out"
    done = run_cli("generate", SPECS / "signed" / "openapi.yaml", "--out", out, "--package-name", "acme.client")
    assert done.code == 0, done.stderr
    assert 'requires-python = ">=3.10"' in (out / "pyproject.toml").read_text(encoding="utf-8")
    python = venv310(interpreter)

    # The wheel is built here (hatchling is in the project venv): pip on 3.10 then needs no index.
    wheel = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                            tmp_path / "dist", out], capture_output=True, text=True, timeout=300, check=False)
    assert wheel.returncode == 0, wheel.stdout[-3000:] + wheel.stderr[-2000:]
    target = tmp_path / "site"  # installed beside the cached venv, not into it
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--no-index", "--no-deps", "--target", target, *(tmp_path / "dist").glob("*.whl")],
                             capture_output=True, text=True, timeout=300, check=False)
    assert install.returncode == 0, install.stderr[-3000:]

    # The loopback helper is the generated tests' own; the package itself is the installed wheel.
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(out / "tests")]),
                   "PYTHONDONTWRITEBYTECODE": "1"}
    calls = subprocess.run([python, "-c", textwrap.dedent(CALLS)], cwd=tmp_path, env=environment,
                           capture_output=True, text=True, timeout=120, check=False)
    assert calls.returncode == 0, calls.stderr[-3000:]
    assert calls.stdout.splitlines() == [
        "SpotGetAccountV3Resp 15 True",
        "['omitZeroBalances', 'signature', 'timestamp'] k",
        "POST /api/v3/userDataStream pqia91",
        "async abc",
        "timeout True",
    ]

    # Every operation and model of the package, by its own tests, on 3.10.
    tests = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=out,
                           capture_output=True, text=True, timeout=300, check=False,
                           env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert tests.returncode == 0, tests.stdout[-5000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout
