"""AsyncAPI 3.0 validation (generator.spec.asyncapi): real files through load(), every problem with its
exact message and FILE:LINE:COL, the real Binance documents valid, and quickly."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.diagnostics import GenerationError
from generator.spec import asyncapi
from generator.spec.asyncapi_schema import FIELDS, OBJECTS, schema
from generator.spec.load import load

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "asyncapi"
WS_API = SHARED / "binance-spot-ws-api.asyncapi.yaml"
STREAMS = SHARED / "binance-spot-streams.asyncapi.yaml"

# A small valid document; each test changes one thing in it. Line numbers below are this text's.
BASE = """\
asyncapi: 3.0.0
info:
  title: Demo
  version: 1.0.0
servers:
  main:
    host: ws.example.com
    protocol: wss
    pathname: /ws
channels:
  api:
    address: /
    messages:
      pingRequest:
        $ref: '#/components/messages/pingRequest'
      pingResponse:
        $ref: '#/components/messages/pingResponse'
      timeRequest:
        $ref: '#/components/messages/timeRequest'
  events:
    address: /events/{stream}
    parameters:
      stream:
        description: a stream name
    messages:
      trade:
        payload:
          type: object
operations:
  ping:
    action: send
    channel:
      $ref: '#/channels/api'
    messages:
      - $ref: '#/channels/api/messages/pingRequest'
    reply:
      channel:
        $ref: '#/channels/api'
      messages:
        - $ref: '#/channels/api/messages/pingResponse'
  time:
    action: send
    channel:
      $ref: '#/channels/api'
    messages:
      - $ref: '#/channels/api/messages/timeRequest'
    security:
      - $ref: '#/components/securitySchemes/key'
  trades:
    action: receive
    channel:
      $ref: '#/channels/events'
    messages:
      - $ref: '#/channels/events/messages/trade'
components:
  messages:
    pingRequest:
      correlationId:
        location: $message.payload#/id
      payload:
        type: object
        properties:
          method:
            type: string
            const: ping
          id:
            type: string
    pingResponse:
      payload:
        type: object
    timeRequest:
      payload:
        $ref: '#/components/schemas/timeRequest'
  schemas:
    timeRequest:
      type: object
      properties:
        method:
          const: time
  securitySchemes:
    key:
      type: apiKey
      in: user
"""


def changed(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder / next(iter(files))


def problems(folder: Path, text: str, **others: str) -> list[str]:
    """Every diagnostic of the document, as printed (`others`: more files beside it)."""
    spec = load(write(folder, {"asyncapi.yaml": text, **others}), "asyncapi.yaml")
    return [str(d) for d in asyncapi.validate(spec.document, spec.locate, spec.source)]


def load_errors(folder: Path, text: str) -> list[str]:
    with pytest.raises(GenerationError) as caught:
        load(write(folder, {"asyncapi.yaml": text}), "asyncapi.yaml")
    return [str(d) for d in caught.value.diagnostics]


def test_the_base_document_is_valid(tmp_path: Path) -> None:
    assert problems(tmp_path, BASE) == []


def test_is_asyncapi() -> None:
    assert asyncapi.is_asyncapi({"asyncapi": "3.0.0"})
    assert asyncapi.is_asyncapi({"asyncapi": "2.6.0"})
    assert not asyncapi.is_asyncapi({"openapi": "3.0.3"})


# -- the version ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "message"), [
    ("asyncapi: 2.6.0", "AsyncAPI 2 documents are not read (this one is '2.6.0'), only AsyncAPI 3.0: "
                        "`asyncapi convert` from the AsyncAPI CLI converts one to 3.0"),
    ("asyncapi: 3.1.0", "unsupported 'asyncapi' version '3.1.0'; expected 3.0.x"),
    ("asyncapi: 3.0", "the 'asyncapi' version must be a string such as '3.0.0', not 3.0"),
])
def test_a_version_that_is_not_read(tmp_path: Path, line: str, message: str) -> None:
    spec = load(write(tmp_path, {"asyncapi.yaml": changed("asyncapi: 3.0.0", line)}), "asyncapi.yaml")
    expected = f"asyncapi.yaml:1:11: error: {message} (at #/asyncapi)"
    with pytest.raises(GenerationError) as caught:
        asyncapi.check_version(spec.document, spec.locate)
    assert [str(d) for d in caught.value.diagnostics] == [expected]
    # validate says the same, and only that: the rest was written for another version
    assert [str(d) for d in asyncapi.validate(spec.document, spec.locate, spec.source)] == [expected]


def test_3_0_patch_versions_are_read(tmp_path: Path) -> None:
    spec = load(write(tmp_path, {"asyncapi.yaml": changed("3.0.0", "3.0.1")}), "asyncapi.yaml")
    asyncapi.check_version(spec.document, spec.locate)


# -- the objects, against our schema ---------------------------------------------------------------
def test_missing_info_title(tmp_path: Path) -> None:
    assert problems(tmp_path, changed("  title: Demo\n", "")) == [
        "asyncapi.yaml:2:1: error: 'title' is a required property (at #/info)",
    ]


def test_bad_action(tmp_path: Path) -> None:
    text = changed("  ping:\n    action: send", "  ping:\n    action: sned")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:31:13: error: 'sned' is not one of ['send', 'receive'] (at #/operations/ping/action)",
    ]


def test_typo_key_gets_did_you_mean(tmp_path: Path) -> None:
    text = changed("  trades:\n    action: receive", "  trades:\n    actoin: receive")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:49:3: error: 'action' is a required property (at #/operations/trades)",
        "asyncapi.yaml:50:13: error: unknown key 'actoin' (did you mean 'action'?) (at #/operations/trades/actoin)",
    ]


def test_payload_schema_with_type_int(tmp_path: Path) -> None:
    text = changed("          id:\n            type: string", "          id:\n            type: int")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:67:19: error: 'int' is not one of ['array', 'boolean', 'integer', 'null', 'number', "
        "'object', 'string'] (at #/components/messages/pingRequest/payload/properties/id/type)",
    ]


def test_security_scheme_of_unknown_type(tmp_path: Path) -> None:
    assert problems(tmp_path, changed("type: apiKey", "type: apikey")) == [
        "asyncapi.yaml:82:13: error: 'apikey' is not one of ['userPassword', 'apiKey', 'X509', "
        "'symmetricEncryption', 'asymmetricEncryption', 'httpApiKey', 'http', 'oauth2', 'openIdConnect', "
        "'plain', 'scramSha256', 'scramSha512', 'gssapi'] (at #/components/securitySchemes/key/type)",
    ]


def test_security_scheme_keys_depend_on_its_type(tmp_path: Path) -> None:
    text = changed("      type: apiKey\n      in: user\n",
                   "      type: httpApiKey\n      in: body\n      name: X-KEY\n      scheme: bearer\n")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:83:11: error: 'body' is not one of ['query', 'header', 'cookie'] "
        "(at #/components/securitySchemes/key/in)",
        "asyncapi.yaml:85:15: error: unknown key 'scheme': not one of ['description', 'in', 'name', 'type'] "
        "or an extension key (x-...) (at #/components/securitySchemes/key/scheme)",
    ]


def test_extension_keys_are_allowed_everywhere_fixed(tmp_path: Path) -> None:
    text = changed("  ping:\n    action: send", "  ping:\n    x-binance-security-type: NONE\n    action: send")
    text = changed("info:\n", "info:\n  x-logo: logo.png\n", text)
    assert problems(tmp_path, text) == []


# -- references, channels and messages -----------------------------------------------------------
def test_operation_channel_naming_a_missing_channel(tmp_path: Path) -> None:
    # load.py refuses it, with a did-you-mean, before validation: nothing is checked twice
    text = changed("  trades:\n    action: receive\n    channel:\n      $ref: '#/channels/events'",
                   "  trades:\n    action: receive\n    channel:\n      $ref: '#/channels/event'")
    assert load_errors(tmp_path, text) == [
        "asyncapi.yaml:52:13: error: $ref '#/channels/event' points to nothing: no 'event' in #/channels "
        "(did you mean 'events'?) (at #/operations/trades/channel)",
    ]


def test_operation_channel_naming_something_else(tmp_path: Path) -> None:
    text = changed("    channel:\n      $ref: '#/channels/events'",
                   "    channel:\n      $ref: '#/components/schemas/timeRequest'")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:52:13: error: $ref '#/components/schemas/timeRequest' names a schema, not a channel "
        "(at #/operations/trades/channel/$ref)",
    ]


def test_top_level_operation_naming_a_component_channel(tmp_path: Path) -> None:
    text = changed("    channel:\n      $ref: '#/channels/events'",
                   "    channel:\n      $ref: '#/components/channels/events'")
    text = changed("components:\n", "components:\n  channels:\n    events:\n      address: /e\n", text)
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:52:13: error: $ref '#/components/channels/events' is not a channel under #/channels: "
        "an operation under #/operations must name one of the document's channels "
        "(at #/operations/trades/channel/$ref)",
        "asyncapi.yaml:54:15: error: $ref '#/channels/events/messages/trade' is not a message of channel "
        "'#/components/channels/events': an operation's messages must be its channel's "
        "(at #/operations/trades/messages/0/$ref)",
    ]


def test_message_not_of_the_operation_channel(tmp_path: Path) -> None:
    text = changed("      - $ref: '#/channels/api/messages/timeRequest'",
                   "      - $ref: '#/components/messages/timeRequest'\n"
                   "      - $ref: '#/channels/events/messages/trade'")
    # the first is the channel's own message, named through the components: fine
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:47:15: error: $ref '#/channels/events/messages/trade' is not a message of channel "
        "'#/channels/api': an operation's messages must be its channel's "
        "(at #/operations/time/messages/1/$ref)",
    ]


def test_message_not_of_the_channel_with_a_close_name(tmp_path: Path) -> None:
    text = changed("      - $ref: '#/channels/api/messages/timeRequest'",
                   "      - $ref: '#/components/messages/timeRequst'")
    text = changed("  schemas:\n", "    timeRequst:\n      payload:\n        type: object\n  schemas:\n", text)
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:46:15: error: $ref '#/components/messages/timeRequst' is not a message of channel "
        "'#/channels/api': an operation's messages must be its channel's (did you mean "
        "'#/channels/api/messages/timeRequest'?) (at #/operations/time/messages/0/$ref)",
    ]


def test_reply_message_not_of_the_reply_channel(tmp_path: Path) -> None:
    text = changed("        - $ref: '#/channels/api/messages/pingResponse'",
                   "        - $ref: '#/channels/events/messages/trade'")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:40:17: error: $ref '#/channels/events/messages/trade' is not a message of channel "
        "'#/channels/api': a reply's messages must be its channel's (at #/operations/ping/reply/messages/0/$ref)",
    ]


def test_two_send_operations_with_the_same_method(tmp_path: Path) -> None:
    text = changed("          const: time", "          const: ping")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:41:3: error: operation 'time' sends method 'ping' on channel '#/channels/api', as "
        "operation 'ping' does (asyncapi.yaml:30): a channel's request methods must each belong to one "
        "operation (at #/operations/time)",
    ]


def test_the_same_method_on_two_channels_is_fine(tmp_path: Path) -> None:
    # Binance's streams: SUBSCRIBE on the single-stream and on the combined-stream connection
    text = changed("    messages:\n      trade:\n",
                   "    messages:\n      ping:\n        $ref: '#/components/messages/pingRequest'\n      trade:\n")
    text = changed("components:\n", "  pingEvents:\n    action: send\n    channel:\n      $ref: '#/channels/events'\n"
                   "    messages:\n      - $ref: '#/channels/events/messages/ping'\ncomponents:\n", text)
    assert problems(tmp_path, text) == []


def test_remote_ref_is_refused_by_the_loader(tmp_path: Path) -> None:
    text = changed("        $ref: '#/components/schemas/timeRequest'",
                   "        $ref: 'https://example.com/schemas.yaml#/timeRequest'")
    assert load_errors(tmp_path, text) == [
        "asyncapi.yaml:73:15: error: $ref 'https://example.com/schemas.yaml#/timeRequest' is remote: nothing "
        "is fetched, only files inside the spec's folder can be referenced (at #/components/messages/timeRequest/payload)",
    ]


def test_ref_outside_the_folder_is_refused_by_the_loader(tmp_path: Path) -> None:
    folder = tmp_path / "spec"
    folder.mkdir()
    text = changed("        $ref: '#/components/schemas/timeRequest'", "        $ref: '/etc/passwd'")
    assert load_errors(folder, text) == [
        "asyncapi.yaml:73:15: error: $ref '/etc/passwd' leaves the spec's folder: only files inside it can be "
        "referenced (at #/components/messages/timeRequest/payload)",
    ]


def test_problems_in_another_file_are_located_there(tmp_path: Path) -> None:
    text = changed("      timeRequest:\n        $ref: '#/components/messages/timeRequest'",
                   "      timeRequest:\n        $ref: 'messages.yaml#/timeRequest'")
    text = changed("      - $ref: '#/channels/api/messages/timeRequest'",
                   "      - $ref: 'messages.yaml#/timeRequest'", text)
    messages = ("timeRequest:\n  titel: Time\n  payload:\n    $ref: '#/TimePayload'\n"
                "TimePayload:\n  type: object\n  properties:\n    method:\n      const: time\n"
                "    id:\n      type: strng\n      minLenght: 1\n")
    assert problems(tmp_path, text, **{"messages.yaml": messages}) == [
        "messages.yaml:2:10: error: unknown key 'titel' (did you mean 'title'?) "
        "(at #/x-generator-files/messages.yaml/timeRequest/titel)",
        "messages.yaml:11:13: error: 'strng' is not one of ['array', 'boolean', 'integer', 'null', 'number', "
        "'object', 'string'] (at #/x-generator-files/messages.yaml/TimePayload/properties/id/type)",
        "messages.yaml:12:18: warning: unknown key 'minLenght' in a schema, ignored (did you mean 'minLength'?) "
        "(at #/x-generator-files/messages.yaml/TimePayload/properties/id/minLenght)",
    ]



def test_every_reference_names_its_kind(tmp_path: Path) -> None:
    text = changed("  version: 1.0.0\n", "  version: 1.0.0\n  tags:\n    - $ref: '#/components/securitySchemes/key'\n")
    text = changed("      - $ref: '#/components/securitySchemes/key'", "      - $ref: '#/servers'", text)
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:6:13: error: $ref '#/components/securitySchemes/key' names a security scheme, not a tag "
        "(at #/info/tags/0/$ref)",
        "asyncapi.yaml:50:15: error: $ref '#/servers' does not name a security scheme "
        "(at #/operations/time/security/0/$ref)",
    ]


def test_a_payload_in_another_file_may_be_a_multi_format_schema(tmp_path: Path) -> None:
    text = changed("        $ref: '#/components/schemas/timeRequest'", "        $ref: 'schemas.yaml#/time'")
    schemas = ("time:\n  schemaFormat: application/vnd.aai.asyncapi+json;version=3.0.0\n  schema:\n"
               "    type: object\n    properties:\n      method: {const: time}\n      id: {type: strin}\n")
    assert problems(tmp_path, text, **{"schemas.yaml": schemas}) == [
        "schemas.yaml:7:18: error: 'strin' is not one of ['array', 'boolean', 'integer', 'null', 'number', "
        "'object', 'string'] (at #/x-generator-files/schemas.yaml/time/schema/properties/id/type)",
    ]


def test_schemas_nested_too_deeply_for_the_validator(tmp_path: Path) -> None:
    document = _document()
    node: dict[str, Any] = {"type": "string"}
    for _ in range(480):  # load.py allows 500 levels
        node = {"type": "object", "properties": {"a": node}}
    document["components"]["schemas"]["deep"] = node
    assert [str(d) for d in asyncapi.validate(document, _nowhere, "asyncapi.yaml")] == [
        "asyncapi.yaml: error: the validator could not check this document: it nests too deeply",
    ]


def test_a_payload_ref_names_a_schema(tmp_path: Path) -> None:
    text = changed("        $ref: '#/components/schemas/timeRequest'", "        $ref: '#/components/messages/pingRequest'")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:73:15: error: $ref '#/components/messages/pingRequest' names a message, not a schema "
        "(at #/components/messages/timeRequest/payload/$ref)",
    ]
    # any schema will do, one inside another too (JSON Schema's `$ref`, not a Reference Object)
    text = changed("        $ref: '#/components/schemas/timeRequest'",
                   "        $ref: '#/components/messages/pingRequest/payload/properties/id'")
    assert problems(tmp_path, text) == []


def test_a_channel_named_like_example_data_has_its_refs_followed(tmp_path: Path) -> None:
    # load.py knows AsyncAPI's maps of names: a channel `example` is a name, not example data.
    text = changed("  events:\n", "  example:\n    messages:\n      m:\n        $ref: 'other.yaml#/m'\n  events:\n")
    (tmp_path / "asyncapi.yaml").write_text(text)
    with pytest.raises(GenerationError) as raised:
        load(tmp_path / "asyncapi.yaml", "asyncapi.yaml")
    assert "asyncapi.yaml:23:15: error: $ref 'other.yaml#/m' names a file that does not exist" in str(raised.value)

# -- the other rules --------------------------------------------------------------------------------
def test_misspelt_schema_key_is_a_warning(tmp_path: Path) -> None:
    text = changed("    pingResponse:\n      payload:\n        type: object\n",
                   "    pingResponse:\n      payload:\n        type: object\n        requried: [id]\n"
                   "        note: a word of its own\n")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:71:19: warning: unknown key 'requried' in a schema, ignored (did you mean 'required'?) "
        "(at #/components/messages/pingResponse/payload/requried)",
    ]


def test_address_parameters_and_server_variables(tmp_path: Path) -> None:
    text = changed("    address: /events/{stream}\n    parameters:\n      stream:",
                   "    address: /events/{streem}\n    parameters:\n      stream:")
    text = changed("    host: ws.example.com", "    host: '{region}.example.com'", text)
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:7:11: error: host '{region}.example.com' has a variable 'region' that the server's "
        "variables do not define (at #/servers/main/host)",
        "asyncapi.yaml:21:14: error: address '/events/{streem}' has a parameter 'streem' that the channel's "
        "parameters do not define (at #/channels/events/address)",
        "asyncapi.yaml:23:7: error: parameter 'stream' is used nowhere: it is not in the address "
        "'/events/{streem}' (at #/channels/events/parameters/stream)",
    ]


def test_correlation_id_location_and_component_names(tmp_path: Path) -> None:
    text = changed("location: $message.payload#/id", "location: $message.payload.id")
    text = changed("  schemas:\n    timeRequest:", "  schemas:\n    time request:", text)
    text = changed("$ref: '#/components/schemas/timeRequest'", "$ref: '#/components/schemas/time request'", text)
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:59:19: error: location '$message.payload.id' is not a runtime expression such as "
        "'$message.payload#/id' or '$message.header#/name' (at #/components/messages/pingRequest/correlationId/location)",
        "asyncapi.yaml:75:5: error: component name 'time request' may hold only letters, digits, '.', '-' and "
        "'_' (at #/components/schemas/time request)",
    ]


def test_payload_in_a_format_that_is_not_read(tmp_path: Path) -> None:
    text = changed("    pingResponse:\n      payload:\n        type: object\n",
                   "    pingResponse:\n      payload:\n        schemaFormat: application/vnd.apache.avro;version=1.9.0\n"
                   "        schema: {type: record}\n")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:70:23: warning: a payload in schemaFormat 'application/vnd.apache.avro;version=1.9.0' "
        "is not read: only JSON Schema and AsyncAPI schemas are checked and generated from "
        "(at #/components/messages/pingResponse/payload/schemaFormat)",
    ]


def test_json_schema_payload_in_a_multi_format_schema_is_checked(tmp_path: Path) -> None:
    text = changed("    pingResponse:\n      payload:\n        type: object\n",
                   "    pingResponse:\n      payload:\n        schemaFormat: application/schema+json;version=draft-07\n"
                   "        schema: {type: obj}\n")
    assert problems(tmp_path, text) == [
        "asyncapi.yaml:71:24: error: 'obj' is not one of ['array', 'boolean', 'integer', 'null', 'number', "
        "'object', 'string'] (at #/components/messages/pingResponse/payload/schema/type)",
    ]


# -- robustness -------------------------------------------------------------------------------------
def _document() -> dict[str, Any]:
    import yaml

    document: dict[str, Any] = yaml.safe_load(BASE)
    return document


def _nowhere(pointer: str) -> tuple[str, int | None, int | None]:
    return "asyncapi.yaml", None, None


@pytest.mark.parametrize(("path", "value"), [
    (("operations",), [1, 2]),
    (("channels",), 5),
    (("channels", "api", "messages"), "x"),
    (("operations", "ping", "channel"), {"$ref": 5}),
    (("operations", "ping", "channel"), {"$ref": "#"}),
    (("operations", "ping", "messages"), [{"$ref": "#/channels"}, None, "x"]),
    (("operations", "ping", "reply"), {"$ref": "#/components/messages/pingRequest"}),
    (("components", "messages", "pingRequest", "payload"), {"schemaFormat": 1, "schema": []}),
    (("components",), {"schemas": {"a": {"items": [{"type": 5}], "dependencies": {"a": ["b"]}}}}),
    (("servers", "main"), {"$ref": "#/info"}),
])
def test_malformed_documents_give_diagnostics_not_exceptions(path: tuple[str, ...], value: Any) -> None:
    document = _document()
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = copy.deepcopy(value)
    found = asyncapi.validate(document, _nowhere, "asyncapi.yaml")
    assert any(d.is_error for d in found)
    assert all("could not check" not in d.message for d in found)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["#", "#/channels", "#/channels/api", "#/components/messages/pingRequest", "x.yaml#/a",
                       "send", "{x}", "application/schema+json;version=draft-07", "$message.payload#/id"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["$ref", "type", "properties", "items", "messages", "channel", "payload", "schemaFormat",
                         "schema", "address", "parameters", "action", "reply", "const", "method", "x-a", "a"]),
        inner, max_size=4),
    max_leaves=8,
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*path, index))
    return found


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")) * 5, derandomize=True, database=None,
          deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_value_anywhere_gives_diagnostics_never_an_exception(data: st.DataObject) -> None:
    document = _document()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_places(document)[1:]))
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = data.draw(_VALUES)
    for found in asyncapi.validate(document, _nowhere, "asyncapi.yaml"):
        assert "could not check" not in found.message
        assert found.message.isprintable() and len(found.message) <= 500

def test_schema_and_walk_agree() -> None:
    # the walk reads FIELDS off the schema's markers: the places a generator follows are all there
    assert FIELDS["Operation"]["channel"] == ("one", "Channel", True)
    assert FIELDS["Operation"]["messages"] == ("list", "Message", True)
    assert FIELDS["OperationReply"]["channel"] == ("one", "Channel", True)
    assert FIELDS["Channel"]["messages"] == ("map", "Message", False)
    assert FIELDS["Message"]["payload"] == ("one", "Payload", False)
    assert set(FIELDS["Components"]) == set(OBJECTS["Components"]["properties"])
    definitions = schema()["definitions"]
    for fields in FIELDS.values():
        for _, kind, _ in fields.values():
            assert kind in definitions
    assert "$id" not in definitions["Schema"]  # it would move the base of every $ref below it


# -- the real documents ---------------------------------------------------------------------------
@pytest.mark.skipif(not WS_API.is_file(), reason="../shared/specs is not on this machine")
def test_binance_websocket_api_is_valid_and_quick() -> None:
    spec = load(WS_API, WS_API.name)
    asyncapi.check_version(spec.document, spec.locate)
    asyncapi.validate(spec.document, spec.locate, spec.source)  # once for the imports and caches
    started = time.perf_counter()
    assert asyncapi.validate(spec.document, spec.locate, spec.source) == []
    assert time.perf_counter() - started < 1.0


@pytest.mark.skipif(not STREAMS.is_file(), reason="../shared/specs is not on this machine")
def test_binance_streams_have_no_errors() -> None:
    spec = load(STREAMS, STREAMS.name)
    asyncapi.check_version(spec.document, spec.locate)
    assert [d for d in asyncapi.validate(spec.document, spec.locate, spec.source) if d.is_error] == []
