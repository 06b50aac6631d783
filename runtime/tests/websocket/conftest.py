"""Fixtures: the runtime with its WebSocket part installed as a throwaway package `wsrtpkg`, a
Binance-like loopback WebSocket server, and clients of every kind (blocking WsClient, asyncio
AsyncWsClient driven by an event loop; websockets or aiohttp underneath) behind one face."""

from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ..conftest import installed
from .ws_server import BinanceWsServer, Key, make_ed25519

ROOT = Path(__file__).resolve().parents[3]
RUNTIME = ROOT / "runtime"
RUNTIME_FILES = sorted(
    p
    for p in [
        *RUNTIME.glob("*.py"),
        *(RUNTIME / "binance").glob("*.py"),
        *(RUNTIME / "websocket").glob("*.py"),
    ]
    if p.name != "__init__.py"
)
PACKAGE = "wsrtpkg"  # a name of its own: runtime/tests/conftest.py installs `rtpkg`
HMAC_KEY = "hmac-api-key-0123456789"
SECRET_KEY = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
ED_KEY = "ed25519-api-key-0123456789"

# What the generator would write beside the runtime: the API's URL and its event models (one
# named, looked up in models on first use; one given as a class).
METADATA = """\
from .models import OutboundAccountPosition
from .ws_operation import WsApi

WS_API = WsApi(
    url="wss://ws-api.binance.com:443/ws-api/v3",
    events={"executionReport": "ExecutionReport", "outboundAccountPosition": OutboundAccountPosition},
    distribution="binance-spot",
    version="1.0.0",
)
"""

MODELS = """\
from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class TickerPrice(ApiModel):
    symbol: str
    price: str


class OrderResult(ApiModel):
    symbol: str
    order_id: int = Field(alias="orderId")
    status: str | None = None


class ExecutionReport(ApiModel):
    event_type: str = Field(alias="e")
    event_time: int = Field(alias="E")
    symbol: str = Field(alias="s")
    order_id: int = Field(alias="i")
    status: str = Field(alias="X")


class Balance(ApiModel):
    asset: str = Field(alias="a")
    free: str = Field(alias="f")


class OutboundAccountPosition(ApiModel):
    event_type: str = Field(alias="e")
    balances: list[Balance] = Field(alias="B")
"""


def write_package(root: Path) -> Path:
    package = root / PACKAGE
    (package / "models").mkdir(parents=True)
    for source in RUNTIME_FILES:
        shutil.copy(source, package / source.name)
    (package / "__init__.py").write_text('"""Stand-in generated package."""\n')
    (package / "_ws_metadata.py").write_text(METADATA)
    (package / "models" / "__init__.py").write_text(MODELS)
    (package / "py.typed").write_text("")
    return package


@pytest.fixture(scope="session")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The imported package; its modules are attributes (`ws.ws_client.WsClient`)."""
    root = tmp_path_factory.mktemp("wsruntime")
    write_package(root)
    with installed(root, PACKAGE, [*(s.stem for s in RUNTIME_FILES), "_ws_metadata"]) as package:
        yield package


@pytest.fixture(scope="session")
def ed_pem() -> str:
    return ED25519[0]


ED25519 = make_ed25519()


@pytest.fixture
def server() -> Iterator[BinanceWsServer]:
    keys = {
        HMAC_KEY: Key("hmac", secret=SECRET_KEY.encode()),
        ED_KEY: Key("ed25519", public=ED25519[1]),
    }
    with BinanceWsServer(keys) as running:
        yield running


@pytest.fixture
def hmac_auth(ws: ModuleType) -> Any:
    return ws.auth.BinanceAuth(api_key=HMAC_KEY, secret_key=SECRET_KEY)


@pytest.fixture
def ed_auth(ws: ModuleType, ed_pem: str) -> Any:
    return ws.auth.BinanceAuth(api_key=ED_KEY, private_key_pem=ed_pem)


class Face:
    """One face for both clients: blocking calls; `many` runs calls concurrently (tasks for the
    asyncio client, threads for the blocking one); `pause` lets the client's loop run."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self.client = client
        self.loop = loop

    def _do(self, value: Any) -> Any:
        return self.loop.run_until_complete(value) if self.loop is not None else value

    def request(self, *args: Any, **kwargs: Any) -> Any:
        return self._do(self.client.request(*args, **kwargs))

    def call(self, *args: Any, **kwargs: Any) -> Any:
        return self._do(self.client.call(*args, **kwargs))

    def connect(self) -> None:
        self._do(self.client.connect())

    def logon(self) -> Any:
        return self._do(self.client.logon())

    def logout(self) -> Any:
        return self._do(self.client.logout())

    def sync_clock(self) -> Any:
        return self._do(self.client.sync_clock())

    def close(self) -> None:
        self._do(self.client.close())

    def many(self, op: Any, params: list[dict[str, Any]], **kwargs: Any) -> list[Any]:
        if self.loop is not None:

            async def run() -> list[Any]:
                calls = [self.client.request(op, p, **kwargs) for p in params]
                return list(await asyncio.gather(*calls, return_exceptions=True))

            return self.loop.run_until_complete(run())
        with concurrent.futures.ThreadPoolExecutor(len(params)) as pool:
            futures = [pool.submit(self.client.request, op, p, **kwargs) for p in params]
            results: list[Any] = []
            for future in futures:
                try:
                    results.append(future.result())
                except Exception as exc:
                    results.append(exc)
            return results

    def pause(self, seconds: float) -> None:
        if self.loop is not None:
            self.loop.run_until_complete(asyncio.sleep(seconds))
        else:
            import time

            time.sleep(seconds)

    def subscribe(self) -> Events:
        return Events(self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


class Events:
    """`with face.subscribe() as events: events.get(1.0)`, for either client."""

    def __init__(self, face: Face) -> None:
        self.face = face
        self.sub = face.client.subscribe_user_data()

    def __enter__(self) -> Events:
        if self.face.loop is not None:
            self.face.loop.run_until_complete(self.sub.__aenter__())
        else:
            self.sub.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.face.loop is not None:
            self.face.loop.run_until_complete(self.sub.__aexit__(None, None, None))
        else:
            self.sub.__exit__(None, None, None)

    def get(self, timeout: float = 2.0) -> Any:
        return self.face._do(self.sub.get(timeout))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sub, name)


# sync: WsClient; async: AsyncWsClient in this thread's loop; both over aiohttp (the default), and
# the asyncio client over websockets too.
KINDS = ["sync-aiohttp", "async-aiohttp", "async-websockets"]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


Connect = Callable[..., Face]


@pytest.fixture
def connect(ws: ModuleType, server: BinanceWsServer, kind: str) -> Iterator[Connect]:
    """`connect(auth=..., **settings)`: a client of `server` (short timeouts and backoffs)."""
    flavour, library = kind.split("-")
    loop = asyncio.new_event_loop() if flavour == "async" else None
    made: list[Face] = []

    def make(auth: Any = None, **settings: Any) -> Face:
        defaults: dict[str, Any] = {
            "request_timeout": 2.0,
            "connect_timeout": 2.0,
            "backoff_base": 0.05,
            "backoff_max": 0.2,
            "library": library,
        }
        defaults.update(settings)
        config = ws.ws_operation.WsConfiguration(server.url, auth, **defaults)
        api = ws._ws_metadata.WS_API
        if loop is None:
            client = ws.ws_client.WsClient(config, api=api)
        else:
            client = ws.async_ws_client.AsyncWsClient(config, api=api)
        face = Face(client, loop)
        made.append(face)
        return face

    yield make
    for face in made:
        face.close()
    if loop is not None:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
