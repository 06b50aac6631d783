"""Every operation, called through the client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

import binance.spot as package
from binance.spot.base_model import ApiModel
from binance.spot.rest import ApiException

from .cases import CASES, OperationCase
from .conftest import API_KEY
from .loopback import LoopbackServer

SIGNATURE_FIELDS = ("timestamp", "signature")


def plain(value: Any) -> Any:
    """A parsed result as JSON-like data (models by wire name, unset fields left out)."""
    if isinstance(value, ApiModel):
        return value.to_dict()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    return value


def expected_result(case: OperationCase) -> Any:
    if case.response_body is None:
        return None
    if case.response_media is not None:
        return case.response_body.encode() if case.response_bytes else case.response_body
    return plain(case.response_body)


def call(
    api_client: package.ApiClient, case: OperationCase, args: dict[str, Any]
) -> tuple[Any, list[warnings.WarningMessage]]:
    api = getattr(package, case.api)(api_client)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = getattr(api, case.method)(**args)
    return result, caught


def credentials(case: OperationCase) -> list[tuple[str, str, str]]:
    """(header | query | cookie, name, value) of each credential the call must send."""
    return [(*_split(key), value) for key, value in case.credentials.items()]


def _split(key: str) -> tuple[str, str]:
    where, _, name = key.partition(":")
    return where, name


def unsigned(fields: dict[str, list[str]], case: OperationCase) -> dict[str, list[str]]:
    """The fields the operation's parameters make: without the signature and query credentials."""
    extra = {name for where, name, _ in credentials(case) if where == "query"}
    return {
        k: v
        for k, v in fields.items()
        if not (case.signed and k in SIGNATURE_FIELDS) and k not in extra
    }


def answer(server: LoopbackServer, case: OperationCase) -> None:
    if case.response_body is None:
        server.reply(case.status, b"")
    elif case.response_media is not None:
        server.reply(
            case.status, case.response_body.encode(), {"Content-Type": case.response_media}
        )
    else:
        server.reply(case.status, json.dumps(case.response_body))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.method)
def test_request_and_result_on_the_wire(
    case: OperationCase, server: LoopbackServer, api_client: package.ApiClient
) -> None:
    answer(server, case)
    result, caught = call(api_client, case, case.args)

    (request,) = server.requests
    assert request.method == case.http_method
    assert request.path == case.path
    assert unsigned(request.query, case) == case.query
    assert unsigned(request.form, case) == case.form
    for name, value in case.headers.items():
        assert request.headers.get(name) == value
    for name, values in case.cookies.items():
        assert request.cookies.get(name) == values
    if case.json_body is not None:
        assert json.loads(request.body) == plain(case.json_body)
    if case.raw_body is not None:
        assert request.body == case.raw_body.encode()
    if case.api_key_header is not None:
        assert request.headers.get(case.api_key_header) == API_KEY
    for where, name, value in credentials(case):
        if where == "header":
            assert request.headers.get(name) == value
        else:
            assert (request.query if where == "query" else request.cookies).get(name) == [value]
    assert plain(result) == expected_result(case)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert bool(deprecations) == case.deprecated


ERROR_CASES = [(case, status, body, model) for case in CASES for status, body, model in case.errors]


@pytest.mark.parametrize(
    ("case", "status", "body", "model"), ERROR_CASES, ids=lambda v: getattr(v, "method", str(v))
)
def test_error_responses_raise_api_exception(
    case: OperationCase,
    status: int,
    body: Any,
    model: str | None,
    server: LoopbackServer,
    api_client: package.ApiClient,
) -> None:
    server.reply(status, json.dumps(body))
    with pytest.raises(ApiException) as raised:
        call(api_client, case, case.args)
    error = raised.value
    assert error.status == status
    declared = getattr(package, model) if model is not None else None
    if isinstance(declared, type) and isinstance(body, dict):
        assert isinstance(error.data, declared)  # the response's error model, typed
    if isinstance(body, dict):
        assert error.code == expected_code(body)
        message = body.get("msg")
        assert error.msg == (message if isinstance(message, str) else None)


def expected_code(body: dict[str, Any]) -> Any:
    """The error code an exception carries for an error body: an integer."""
    code = body.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        return None
    return code
