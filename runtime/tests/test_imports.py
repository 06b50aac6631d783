"""Import hygiene: relative imports only; no cryptography, pydantic or aiohttp at import time."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PACKAGE, RUNTIME
from .test_auth import ED25519_PEM

RUNTIME_FILES = sorted(RUNTIME.glob("*.py"))
LOCAL_NAMES = {path.stem for path in RUNTIME_FILES} | {"_metadata", "models", "api"}


@pytest.mark.parametrize("path", RUNTIME_FILES, ids=lambda p: p.name)
def test_runtime_modules_import_the_package_relatively(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree)
    assert docstring and docstring.splitlines()[0].endswith("."), "a one-line module docstring"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            assert node.module is not None and node.module.split(".")[0] not in LOCAL_NAMES
        elif isinstance(node, ast.Import):
            assert all(alias.name.split(".")[0] not in LOCAL_NAMES for alias in node.names)


def imported_after(package_root: Path, statement: str) -> set[str]:
    """Top-level module names loaded by a fresh interpreter after running `statement`."""
    code = (f"import sys; sys.path.insert(0, {str(package_root)!r}); {statement}; "
            "import json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=True)
    return set(json.loads(done.stdout))


def test_importing_the_runtime_loads_neither_cryptography_nor_pydantic(package_root: Path) -> None:
    modules = [f"{PACKAGE}.{name}" for name in ("api_client", "rest", "configuration", "auth",
                                                "exceptions", "operation", "api_response",
                                                "async_api_client", "_retry")]
    loaded = imported_after(package_root, "import " + ", ".join(modules) + "; "
                            f"{PACKAGE}.async_api_client.AsyncApiClient()")
    assert "cryptography" not in loaded
    assert "pydantic" not in loaded  # needed only once a typed answer arrives
    assert "aiohttp" not in loaded and "yarl" not in loaded  # needed only by the first async call


def test_the_first_async_call_loads_aiohttp(package_root: Path) -> None:
    call = (f"import asyncio; from {PACKAGE}.async_api_client import AsyncApiClient; "
            f"from {PACKAGE}.configuration import Configuration; "
            "client = AsyncApiClient(Configuration(host='http://127.0.0.1:9')); "
            "asyncio.run(client._open())")  # what the first call does before sending
    assert "aiohttp" in imported_after(package_root, call)


def test_hmac_signing_never_loads_cryptography(package_root: Path) -> None:
    loaded = imported_after(package_root, f"from {PACKAGE}.auth import BinanceAuth; "
                                          "BinanceAuth(api_key='k', secret_key='s').sign('x')")
    assert "cryptography" not in loaded


def test_private_keys_load_cryptography_on_first_signature(package_root: Path) -> None:
    configure = (f"from {PACKAGE}.auth import BinanceAuth; "
                 "auth = BinanceAuth(api_key='k', private_key_path='/nonexistent/key.pem')")
    assert "cryptography" not in imported_after(package_root, configure)
    sign = (f"from {PACKAGE}.auth import BinanceAuth; "
            f"BinanceAuth(private_key_pem={ED25519_PEM!r}).sign('x')")
    assert "cryptography" in imported_after(package_root, sign)
