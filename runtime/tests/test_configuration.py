"""Configuration and Operation: defaults, validation, and reprs without secrets."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pytest

from .conftest import API_KEY, SECRET_KEY


def test_defaults(rt: ModuleType) -> None:
    config = rt.configuration.Configuration()
    assert config.host is None and config.user_agent is None  # the API's own (its ApiInfo), at each call
    assert (config.connect_timeout, config.read_timeout, config.max_retries) == (5.0, 10.0, 2)
    assert config.auth is None and config.proxy is None
    assert config.pool_maxsize == 10 and config.verify_ssl is True
    assert not hasattr(config, "recv_window")  # Binance's settings are Binance's Configuration's
    binance = rt._binance.Configuration()
    assert binance.recv_window is None and binance.time_sync_on_start is False
    assert rt._metadata.API.user_agent == f"binance-spot/1.0.0 python/{sys.version_info[0]}.{sys.version_info[1]}"
    assert rt.configuration.Configuration(host="http://127.0.0.1:8080/prefix/").host == (
        "http://127.0.0.1:8080/prefix")


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"host": "api.binance.com"}, "ApiValueError"),
    ({"host": "ftp://api.binance.com"}, "ApiValueError"),
    ({"host": "https://api.binance.com/?a=1"}, "ApiValueError"),
    ({"read_timeout": None}, "ApiTypeError"),
    ({"read_timeout": 0}, "ApiValueError"),
    ({"connect_timeout": float("inf")}, "ApiValueError"),
    ({"max_retries": -1}, "ApiValueError"),
    ({"max_retries": 1.5}, "ApiTypeError"),
    ({"pool_maxsize": 0}, "ApiValueError"),
    ({"recv_window": 60_001}, "ApiValueError"),
    ({"recv_window": 0}, "ApiValueError"),
    ({"auth": "key"}, "ApiTypeError"),
    ({"default_headers": {"X-A": "1\r\nX-B: 2"}}, "ApiValueError"),
])
def test_bad_settings_are_refused_early(rt: ModuleType, kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(getattr(rt.exceptions, error)):
        rt._binance.Configuration(**kwargs)
    if "recv_window" not in kwargs:
        with pytest.raises(getattr(rt.exceptions, error)):
            rt.configuration.Configuration(**kwargs)


def test_default_configuration(rt: ModuleType) -> None:
    Configuration = rt.configuration.Configuration
    first = Configuration.get_default()
    assert Configuration.get_default() is first
    mine = Configuration(host="https://testnet.binance.vision")
    Configuration.set_default(mine)
    assert Configuration.get_default() is mine


def test_repr_hides_secrets(rt: ModuleType) -> None:
    config = rt.configuration.Configuration(
        auth=rt.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY),
        proxy="http://alice:s3cret@proxy.local:3128",
        default_headers={"Authorization": "Bearer s3cret"})
    text = repr(config)
    for secret in (API_KEY, SECRET_KEY, "s3cret", "alice"):
        assert secret not in text
    assert "proxy.local:3128" in text and "Authorization" in text


def test_proxy_settings_build_a_proxy_manager(rt: ModuleType) -> None:
    import urllib3

    config = rt.configuration.Configuration(proxy="http://alice:s3cret@proxy.local:3128")
    manager = rt.rest.RESTClient(config)._manager
    assert isinstance(manager, urllib3.ProxyManager)
    assert manager.proxy_headers["proxy-authorization"].startswith("Basic ")
    with pytest.raises(rt.exceptions.ApiValueError):
        rt.rest.RESTClient(rt.configuration.Configuration(proxy="ftp://proxy.local"))


def test_operations_are_checked_and_frozen(rt: ModuleType) -> None:
    Operation, Param = rt.operation.Operation, rt.operation.Param
    operation = Operation("Op", "get", "/x", params=(Param("a", "query"),))
    assert operation.method == "GET" and operation.responses == {} and operation.auth == ()
    assert "_plan" not in repr(operation)
    with pytest.raises(AttributeError):
        operation.method = "POST"
    with pytest.raises(rt.exceptions.ApiValueError, match="unknown location"):
        Param("a", "body")
    with pytest.raises(rt.exceptions.ApiValueError, match="must start with"):
        Operation("Op", "GET", "x")
    # A request has one body: the runtime says so on the first call.
    config = rt.configuration.Configuration()
    for params in ((Param("a", "json"), Param("b", "form")), (Param("a", "json"), Param("b", "json"))):
        with pytest.raises(rt.exceptions.ApiTypeError, match="one body"):
            rt._core.build_request(config, Operation("Op", "POST", "/x", params=params), {})
    # Form fields go urlencoded or multipart (tests/runtime/test_core.py), in no other media type.
    xml = Operation("Op", "POST", "/x", params=(Param("f", "form"),), content_type="application/xml")
    with pytest.raises(rt.exceptions.ApiTypeError, match="not supported"):
        rt._core.build_request(config, xml, {"f": "x"})
