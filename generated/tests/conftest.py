"""Fixtures: a real HTTP server on 127.0.0.1 and an ApiClient pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import binance.spot as package

from .loopback import LoopbackServer

API_KEY = "test-api-key"
SECRET_KEY = "test-secret-key"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def api_client(server: LoopbackServer) -> Iterator[package.ApiClient]:
    configuration = package.Configuration(
        host=server.url,
        auth=package.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY),
        max_retries=0,
    )
    with package.ApiClient(configuration) as client:
        yield client
