"""Small inline specs -> assertions on the model: the decisions build.py makes."""

from __future__ import annotations

from typing import Any

import pytest

from generator.config import Config
from generator.diagnostics import Diagnostic
from generator.emit.layout import py_literal
from generator.model.api import Api
from generator.model.build import build, package_name_from_title


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
    return built(document, **config)[0]


def built(document: dict[str, Any], **config: Any) -> tuple[Api, list[Diagnostic]]:
    return build(document, Config(**config), "test.yaml", lambda pointer: ("test.yaml", None, None))


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
    }}}), profile="binance")
    (op,) = api.operations
    assert op.python_name == "get_account_v3"
    assert op.signed
    assert op.hidden_parameters == ("timestamp",)
    assert [(p.python_name, p.required, p.annotation) for p in op.parameters] == [
        ("symbol", True, "str"),
        ("omit_zero_balances", False, "bool | None"),
        ("recv_window", False, "int | None"),
    ]
    assert op.auth == ("ApiKey", "X-MBX-APIKEY")  # its scheme sends X-KEY; Binance needs its own header too
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
    # Both imports of the cycle go last, so that either module can be imported first.
    assert a.imports == () and a.late_imports == (("B", "b"),)
    assert b.imports == () and b.late_imports == (("A", "a"),)


def test_only_imports_within_one_cycle_go_last() -> None:
    api = make(spec({}, {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/C"},
                                                "leaf": {"$ref": "#/components/schemas/Leaf"}}},
        "C": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
        "Leaf": {"type": "object", "properties": {"x": {"type": "string"}}},
        "User": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
    }))
    assert [(m.class_name, m.imports, m.late_imports) for m in api.models] == [
        ("A", (), (("B", "b"),)),
        ("B", (("Leaf", "leaf"),), (("C", "c"),)),
        ("C", (), (("A", "a"),)),
        ("Leaf", (), ()),
        ("User", (("A", "a"),), ()),
    ]


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


def schema_ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


PETS = {
    "Cat": {"type": "object", "required": ["petType"], "properties": {
        "petType": {"type": "string"}, "meows": {"type": "boolean"}}},
    "Dog": {"type": "object", "required": ["petType"], "properties": {
        "petType": {"type": "string"}, "barks": {"type": "boolean"}}},
    "Circle": {"type": "object", "properties": {"radius": {"type": "number"}}},
}


def test_oneof_and_anyof_become_unions_and_a_discriminator_a_union_alias() -> None:
    document = spec({"/pets": {"get": {"operationId": "listPets", "responses": schema_ok({
        "type": "array", "items": ref("Pet")})}}}, {
        **PETS,
        "Pet": {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {
            "propertyName": "petType", "mapping": {"kitty": "#/components/schemas/Cat", "stray": "Circle"}}},
        "Holder": {"type": "object", "properties": {
            "pet": ref("Pet"),
            "shape": {"anyOf": [ref("Circle"), ref("Dog"), {"type": "null"}]},
            "id": {"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "integer", "format": "int64"}]},
            "odd": {"discriminator": {"propertyName": "petType"}, "oneOf": [ref("Cat"), ref("Circle")]},
        }},
    })
    api, warnings = build(document, Config(), "test.yaml", lambda pointer: ("test.yaml", None, None))
    (op,) = api.operations
    assert op.return_type.hint == "list[Pet]"
    (pet,) = api.unions
    assert (pet.class_name, pet.module, pet.members, pet.discriminator) == ("Pet", "pet", ("Cat", "Dog"), "petType")
    assert pet.mapping_dict == {"kitty": "Cat", "Dog": "Dog"}  # explicit; else the schema's name
    assert ("Pet", "pet") in api.model_exports
    assert pet.member_imports == (("Cat", "cat"), ("Dog", "dog"))
    holder = api.model("Holder")
    assert [f.annotation for f in holder.fields] == [
        "Pet | None", "Circle | Dog | None", "int | str | None", "Cat | Circle | None"]
    assert holder.fields[1].type.doc == "[**Circle**](Circle.md) \\| [**Dog**](Dog.md)"
    assert holder.fields[1].nullable and [name for name, _ in holder.imports] == ["Cat", "Circle", "Dog", "Pet"]
    messages = [str(w) for w in warnings]
    assert any("'stray' names no member" in m for m in messages)
    assert any("discriminator 'petType': oneOf member 1 is not an object model" in m for m in messages)
    assert not any("typed as Any" in m for m in messages)


def test_union_examples_fit_a_member_and_carry_the_discriminator_value() -> None:
    api = make(spec({"/pet": {"get": {"operationId": "getPet", "responses": schema_ok(ref("Pet"))}}}, {
        **PETS, "Pet": {"oneOf": [ref("Dog"), ref("Cat")], "discriminator": {"propertyName": "petType"}}}))
    (op,) = api.operations
    assert op.success_example == {"petType": "Dog", "barks": True}


def test_a_member_without_a_type_makes_the_union_any() -> None:
    document = spec({"/x": {"get": {"operationId": "getX", "responses": schema_ok(
        {"oneOf": [{"type": "string"}, {"description": "anything"}]})}}})
    api, warnings = build(document, Config(), "test.yaml", lambda pointer: ("test.yaml", None, None))
    assert api.operations[0].return_type.hint == "Any"
    assert [str(w).count("typed as Any") for w in warnings] == [1]


def test_nullable_3_0_and_3_1_type_arrays_null_const_and_examples() -> None:
    api = make(spec({}, {
        "Thing": {"type": "object", "required": ["a", "b", "c"], "properties": {
            "a": {"type": "string", "nullable": True},
            "b": {"allOf": [ref("Other")], "nullable": True},
            "c": {"type": ["integer", "null"], "examples": [5]},
            "d": {"type": "array", "items": {"type": ["number", "null"]}},
            "e": {"type": "null"},
            "f": {"const": "fixed"},
            "g": {"type": ["string", "integer"]},
        }},
        "Other": {"type": "object", "properties": {"x": {"type": "string"}}},
    }))
    thing = api.model("Thing")
    assert [(f.python_name, f.annotation, f.nullable) for f in thing.fields] == [
        ("a", "str | None", True), ("b", "Other | None", True), ("c", "int | None", True),
        ("d", "list[float | None] | None", False), ("e", "None", True), ("f", "str | None", False),
        ("g", "str | int | None", False)]
    assert thing.example == {"a": "example", "b": {"x": "example"}, "c": 5, "d": [0.00001], "f": "fixed",
                             "g": "example"}


@pytest.mark.parametrize("profile", ["binance", "openapi"])
def test_array_parameters_follow_their_style_and_the_profile_without_one(profile: str) -> None:
    def param(name: str, where: str = "query", **style: Any) -> dict[str, Any]:
        return {"name": name, "in": where, "schema": {"type": "array", "items": {"type": "integer"},
                                                      "example": [1, 2]}, **style}
    api = make(spec({"/x": {"get": {"operationId": "getX", "parameters": [
        param("plain"), param("repeat", explode=True), param("comma", explode=False),
        param("pipes", style="pipeDelimited", explode=False), param("X-H", "header", style="simple"),
        param("deep", style="deepObject", explode=True), param("X-P", "header"),
    ], "responses": OK}}}), profile=profile)
    (op,) = api.operations
    # Binance declares no style and expects JSON text; plain OpenAPI has a default style per location.
    plain, header = (("json", False), ("json", False)) if profile == "binance" else \
        (("form", True), ("simple", False))
    assert [(p.wire_name, (p.style, p.explode)) for p in op.parameters] == [
        ("plain", plain), ("repeat", ("form", True)), ("comma", ("form", False)),
        ("pipes", ("pipeDelimited", False)), ("X-H", ("simple", False)), ("deep", ("deepObject", True)),
        ("X-P", header)]
    assert op.examples_in_lists("query") == {
        "plain": ["[1,2]"] if profile == "binance" else ["1", "2"], "repeat": ["1", "2"], "comma": ["1,2"],
        "pipes": ["1|2"], "deep[0]": ["1"], "deep[1]": ["2"]}
    assert op.examples_in("header") == {"X-H": "1,2", "X-P": "[1,2]" if profile == "binance" else "1,2"}


def test_object_parameters_follow_openapis_style_table() -> None:
    color = {"type": "object", "properties": {"R": {"type": "integer"}, "G": {"type": "integer"}},
             "example": {"R": 100, "G": 200}}

    def param(name: str, where: str = "query", **style: Any) -> dict[str, Any]:
        return {"name": name, "in": where, "required": where == "path", "schema": color, **style}
    api, warnings = built(spec({"/x/{s}/{l}/{m}/{id}": {"get": {"operationId": "getX", "parameters": [
        param("s", "path"), param("l", "path", style="label", explode=True),
        param("m", "path", style="matrix", explode=True),
        {"name": "id", "in": "path", "required": True, "style": "matrix", "schema": {"type": "integer",
                                                                                      "example": 5}},
        param("f"), param("fc", explode=False), param("d", style="deepObject", explode=True),
        param("X-C", "header", explode=True), param("bad", style="matrix"),
        {"name": "j", "in": "query", "content": {"application/json": {"schema": color}}},
    ], "responses": OK}}}))
    (op,) = api.operations
    assert op.example_path == "/x/R,100,G,200/.R=100.G=200/;R=100;G=200/;id=5"
    assert op.examples_in_lists("query") == {
        "R": ["100"], "G": ["200"], "fc": ["R,100,G,200"], "d[R]": ["100"], "d[G]": ["200"],
        "bad": ['{"R":100,"G":200}'], "j": ['{"R":100,"G":200}']}
    assert op.examples_in("header") == {"X-C": "R=100,G=200"}
    (warning,) = warnings
    assert "style 'matrix' does not go in the query" in warning.message
    assert warning.pointer.endswith("/parameters/8")


def test_form_fields_follow_their_encoding() -> None:
    form = {"type": "object", "properties": {
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}, "example": {"k": "v"}},
        "tags": {"type": "array", "items": {"type": "string"}, "example": ["a", "b"]},
        "plain": {"type": "object", "properties": {"k": {"type": "string"}}, "example": {"k": "v"}}}}
    api, warnings = built(spec({"/f": {"post": {"operationId": "postF", "requestBody": {"content": {
        "application/x-www-form-urlencoded": {"schema": form, "encoding": {
            "metadata": {"style": "deepObject", "explode": True}, "stray": {"style": "form"},
            "plain": {"contentType": "application/json"}}}}}, "responses": OK}},
        "/m": {"post": {"operationId": "postM", "requestBody": {"content": {
            "multipart/form-data": {"schema": form, "encoding": {
                "plain": {"contentType": "application/json", "headers": {"X-A": {"schema": {}}}},
                "tags": {"style": "form"}}}}}, "responses": OK}}}))
    post_f, post_m = sorted(api.operations, key=lambda o: o.python_name)
    assert post_f.examples_in_lists("form") == {
        "metadata[k]": ["v"], "tags": ["a", "b"], "plain": ['{"k":"v"}']}
    assert [(p.wire_name, p.media) for p in post_m.parameters] == [
        ("metadata", None), ("tags", None), ("plain", "application/json")]
    assert sorted(w.message.split(":")[0] for w in warnings) == [
        "contentType is not sent in a urlencoded form (its fields have none)",
        "encoding 'stray' names no property of the body",
        "style, explode and allowReserved apply to urlencoded forms",
        "the headers of a form part are not sent"]


def test_bodies_of_other_media_types_are_text_or_bytes() -> None:
    def body(media: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"content": {media: {"schema": schema}}, "required": True}

    def answer(media: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"200": {"description": "ok", "content": {media: {"schema": schema}}}}
    api = make(spec({
        "/t": {"post": {"operationId": "t", "requestBody": body("text/plain", {"type": "string"}),
                        "responses": answer("text/csv", {"type": "string"})}},
        "/b": {"put": {"operationId": "b", "requestBody": body("application/octet-stream",
                                                                {"type": "string", "format": "binary"}),
                       "responses": answer("image/png", {"type": "string", "format": "binary"})}}}))
    by_name = {op.python_name: op for op in api.operations}
    text_op, bytes_op = by_name["t"], by_name["b"]
    assert [(p.location, p.annotation) for p in text_op.parameters] == [("raw", "str")]
    assert [(p.location, p.annotation) for p in bytes_op.parameters] == [("raw", "bytes")]
    assert (text_op.raw_example, text_op.success_media, text_op.success_is_bytes) == ("example", "text/csv", False)
    assert (bytes_op.success_media, bytes_op.success_is_bytes, bytes_op.accept) == ("image/png", True, "image/png")
    assert text_op.response_hints == {"200": "str"} and bytes_op.response_hints == {"200": "bytes"}


def test_multipart_file_fields_are_bytes() -> None:
    api = make(spec({"/upload": {"post": {"operationId": "upload", "requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            "thumb": {"type": "string", "contentMediaType": "image/png"},
            "note": {"type": "string"}}}}}}, "responses": OK}}}))
    (op,) = api.operations
    assert op.content_type == "multipart/form-data"
    assert [(p.python_name, p.location, p.annotation, py_literal(p.example.value)) for p in op.parameters] == [
        ("file", "form", "bytes", 'b"example"'), ("thumb", "form", "bytes | None", 'b"example"'),
        ("note", "form", "str | None", '"example"')]


def test_default_response_types_the_success_when_there_is_no_2xx() -> None:
    body = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    api = make(spec({"/health": {"get": {"operationId": "health", "responses": {"default": {
        "description": "any", "content": {"application/json": {"schema": body}}}}}}}))
    (op,) = api.operations
    assert op.return_type.hint == "HealthResponse"
    assert (op.success_status, op.success_example) == (200, {"ok": True})
    assert op.error_examples({}) == [[500, {"ok": True}, "HealthResponse"]]


def test_an_enum_without_type_is_typed_by_its_values() -> None:
    api = make(spec({}, {"Thing": {"type": "object", "properties": {
        "side": {"enum": ["BUY", "SELL"]},
        "level": {"enum": [1, 2, 3]},
        "ratio": {"enum": [1, 2.5]},
        "mixed": {"enum": [1, "one"]},
        "maybe": {"enum": ["on", "off", None]},
    }}}))
    fields = {f.python_name: f.annotation for f in api.model("Thing").fields}
    assert fields == {"side": "str | None", "level": "int | None", "ratio": "float | None",
                      "mixed": "int | str | None", "maybe": "str | None"}
    assert api.model("Thing").example == {"side": "BUY", "level": 1, "ratio": 1, "mixed": 1, "maybe": "on"}


def test_enum_values_that_name_alike_make_no_clashing_names() -> None:
    """Enums stay open, typed by their values, so values that would name one member (`GMT0`,
    `GMT+0`, `gmt0`: openapi-python-client stops on them) name nothing at all."""
    zone = {"type": "string", "enum": ["GMT0", "GMT+0", "GMT-0", "gmt0", "Etc/GMT0"]}
    api = make(spec({"/t": {"get": {"operationId": "getT", "parameters": [
        {"name": "tz", "in": "query", "schema": zone}], "responses": OK}}},
        {"Zone": zone, "Clock": {"type": "object", "properties": {"tz": {"$ref": "#/components/schemas/Zone"}}}}))
    (op,) = api.operations
    assert [(p.python_name, p.annotation) for p in op.parameters] == [("tz", "str | None")]
    assert [f.annotation for f in api.model("Clock").fields] == ["str | None"]
    assert [m.class_name for m in api.models] == ["Clock"]


def _signed_without_security(**components: Any) -> dict[str, Any]:
    document = spec({"/sapi/v1/thing": {"get": {"operationId": "GetThing", "parameters": [
        {"name": "timestamp", "in": "query", "required": True, "schema": {"type": "integer"}}],
        "responses": OK}}, "/api/v3/ping": {"get": {"operationId": "Ping", "responses": OK}}})
    document["components"].update(components)
    return document


def test_binance_signed_operations_send_the_api_key_whatever_their_security_says() -> None:
    schemes = {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-MBX-APIKEY"}}
    api, warnings = build(_signed_without_security(securitySchemes=schemes), Config(profile="binance"), "test.yaml",
                          lambda pointer: ("test.yaml", 7, 9))
    thing, ping = sorted(api.operations, key=lambda op: op.python_name != "get_thing")
    assert thing.signed and thing.auth == ("ApiKey",) and thing.api_key_header == "X-MBX-APIKEY"
    assert ping.auth == ()  # not signed: only what its security says
    assert [str(w) for w in warnings] == [
        "test.yaml:7:9: warning: 1 signed operation declares no security that sends X-MBX-APIKEY: the binance "
        "profile sends the API key with every signed request all the same (first here) "
        "(at #/paths/~1sapi~1v1~1thing/get)"]


def test_binance_signed_operations_get_the_key_header_when_the_spec_has_no_scheme_for_it() -> None:
    api = make(_signed_without_security(securitySchemes={}), profile="binance")
    thing = next(op for op in api.operations if op.signed)
    assert thing.auth == ("X-MBX-APIKEY",) and thing.api_key_header == "X-MBX-APIKEY"
    assert [(s.name, s.location, s.wire_name) for s in api.security_schemes] == [
        ("X-MBX-APIKEY", "header", "X-MBX-APIKEY")]
    assert make(_signed_without_security()).operations[0].auth == ()  # plain OpenAPI: nothing added


def test_binance_recv_window_samples_take_binances_usual_value() -> None:
    window = {"name": "recvWindow", "in": "query", "schema": {"type": "integer", "format": "int64"}}
    document = spec({"/api/v3/account": {"get": {"operationId": "GetAccount", "parameters": [
        window, {"name": "timestamp", "in": "query", "required": True, "schema": {"type": "integer"}}],
        "responses": OK}}})

    def sample(**config: Any) -> Any:
        (op,) = make(document, **config).operations
        return next(p.example.value for p in op.parameters if p.wire_name == "recvWindow")

    assert sample(profile="binance") == 5000
    assert sample() == 1499827319559  # plain OpenAPI: made up
    window["example"] = 7000
    assert sample(profile="binance") == 7000  # the spec's own


def test_a_required_property_without_a_type_gets_a_sample() -> None:
    api = make(spec({}, {"Conversation": {"type": "object", "required": ["id", "metadata"], "properties": {
        "id": {"type": "string"}, "metadata": {"description": "any value (OpenAI's)"}}}}))
    assert api.model("Conversation").example == {"id": "example", "metadata": "example"}


def _turn_detection(second: dict[str, Any]) -> dict[str, Any]:
    return spec({}, {"Session": {"type": "object", "properties": {"turn_detection": {
        "discriminator": {"propertyName": "type"},
        "oneOf": [
            {"type": "object", "title": "Server", "properties": {
                "type": {"type": "string", "enum": ["server_vad"]}, "threshold": {"type": "number"}}},
            second,
        ]}}}})


def test_inline_discriminated_members_are_named_by_the_value_they_pin() -> None:
    api = make(_turn_detection({"type": "object", "properties": {
        "type": {"type": "string", "const": "semantic_vad"}, "eagerness": {"type": "string"}}}))
    (union,) = api.unions
    assert [(str(value), member) for value, member in union.mapping] == [
        ("server_vad", "SessionTurnDetectionOption1"), ("semantic_vad", "SessionTurnDetectionOption2")]


def test_a_discriminated_union_that_cannot_name_every_member_is_a_plain_union() -> None:
    api, warnings = build(_turn_detection({"type": "object", "properties": {"type": {"type": "string"}}}),
                          Config(), "test.yaml", lambda pointer: ("test.yaml", None, None))
    assert api.unions == ()
    field = api.model("Session").fields[0]
    assert field.annotation == "SessionTurnDetectionOption1 | SessionTurnDetectionOption2 | None"
    assert any("no value names oneOf member(s) SessionTurnDetectionOption2" in str(w) for w in warnings)
