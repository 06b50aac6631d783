"""The WebSocket runtime type-checks as it ships: mypy --strict over a package assembled from
runtime/*.py, runtime/binance/ and runtime/websocket/ (the generator's own mypy run leaves the
folders out: their modules import their siblings as a generated package holds them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import PACKAGE, write_package


def test_the_assembled_websocket_runtime_passes_mypy_strict(tmp_path: Path) -> None:
    write_package(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--no-incremental",
         "--config-file", "/dev/null", "-p", PACKAGE],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
