"""Profiles: which one a document gets, and what each changes in the model and the output.

The default is plain OpenAPI: a spec that is not Binance's gets nothing of Binance, whatever its
parameters are called; Binance's rules come with its profile, detected or set.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline, profiles
from generator.config import Config
from generator.model.build import build
from generator.output import write

OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def spec(**extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Tiny", "version": "1.0.0"},
        "paths": {"/orders": {"get": {
            "operationId": "listOrders",
            "parameters": [
                {"name": "timestamp", "in": "query", "required": True, "schema": {"type": "integer"}},
                {"name": "symbols", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
            ],
            "responses": {**OK, "400": {"description": "bad", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}}},
        }}},
        "components": {"schemas": {"Problem": {"type": "object", "properties": {
            "error_code": {"type": "string"}, "detail": {"type": "string"}, "hint": {"type": "string"}}}}},
    }
    document.update(extra)
    return document


def model(document: dict[str, Any], **config: Any) -> Any:
    api, _ = build(document, Config(package_name="tiny.client", **config), "tiny.yaml", lambda p: ("tiny.yaml", None, None))
    return api


BINANCE_SERVER = {"servers": [{"url": "https://api.binance.com"}]}


@pytest.mark.parametrize(("extra", "reason"), [
    (BINANCE_SERVER, "detected: server api.binance.com"),
    ({"servers": [{"url": "https://testnet.binance.vision/api"}]}, "detected: server testnet.binance.vision"),
    ({"components": {"securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "X-MBX-APIKEY"}}}},
     "detected: security scheme X-MBX-APIKEY"),
    ({}, "no vendor detected"),
    ({"servers": [{"url": "https://notbinance.com.example.org"}]}, "no vendor detected"),
])
def test_the_profile_is_detected_and_says_why(extra: dict[str, Any], reason: str) -> None:
    document = spec()
    for key, value in copy.deepcopy(extra).items():
        document[key] = {**document[key], **value} if key == "components" else value
    profile, why = profiles.select(document, None)
    assert why == reason
    assert profile.name == ("openapi" if reason == "no vendor detected" else "binance")


def test_an_asyncapi_operation_with_binances_security_type_is_binances() -> None:
    document = {"asyncapi": "3.0.0", "servers": {"main": {"host": "ws.example.org", "protocol": "wss"}},
                "operations": {"ping": {"action": "send"}}}
    assert profiles.select(document, None)[1] == "no vendor detected"
    document["operations"]["order"] = {"action": "send", "x-binance-security-type": "TRADE"}
    assert profiles.select(document, None)[1] == "detected: x-binance-security-type"


def test_plain_openapi_gets_nothing_of_binance() -> None:
    api = model(spec())
    (op,) = api.operations
    assert api.vendor.profile == "openapi" and not op.signed and op.hidden_parameters == ()
    assert [p.wire_name for p in op.parameters] == ["timestamp", "symbols"]  # timestamp is just a parameter
    assert api.vendor.auth_class == "TinyClientAuth" and api.vendor.auth_generated
    assert (api.vendor.api_key_env, api.vendor.secret_key_env) == ("TINY_CLIENT_API_KEY", None)
    assert (api.vendor.error_code, api.vendor.error_message) == ("error_code", "detail")  # the error schema's
    assert (op.parameters[1].style, op.parameters[1].explode) == ("form", True)  # no style: OpenAPI's form, exploded
    assert api.vendor.runtime is None and api.vendor.rate_limit_headers == ()


def test_binance_signs_hides_the_signature_parameters_and_sends_arrays_as_json() -> None:
    api = model(spec(**BINANCE_SERVER))
    (op,) = api.operations
    assert api.vendor.profile == "binance" and op.signed and op.hidden_parameters == ("timestamp",)
    assert [p.wire_name for p in op.parameters] == ["symbols"] and op.parameters[0].style == "json"
    assert (api.vendor.auth_class, api.vendor.auth_generated) == ("BinanceAuth", False)
    assert (api.vendor.error_code, api.vendor.error_message, api.vendor.integer_code) == ("code", "msg", True)
    assert api.vendor.runtime == "binance" and api.vendor.runtime_profile == ("._binance", "BINANCE")


def test_the_settings_choose_over_detection() -> None:
    assert model(spec(**BINANCE_SERVER), profile="openapi").vendor.profile == "openapi"
    forced = model(spec(), profile="binance")
    assert forced.vendor.profile == "binance" and forced.vendor.reason == "set in the settings"
    assert forced.operations[0].signed


def test_a_model_never_takes_the_credentials_class_name() -> None:
    document = spec()
    document["components"]["schemas"]["TinyClientAuth"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    api = model(document)
    assert "TinyClientAuth" not in {m.class_name for m in api.models}
    assert api.vendor.auth_class == "TinyClientAuth"


def test_without_error_schemas_the_fields_are_code_and_message() -> None:
    document = spec()
    del document["paths"]["/orders"]["get"]["responses"]["400"]
    api = model(document)
    assert (api.vendor.error_code, api.vendor.error_message) == ("code", "message")
    assert api.vendor.error_example == {"code": "error", "message": "An error occurred."}


def test_a_package_of_another_api_mentions_no_binance(tmp_path: Path) -> None:
    """Not in its code, its docs or its tests: only the generator's own name, where it signs its work."""
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(spec()))
    result = pipeline.run(path, Config(package_name="tiny.client"))
    mentions = {name: len(re.findall("binance", text.replace("binance-sdk-generator", ""), re.IGNORECASE))
                for name, text in result.files.items() if name != write.MANIFEST}
    assert {name: count for name, count in mentions.items() if count} == {}
    assert "tiny/client/auth.py" in result.files and "tiny/client/_binance.py" not in result.files
