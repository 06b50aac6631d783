"""The sans-I/O core: requests built from operations, and answers parsed by their type hints."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from .conftest import API_KEY, FULLWIDTH_123456, SECRET_KEY

HOST = "https://api.example.test"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def config(rt: ModuleType) -> Any:
    auth = rt.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY)
    return rt._binance.Configuration(host=HOST, auth=auth)


def op(rt: ModuleType, method: str = "GET", path: str = "/api/v3/thing", *params: Any,
       **options: Any) -> Any:
    Param = rt.operation.Param
    options.setdefault("api", rt._metadata.API)
    return rt.operation.Operation("TestOp", method, path,
                                  params=tuple(Param(*p) if isinstance(p, tuple) else p for p in params),
                                  **options)


def build(rt: ModuleType, config: Any, operation: Any, params: dict[str, Any], **kw: Any) -> Any:
    return rt._core.build_request(config, operation, params, **kw)


def test_query_in_parameter_order_with_unset_parameters_dropped(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "GET", "/api/v3/klines", ("symbol", "query", True), ("interval", "query"),
                   ("limit", "query"), ("price", "query"), ("active", "query"),
                   ("symbols", "query"), ("note", "query"))
    request = build(rt, config, operation, {
        "note": "a b", "symbol": "BTCUSDT", "interval": None, "limit": 500, "price": 0.00001,
        "active": False, "symbols": ["BTCUSDT", "BNBBTC"]})
    assert request.method == "GET"
    assert request.url == (f"{HOST}/api/v3/klines?symbol=BTCUSDT&limit=500&price=0.00001"
                           "&active=false&symbols=%5B%22BTCUSDT%22%2C%22BNBBTC%22%5D&note=a%20b")
    assert request.body is None
    assert "Content-Type" not in request.headers
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("binance-spot/1.0.0 python/3.")


def test_an_empty_string_is_sent_but_none_is_not(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "GET", "/x", ("a", "query"), ("b", "query"))
    assert build(rt, config, operation, {"a": "", "b": None}).url == f"{HOST}/x?a="


def test_required_parameters_must_be_given(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "GET", "/x", ("symbol", "query", True))
    with pytest.raises(rt.exceptions.ApiValueError, match="required parameter 'symbol'"):
        build(rt, config, operation, {"symbol": None})


def test_path_parameters_are_percent_encoded(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "GET", "/v1/{id}/items/{name}", ("id", "path", True), ("name", "path", True))
    request = build(rt, config, operation, {"id": 42, "name": "a/b c?d"})
    assert request.url == f"{HOST}/v1/42/items/a%2Fb%20c%3Fd"
    for bad in ("", ".", ".."):
        with pytest.raises(rt.exceptions.ApiValueError, match="path parameter 'name'"):
            build(rt, config, operation, {"id": 1, "name": bad})


def test_path_and_path_parameters_must_agree(rt: ModuleType, config: Any) -> None:
    with pytest.raises(rt.exceptions.ApiTypeError, match="do not match"):
        build(rt, config, op(rt, "GET", "/v1/{id}"), {})


def test_form_body(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "PUT", "/api/v3/userDataStream", ("listenKey", "form", True),
                   ("quantity", "form"), content_type=FORM)
    request = build(rt, config, operation, {"listenKey": "abc+/=", "quantity": Decimal("1E-8")})
    assert request.url == f"{HOST}/api/v3/userDataStream"
    assert request.body == b"listenKey=abc%2B%2F%3D&quantity=0.00000001"
    assert request.headers["Content-Type"] == FORM


def test_form_operation_with_nothing_to_send_has_no_body(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "PUT", "/x", ("a", "form"), content_type=FORM)
    request = build(rt, config, operation, {"a": None})
    assert request.body is None and "Content-Type" not in request.headers


def test_json_body_from_model_dict_or_list(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "POST", "/orders", ("body", "json", True), content_type="application/json")
    order = rt.models.Order(symbol="BTCUSDT", order_id=1, price=None)
    for body, expected in [
        (order, {"symbol": "BTCUSDT", "orderId": 1}),
        ({"price": 0.00001, "tags": ["a"]}, {"price": 0.00001, "tags": ["a"]}),
        ([order], [{"symbol": "BTCUSDT", "orderId": 1}]),
    ]:
        request = build(rt, config, operation, {"body": body})
        assert json.loads(request.body) == expected
        assert b"e-05" not in request.body and b" " not in request.body
        assert request.headers["Content-Type"] == "application/json"


def test_headers_cookies_and_their_precedence(rt: ModuleType) -> None:
    config = rt.configuration.Configuration(
        host=HOST, auth=rt.auth.BinanceAuth(api_key=API_KEY),
        default_headers={"accept": "text/plain", "X-Default": "d"}, user_agent="custom/1")
    operation = op(rt, "GET", "/x", ("X-Trace", "header"), ("lang", "cookie"), ("theme", "cookie"),
                   auth=("ApiKey", "CookieKey"))
    request = build(rt, config, operation, {"X-Trace": 7, "lang": "en US", "theme": None},
                    headers={"x-default": "call"})
    headers = request.headers
    assert headers["accept"] == "text/plain" and "Accept" not in headers  # one Accept, the user's
    assert headers["x-default"] == "call" and "X-Default" not in headers
    assert headers["User-Agent"] == "custom/1"
    assert headers["X-Trace"] == "7"
    assert headers["X-MBX-APIKEY"] == API_KEY
    assert headers["Cookie"] == f"lang=en%20US; session={API_KEY}"
    with pytest.raises(rt.exceptions.ApiValueError, match="line break"):
        build(rt, config, operation, {"X-Trace": "a\nb"})
    # What HTTP cannot carry fails before any traffic, not deep in http.client.
    for value in ("a\u2028b", "\u20ac", "a\x00b", "a\x7fb"):
        with pytest.raises(rt.exceptions.ApiValueError, match=r"X-Trace.*cannot carry"):
            build(rt, config, operation, {"X-Trace": value})
    assert build(rt, config, operation, {"X-Trace": "caf\u00e9\tok"}).headers["X-Trace"] == "caf\u00e9\tok"


def test_array_parameters_in_their_openapi_style(rt: ModuleType, config: Any) -> None:
    Param = rt.operation.Param
    operation = op(rt, "GET", "/things/{ids}", Param("ids", "path", True, style="simple"),
                   Param("a", "query", style="form", explode=True), Param("b", "query", style="form"),
                   Param("c", "query", style="spaceDelimited"), Param("d", "query", style="pipeDelimited"),
                   ("symbols", "query"), Param("X-Ids", "header", style="simple"),
                   Param("k", "cookie", style="form", explode=True))
    request = build(rt, config, operation, {
        "ids": [1, "x/y"], "a": [1, 2], "b": ("x", "y,z"), "c": ["p", "r"], "d": [True, 0.00001],
        "symbols": ["BTCUSDT", "BNBBTC"], "X-Ids": [3, 4], "k": ["u", "v w"]})
    path, _, query = request.url.partition("?")
    assert path == f"{HOST}/things/1,x%2Fy"
    assert query.split("&") == ["a=1", "a=2", "b=x,y%2Cz", "c=p%20r", "d=true%7C0.00001",
                                "symbols=%5B%22BTCUSDT%22%2C%22BNBBTC%22%5D"]  # no style: JSON
    assert request.headers["X-Ids"] == "3,4"
    assert request.headers["Cookie"] == "k=u; k=v%20w"
    single = build(rt, config, operation, {"ids": 5, "a": 7})  # not a list: sent as it is
    assert single.url == f"{HOST}/things/5?a=7"
    with pytest.raises(rt.exceptions.ApiValueError, match="does not go in the path"):
        Param("a", "path", style="deepObject")


def test_object_parameters_in_their_openapi_style(rt: ModuleType, config: Any) -> None:
    """OpenAPI's style table for an object (`{"R": 100, "G": 200}`), a list and a plain value."""
    Param = rt.operation.Param
    color = {"R": 100, "G": 200, "skip": None}
    operation = op(rt, "GET", "/p/{s}/{se}/{l}/{le}/{m}/{me}/{ml}",
                   Param("s", "path", True, style="simple"),
                   Param("se", "path", True, style="simple", explode=True),
                   Param("l", "path", True, style="label"),
                   Param("le", "path", True, style="label", explode=True),
                   Param("m", "path", True, style="matrix"),
                   Param("me", "path", True, style="matrix", explode=True),
                   Param("ml", "path", True, style="matrix", explode=True),
                   Param("f", "query", style="form", explode=True),
                   Param("fc", "query", style="form"),
                   Param("sp", "query", style="spaceDelimited"),
                   Param("d", "query", style="deepObject", explode=True),
                   Param("h", "header", style="simple", explode=True))
    request = build(rt, config, operation, {
        "s": color, "se": color, "l": color, "le": color, "m": color, "me": color, "ml": [1, 2],
        "f": color, "fc": color, "sp": color, "d": color, "h": color})
    path, _, query = request.url.partition("?")
    assert path == f"{HOST}/p/R,100,G,200/R=100,G=200/.R,100,G,200/.R=100.G=200/;m=R,100,G,200/" \
                   ";R=100;G=200/;ml=1;ml=2"
    assert query.split("&") == ["R=100", "G=200", "fc=R,100,G,200", "sp=R%20100%20G%20200",
                                "d%5BR%5D=100", "d%5BG%5D=200"]
    assert request.headers["h"] == "R=100,G=200"
    plain = build(rt, config, operation, {
        "s": "a b", "se": 1, "l": "x", "le": [1, 2], "m": True, "me": [1, 2], "ml": "y"})
    assert plain.url == f"{HOST}/p/a%20b/1/.x/.1.2/;m=true/;me=1;me=2/;ml=y"


def test_deep_object_nests_objects_and_lists_as_stripe_reads_them(rt: ModuleType,
                                                                   config: Any) -> None:
    Param = rt.operation.Param
    operation = op(rt, "POST", "/checkout", Param("metadata", "form", style="deepObject",
                                                  explode=True),
                   Param("line_items", "form", style="deepObject", explode=True),
                   Param("expand", "query", style="deepObject", explode=True),
                   content_type="application/x-www-form-urlencoded")
    request = build(rt, config, operation, {
        "metadata": {"order id": "6735", "a&b": "c=d"},
        "line_items": [{"price": "p1", "quantity": 2, "tax": {"rates": ["t1", "t2"]}}],
        "expand": ["customer", "invoice.subscription"]})
    assert request.url.partition("?")[2] == "expand%5B0%5D=customer&expand%5B1%5D=invoice.subscription"
    assert request.body.decode().split("&") == [
        "metadata%5Border%20id%5D=6735", "metadata%5Ba%26b%5D=c%3Dd",
        "line_items%5B0%5D%5Bprice%5D=p1", "line_items%5B0%5D%5Bquantity%5D=2",
        "line_items%5B0%5D%5Btax%5D%5Brates%5D%5B0%5D=t1",
        "line_items%5B0%5D%5Btax%5D%5Brates%5D%5B1%5D=t2"]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_model_in_a_style_goes_by_its_wire_names(rt: ModuleType, config: Any) -> None:
    from pydantic import Field

    class Filter(rt.base_model.ApiModel):
        created_gt: int | None = Field(default=None, alias="created.gt")
        limit: int | None = None

    Param = rt.operation.Param
    operation = op(rt, "GET", "/charges", Param("created", "query", style="deepObject",
                                                explode=True),
                   Param("f", "query", style="form", explode=True))
    request = build(rt, config, operation, {"created": Filter.model_validate({"created.gt": 5}),
                                            "f": Filter(limit=3)})
    assert request.url.partition("?")[2] == "created%5Bcreated.gt%5D=5&limit=3"


def test_a_raw_body_goes_as_it_is_under_its_media_type(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "POST", "/notes", ("body", "raw", True), content_type="text/plain")
    request = build(rt, config, operation, {"body": "caf\u00e9 {not json}"})
    assert request.body == "caf\u00e9 {not json}".encode()
    assert request.headers["Content-Type"] == "text/plain"
    upload = op(rt, "PUT", "/blob", ("body", "raw", True), content_type="image/png")
    assert build(rt, config, upload, {"body": b"\x89PNG"}).body == b"\x89PNG"
    with pytest.raises(rt.exceptions.ApiTypeError, match="bytes or str, not dict"):
        build(rt, config, upload, {"body": {"a": 1}})


def test_multipart_body_with_text_and_file_parts(rt: ModuleType, config: Any) -> None:
    from loopback import parse_multipart

    operation = op(rt, "POST", "/upload", ("note", "form", True), ("file", "form"), ("n", "form"),
                   ("meta", "form"), content_type="multipart/form-data")
    data = b"\x00\xff\r\n--x\r\n"
    request = build(rt, config, operation,
                    {"note": "caf\u00e9", "file": data, "n": 0.00001, "meta": {"a": [1]}})
    content_type = request.headers["Content-Type"]
    boundary = content_type.removeprefix("multipart/form-data; boundary=")
    assert len(boundary) == 32 and boundary.encode() not in data
    fields, files = parse_multipart(content_type, request.body)
    assert fields == {"note": ["caf\u00e9"], "file": [data.decode("utf-8", "replace")],
                      "n": ["0.00001"], "meta": ['{"a":[1]}']}
    assert files == {"file": [("file", "application/octet-stream", data)]}
    assert request.url == f"{HOST}/upload"
    empty = build(rt, config, operation, {"note": "x"})
    assert parse_multipart(empty.headers["Content-Type"], empty.body) == ({"note": ["x"]}, {})
    quoted = op(rt, "POST", "/upload", ('we"ird\r\nname', "form"), content_type="multipart/form-data")
    body = build(rt, config, quoted, {'we"ird\r\nname': "v"}).body
    assert b'name="we%22ird%0D%0Aname"' in body


def test_multipart_parts_go_in_the_content_type_their_encoding_names(rt: ModuleType,
                                                                      config: Any) -> None:
    from loopback import parse_multipart

    Param = rt.operation.Param
    operation = op(rt, "POST", "/upload", Param("meta", "form", media="application/json"),
                   Param("image", "form", media="image/png"), Param("note", "form", media="text/csv"),
                   content_type="multipart/form-data")
    request = build(rt, config, operation, {"meta": {"a": [1], "b": "x"}, "image": b"\x89PNG",
                                            "note": "a,b"})
    fields, files = parse_multipart(request.headers["Content-Type"], request.body)
    assert fields == {"meta": ['{"a":[1],"b":"x"}'], "image": ["\ufffdPNG"], "note": ["a,b"]}
    assert files == {"image": [("image", "image/png", b"\x89PNG")]}
    assert b'name="meta"\r\nContent-Type: application/json\r\n\r\n{"a":[1],"b":"x"}' in request.body
    assert b'name="note"\r\nContent-Type: text/csv\r\n\r\na,b' in request.body


def test_signed_multipart_call_signs_the_query_string(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "POST", "/upload", ("file", "form", True), ("timestamp", "form"),
                   content_type="multipart/form-data", signed=True)
    request = build(rt, config, operation, {"file": b"abc"}, timestamp_ms=1499827319559)
    query = urlsplit(request.url).query
    payload, _, signature = query.rpartition("&signature=")
    assert payload == "timestamp=1499827319559"  # declared as a form field, but not in a multipart body
    assert signature == hmac.new(SECRET_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert b"timestamp" not in request.body and b"abc" in request.body


def test_api_key_in_query(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "GET", "/x", ("a", "query"), auth=("QueryKey", "UnknownScheme"))
    request = build(rt, config, operation, {"a": 1})
    assert request.url == f"{HOST}/x?a=1&apiKey={API_KEY}"
    assert "X-MBX-APIKEY" not in request.headers


def test_api_key_is_sent_only_when_configured(rt: ModuleType) -> None:
    operation = op(rt, "POST", "/api/v3/userDataStream", auth=("ApiKey",))
    for auth in (None, rt.auth.BinanceAuth(secret_key=SECRET_KEY)):
        config = rt.configuration.Configuration(host=HOST, auth=auth)
        assert "X-MBX-APIKEY" not in build(rt, config, operation, {}).headers
    # Operations without security never get one.
    config = rt.configuration.Configuration(host=HOST, auth=rt.auth.BinanceAuth(api_key=API_KEY))
    assert "X-MBX-APIKEY" not in build(rt, config, op(rt, "GET", "/api/v3/time"), {}).headers


def order_op(rt: ModuleType, location: str) -> Any:
    """Binance's documented order example, its fields in `location` ("query" or "form")."""
    names = ["symbol", "side", "type", "timeInForce", "quantity", "price", "recvWindow"]
    return op(rt, "POST", "/api/v3/order", *[(n, location) for n in names],
              content_type=FORM if location == "form" else None, auth=("ApiKey",), signed=True)


ORDER = {"symbol": "LTCBTC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": 1,
         "price": 0.1, "recvWindow": 5000}
VECTOR_PAYLOAD = ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
                  "&recvWindow=5000&timestamp=1499827319559")
VECTOR_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_signed_query_reproduces_binance_example(rt: ModuleType, config: Any) -> None:
    request = build(rt, config, order_op(rt, "query"), ORDER, timestamp_ms=1499827319559)
    assert request.url == f"{HOST}/api/v3/order?{VECTOR_PAYLOAD}&signature={VECTOR_SIGNATURE}"
    assert request.body is None


def test_signed_form_body_reproduces_binance_example(rt: ModuleType, config: Any) -> None:
    request = build(rt, config, order_op(rt, "form"), ORDER, timestamp_ms=1499827319559)
    assert request.url == f"{HOST}/api/v3/order"
    assert request.body == f"{VECTOR_PAYLOAD}&signature={VECTOR_SIGNATURE}".encode()
    assert request.headers["X-MBX-APIKEY"] == API_KEY


def test_signed_non_ascii_symbol_is_signed_percent_encoded(rt: ModuleType, config: Any) -> None:
    request = build(rt, config, order_op(rt, "query"), {**ORDER, "symbol": FULLWIDTH_123456},
                    timestamp_ms=1499827319559)
    assert request.url.endswith("signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")


def test_signature_covers_query_then_body_and_comes_last(rt: ModuleType, config: Any) -> None:
    operation = op(rt, "POST", "/sapi/x", ("a", "query"), ("b", "form"), content_type=FORM,
                   auth=("ApiKey",), signed=True)
    request = build(rt, config, operation, {"a": "1", "b": "2"}, timestamp_ms=1000)
    query = urlsplit(request.url).query
    body = request.body.decode()
    assert query == "a=1"
    payload, _, signature = body.rpartition("&signature=")
    assert payload == "b=2&timestamp=1000"
    assert signature == hmac.new(SECRET_KEY.encode(), (query + payload).encode(), hashlib.sha256).hexdigest()


def test_signed_recv_window_default_and_caller_values(rt: ModuleType) -> None:
    auth = rt.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY)
    config = rt._binance.Configuration(host=HOST, auth=auth, recv_window=3000)
    operation = op(rt, "GET", "/api/v3/account", ("recvWindow", "query"), ("timestamp", "query", True),
                   ("signature", "query"), auth=("ApiKey",), signed=True)
    default = dict(parse_qsl(urlsplit(build(rt, config, operation, {}, timestamp_ms=5).url).query))
    assert default["recvWindow"] == "3000" and default["timestamp"] == "5"
    given = build(rt, config, operation, {"recvWindow": 10000, "timestamp": 7, "signature": "forged"})
    pairs = parse_qsl(urlsplit(given.url).query)
    assert [name for name, _ in pairs] == ["recvWindow", "timestamp", "signature"]
    assert dict(pairs)["recvWindow"] == "10000" and dict(pairs)["timestamp"] == "7"
    assert dict(pairs)["signature"] != "forged"


def test_signed_timestamp_defaults_to_now(rt: ModuleType, config: Any) -> None:
    import time

    before = int(time.time() * 1000)
    request = build(rt, config, order_op(rt, "query"), ORDER)
    stamp = int(dict(parse_qsl(urlsplit(request.url).query))["timestamp"])
    assert before <= stamp <= int(time.time() * 1000)


def test_signed_call_without_either_key_fails_before_traffic(rt: ModuleType) -> None:
    for auth in (None, rt.auth.BinanceAuth(api_key=API_KEY), rt.auth.BinanceAuth(secret_key=SECRET_KEY)):
        config = rt.configuration.Configuration(host=HOST, auth=auth)
        with pytest.raises(rt.exceptions.ApiValueError, match="SIGNED endpoint"):
            build(rt, config, order_op(rt, "query"), ORDER)


def test_base64_signatures_are_percent_encoded(rt: ModuleType) -> None:
    from .test_auth import ED25519_PEM

    auth = rt.auth.BinanceAuth(api_key=API_KEY, private_key_pem=ED25519_PEM)
    config = rt.configuration.Configuration(host=HOST, auth=auth)
    for timestamp in range(1, 40):  # enough signatures that +, / and = all show up
        request = build(rt, config, order_op(rt, "query"), ORDER, timestamp_ms=timestamp)
        query = urlsplit(request.url).query
        payload, _, signature = query.rpartition("&signature=")
        assert not set(signature) & set("+/="), signature
        assert dict(parse_qsl(query))["signature"] == auth.sign(payload)


# --- responses ---------------------------------------------------------------------------------

RESPONSES = {"200": "Order", "201": "list[Order]", "2XX": "dict[str, Any]", "4XX": "APIError",
             "default": "APIError"}


def parse(rt: ModuleType, status: int, body: bytes, responses: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> Any:
    operation = op(rt, "GET", "/x", responses=RESPONSES if responses is None else responses)
    return rt._core.parse_response(operation, status, "Reason", headers or {}, body)


def test_success_types_by_exact_status_then_range(rt: ModuleType) -> None:
    order = b'{"symbol":"BTCUSDT","orderId":1,"extra":true}'
    single = parse(rt, 200, order)
    assert isinstance(single.data, rt.models.Order)
    assert single.data.order_id == 1 and single.data.to_dict()["extra"] is True
    assert single.raw_data == order and single.status_code == 200
    many = parse(rt, 201, b"[" + order + b"," + order + b"]").data
    assert [type(o).__name__ for o in many] == ["Order", "Order"]
    assert parse(rt, 202, b'{"any": [1, {"x": null}]}').data == {"any": [1, {"x": None}]}


@pytest.mark.parametrize(("hint", "body", "data"), [
    ("str", b'"abc"', "abc"),
    ("int", b"42", 42),
    ("float", b"0.5", 0.5),
    ("bool", b"true", True),
    ("Any", b'{"a": 1}', {"a": 1}),
    ("object", b"[1, 2]", [1, 2]),
    ("None", b'{"ignored": 1}', None),
    ("dict[str, int]", b'{"a": 1}', {"a": 1}),
    ("dict[str, list[int]]", b'{"a": [1]}', {"a": [1]}),
    ("list[dict[str, Any]]", b'[{"a": 1}]', [{"a": 1}]),
])
def test_scalar_and_container_hints(rt: ModuleType, hint: str, body: bytes, data: Any) -> None:
    assert parse(rt, 200, body, {"200": hint}).data == data


@pytest.mark.parametrize(("hint", "body", "data"), [
    ("int | str", b'"7"', "7"),
    ("int | str", b"7", 7),
    ("list[list[int | str]]", b'[[1, "0.5"]]', [[1, "0.5"]]),
    ("dict[str, float | None]", b'{"a": null, "b": 1.5}', {"a": None, "b": 1.5}),
    ("str | None", b"null", None),
])
def test_union_hints(rt: ModuleType, hint: str, body: bytes, data: Any) -> None:
    assert parse(rt, 200, body, {"200": hint}).data == data


def test_a_union_of_models_takes_the_member_that_fits(rt: ModuleType) -> None:
    responses = {"200": "APIError | Order"}
    order = parse(rt, 200, b'{"symbol": "BTCUSDT", "orderId": 1}', responses).data
    error = parse(rt, 200, b'{"code": -1, "msg": "no"}', responses).data
    assert isinstance(order, rt.models.Order) and isinstance(error, rt.models.APIError)


def test_a_discriminated_union_picks_by_its_property_and_keeps_unknown_kinds(rt: ModuleType) -> None:
    body = (b'[{"kind": "order", "symbol": "BTCUSDT", "orderId": 1},'
            b' {"kind": "refund", "amount": "1.5"}, {"kind": "chargeback", "amount": "2"}, {"x": 1}]')
    order, refund, chargeback, untagged = parse(rt, 200, body, {"200": "list[Event]"}).data
    assert isinstance(order, rt.models.Order) and order.to_dict()["kind"] == "order"
    assert isinstance(refund, rt.models.Refund) and refund.amount == "1.5"
    assert type(chargeback) is rt.base_model.ApiModel
    assert chargeback.to_dict() == {"kind": "chargeback", "amount": "2"}
    assert type(untagged) is rt.base_model.ApiModel
    with pytest.raises(rt.exceptions.ResponseValidationError, match="amount"):
        parse(rt, 200, b'{"kind": "refund"}', {"200": "Event"})  # a known kind must fit its model


def test_no_entry_or_empty_body_gives_none(rt: ModuleType) -> None:
    assert parse(rt, 200, b'{"a": 1}', {}).data is None
    assert parse(rt, 200, b"", {"200": "Order | None"}).data is None
    assert parse(rt, 204, b"  ", {"2XX": "Order"}).data is None  # 204 carries no body


@pytest.mark.parametrize("hint", ["Order", "list[Order]", "dict[str, Any]", "int"])
def test_an_empty_body_for_a_declared_type_is_a_validation_error(rt: ModuleType, hint: str) -> None:
    with pytest.raises(rt.exceptions.ResponseValidationError, match="empty body"):
        parse(rt, 200, b"", {"200": hint})


def test_text_answer_to_string_response(rt: ModuleType) -> None:
    response = parse(rt, 200, b"pong", {"200": "str"}, {"Content-Type": "text/plain"})
    assert response.data == "pong"


def test_invalid_success_body_raises_our_error(rt: ModuleType) -> None:
    for body in (b'{"symbol": "BTCUSDT"}', b"<html>oops</html>"):
        with pytest.raises(rt.exceptions.ResponseValidationError, match="does not match Order") as raised:
            parse(rt, 200, body)
        assert raised.value.status == 200 and raised.value.body == body


@pytest.mark.parametrize(("status", "name"), [
    (400, "BadRequestException"), (401, "UnauthorizedException"), (403, "ForbiddenException"),
    (404, "NotFoundException"), (409, "ConflictException"), (418, "IPBannedException"),
    (429, "RateLimitException"), (500, "ServiceException"), (503, "ServiceException"),
    (422, "ApiException"), (302, "ApiException"),
])
def test_error_statuses_raise_their_class_with_the_error_model(rt: ModuleType, status: int,
                                                               name: str) -> None:
    body = b'{"code": -1102, "msg": "Mandatory parameter \'symbol\' was not sent."}'
    with pytest.raises(rt.exceptions.ApiException) as raised:
        parse(rt, status, body)
    error = raised.value
    assert type(error).__name__ == name and error.status == status
    assert isinstance(error.data, rt.models.APIError)  # from "4XX" or "default"
    assert (error.code, error.msg) == (-1102, "Mandatory parameter 'symbol' was not sent.")


def test_non_json_error_body_does_not_crash(rt: ModuleType) -> None:
    with pytest.raises(rt.exceptions.ServiceException) as raised:
        parse(rt, 502, b"<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"})
    error = raised.value
    assert error.data is None and error.code is None and error.msg is None
    assert "Bad gateway" in str(error)


def test_malformed_hints_are_reported(rt: ModuleType) -> None:
    for hint, message in [("list[Order", "ends early"), ("dict[int, Order]", "expected 'str'"),
                          ("Order]", "unexpected"), ("Nope", "not a model"),
                          ("NotAModel", "not a model"), ("list[]", "unexpected")]:
        with pytest.raises(rt.exceptions.ApiTypeError, match=message):
            rt._types.parse_hint(hint)


def test_decoders_are_cached_per_hint(rt: ModuleType) -> None:
    assert rt._types.response_type("list[Order]") is rt._types.response_type("list[Order]")
