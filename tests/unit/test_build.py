"""Small inline specs -> assertions on the model: the decisions build.py makes."""

from __future__ import annotations

from typing import Any

from generator.build import build, package_name_from_title
from generator.config import Config
from generator.model import Api


def spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Test API", "version": "1.2.3"},
        "servers": [{"url": "https://api.example.test/"}],
        "paths": paths,
        "components": {
            "schemas": schemas or {},
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-KEY"}},
        },
        **extra,
    }


def make(document: dict[str, Any], **config: Any) -> Api:
    api, _ = build(document, Config(**config), "test.yaml", lambda pointer: ("test.yaml", None, None))
    return api


OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def test_signed_operation_hides_timestamp_and_signature_and_orders_required_first() -> None:
    api = make(spec({"/api/v3/account": {"get": {
        "operationId": "GetAccountV3", "tags": ["Account"], "security": [{"ApiKey": []}],
        "parameters": [
            {"name": "omitZeroBalances", "in": "query", "schema": {"type": "boolean"}},
            {"name": "recvWindow", "in": "query", "schema": {"type": "integer", "format": "int64"}},
            {"name": "timestamp", "in": "query", "required": True, "schema": {"type": "integer"}},
            {"name": "symbol", "in": "query", "required": True, "schema": {"type": "string", "default": ""}},
        ],
        "responses": OK,
    }}}))
    (op,) = api.operations
    assert op.python_name == "get_account_v3"
    assert op.signed
    assert op.hidden_parameters == ("timestamp",)
    assert [(p.python_name, p.required, p.annotation) for p in op.parameters] == [
        ("symbol", True, "str"),
        ("omit_zero_balances", False, "bool | None"),
        ("recv_window", False, "int | None"),
    ]
    assert op.auth == ("ApiKey",)
    assert api.apis[0].class_name == "AccountApi"
    assert op.parameters[0].default is None  # an empty default is no default


def test_form_body_fields_become_parameters_and_json_body_one() -> None:
    api = make(spec({"/order": {
        "post": {"operationId": "newOrder", "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["symbol"],
                "properties": {"symbol": {"type": "string"}, "price": {"type": "number"}}}}}},
            "responses": OK},
        "put": {"operationId": "replaceOrder", "requestBody": {"content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}, "responses": OK},
    }}, {"Order": {"type": "object", "properties": {"id": {"type": "integer"}}}}))
    new, replace = sorted(api.operations, key=lambda o: o.python_name)
    assert new.content_type == "application/x-www-form-urlencoded"
    assert [(p.wire_name, p.location, p.required) for p in new.parameters] == [
        ("symbol", "form", True), ("price", "form", False)]
    assert new.parameters[1].example.wire == "0.00001"  # numbers never in scientific notation
    assert replace.content_type == "application/json"
    (body,) = replace.parameters
    assert (body.python_name, body.location, body.type.hint) == ("order", "json", "Order")


def test_missing_operation_id_and_tags_are_derived() -> None:
    api = make(spec({"/api/v3/ticker/{symbol}": {"get": {
        "parameters": [{"name": "symbol", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": OK}}}))
    (api_class,) = api.apis
    assert api_class.class_name == "DefaultApi"
    (op,) = api_class.operations
    assert op.python_name == "get_api_v3_ticker_symbol"
    assert op.example_path == "/api/v3/ticker/example"


def test_inline_response_object_becomes_a_named_model() -> None:
    api = make(spec({"/time": {"get": {"operationId": "GetServerTime", "responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"serverTime": {"type": "integer", "example": 1499827319559}}}}}}}}}}))
    (op,) = api.operations
    assert op.return_type.hint == "GetServerTimeResponse"
    model = api.model("GetServerTimeResponse")
    assert [(f.python_name, f.wire_name, f.annotation) for f in model.fields] == [
        ("server_time", "serverTime", "int | None")]
    assert model.example == {"serverTime": 1499827319559}


def test_recursive_and_mutually_recursive_schemas() -> None:
    api = make(spec({}, {
        "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}},
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
    }))
    node = api.model("Node")
    assert node.fields[0].annotation == "list[Node] | None"
    assert node.imports == () and node.late_imports == ()
    a, b = api.model("A"), api.model("B")
    assert a.imports == ("B",) and a.late_imports == ()
    assert b.imports == () and b.late_imports == ("A",)  # the import that closes the cycle goes last


def test_colliding_names_are_resolved_deterministically() -> None:
    api = make(spec({}, {
        "Foo": {"type": "object", "properties": {"x": {"type": "string"}}},
        "foo": {"type": "object", "properties": {"y": {"type": "string"}}},
        "ApiClient": {"type": "object", "properties": {"z": {"type": "string"}}},
    }))
    assert sorted((m.schema_name, m.class_name, m.module) for m in api.models) == [
        ("ApiClient", "ApiClientModel", "api_client_model"),
        ("Foo", "Foo", "foo"),
        ("foo", "Foo2", "foo2"),
    ]


def test_package_settings_come_from_config_else_from_the_spec() -> None:
    derived = make(spec({}))
    assert derived.package.name == "test_api"
    assert derived.package.distribution == "test-api"
    assert derived.package.version == "1.2.3"
    assert derived.host == "https://api.example.test"
    configured = make(spec({}), package_name="binance.spot", version="2.0.0", distribution_name="binance-spot")
    assert (configured.package.name, configured.package.version) == ("binance.spot", "2.0.0")
    assert configured.package.namespaces == ("binance",)
    assert package_name_from_title("Binance Spot API") == "binance_spot_api"


def test_allof_members_are_merged_into_one_model() -> None:
    api = make(spec({}, {
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
        "Child": {"allOf": [{"$ref": "#/components/schemas/Base"},
                            {"type": "object", "properties": {"name": {"type": "string"}}}]},
    }))
    child = api.model("Child")
    assert [(f.python_name, f.required) for f in child.fields] == [("id", True), ("name", False)]
