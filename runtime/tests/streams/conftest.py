"""Fixtures: the runtime with its market streams part installed as a throwaway package `strtpkg`
(the generic runtime, Binance's, the WebSocket transport and runtime/streams/, as a generated package
has them), with a StreamApi and models as the generator would write them; and the market streams
stand-in every generated package ships (templates/tests/stream_loopback.py)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from ..conftest import installed

ROOT = Path(__file__).resolve().parents[3]
RUNTIME = ROOT / "runtime"
RUNTIME_FILES = sorted(
    p
    for folder in (RUNTIME, RUNTIME / "binance", RUNTIME / "websocket", RUNTIME / "streams")
    for p in folder.glob("*.py")
    if p.name != "__init__.py"
)
PACKAGE = "strtpkg"

# What the generator would write: the server, the connection paths, the event models (by type, and
# by shape for the events without one).
STREAMS = """\
from ._stream_core import StreamApi

STREAMS = StreamApi(
    url="wss://stream.binance.com:9443",
    events={"trade": "Trade", "1hTicker": "Ticker", "4hTicker": "Ticker"},
    shapes=((["u", "s", "b", "a"], "BookTicker"), (["lastUpdateId", "bids", "asks"], "Depth")),
)
"""

MODELS = """\
from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class Trade(ApiModel):
    e: str
    s: str
    p: str


class Ticker(ApiModel):
    e: str
    s: str


class BookTicker(ApiModel):
    u: int
    s: str
    b: str
    a: str


class Depth(ApiModel):
    last_update_id: int = Field(alias="lastUpdateId")
    bids: list[list[str]]
    asks: list[list[str]]
"""


@pytest.fixture(scope="session")
def st(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The imported package; its modules are attributes (`st.stream_client.StreamClient`)."""
    root = tmp_path_factory.mktemp("streamsruntime")
    package = root / PACKAGE
    (package / "models").mkdir(parents=True)
    for source in RUNTIME_FILES:
        shutil.copy(source, package / source.name)
    (package / "__init__.py").write_text('"""Stand-in generated package."""\n')
    (package / "_streams.py").write_text(STREAMS)
    (package / "models" / "__init__.py").write_text(MODELS)
    with installed(root, PACKAGE, [*(s.stem for s in RUNTIME_FILES), "_streams", "models"]) as imported:
        yield imported


@pytest.fixture(scope="session")
def loopback_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stream_loopback", ROOT / "templates" / "tests" / "stream_loopback.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["stream_loopback"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def server(loopback_module: ModuleType) -> Iterator[object]:
    with loopback_module.StreamLoopback() as running:
        yield running
