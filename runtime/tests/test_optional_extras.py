"""aiohttp and cryptography are extras (`async`, `signing`): the runtime imports and runs sync calls
without them, and the feature that needs one names the extra to install when it is used.

Each test runs a fresh interpreter in which the module is hidden (`sys.modules[name] = None` makes
its import raise ImportError, as it does where the package is not installed).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import PACKAGE
from .test_auth import ED25519_PEM

# Imports every runtime module but the aiohttp transport (AsyncApiClient's first call imports it),
# then calls a SIGNED operation of the Binance package `rtpkg` with the sync client against a
# loopback server: what an install without the extras still does.
_SYNC_CALL = f"""
import importlib, pathlib
for path in sorted(pathlib.Path({PACKAGE!r}).glob("*.py")):
    if path.stem != "async_rest":
        importlib.import_module({PACKAGE!r} + "." + path.stem)
from loopback import LoopbackServer
from {PACKAGE}._metadata import API
from {PACKAGE}.api_client import ApiClient
from {PACKAGE}.auth import BinanceAuth
from {PACKAGE}.configuration import Configuration
from {PACKAGE}.operation import Operation, Param

ORDER = Operation(operation_id="NewOrder", method="POST", path="/api/v3/order",
                  params=(Param("symbol", "query", required=True), Param("timestamp", "query")),
                  responses={{"200": "dict[str, Any]"}}, auth=("ApiKey",), signed=True, api=API)
with LoopbackServer() as server:
    server.reply(200, {{"orderId": 1}})
    auth = BinanceAuth(api_key="k", secret_key="s")
    with ApiClient(Configuration(host=server.url, auth=auth)) as client:
        print("answer", client.call(ORDER, {{"symbol": "BTCUSDT"}}).data)
    (request,) = server.requests
    print("signed", "signature" in request.query)
"""


def run_without(hidden: tuple[str, ...], package_root: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter where the `hidden` modules cannot be imported."""
    templates_tests = Path(__file__).resolve().parents[2] / "templates" / "tests"
    prelude = (f"import sys\nsys.path[:0] = [{str(package_root)!r}, {str(templates_tests)!r}]\n"
               + "".join(f"sys.modules[{name!r}] = None\n" for name in hidden))
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=package_root,
                          capture_output=True, text=True, timeout=60)


def test_the_runtime_imports_and_calls_without_aiohttp_and_cryptography(package_root: Path) -> None:
    done = run_without(("aiohttp", "cryptography", "yarl"), package_root, _SYNC_CALL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["answer {'orderId': 1}", "signed True"]


def test_the_async_client_without_aiohttp_names_the_async_extra(package_root: Path) -> None:
    code = f"""
    import asyncio
    from {PACKAGE}._metadata import API
    from {PACKAGE}.async_api_client import AsyncApiClient
    from {PACKAGE}.configuration import Configuration
    from {PACKAGE}.operation import Operation

    PING = Operation(operation_id="Ping", method="GET", path="/api/v3/ping", api=API)

    async def main() -> None:
        async with AsyncApiClient(Configuration(host="http://127.0.0.1:9")) as client:
            await client.call(PING, {{}})

    try:
        asyncio.run(main())
    except ImportError as exc:
        print(exc)
    """
    done = run_without(("aiohttp",), package_root, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "AsyncApiClient needs aiohttp, which is not installed: "
        "pip install 'binance-spot[async]' (or pip install 'aiohttp>=3.14.3,<4')"
    )


def test_a_private_key_without_cryptography_names_the_signing_extra(package_root: Path) -> None:
    code = f"""
    from {PACKAGE}.auth import BinanceAuth

    auth = BinanceAuth(api_key="k", private_key_pem={ED25519_PEM!r})  # read at the first signature
    try:
        auth.sign("symbol=BTCUSDT")
    except ImportError as exc:
        print(exc)
    """
    done = run_without(("cryptography",), package_root, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "BinanceAuth: RSA and Ed25519 keys need cryptography, which is not installed: install this "
        "client with its [signing] extra, or pip install 'cryptography>=44.0.1'"
    )
