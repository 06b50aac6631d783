"""Exceptions: class per status, the API's code and message fields, Retry-After, text, pickling."""

from __future__ import annotations

import pickle
from email.utils import formatdate
from time import time
from types import ModuleType
from typing import Any

import pytest


def test_from_response_picks_the_class_and_parses_the_body(rt: ModuleType) -> None:
    exc = rt.exceptions.ApiException.from_response(
        429, "Too Many Requests", headers={"Retry-After": "7"},
        body=b'{"code": -1003, "msg": "Too many requests."}', errors=rt._binance.ERRORS)
    assert type(exc) is rt.exceptions.RateLimitException
    assert (exc.status, exc.reason, exc.code, exc.msg, exc.retry_after) == (
        429, "Too Many Requests", -1003, "Too many requests.", 7.0)
    assert exc.data is None  # nothing parsed it into a model: code and msg come from the body
    assert str(exc) == ("(429)\nReason: Too Many Requests\nCode: -1003\n"
                        "Message: Too many requests.\nRetry-After: 7 s")


def test_code_and_msg_prefer_the_parsed_model(rt: ModuleType) -> None:
    data = rt.models.APIError(code=-2015, msg="Invalid API-key, IP, or permissions for action.")
    binance = rt._binance.ERRORS
    exc = rt.exceptions.ApiException.from_response(401, "Unauthorized", body=b"{}", data=data, errors=binance)
    assert isinstance(exc, rt.exceptions.UnauthorizedException)
    assert (exc.code, exc.msg, exc.data) == (-2015, data.msg, data)
    dict_data = rt.exceptions.ApiException(400, "Bad Request", data={"code": -1100, "msg": "bad"}, errors=binance)
    assert (dict_data.code, dict_data.msg) == (-1100, "bad")


@pytest.mark.parametrize(("fields", "body", "code", "msg"), [
    (None, b'{"code": "E42", "message": "no such thing"}', "E42", "no such thing"),  # plain OpenAPI
    (None, b'{"code": 7, "msg": "not the message field"}', 7, None),
    (("error_code", "detail", False), b'{"error_code": "51000", "detail": "x"}', "51000", "x"),
    (("code", "msg", True), b'{"code": "51000", "msg": "x"}', None, "x"),  # only integers count
    ((None, "message", False), b'{"code": 1, "message": "m"}', None, "m"),
])
def test_the_api_says_which_fields_carry_code_and_message(rt: ModuleType, fields: Any, body: bytes,
                                                          code: Any, msg: Any) -> None:
    errors = rt.exceptions.ErrorFields(*fields) if fields else None
    exc = rt.exceptions.ApiException(400, "Bad Request", body=body, errors=errors)
    assert (exc.code, exc.msg) == (code, msg)


@pytest.mark.parametrize("body", [None, b"", b"<html>x</html>", b"{not json", b'{"code": "x"}',
                                  b"\xff\xfe{", b'["code"]', b'{"code": true, "msg": 5}'])
def test_odd_bodies_leave_code_and_msg_unset(rt: ModuleType, body: bytes | None) -> None:
    exc = rt.exceptions.ApiException(500, "Internal Server Error", body=body, errors=rt._binance.ERRORS)
    assert exc.code is None and exc.msg is None
    assert str(exc).startswith("(500)\nReason: Internal Server Error")


def test_long_bodies_are_cut_in_the_message(rt: ModuleType) -> None:
    exc = rt.exceptions.ApiException(502, "Bad Gateway", body=b"x" * 10_000)
    assert len(str(exc)) < 400 and str(exc).endswith("...")


def test_retry_after_as_http_date(rt: ModuleType) -> None:
    date = formatdate(time() + 60, usegmt=True)
    exc = rt.exceptions.ApiException(418, "I'm a teapot", headers={"Retry-After": date})
    assert 55 <= exc.retry_after <= 61
    for value in ("soon", ""):
        assert rt.exceptions.ApiException(429, None, headers={"Retry-After": value}).retry_after is None
    # A wait that makes no sense is read as the minimum, not as "at once" (test_faults: clamps).
    retry = rt.exceptions.ApiException(429, None, headers={"Retry-After": "-5"}).retry_after
    assert retry == rt.exceptions.RETRY_AFTER_MIN


def test_exceptions_survive_pickling(rt: ModuleType) -> None:
    exc = rt.exceptions.ApiException.from_response(
        400, "Bad Request", headers={"Retry-After": "1"}, body=b'{"code": -1102, "msg": "m"}')
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is type(exc) and str(clone) == str(exc) and clone.code == -1102
    network = rt.exceptions.ApiTimeoutError("GET /x: timed out", method="GET", path="/x",
                                            request_sent=False)
    clone_network = pickle.loads(pickle.dumps(network))
    assert (str(clone_network), clone_network.request_sent) == ("GET /x: timed out", False)


def test_execution_status_unknown(rt: ModuleType) -> None:
    e = rt.exceptions
    assert issubclass(e.ExecutionStatusUnknownError, e.ServiceException)
    answered = e.ExecutionStatusUnknownError(502, "Bad Gateway", body=b'{"code": -1001, "msg": "m"}',
                                             method="POST", path="/api/v3/order")
    lines = str(answered).splitlines()
    assert lines[0].startswith("POST /api/v3/order: execution status unknown: it may or may not")
    assert lines[1:4] == ["(502)", "Reason: Bad Gateway", "Code: -1001"]
    lost = e.ExecutionStatusUnknownError(0, "timed out", method="POST", path="/api/v3/order")
    assert str(lost).splitlines()[1] == "No answer: timed out"
    clone = pickle.loads(pickle.dumps(answered))
    assert (str(clone), clone.method, clone.code) == (str(answered), "POST", -1001)


def test_a_local_ban_refusal(rt: ModuleType) -> None:
    refused = rt.exceptions.IPBannedException.refused(42.5)
    assert (refused.status, refused.retry_after, refused.request_sent) == (418, 42.5, False)
    assert "no request was sent" in str(refused) and "Retry-After: 42.5 s" in str(refused)
    assert rt.exceptions.IPBannedException(418).request_sent is True


def test_hierarchy(rt: ModuleType) -> None:
    e = rt.exceptions
    assert issubclass(e.ApiTimeoutError, e.ApiConnectionError)
    assert issubclass(e.ApiValueError, ValueError) and issubclass(e.ApiTypeError, TypeError)
    for name in ("ApiException", "ApiConnectionError", "ApiValueError", "ApiTypeError",
                 "ResponseValidationError"):
        assert issubclass(getattr(e, name), e.OpenApiException)
    for name in ("BadRequestException", "UnauthorizedException", "ForbiddenException",
                 "NotFoundException", "ConflictException", "IPBannedException",
                 "RateLimitException", "ServiceException", "ExecutionStatusUnknownError"):
        assert issubclass(getattr(e, name), e.ApiException)
        assert getattr(rt.rest, name) is getattr(e, name)  # `from <pkg>.rest import ...` works
