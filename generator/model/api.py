"""The generator's model of an API: frozen dataclasses in which every name, type and import is decided.

build.py makes these from a document; templates only lay them out. Strings that came from the spec
are `SpecText`: the renderer refuses to print one unless an escaping filter has handled it.
"""

from __future__ import annotations

import base64
import decimal
import re
import urllib.parse
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from . import styles
from .samples import Code, json_text

_T = TypeVar("_T")


def _plain_repr(cls: type[_T]) -> type[_T]:
    """The repr dataclasses write, without their guard against a value that contains itself: the
    model is a tree, and its reprs are what render keys are digests of (emit/render.py), 25,000 of
    them on a large spec, where the guard costs a third of the time."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    body = ", ".join(f"{name}={{self.{name}!r}}" for name in names)
    scope: dict[str, Any] = {}
    exec(f"def __repr__(self):\n    return f'{cls.__qualname__}({body})'\n", scope)
    cls.__repr__ = scope["__repr__"]  # type: ignore[method-assign]
    return cls


class SpecText(str):
    """Text taken from the spec: untrusted. Print it only through a filter for its context."""

    __slots__ = ()


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class TypeRef:
    """A type as each output needs it.

    hint: the Python annotation (`list[Order]`, `dict[str, Any]`); runtime: the same in the runtime's
    response-type grammar; doc: how the Markdown docs show it; models: model classes it mentions.
    """

    hint: str
    doc: str
    models: tuple[str, ...] = ()
    uses_any: bool = False
    nullable: bool = False  # the hint already admits None (`str | None`, `None`)

    @property
    def runtime(self) -> str:
        return self.hint

    @property
    def optional(self) -> str:
        """The hint of a value that may be left out: `X | None`, without a second None."""
        return self.hint if self.nullable else f"{self.hint} | None"

    @property
    def display(self) -> str:
        """The doc form without Markdown: `SpotCreateUserDataStreamV3Resp`, `object`, `list[Order]`."""
        plain = re.sub(r"\[(.*?)\]\(.*?\)", r"\1", self.doc).replace("**", "")
        return plain.replace("\\|", "|")  # union bars are escaped for Markdown tables


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Example:
    """A sample value (JSON-like data) and `wire`, what goes on the wire for it."""

    value: Any
    wire: str | None = None


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Parameter:
    wire_name: SpecText
    python_name: str
    location: str  # path | query | header | cookie | form | json
    required: bool
    type: TypeRef
    description: SpecText | None
    example: Example
    default: SpecText | None  # the spec's default, for the docs only: unset parameters are never sent
    deprecated: bool = False
    # How a list or object goes out: "json" text (Binance's convention), or one of OpenAPI's styles
    # ("form", "simple", "deepObject", "label", ...) with its explode.
    style: str = "json"
    # The key the generated method hands this parameter's value to the runtime under: its wire name,
    # unless another parameter of the operation has that name in another location.
    call_key: SpecText | None = None
    explode: bool = False
    media: SpecText | None = None  # a multipart field's Content-Type, from its encoding

    @property
    def annotation(self) -> str:
        return self.type.hint if self.required else self.type.optional

    @property
    def wire_pairs(self) -> list[tuple[str, str]]:
        """What goes on the wire for the example: (name, value) pairs, decoded, as a server reads a
        query string or form (one pair, one per item, or one per property)."""
        if self.example.wire is None:
            return []
        if self.style == "json" or self.location in ("path", "header"):
            return [(str(self.wire_name), self.example.wire)]
        return styles.pairs(str(self.wire_name), self.example.value, self.style, self.explode)

    @property
    def wire_text(self) -> str | None:
        """The example as a path segment (percent-encoded) or header value carries it."""
        if self.style == "json" or self.example.wire is None:
            path = self.location == "path"
            return urllib.parse.quote(self.example.wire or "", safe="") if path else self.example.wire
        return styles.text(str(self.wire_name), self.example.value, self.style, self.explode,
                           path=self.location == "path")


_FIXED_TYPE = TypeRef("str", "**str**")


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Response:
    status: SpecText  # "200", "4XX", "default"
    description: SpecText
    type: TypeRef | None
    example: Any  # the example body (JSON-like data), None if there is none
    media: SpecText | None = None  # a body of another media type than JSON: its type (text or bytes)

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")

    @property
    def sample_status(self) -> int:
        """A concrete status code for this entry (`4XX` -> 400, `default` -> 500), for tests."""
        if self.status.isdigit():
            return int(self.status)
        if self.status[:1].isdigit():
            return int(self.status[0]) * 100
        return 500

    @property
    def carries_body(self) -> bool:
        """Whether an answer with this status can have a body: HTTP gives none to 1xx, 204 and 304."""
        status = self.sample_status
        return not (status < 200 or status in (204, 304))


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Operation:
    operation_id: SpecText
    python_name: str
    constant: str  # module-level name of its runtime descriptor
    http_method: str  # upper case
    path: SpecText
    summary: SpecText | None
    description: SpecText | None
    deprecated: bool
    parameters: tuple[Parameter, ...]  # in signature order: required first
    hidden_parameters: tuple[SpecText, ...]  # filled in by the runtime (timestamp, signature)
    content_type: SpecText | None
    responses: tuple[Response, ...]
    return_type: TypeRef
    auth: tuple[str, ...]
    signed: bool
    accept: str | None
    api_key_header: str | None = None  # the header its API key travels in, if its security puts one there
    # Query pairs the path key itself carries (`/responses?beta=true`): sent on every call, as they are.
    fixed_query: tuple[tuple[SpecText, SpecText], ...] = ()
    # Several ways in (a `security` list of several requirements): each one's scheme names, in order.
    alternatives: tuple[tuple[str, ...], ...] = ()
    # The schemes the call sends with every credential configured: the first alternative, or all.
    credentials: tuple[SecurityScheme, ...] = ()

    @property
    def expected_credentials(self) -> dict[str, str]:
        """`where:name` -> the value the generated tests expect on the wire (`header:X-Api-Key`)."""
        return {f"{'header' if s.kind != 'apiKey' else s.location}:{s.wire_name}": s.expected
                for s in self.credentials}

    @property
    def credential_arguments(self) -> tuple[tuple[str, str], ...]:
        """(keyword, environment variable) of the credentials its examples configure."""
        found: dict[str, str] = {}
        for scheme in self.credentials:
            found.update((argument, env) for argument, env, _ in scheme.arguments)
        return tuple(found.items())

    @property
    def descriptor_params(self) -> tuple[Parameter, ...]:
        """What the runtime descriptor lists: the method's parameters, then the fixed query pairs."""
        return self.parameters + tuple(
            Parameter(name, "", "query", True, _FIXED_TYPE, None, Example(value, value), None)
            for name, value in self.fixed_query)

    @property
    def example_path(self) -> str:
        """The path with each path parameter's example filled in, percent-encoded as sent."""
        path = str(self.path)
        for param in self.parameters:
            if param.location == "path":
                path = path.replace("{" + param.wire_name + "}", param.wire_text or "")
        return path

    def examples_in(self, location: str) -> dict[str, str]:
        """wire name -> expected wire value of the example call, for one parameter location (a
        header the operation's credentials also set carries the credential: the runtime sets those
        last)."""
        taken = {str(s.wire_name).lower() for s in self.credentials
                 if s.kind != "apiKey" or s.location == "header"} if location == "header" else set()
        return {str(p.wire_name): p.wire_text for p in self.descriptor_params
                if p.location == location and p.wire_text is not None and str(p.wire_name).lower() not in taken}

    def examples_in_lists(self, location: str) -> dict[str, list[str]]:
        """The same, as a parsed query string or form body holds it (a list of values a name)."""
        found: dict[str, list[str]] = {}
        for param in self.descriptor_params:
            if param.location == location:
                for name, value in param.wire_pairs:
                    found.setdefault(name, []).append(value)
        return found

    @property
    def response_hints(self) -> dict[str, str]:
        """status -> the response type in the runtime's grammar, for every response with a body."""
        return {str(r.status): r.type.runtime for r in self.responses if r.type is not None}

    @property
    def call_params(self) -> dict[str, Code | str]:
        """What a generated method hands the runtime: key (the wire name, unless two parameters share
        it) -> the argument's Python name; and the path key's fixed query pairs, as text."""
        return {**{str(p.call_key or p.wire_name): Code(p.python_name) for p in self.parameters},
                **{str(name): str(value) for name, value in self.fixed_query}}

    @property
    def required_args(self) -> list[str]:
        """The Python names of the parameters a call cannot leave out."""
        return [p.python_name for p in self.parameters if p.required]

    @property
    def optional_wire_names(self) -> list[str]:
        """The wire names of the parameters a call may leave out (then they must not be sent). The
        generated test looks for them by name in every location: a name a required parameter sends
        too (a query `match` beside a required cookie `match`) cannot be looked for, and is left out."""
        required = {str(name).lower() for p in self.parameters if p.required
                    for name in (p.wire_name, *(pair[0] for pair in p.wire_pairs))}
        return [str(p.wire_name) for p in self.parameters
                if not p.required and str(p.wire_name).lower() not in required]

    @property
    def example_args(self) -> dict[str, Any]:
        """Keyword arguments of the example call: every parameter with its sample value."""
        return {p.python_name: p.example.value for p in self.parameters}

    @property
    def json_example(self) -> Any:
        return next((p.example.value for p in self.parameters if p.location == "json"), None)

    @property
    def raw_example(self) -> str | None:
        """The text of the example's body of another media type (text, or bytes as UTF-8)."""
        return next((p.example.wire for p in self.parameters if p.location == "raw"), None)

    @property
    def success_media(self) -> SpecText | None:
        """The media type of a success body that is not JSON (the test server answers in it)."""
        success = self.success
        return success.media if success is not None and success.carries_body else None

    @property
    def success_is_bytes(self) -> bool:
        success = self.success
        return success is not None and success.type is not None and success.type.hint == "bytes"

    @property
    def success_example(self) -> Any:
        """What a server answers in the generated tests: the spec's example, {} for a typed body
        without one, None for no body."""
        success = self.success
        if success is None or success.type is None or not success.carries_body:
            return None
        return success.example if success.example is not None else {}

    def error_examples(self, generic: dict[str, Any]) -> list[list[Any]]:
        """[status, body, model] for each documented error response (`generic` where it has no
        example: the profile's, Vendor.error_example; None where the status carries no body, as 304;
        model: the error model's class name when the response declares one, else None)."""
        return [[r.sample_status, None if not r.carries_body else r.example if r.example is not None else generic,
                 self._error_model(r) if r.carries_body else None]
                for r in self.error_responses]

    def _error_model(self, response: Response) -> str | None:
        """The model of `response`, if an answer with its sample status is parsed by it: the runtime
        picks the exact status, else the range (`4XX`), else `default`, so a range whose sample
        status has an entry of its own is not (None also when the type is not a model)."""
        status = str(response.sample_status)
        by_status = {str(r.status).upper(): r for r in self.responses}
        chosen = by_status.get(status) or by_status.get(f"{status[0]}XX") or by_status.get("DEFAULT")
        if chosen is not response or response.type is None or response.type.hint not in response.type.models:
            return None
        return response.type.hint

    @property
    def success(self) -> Response | None:
        """The 2xx response; without one, `default` (it covers every status the spec leaves out)."""
        found = next((r for r in self.responses if r.is_success), None)
        return found or next((r for r in self.responses if r.status == "default"), None)

    @property
    def success_status(self) -> int:
        """The status of a successful answer in the generated tests."""
        success = self.success
        return success.sample_status if success is not None and success.is_success else 200

    @property
    def error_responses(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if not r.is_success)


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class ApiClass:
    tag: SpecText
    class_name: str
    async_class_name: str
    module: str
    description: SpecText | None
    operations: tuple[Operation, ...]
    # (class, module under models/) of the models its signatures mention (imported for type checking only)
    model_imports: tuple[tuple[str, str], ...] = ()

    @property
    def uses_any(self) -> bool:
        """Whether its annotations mention typing.Any (so the module must import it)."""
        return any(op.return_type.uses_any or any(p.type.uses_any for p in op.parameters)
                   for op in self.operations)

    @property
    def typing_imports(self) -> str:
        """What its module imports from typing: `TYPE_CHECKING, Any`, or less, or nothing."""
        names = ["TYPE_CHECKING"] + (["Any"] if self.uses_any else [])  # the async client is type-only
        return ", ".join(names)

    @property
    def operation_imports(self) -> str:
        """What its module imports from the runtime's operation module: Param only when one of its
        operations has a parameter (an unused import is a lint error in the user's package)."""
        return "Operation, Param" if any(op.parameters for op in self.operations) else "Operation"


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Field:
    python_name: str
    wire_name: SpecText
    type: TypeRef
    required: bool
    nullable: bool
    description: SpecText | None
    deprecated: bool = False

    @property
    def has_default(self) -> bool:
        """Whether the field may be left out or be null: it defaults to None."""
        return not self.required or self.nullable

    @property
    def annotation(self) -> str:
        return self.type.optional if self.has_default else self.type.hint

    @property
    def has_alias(self) -> bool:
        return self.python_name != self.wire_name


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Model:
    class_name: str
    module: str
    schema_name: SpecText
    description: SpecText | None
    fields: tuple[Field, ...]
    imports: tuple[tuple[str, str], ...]  # (class, module) of models imported at the top of its module
    late_imports: tuple[tuple[str, str], ...]  # imported at the bottom: part of an import cycle
    uses_any: bool
    example: dict[str, Any] | None  # sample data by wire name, for docs and round-trip tests
    # A subclass (allOf with a $ref to a schema with a discriminator): its base's (class, module).
    # It declares its base's fields again, as the base does: pydantic resolves the annotations of
    # a class's fields in its own module. A base: the subclasses its discriminator names.
    base: tuple[str, str] | None = None
    subclasses: Subclasses | None = None

    @property
    def parent_class(self) -> str:
        return self.base[0] if self.base is not None else "ApiModel"

    @property
    def pydantic_imports(self) -> list[str]:
        """What a base's module imports from pydantic (for its discriminator)."""
        names = ["ConfigDict", "Field", "ValidationInfo", "ValidatorFunctionWrapHandler", "model_validator"]
        return [name for name in names if name != "Field" or self.imports_field]

    @property
    def imports_field(self) -> bool:
        """Whether its module needs pydantic's Field (some field's wire name is not its Python name)."""
        return any(f.has_alias for f in self.fields)

    @property
    def example_json(self) -> str | None:
        return json_text(self.example) if self.example is not None else None


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Subclasses:
    """What a model's discriminator names: data whose property has one of these values parses as
    that subclass of it; any other value as the model itself."""

    prop: SpecText  # the property's wire name
    python_name: str | None  # its field's name, when the model has that property and the name differs
    mapping: tuple[tuple[SpecText, str, str], ...]  # value -> (module, class) of the subclass

    @property
    def mapping_dict(self) -> dict[str, Code]:
        """Value -> `("module", "Class")`: names (identifiers) as Python source."""
        return {str(value): Code(f'("{module}", "{name}")') for value, module, name in self.mapping}


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class UnionModel:
    """A discriminated oneOf/anyOf: a type alias in models/ whose members are told apart by the
    value of one property; a value the mapping does not name parses as the plain ApiModel."""

    class_name: str
    module: str
    schema_name: SpecText
    description: SpecText | None
    members: tuple[str, ...]  # model class names, in the spec's order
    discriminator: SpecText  # the property whose value tells the members apart (wire name)
    mapping: tuple[tuple[SpecText, str], ...]  # property value -> member class name
    member_imports: tuple[tuple[str, str], ...] = ()  # (class, module) of each member, by name

    @property
    def hint(self) -> str:
        """Its type for a type checker: the members, or a plain ApiModel."""
        return " | ".join([*self.members, "ApiModel"])

    @property
    def member_list(self) -> str:
        return ", ".join(self.members)

    @property
    def mapping_dict(self) -> dict[str, str]:
        return {str(value): name for value, name in self.mapping}


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class SecurityScheme:
    """One security scheme as the runtime sends it, and the credentials class's argument for it."""

    name: SpecText
    kind: str  # apiKey | bearer (http bearer, oauth2, openIdConnect) | basic
    location: str  # header | query | cookie (an API key); bearer | basic (the Authorization header)
    wire_name: SpecText  # the header, query or cookie name ("Authorization" for bearer and basic)
    description: SpecText | None
    argument: str = "api_key"  # the credentials class's keyword for it (basic: username and password)
    env: str = ""  # the environment variable the docs read it from
    token_url: SpecText | None = None  # oauth2 with a client credentials flow: where the client gets tokens

    @property
    def test_value(self) -> str:
        """The credential the generated tests configure for it."""
        return "test-api-key" if self.argument == "api_key" else f"test-{self.argument.replace('_', '-')}"

    @property
    def expected(self) -> str:
        """What goes on the wire for the test credentials."""
        if self.kind == "bearer":
            return f"Bearer {self.test_value}"
        if self.kind == "basic":
            return "Basic " + base64.b64encode(b"test-username:test-password").decode("ascii")
        return self.test_value

    @property
    def arguments(self) -> tuple[tuple[str, str, str], ...]:
        """(keyword, environment variable, test value) of what the credentials class takes for it."""
        if self.kind == "basic":
            return (("username", f"{self.env}_USERNAME", "test-username"),
                    ("password", f"{self.env}_PASSWORD", "test-password"))
        return ((self.argument, self.env, self.test_value),)

    @property
    def where_text(self) -> str:
        """`X-Api-Key` in the header; a bearer token; HTTP basic: for the docs."""
        if self.kind == "bearer":
            return "a bearer token"
        if self.kind == "basic":
            return "HTTP basic"
        return f"'{self.wire_name}' in the {self.location}"

    @property
    def kind_text(self) -> str:
        return {"bearer": "Bearer token (`Authorization: Bearer ...`)",
                "basic": "HTTP basic (`Authorization: Basic ...`)"}.get(self.kind, "API key")


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Package:
    """Where and as what the client is published."""

    name: str  # dotted import name: binance.spot
    distribution: str  # binance-spot
    version: str
    description: SpecText
    license: SpecText | None  # a PEP 639 SPDX expression, canonical (metadata.py checked it)
    author: SpecText | None
    python_requires: str
    project_urls: tuple[tuple[SpecText, SpecText], ...] = ()
    author_email: SpecText | None = None
    python_classifiers: tuple[str, ...] = ()  # one per Python version python_requires admits
    python_minimum: str | None = None  # the oldest of those: the type checkers' target version

    @property
    def path(self) -> str:
        return self.name.replace(".", "/")

    @property
    def namespaces(self) -> tuple[str, ...]:
        """Parent folders that are namespace packages (no __init__.py): `binance` for binance.spot."""
        parts = self.name.split(".")
        return tuple("/".join(parts[:i]) for i in range(1, len(parts)))


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class ListenKeyOps:
    """The three user-data-stream operations, when the spec has them: the keepalive helper uses them."""

    api_class: str  # e.g. UserDataStreamApi
    async_api_class: str  # its async twin
    module: str  # its module under api/
    create: str  # method names
    keepalive: str
    close: str
    key_field: str  # the listen key's attribute on the create response model
    key_param: str  # the listen key's parameter name in keepalive/close


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Vendor:
    """What the package's profile (generator/profiles/) decided, as the files need it."""

    profile: str  # "binance", "openapi"
    reason: str  # why that profile: for the summary line
    auth_class: str  # the credentials class: BinanceAuth, or named after the package
    auth_generated: bool  # made by a template (package/auth.py.jinja), not shipped in the runtime
    api_key_env: str  # the environment variable the docs read the API key from
    secret_key_env: str | None  # likewise the signing secret, for a profile that signs
    signs: bool  # some operation of the API may be signed (its docs and tests say how)
    error_code: str | None  # the error body's field that carries the error code
    error_message: str | None  # likewise its message
    integer_code: bool  # only an integer counts as an error code
    error_example: dict[str, Any]  # what generated tests answer an undocumented error with
    rate_limit_headers: tuple[str, ...]  # lower-case prefixes of the headers that count requests
    runtime: str | None  # the folder of runtime/ shipped beside the generic runtime
    runtime_profile: tuple[str, str] | None  # (module, name) of the runtime's profile object
    configuration_module: str  # the module whose Configuration the package exports

    @property
    def bans(self) -> bool:
        """The runtime's profile locks a client out after an IP ban (Binance's 418)."""
        return self.profile == "binance"


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Shared:
    """What the file of one model or API class shows besides that unit: where the package is
    imported from, and the host its examples talk to. Such a file is made from these two alone."""

    package: Package
    host: SpecText
    vendor: Vendor


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class WsMethod:
    """One request/reply method of a WebSocket API (`ticker.price`), as its client method calls it."""

    method: SpecText  # the wire name, `params` go with it in one request frame
    operation_id: SpecText  # the AsyncAPI operation it comes from
    python_name: str
    constant: str  # module-level name of its runtime descriptor (WsOperation)
    summary: SpecText | None
    description: SpecText | None
    deprecated: bool
    parameters: tuple[Parameter, ...]  # location "params", in signature order: required first
    hidden_parameters: tuple[SpecText, ...]  # filled in by the runtime (apiKey, timestamp, signature)
    security: str  # none | user_stream | signed (the runtime's WsOperation.security)
    security_names: tuple[SpecText, ...]  # the AsyncAPI security schemes it names, for the docs
    executes: bool  # a lost answer leaves it unknown whether the server acted (order.place)
    result: TypeRef  # the type of `result` in a successful answer
    result_example: Any  # what the generated tests answer with
    runtime_call: str = "request"  # the client method that sends it: request, logon or logout

    @property
    def example_args(self) -> dict[str, Any]:
        return {p.python_name: p.example.value for p in self.parameters}

    @property
    def example_params(self) -> dict[str, Any]:
        """What goes in `params` for the example call, by wire name."""
        return {str(p.wire_name): p.example.value for p in self.parameters}

    @property
    def wire_params(self) -> dict[str, Any]:
        """`params` of the example call as the client sends them: floats as plain decimal text
        (Binance reads DECIMAL parameters as strings)."""
        return {str(p.wire_name): _ws_wire(p.example.value) for p in self.parameters if p.example.value is not None}

    @property
    def call_params(self) -> dict[str, Code]:
        return {str(p.wire_name): Code(p.python_name) for p in self.parameters}

    @property
    def required_args(self) -> list[str]:
        return [p.python_name for p in self.parameters if p.required]

    @property
    def required_wire_names(self) -> list[str]:
        return [str(p.wire_name) for p in self.parameters if p.required]


def _ws_wire(value: Any) -> Any:
    if isinstance(value, float):
        return format(decimal.Decimal(repr(value)), "f")
    if isinstance(value, list):
        return [_ws_wire(item) for item in value if item is not None]
    if isinstance(value, dict):
        return {key: _ws_wire(item) for key, item in value.items() if item is not None}
    return value


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class WsEvent:
    """An event the server pushes (`executionReport`), and the model it parses into."""

    event_type: SpecText  # the value of the API's event key (`e`) that names it
    class_name: str
    description: SpecText | None
    example: dict[str, Any]  # an event body for the generated tests, its type field set


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class WebSocketApi:
    """A WebSocket API read from an AsyncAPI 3.0 document: request/reply methods and events."""

    title: SpecText
    description: SpecText | None
    source: str  # the AsyncAPI document's display name
    url: SpecText  # the default server, ws:// or wss:// ("" when the document names none)
    class_name: str  # WebSocketApiClient
    async_class_name: str  # AsyncWebSocketApiClient
    module: str  # its module in the package: websocket_api
    methods: tuple[WsMethod, ...]
    events: tuple[WsEvent, ...]
    event_key: SpecText  # the field of an event that names its type
    user_data: tuple[SpecText, ...]  # the userDataStream.* methods user_data_stream() uses (empty: none)
    model_imports: tuple[tuple[str, str], ...] = ()  # (class, module under models/) its signatures mention

    @property
    def uses_any(self) -> bool:
        return any(m.result.uses_any or any(p.type.uses_any for p in m.parameters) for m in self.methods)

    @property
    def signs(self) -> bool:
        return any(m.security == "signed" for m in self.methods)

    @property
    def exports(self) -> tuple[str, ...]:
        return (self.class_name, self.async_class_name)

    @property
    def first_event(self) -> WsEvent | None:
        return self.events[0] if self.events else None

    @property
    def event_preview(self) -> str:
        """The first event models' names, for docstrings: `ExecutionReport, ListStatus, ...`."""
        return ", ".join([*(e.class_name for e in self.events[:3]), "..."])

    @property
    def has_requests(self) -> bool:
        """Whether some method is sent as a plain request (not the client's own logon/logout)."""
        return any(m.runtime_call == "request" for m in self.methods)

    @property
    def logon_method(self) -> WsMethod | None:
        return next((m for m in self.methods if m.runtime_call == "logon"), None)


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class StreamMethod:
    """A control request of market streams other than (un)subscribing (`SET_PROPERTY`): its
    `params` are positional, of one item type."""

    method: SpecText  # the wire name
    python_name: str
    constant: str  # module-level name of its runtime descriptor (WsOperation)
    summary: SpecText | None
    item: TypeRef  # the type of each item of `params` (Any when the document says none)
    takes_params: bool  # False: the request carries no `params` (LIST_SUBSCRIPTIONS)
    counts: tuple[int, int | None]  # (minItems, maxItems) of `params`
    result: TypeRef
    example_params: tuple[Any, ...]  # what the generated tests send
    result_example: Any  # what the generated tests' stand-in answers


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class StreamEventType:
    """An event of market streams and the model it parses into: by its type field's values, or,
    with none (bookTicker), by its required fields."""

    class_name: str
    kinds: tuple[SpecText, ...]  # values of the event key naming it; empty: told by its shape
    required: tuple[SpecText, ...]  # its required fields (the shape)
    streams: tuple[SpecText, ...]  # stream-name patterns the document gives (`{symbol}@trade`)
    example: dict[str, Any]  # an event body for the generated tests
    array: bool  # some stream sends these in an array (`!ticker@arr`)


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class StreamName:
    """A helper that writes a stream's name from a pattern the document gives (`{symbol}@kline_{interval}`)."""

    python_name: str  # kline_interval_stream
    pattern: SpecText
    arguments: tuple[tuple[str, SpecText, str], ...]  # (argument, placeholder, hint), in the pattern's order
    event: str  # the model of the stream's events
    example_args: tuple[Any, ...]  # what the generated tests pass
    example_name: SpecText  # the name those make

    @property
    def values(self) -> dict[str, Code]:
        """The placeholders and the arguments that fill them, for the call to the runtime."""
        return {str(placeholder): Code(argument) for argument, placeholder, _ in self.arguments}


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class MarketStreams:
    """Subscription-only streams read from an AsyncAPI 3.0 document: SUBSCRIBE / UNSUBSCRIBE /
    LIST_SUBSCRIPTIONS answered `{result, id}`, and events pushed on raw or combined connections."""

    title: SpecText
    description: SpecText | None
    source: str  # the AsyncAPI document's display name
    url: SpecText  # the default server, ws:// or wss:// ("" when the document names none)
    raw_path: SpecText  # `/ws/`: a raw stream's name follows ("" when the document has none)
    combined_path: SpecText  # `/stream?streams=`: the combined streams' names follow ("" none)
    class_name: str  # MarketStreamClient
    async_class_name: str  # AsyncMarketStreamClient
    module: str  # its module in the package: market_streams
    methods: tuple[StreamMethod, ...]
    events: tuple[StreamEventType, ...]
    event_key: SpecText
    example_streams: tuple[SpecText, ...]  # stream names for examples and the generated tests
    names: tuple[StreamName, ...] = ()  # stream-name helpers, from the events' stream patterns
    model_imports: tuple[tuple[str, str], ...] = ()  # (class, module under models/) its signatures mention

    @property
    def exports(self) -> tuple[str, ...]:
        return (self.class_name, self.async_class_name)

    @property
    def typed_events(self) -> tuple[StreamEventType, ...]:
        return tuple(e for e in self.events if e.kinds)

    @property
    def shaped_events(self) -> tuple[StreamEventType, ...]:
        return tuple(e for e in self.events if not e.kinds)

    @property
    def uses_any(self) -> bool:
        return any(m.result.uses_any or m.item.uses_any for m in self.methods)


@_plain_repr
@dataclass(frozen=True, slots=True, repr=False)
class Api:
    title: SpecText
    description: SpecText | None
    api_version: SpecText
    host: SpecText
    package: Package
    apis: tuple[ApiClass, ...]
    models: tuple[Model, ...]
    security_schemes: tuple[SecurityScheme, ...]
    source: str  # the spec's display name
    vendor: Vendor
    listen_key_ops: ListenKeyOps | None = None
    unions: tuple[UnionModel, ...] = ()
    websocket: WebSocketApi | None = None  # the WebSocket API, when an AsyncAPI document is part of the package
    streams: MarketStreams | None = None  # market streams, when the AsyncAPI document describes those

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for api in self.apis for op in api.operations)

    @property
    def auth_arguments(self) -> tuple[tuple[str, str, str], ...]:
        """(keyword, environment variable, test value) of every credential the generated
        credentials class takes, `api_key` first."""
        found: dict[str, tuple[str, str, str]] = {}
        for scheme in self.security_schemes:
            found.update((argument[0], argument) for argument in scheme.arguments)
        return tuple(sorted(found.values(), key=lambda a: (a[0] != "api_key", a[0] != "token", a[0])))

    @property
    def has_api_key(self) -> bool:
        return any(argument == "api_key" for argument, _, _ in self.auth_arguments)

    @property
    def keyword_arguments(self) -> tuple[str, ...]:
        """The credentials class's keyword-only arguments: all but `api_key`."""
        return tuple(argument for argument, _, _ in self.auth_arguments if argument != "api_key")

    @property
    def pydantic_requirement(self) -> str:
        """The package's pydantic requirement: 2.12 serialises a subclass held in a field typed by
        its base in full (`polymorphic_serialization`); older 2.x ignore that setting silently."""
        subclassed = any(m.subclasses is not None for m in self.models)
        return "pydantic>=2.12,<3" if subclassed else "pydantic>=2.7,<3"

    @property
    def token_schemes(self) -> tuple[SecurityScheme, ...]:
        """OAuth 2 schemes with a client credentials flow: the client fetches their tokens."""
        return tuple(s for s in self.security_schemes if s.token_url is not None)

    @property
    def keyed_schemes(self) -> tuple[SecurityScheme, ...]:
        """Schemes with a keyword of their own (not `api_key` or `token`): keys={scheme: keyword}."""
        return tuple(s for s in self.security_schemes
                     if s.kind != "basic" and s.argument not in ("api_key", "token"))

    @property
    def api_key_schemes(self) -> tuple[str, ...] | None:
        """The schemes `api_key` is for, when there are also API keys of other names; else None."""
        if not any(s.kind == "apiKey" for s in self.keyed_schemes):
            return None
        return tuple(str(s.name) for s in self.security_schemes if s.kind == "apiKey" and s.argument == "api_key")

    def model(self, class_name: str) -> Model:
        return next(m for m in self.models if m.class_name == class_name)

    @property
    def shared(self) -> Shared:
        return Shared(self.package, self.host, self.vendor)

    @property
    def any_signed(self) -> bool:
        return any(op.signed for op in self.operations)

    @property
    def any_optional(self) -> bool:
        """Whether some operation has an optional parameter."""
        return any(not p.required for op in self.operations for p in op.parameters)

    @property
    def api_exports(self) -> tuple[tuple[str, str], ...]:
        """(name, module under api/) of every API class and its async twin."""
        return tuple((name, a.module) for a in self.apis for name in (a.class_name, a.async_class_name))

    @property
    def model_exports(self) -> tuple[tuple[str, str], ...]:
        """(name, module under models/) of every model and union alias."""
        return tuple((m.class_name, m.module) for m in self.models) + tuple((u.class_name, u.module) for u in self.unions)

    @property
    def example_call(self) -> tuple[ApiClass, Operation] | None:
        """The first operation that can be called without arguments, for examples that make a call."""
        return next(((a, op) for a in self.apis for op in a.operations if not any(p.required for p in op.parameters)),
                    None)
