"""Other specs through the whole pipeline: generate, then run the package's own tests in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SPOT_CONFIG, SPOT_SPEC, run_cli, run_package_tests

SPECS = {
    # the three endpoints plus SIGNED ones: GET /api/v3/account (query) and POST /api/v3/order (form body)
    "signed": REPO / "tests" / "e2e" / "specs" / "signed" / "openapi.yaml",
    # paths and schemas in separate files, referenced relatively
    "multi-file": REPO / "tests" / "unit" / "load_cases" / "multi" / "openapi.yaml",
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_generated_package_passes_its_own_tests(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("generate", SPECS[name], "--out", out, "--package-name", "acme.client")
    assert done.code == 0, done.stderr
    run_package_tests(out)


def test_signed_spec_hides_timestamp_and_signature(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", SPECS["signed"], "--out", out, "--package-name", "acme.client").code == 0
    source = (out / "acme" / "client" / "api" / "trade_api.py").read_text()
    signature = source[source.index("def spot_create_order_v3("):source.index(") -> SpotCreateOrderV3Resp:")]
    assert "timestamp" not in signature and "signature" not in signature
    assert "recv_window: int | None = None" in signature
    assert "signed=True" in source


def test_importing_the_package_imports_no_api_and_no_model(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", SPOT_SPEC, "--config", SPOT_CONFIG, "--out", out).code == 0
    probe = (
        "import sys, binance.spot\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('binance.spot.'))\n"
        "print(loaded)\n"
        "binance.spot.UserDataStreamApi\n"
        "print('binance.spot.api.user_data_stream_api' in sys.modules,"
        " 'binance.spot.models.api_error' in sys.modules, 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(out)}, timeout=60)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "[]"  # nothing but the package's own __init__
    assert second == "True False False"  # an API class pulls in neither its models nor pydantic
