"""Fixtures: the runtime (generic and Binance's) installed as a throwaway package `rtpkg`, loopback
HTTP servers, and clients of both flavours (sync ApiClient, AsyncApiClient driven by an event loop)
behind one face."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime"
RUNTIME_FILES = sorted(p for p in [*RUNTIME.glob("*.py"), *(RUNTIME / "binance").glob("*.py")]
                       if p.name != "__init__.py")
sys.path.insert(0, str(ROOT / "templates" / "tests"))  # the loopback helper, imported as a plain module

from loopback import LoopbackServer  # noqa: E402

from .faults import FaultServer  # noqa: E402

PACKAGE = "rtpkg"
API_KEY = "test-api-key-0123456789"
SECRET_KEY = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
# The symbol of Binance's non-ASCII signing example, written with escapes: full-width digits.
FULLWIDTH_123456 = "\uff11\uff12\uff13\uff14\uff15\uff16"
FULLWIDTH_123 = FULLWIDTH_123456[:3]

# What the generator writes beside the runtime for a Binance package: what its operations pass in.
METADATA = '''\
from ._binance import BINANCE, ERRORS, RATE_LIMIT_HEADERS
from .operation import ApiInfo

API = ApiInfo(
    distribution="binance-spot",
    version="1.0.0",
    host="https://api.binance.com",
    security={
        "ApiKey": ("header", "X-MBX-APIKEY"),
        "QueryKey": ("query", "apiKey"),
        "CookieKey": ("cookie", "session"),
    },
    errors=ERRORS,
    rate_limit_headers=RATE_LIMIT_HEADERS,
    profile=BINANCE,
)
'''

MODELS_INIT = '''\
"""Stand-in for the generated models package: names resolved lazily, like the real one."""

import importlib
from typing import Any

_LAZY = {"APIError": "._all", "ListenKey": "._all", "Order": "._all", "NotAModel": "._all",
         "Refund": "._all", "Event": "._all"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(module, __name__), name)
'''

MODELS = '''\
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..base_model import ApiModel, Discriminated


class APIError(ApiModel):
    code: int | None = None
    msg: str | None = None


class ListenKey(ApiModel):
    listen_key: str = Field(alias="listenKey")


class Order(ApiModel):
    symbol: str
    order_id: int = Field(alias="orderId")
    price: str | None = None


class NotAModel:
    pass


class Refund(ApiModel):
    kind: str
    amount: str


# A discriminated union alias, as the generator writes one (members looked up by name).
Event = Annotated[ApiModel, Discriminated("kind", {"order": "Order", "refund": "Refund"})]
'''


def write_package(root: Path) -> Path:
    """Lay out `rtpkg` under `root`: the runtime files verbatim plus the generator's stand-ins."""
    package = root / PACKAGE
    (package / "models").mkdir(parents=True)
    for source in RUNTIME_FILES:
        shutil.copy(source, package / source.name)
    (package / "__init__.py").write_text('"""Stand-in generated package."""\n')
    (package / "_metadata.py").write_text(METADATA)
    (package / "models" / "__init__.py").write_text(textwrap.dedent(MODELS_INIT))
    (package / "models" / "_all.py").write_text(MODELS)
    (package / "py.typed").write_text("")
    return package


@pytest.fixture(scope="session")
def package_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runtime")
    write_package(root)
    return root


@contextlib.contextmanager
def installed(root: Path, package: str, modules: Iterable[str]) -> Iterator[ModuleType]:
    """`package` (a folder under `root`) imported with each of `modules` in it; afterwards the folder
    leaves sys.path and the package sys.modules."""
    sys.path.insert(0, str(root))
    try:
        imported = importlib.import_module(package)
        for module in modules:
            importlib.import_module(f"{package}.{module}")
        yield imported
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def rt(package_root: Path) -> Iterator[ModuleType]:
    """The imported package; its runtime modules are attributes (`rt.api_client.ApiClient`)."""
    with installed(package_root, PACKAGE, [*(s.stem for s in RUNTIME_FILES), "_metadata", "models"]) as package:
        yield package


GENERATED = "udspkg"  # a name of its own: binance.spot may be imported by other tests


@pytest.fixture(scope="session")
def generated_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package the project first shipped (the listen-key API, from the tests' own copy of its
    spec: spec/ is the user's and grows) generated as `udspkg`, with its README."""
    out = tmp_path_factory.mktemp("generated")
    spec = ROOT / "tests" / "e2e" / "specs" / "user_data_stream"
    subprocess.run([sys.executable, "-m", "generator", "generate", str(spec / "openapi.yaml"),
                    "--config", str(spec / "generator.toml"), "--package-name", GENERATED, "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(autouse=True)
def _fresh_defaults() -> Iterator[None]:
    """Tests that touch the process-wide defaults must not leak them into other tests."""
    yield
    if PACKAGE in sys.modules and hasattr(sys.modules[PACKAGE], "api_client"):
        package = sys.modules[PACKAGE]
        package.api_client.ApiClient.set_default(None)
        package.configuration.Configuration.set_default(None)
        package.async_api_client.AsyncApiClient.set_default(None)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def auth(rt: ModuleType) -> object:
    return rt.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY)


class Blocking:
    """An AsyncApiClient with ApiClient's blocking face: each coroutine runs to completion in `loop`.

    So one test body exercises both clients; everything else is passed through to the real client.
    """

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop

    def call(self, *args: Any, **kwargs: Any) -> Any:
        return self.loop.run_until_complete(self.client.call(*args, **kwargs))

    def sync_clock(self, *args: Any, **kwargs: Any) -> Any:
        return self.loop.run_until_complete(self.client.sync_clock(*args, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


Connect = Callable[[Any], Any]


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def connect(rt: ModuleType, flavour: str) -> Iterator[Connect]:
    """`connect(config)`: an ApiClient, or a Blocking AsyncApiClient; all closed after the test."""
    made: list[Any] = []
    loop = asyncio.new_event_loop() if flavour == "async" else None

    def make(config: Any) -> Any:
        if loop is None:
            client = rt.api_client.ApiClient(config)
        else:
            client = Blocking(rt.async_api_client.AsyncApiClient(config), loop)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
    if loop is not None:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


@pytest.fixture
def client(rt: ModuleType, server: LoopbackServer, auth: object, connect: Connect) -> object:
    config = rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0,
                                            read_timeout=5.0)
    return connect(config)


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    """A raw-socket server that misbehaves as each test scripts it (faults.py)."""
    with FaultServer() as running:
        yield running
