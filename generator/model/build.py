"""Loaded document + Config -> model.Api: every decision about names, types, order and examples is made here."""

from __future__ import annotations

import dataclasses
import keyword
import re
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from ..config import Config
from ..diagnostics import Diagnostic, child_pointer, pointer_from_parts
from ..profiles import Profile, select
from . import metadata, styles
from . import samples as examples
from . import streams as streams_model
from . import websocket as websocket_model
from .api import (
    Api,
    ApiClass,
    Example,
    ListenKeyOps,
    Model,
    Operation,
    Package,
    Parameter,
    Response,
    SecurityScheme,
    SpecText,
    TypeRef,
    Vendor,
)
from .naming import Namer, class_name, constant, module_name, parameter_name, pascal, snake
from .samples import Code
from .schemas import Schemas, text

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DEFAULT_TAG = "Default"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_VOID = TypeRef("None", "void (empty response body)")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
API_KEY_LOCATIONS = ("header", "query", "cookie")
# OpenAPI: a header parameter with one of these names "SHALL be ignored" (the client sets them).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# Top-level names a package named after the spec's title must not take: the folders beside it in the
# output, and the modules it or its tests import (a package `json` or `pytest` would shadow them).
_TAKEN_TOP_LEVEL = frozenset({
    "tests", "docs", "pydantic", "pydantic_core", "annotated_types", "typing_extensions", "urllib3",
    "cryptography", "cffi", "pytest", "_pytest", "pluggy", "iniconfig", "packaging",
}) | frozenset(sys.stdlib_module_names)
# What http.client sends as a header value unchanged, and a server reads back unchanged: visible ASCII,
# inner spaces (a line break would end the header; leading or trailing blanks are stripped).
_HEADER_VALUE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
# Characters a URL path may hold as they are (RFC 3986 pchar and "/"); the rest are percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


Locate = Callable[[str], tuple[str, int | None, int | None]]


def build(document: dict[str, Any], config: Config, source: str, locate: Locate,
          websocket: tuple[dict[str, Any], str, Locate] | None = None) -> tuple[Api, list[Diagnostic]]:
    """Build the model; returns it with the warnings met on the way (errors stop earlier, in validate).

    `document` is OpenAPI or AsyncAPI 3.0 (a package with a WebSocket API alone); `websocket`, an
    AsyncAPI document (with its display name and locate) whose WebSocket API the package carries
    beside the REST API of `document`."""
    rest = not websocket_model.is_asyncapi(document)
    if not rest:
        websocket = (document, source, locate)
    profile, reason = select(document, config.profile)
    info = document.get("info", {}) if isinstance(document.get("info"), dict) else {}
    schemas = Schemas(document, locate)
    name = config.package_name or package_name_from_title(str(info.get("title") or ""))
    package = metadata.package(config, document, name, schemas.warn)
    auth_class = profile.auth_class or pascal(package.name.replace(".", " ").replace("_", " ")) + "Auth"
    schemas.class_names.claim(auth_class)  # before any model: the package exports both
    security: tuple[SecurityScheme, ...] = ()
    made: list[tuple[ApiClass, list[str]]] = []
    if rest:
        schemas.register_components()
        env_prefix = profile.env_prefix or snake(package.name.replace(".", "_")).upper()
        security = _security_schemes(document, schemas, profile, env_prefix)
        keyless: list[str] = []  # pointers of signed operations whose security sends no API key
        made = _api_classes(document, schemas, security, profile, keyless)
        if keyless:
            many = len(keyless) > 1
            schemas.warn(f"{len(keyless)} signed operation{'s' if many else ''} declare{'' if many else 's'} no "
                         f"security that sends {profile.signed_key_header}: the {profile.name} profile sends the "
                         "API key with every signed request all the same (first here)", keyless[0])
    models = schemas.build_models()
    unions = schemas.unions()
    diagnostics = schemas.diagnostics
    ws_api = None
    stream_api = None
    if websocket is not None:
        ws_document, ws_source, ws_locate = websocket
        # The WebSocket API's models join the package's one namespace of classes and modules.
        ws_schemas = schemas if not rest else Schemas(ws_document, ws_locate, _namer=schemas.class_names,
                                                      _modules=schemas._modules)
        if streams_model.is_stream_document(ws_document, ws_schemas):
            stream_api = streams_model.build(ws_document, ws_schemas, ws_source)
        else:
            ws_api = websocket_model.build(ws_document, ws_schemas, profile, ws_source, _parameter)
        if rest:
            models += ws_schemas.build_models()
            unions += ws_schemas.unions()
            diagnostics = diagnostics + ws_schemas.diagnostics
        else:
            models = ws_schemas.build_models()
            unions = ws_schemas.unions()
    modules = {m.class_name: m.module for m in models} | {u.class_name: u.module for u in unions}
    apis = tuple(dataclasses.replace(api, model_imports=tuple((name, modules[name]) for name in used))
                 for api, used in made)
    if ws_api is not None:
        used = sorted({m for method in ws_api.methods for t in (method.result, *(p.type for p in method.parameters))
                       for m in t.models})
        ws_api = dataclasses.replace(ws_api, model_imports=tuple((name, modules[name]) for name in used))
    if stream_api is not None:
        used = sorted({m for method in stream_api.methods for t in (method.result, method.item) for m in t.models})
        stream_api = dataclasses.replace(stream_api, model_imports=tuple((name, modules[name]) for name in used))
    vendor = _vendor(profile, reason, package, auth_class, apis, models)
    api = Api(
        title=SpecText(str(info.get("title") or "API")),
        description=text(info.get("description")),
        api_version=SpecText(str(info.get("version", ""))),
        host=SpecText(_default_host(document) if rest else ""),
        package=package,
        apis=apis,
        models=models,
        security_schemes=security,
        source=source,
        vendor=vendor,
        listen_key_ops=_listen_key_ops(profile, apis, models),
        unions=unions,
        websocket=ws_api,
        streams=stream_api,
    )
    return api, diagnostics


# Field names that carry an error's code and its message, most likely first, for a profile that
# does not say: the field of the error responses' models that comes first here is taken.
_CODE_FIELDS = ("code", "error_code", "errorCode", "status_code", "statusCode", "type")
_MESSAGE_FIELDS = ("message", "msg", "error_description", "errorMessage", "detail", "description", "error")


def _vendor(profile: Profile, reason: str, package: Package, auth_class: str, apis: tuple[ApiClass, ...],
            models: tuple[Model, ...]) -> Vendor:
    prefix = profile.env_prefix or snake(package.name.replace(".", "_")).upper()
    if profile.errors is not None:
        code, message, integer = profile.errors
    else:
        code, message, integer = (*_error_fields(apis, models), False)
    example = profile.error_example if profile.error_example is not None else \
        {name: value for name, value in ((code, "error"), (message, "An error occurred.")) if name is not None}
    module, _, name = (profile.runtime_profile or "").partition(":")
    return Vendor(
        profile=profile.name,
        reason=reason,
        auth_class=auth_class,
        auth_generated=profile.auth_class is None,
        api_key_env=f"{prefix}_API_KEY",
        secret_key_env=f"{prefix}_SECRET_KEY" if profile.signature_parameters else None,
        signs=bool(profile.signature_parameters),
        error_code=code,
        error_message=message,
        integer_code=integer,
        error_example=example,
        rate_limit_headers=profile.rate_limit_headers,
        runtime=profile.runtime,
        runtime_profile=("." + module, name) if name else None,
        configuration_module=profile.configuration_module,
    )


def _error_fields(apis: tuple[ApiClass, ...], models: tuple[Model, ...]) -> tuple[str | None, str | None]:
    """(code field, message field) of the error responses' models: for each, the candidate that comes
    first in its list among the fields most error models have; ("code", "message") without any."""
    fields = {m.class_name: {str(f.wire_name) for f in m.fields} for m in models}
    counts: dict[str, int] = {}
    seen = 0
    for op in (op for a in apis for op in a.operations):
        for response in op.error_responses:
            names = fields.get(response.type.hint) if response.type is not None else None
            if names:
                seen += 1
                for name in names:
                    counts[name] = counts.get(name, 0) + 1
    if not seen:
        return "code", "message"

    def best(candidates: tuple[str, ...]) -> str | None:
        found = [name for name in candidates if counts.get(name)]
        return max(found, key=lambda name: counts[name]) if found else None

    return best(_CODE_FIELDS), best(_MESSAGE_FIELDS)


def _listen_key_ops(profile: Profile, apis: tuple[ApiClass, ...], models: tuple[Model, ...]) -> ListenKeyOps | None:
    """The profile's listen-key trio (Binance: POST/PUT/DELETE .../userDataStream) in one API class."""
    rule = profile.listen_key
    if rule is None:
        return None
    fields = {m.class_name: {str(f.wire_name): f.python_name for f in m.fields} for m in models}
    for api_class in apis:
        by_path: dict[str, dict[str, Operation]] = {}
        for op in api_class.operations:
            if op.path.endswith(rule.path_suffix):
                by_path.setdefault(str(op.path), {})[op.http_method] = op
        for path in sorted(by_path, key=lambda p: (p != rule.preferred_path, p)):
            ops = by_path[path]
            if not {"POST", "PUT", "DELETE"} <= set(ops):
                continue
            key_field = fields.get(ops["POST"].return_type.hint, {}).get(rule.key_name)
            params = [next((p.python_name for p in ops[m].parameters if p.wire_name == rule.key_name), None)
                      for m in ("PUT", "DELETE")]
            if key_field and params[0] and params[0] == params[1]:
                return ListenKeyOps(api_class.class_name, api_class.async_class_name, api_class.module,
                                    ops["POST"].python_name,
                                    ops["PUT"].python_name, ops["DELETE"].python_name, key_field, params[0])
    return None


def package_name_from_title(title: str) -> str:
    """`Binance Spot API` -> `binance_spot_api`: used when neither --package-name nor a config says.

    A name the package may not take (a keyword, `tests`, `json`, `pydantic`) gets `_client` appended.
    """
    name = snake(title or "client", digit_prefix="client_").rstrip("_") or "client"
    return f"{name}_client" if name in _TAKEN_TOP_LEVEL or keyword.iskeyword(name) else name


def _default_host(document: dict[str, Any]) -> str:
    servers = document.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url") or "")
        variables = servers[0].get("variables") or {}
        if isinstance(variables, dict):
            for key, variable in variables.items():
                if isinstance(variable, dict) and "default" in variable:
                    url = url.replace("{" + str(key) + "}", str(variable["default"]))
        return url.rstrip("/") or "http://localhost"
    return "http://localhost"


def _security_schemes(document: dict[str, Any], schemas: Schemas, profile: Profile,
                      env_prefix: str) -> tuple[SecurityScheme, ...]:
    """The document's security schemes as the runtime sends them (API keys; bearer tokens of http
    bearer, oauth2 and openIdConnect; http basic), each with the credentials class's keyword for it;
    and the profile's signed-request key header as a scheme of its own when none sends it."""
    found = _mapping(_get(document.get("components"), "securitySchemes"))
    made: list[tuple[str, str, str, str, Any]] = []  # name, kind, location, wire name, description
    token_urls: dict[str, str] = {}  # oauth2 schemes with a client credentials flow
    for name in sorted(found):
        scheme, _ = schemas.resolve(found[name], pointer_from_parts(("components", "securitySchemes", name)))
        pointer = pointer_from_parts(("components", "securitySchemes", name))
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "apiKey":
            location = scheme.get("in", "header")
            if location not in API_KEY_LOCATIONS:  # only with --lenient: validation reported it
                schemas.warn(f"API key location {location!r} is not one of {', '.join(API_KEY_LOCATIONS)}: "
                             "the scheme is left out", f"{pointer}/in")
                continue
            made.append((name, "apiKey", location, str(scheme.get("name", "")), scheme.get("description")))
        elif kind == "http" and str(scheme.get("scheme", "")).lower() in ("bearer", "basic"):
            how = str(scheme["scheme"]).lower()
            made.append((name, how, how, "Authorization", scheme.get("description")))
        elif kind in ("oauth2", "openIdConnect"):
            # The client sends the access token it is given (`token=`), or with a client credentials
            # flow fetches one with the client id and secret; other flows' tokens are the caller's.
            made.append((name, "bearer", "bearer", "Authorization", scheme.get("description")))
            token_url = _get(_get(scheme.get("flows"), "clientCredentials"), "tokenUrl")
            if isinstance(token_url, str) and _TOKEN_URL.fullmatch(token_url):
                token_urls[name] = token_url
            elif token_url is not None:
                schemas.warn(f"token URL {str(token_url)[:80]!r} is not an http(s) URL or a path: the "
                             "client does not fetch tokens for it", f"{pointer}/flows/clientCredentials/tokenUrl")
        else:
            what = f"http scheme {scheme.get('scheme')!r}" if kind == "http" else f"type {kind!r}"
            schemas.warn(f"security scheme {name!r} ({what}) is not supported: operations that need it "
                         "are sent without it", pointer)
    header = profile.signed_key_header
    if header is not None and not any(m[1] == "apiKey" and m[2] == "header" and m[3].lower() == header.lower()
                                      for m in made):
        made.append((header, "apiKey", "header", header, None))
    arguments = _arguments(document, made)
    return tuple(SecurityScheme(
        name=SpecText(name), kind=kind, location=location, wire_name=SpecText(wire), description=text(description),
        argument=arguments[name], env=f"{env_prefix}_{arguments[name].upper()}" if kind != "basic" else env_prefix,
        token_url=SpecText(token_urls[name]) if name in token_urls else None,
    ) for name, kind, location, wire, description in made)


# A token URL the runtime can post to: absolute http(s), or relative to the host (OpenAPI 3.1).
_TOKEN_URL = re.compile(r"https?://[\x21-\x7e]+|/[\x21-\x7e]*|[A-Za-z0-9._~-][^:/\s]*(?:/[\x21-\x7e]*)?")


def _arguments(document: dict[str, Any], made: list[tuple[str, str, str, str, Any]]) -> dict[str, str]:
    """The credentials class's keyword of each scheme: `api_key` for the API key, `token` for the
    bearer token (of several of a kind, the one most operations use; the others by their names);
    `username` and `password` for basic."""
    uses: dict[str, int] = {}
    root = document.get("security")
    requirements = []
    for item in _mapping(document.get("paths")).values():
        for method, op in _mapping(item).items():
            if method in HTTP_METHODS and isinstance(op, dict):
                requirements.append(op.get("security", root))  # an operation without one has the root's
    for security in requirements:
        for requirement in security if isinstance(security, list) else ():
            for name in _mapping(requirement):
                uses[name] = uses.get(name, 0) + 1
    arguments: dict[str, str] = {}
    taken = {"api_key", "token", "username", "password", "secret_key", "keys", "api_key_for", "client_id",
             "client_secret", "scopes"}
    for kind, plain in (("apiKey", "api_key"), ("bearer", "token"), ("basic", "username")):
        names = sorted((m[0] for m in made if m[1] == kind), key=lambda n: (-uses.get(n, 0), n))
        for index, name in enumerate(names):
            if index == 0 or kind == "basic":
                arguments[name] = plain
                continue
            argument = parameter_name(name)
            while argument in taken:
                argument += "_"
            taken.add(argument)
            arguments[name] = argument
    return arguments


def _key_scheme(schemes: Sequence[SecurityScheme], header: str) -> SecurityScheme | None:
    return next((s for s in schemes if s.location == "header" and s.wire_name.lower() == header.lower()), None)


def _api_classes(document: dict[str, Any], schemas: Schemas, security: tuple[SecurityScheme, ...],
                 profile: Profile, keyless: list[str]) -> list[tuple[ApiClass, list[str]]]:
    """Group operations by their first tag into API classes; untagged ones go to DefaultApi. Each
    comes with the models its signatures mention (their modules are known once all models are)."""
    tags = document.get("tags")
    tag_docs = {t.get("name"): t for t in tags if isinstance(t, dict)} if isinstance(tags, list) else {}
    grouped: dict[str, list[tuple[str, str, dict[str, Any], list[Any]]]] = {}
    paths = _mapping(document.get("paths"))
    for path in paths:
        item, _ = schemas.resolve(paths[path], pointer_from_parts(("paths", path)))
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and "$ref" in operation:
                # Not OpenAPI (validation says so; --lenient gets here): the operation it names.
                operation, _ = schemas.resolve(operation, pointer_from_parts(("paths", path, method)))
            if isinstance(operation, dict):
                tags = operation.get("tags") or [DEFAULT_TAG]
                tag = str(tags[0]) if isinstance(tags, list) and tags else DEFAULT_TAG
                grouped.setdefault(tag, []).append((path, method, operation, item.get("parameters") or []))
    class_names = schemas.class_names
    root_security = document.get("security")
    result = []
    for tag in sorted(grouped, key=lambda t: class_name(t, "Api")):
        api_class = class_names.claim(class_name(tag, "Api"))
        # `api_client` is the instance's client: an operation by that name would be shadowed by it.
        schemas.method_names = Namer(taken=("api_client",), separator="_")
        operations = sorted((_operation(schemas, path, method, op, shared, pointer_from_parts(("paths", path, method)),
                                        root_security, security, profile, keyless)
                             for path, method, op, shared in grouped[tag]), key=lambda op: op.python_name)
        used = sorted({m for op in operations for m in _models_of(op)})
        tag_doc = tag_docs.get(tag) or {}
        api = ApiClass(
            tag=SpecText(tag),
            class_name=api_class,
            async_class_name=class_names.claim("Async" + api_class),
            module=module_name(api_class),
            description=text(tag_doc.get("description")),
            operations=tuple(operations),
        )
        result.append((api, used))
    return result


def _models_of(op: Operation) -> set[str]:
    names = set(op.return_type.models)
    for param in op.parameters:
        names.update(param.type.models)
    return names


def _operation(schemas: Schemas, path: str, method: str, op: dict[str, Any], shared: list[Any],
               pointer: str, root_security: Any, schemes: tuple[SecurityScheme, ...], profile: Profile,
               keyless: list[str]) -> Operation:
    operation_id = str(op.get("operationId") or f"{method} {path}")
    python_name = _method_name(schemas, snake(operation_id, digit_prefix="call_"))
    path_key = path
    path, _, query = path.partition("?")  # `/responses?beta=true`: the pairs go in every call's query
    prefix = class_name(operation_id)
    placeholders = set(_PLACEHOLDER.findall(path))
    params = _parameters(schemas, op, shared, pointer, prefix, placeholders, profile)
    body_params, content_type = _body(schemas, op, pointer, prefix, profile)
    params.extend(body_params)
    signed = _is_signed(schemas, profile, op, params, pointer)
    filled = profile.signature_parameters
    hidden = tuple(SpecText(p.wire_name) for p in params if signed and p.wire_name in filled)
    visible = [p for p in params if not (signed and p.wire_name in filled)]
    names = Namer(separator="_")
    visible = [_renamed(p, names.claim(p.python_name))
               for p in sorted(visible, key=lambda p: not p.required)]
    # One name in two locations (a path and a query `id`): each value goes to the runtime under a key
    # of its own.
    wire_names = [str(p.wire_name) for p in visible]
    visible = [dataclasses.replace(p, call_key=SpecText(f"{p.location}:{p.wire_name}"))
               if wire_names.count(str(p.wire_name)) > 1 else p for p in visible]
    responses = _responses(schemas, op, pointer, prefix)
    # Without a 2xx response, `default` describes the successful answer too.
    success = next((r for r in responses if r.is_success), None) or \
        next((r for r in responses if r.status == "default"), None)
    return_type = success.type if success and success.type else _VOID
    security = op.get("security", root_security)
    known = {str(s.name) for s in schemes}
    # A requirement naming a scheme that is left out (unsupported, or invalid under --lenient) can
    # never be met: it is dropped, rather than read as "no credentials".
    requirements = [tuple(sorted(str(name) for name in req))
                    for req in (security if isinstance(security, list) else ())
                    if isinstance(req, dict) and all(str(name) in known for name in req)]
    auth = sorted({name for req in requirements for name in req})
    key = _key_scheme(schemes, profile.signed_key_header) if signed and profile.signed_key_header else None
    if key is not None and str(key.name) not in auth:
        auth = sorted({*auth, str(key.name)})
        requirements = [(*req, str(key.name)) for req in requirements] or [(str(key.name),)]
        keyless.append(pointer)
    # Several requirements are alternatives (OpenAPI: any one of them); an empty one means "none",
    # tried last so that configured credentials are sent.
    requirements.sort(key=lambda req: not req)
    alternatives = tuple(req for req in requirements) if len(requirements) > 1 else ()
    chosen = requirements[0] if requirements else ()
    credentials = tuple(s for s in schemes if str(s.name) in (chosen if alternatives else auth))
    accept = _accept(op)
    fixed: list[tuple[SpecText, SpecText]] = []
    declared = {str(p.wire_name) for p in visible if p.location == "query"}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if name in declared or name in {str(n) for n, _ in fixed}:
            schemas.warn(f"the path {path_key!r} carries query parameter {name!r}, which the operation declares "
                         "too (or twice): the declared one is sent", pointer)
            continue
        fixed.append((SpecText(name), SpecText(value)))
    return Operation(
        operation_id=SpecText(operation_id),
        python_name=python_name,
        constant="_" + constant(python_name),
        http_method=method.upper(),
        path=SpecText(_wire_path(path, {p.wire_name for p in params if p.location == "path"})),
        summary=text(op.get("summary")),
        description=text(op.get("description")),
        deprecated=bool(op.get("deprecated")),
        parameters=tuple(visible),
        hidden_parameters=hidden,
        content_type=SpecText(content_type) if content_type else None,
        responses=responses,
        return_type=return_type,
        auth=tuple(auth),
        signed=signed,
        accept=accept,
        api_key_header=next((s.wire_name for s in schemes if s.name in auth and s.location == "header"), None),
        fixed_query=tuple(fixed),
        alternatives=alternatives,
        credentials=credentials,
    )


def _method_name(schemas: Schemas, wanted: str) -> str:
    """A method name (in the current API class) whose `*_with_http_info` twin is free too (an
    operation `getThingWithHttpInfo` next to `getThing` would otherwise replace the twin)."""
    names = schemas.method_names
    name = names.claim(wanted)
    while not names.is_free(f"{name}_with_http_info"):
        name = names.claim(wanted)
    names.claim(f"{name}_with_http_info")
    return name


def _wire_path(path: str, path_params: set[str]) -> str:
    """The path as it goes on the wire: placeholders of declared path parameters kept, every other
    character a URL path cannot hold percent-encoded (as urllib3 would, so it has nothing left to
    change), `%XX` escapes kept, and `.` or `..` segments encoded (urllib3 would drop them)."""
    out = []
    position = 0
    for match in _PLACEHOLDER.finditer(path):
        if match[1] in path_params:
            out += [_encode_literal(path[position:match.start()]), match[0]]
            position = match.end()
    out.append(_encode_literal(path[position:]))
    return "".join(out)


def _encode_literal(text: str) -> str:
    pieces = []
    position = 0
    for match in _PERCENT_ESCAPE.finditer(text):
        pieces += [urllib.parse.quote(text[position:match.start()], safe=_PATH_SAFE), match[0].upper()]
        position = match.end()
    pieces.append(urllib.parse.quote(text[position:], safe=_PATH_SAFE))
    segments = "".join(pieces).split("/")
    return "/".join(segment.replace(".", "%2E") if segment in (".", "..") else segment for segment in segments)


def _renamed(param: Parameter, python_name: str) -> Parameter:
    if python_name == param.python_name:
        return param
    return dataclasses.replace(param, python_name=python_name)


def _is_signed(schemas: Schemas, profile: Profile, op: dict[str, Any], params: list[Parameter],
               pointer: str) -> bool:
    """Whether the profile signs the operation: its extension says so, else one of its parameters,
    or a property of its JSON body (Binance USD-M's countdownCancelAll declares `timestamp` there)."""
    explicit = op.get(profile.signed_extension) if profile.signed_extension else None
    if isinstance(explicit, bool):
        return explicit
    if any(p.wire_name in profile.signed_when and p.location in ("query", "form") for p in params):
        return True
    if not profile.signed_when or not any(p.location == "json" for p in params):
        return False
    body, body_pointer = schemas.resolve(op.get("requestBody"), f"{pointer}/requestBody")
    for media, entry in _mapping(_get(body, "content")).items():
        if _is_json(media):
            schema, _ = schemas.resolve(_get(entry, "schema"), f"{body_pointer}/content")
            if any(name in profile.signed_when for name in _mapping(_get(schema, "properties"))):
                return True
    return False


def _parameters(schemas: Schemas, op: dict[str, Any], shared: list[Any], pointer: str,
                prefix: str, placeholders: set[str], profile: Profile) -> list[Parameter]:
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for where, items in (("../parameters", shared), ("parameters", op.get("parameters") or [])):
        base = pointer.rsplit("/", 1)[0] if where.startswith("..") else pointer
        for index, raw in enumerate(items if isinstance(items, list) else []):
            param, param_pointer = schemas.resolve(raw, f"{base}/parameters/{index}")
            if isinstance(param, dict) and "name" in param and "in" in param:
                merged[(str(param["name"]), str(param["in"]))] = (param, param_pointer)
    result = []
    for (name, location), (param, param_pointer) in merged.items():
        left_out = _left_out(name, location, placeholders)
        if left_out is not None:
            schemas.warn(f"parameter {name!r} in {location!r} {left_out}: it is left out", param_pointer)
            continue
        schema, schema_pointer = param.get("schema", {}), f"{param_pointer}/schema"
        content = _mapping(param.get("content"))
        if "schema" not in param and content:  # a value in a media type (JSON text): its schema types it
            media = next(iter(content))
            schema = _mapping(content[media]).get("schema", {})
            schema_pointer = child_pointer(param_pointer, "content", media, "schema")
        type_ref = schemas.type_of(schema, schema_pointer, prefix + class_name(name))
        parameter = _parameter(schemas, name, location, bool(param.get("required") or location == "path"),
                               type_ref, param, schema, param_pointer, profile.usual_sample(name),
                               schema_pointer)
        if content and "schema" not in param:
            result.append(parameter)
            continue
        style, explode = _style(schemas, param, location, type_ref, param_pointer, profile.json_arrays)
        if param.get("allowReserved") is True:
            schemas.warn("allowReserved is not honoured: reserved characters in the value are "
                         "percent-encoded", f"{param_pointer}/allowReserved")
        result.append(parameter if style == "json" else
                      dataclasses.replace(parameter, style=style, explode=explode))
    return result


def _style(schemas: Schemas, declared: dict[str, Any], location: str, type_ref: TypeRef,
           pointer: str, json_values: bool) -> tuple[str, bool]:
    """How a parameter's value goes out: OpenAPI's (style, explode), or ("json", False) for a plain
    value, or a list or object sent as JSON text.

    A declared `style`/`explode` is honoured where OpenAPI allows the style; else a list or object
    gets OpenAPI's default for its location (query, cookie and form fields: `form`, exploded; header
    and path: `simple`). A plain value needs a style only in a path (`label`, `matrix`). With
    `json_values` (Binance declares no style and expects `symbols=["BTCUSDT","BNBBTC"]`), a list or
    object that declares neither goes as JSON text."""
    hint = type_ref.hint.removesuffix(" | None")
    structured = hint.startswith(("list[", "dict[")) or hint in type_ref.models
    wanted = declared.get("style")
    if not structured and wanted not in ("label", "matrix"):
        return "json", False
    if json_values and wanted is None and "explode" not in declared:
        return "json", False
    style = str(wanted) if wanted is not None else styles.DEFAULT_STYLES[location]
    explode = declared.get("explode", style == "form")
    allowed = styles.STYLES_IN[location]
    if style not in allowed:
        schemas.warn(f"style {style!r} does not go in the {location} (OpenAPI allows "
                     f"{', '.join(allowed)} there): the value is sent as JSON text", pointer)
        return "json", False
    if explode is True and style in ("spaceDelimited", "pipeDelimited"):
        return "form", True  # OpenAPI: exploded, these are the form style's repeated pairs
    return style, explode is True


def _left_out(name: str, location: str, placeholders: set[str]) -> str | None:
    """Why a parameter cannot be part of a call, if it cannot (only with --lenient: validation, or
    OpenAPI itself, says so)."""
    if location not in PARAMETER_LOCATIONS:
        return f"is not in one of {', '.join(PARAMETER_LOCATIONS)}"
    if location == "header" and name.lower() in _IGNORED_HEADERS:
        return "is set by the client (OpenAPI ignores it)"
    if location == "header" and not _HTTP_TOKEN.fullmatch(name):
        return "is not an HTTP header name"
    if location == "path" and name not in placeholders:
        return "does not appear in the path"
    return None


_HTTP_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _parameter(schemas: Schemas, name: str, location: str, required: bool, type_ref: TypeRef,
               declared: dict[str, Any], schema: Any, pointer: str, usual: Any = None,
               schema_pointer: str | None = None) -> Parameter:
    schema_pointer = schema_pointer or f"{pointer}/schema"
    resolved, _ = schemas.resolve(schema, schema_pointer)
    # The sample call of the docs and tests: the declared example if it fits, else the schema's, else
    # the profile's usual value for the name (`usual`), else one made up; it must also go on the wire
    # unchanged where the parameter goes.
    value = declared.get("example")
    named = declared.get("examples")  # a map of Example Objects: the first one's value
    if value is None and isinstance(named, dict) and named:
        value = _get(named[next(iter(named))], "value")
    if schemas.conforms(value, schema, schema_pointer) and _sendable(value, location):
        value = examples.plain(value)  # the spec's; example_for's is plain already
    elif usual is not None and not any(key in _mapping(resolved) for key in _SAMPLE_KEYS) \
            and (schemas.conforms(usual, schema, schema_pointer)
                 or schemas.conforms(usual := examples.wire_text(usual), schema, schema_pointer)):
        value = usual  # the usual value, or its text where the schema asks for a string ("5000")
    else:
        value = schemas.example_for(schema, schema_pointer)
    if not _sendable(value, location):
        value = _PLAIN_SAMPLES.get(type_ref.hint.removesuffix(" | None"), value)
    default = resolved.get("default") if isinstance(resolved, dict) else None
    return Parameter(
        wire_name=SpecText(name),
        python_name=parameter_name(name),
        location=location,
        required=required,
        type=type_ref,
        description=text(declared.get("description") or _get(resolved, "description")),
        example=Example(value, examples.wire_text(value) if value is not None else None),
        default=SpecText(examples.wire_text(default)) if default not in (None, "") else None,
        deprecated=bool(declared.get("deprecated")),
    )


# Where a schema gives a sample of its own (a profile's usual value does not replace it).
_SAMPLE_KEYS = ("example", "examples", "default", "enum", "const")

# Samples that go anywhere unchanged, for a parameter whose own examples cannot (a header value with a
# line break, a path segment "..").
_PLAIN_SAMPLES: dict[str, Any] = {
    "str": "example", "int": 1, "float": 0.5, "bool": True, "Any": "example", "list[str]": ["example"],
    "list[int]": [1], "list[float]": [0.5], "list[bool]": [True],
}


def _sendable(value: Any, location: str) -> bool:
    if value is None:
        return False
    if location == "header":
        return _HEADER_VALUE.fullmatch(examples.wire_text(value)) is not None
    if location == "path":
        return examples.wire_text(value) not in ("", ".", "..")
    return True


def _body_media(schemas: Schemas, content: dict[str, Any], pointer: str, prefer_form: bool) -> str | None:
    """The media type a body goes out as, of those it is offered in: the first that can be encoded
    in the profile's order (JSON, then forms; or forms first). A form can be encoded only field by
    field, so only one whose schema has top-level properties; a body is never sent as JSON under a
    form's Content-Type. None when the only offers are forms that cannot be encoded."""

    def encodable_form(media: str) -> bool:
        schema = _mapping(content.get(media)).get("schema", {})
        resolved, _ = schemas.resolve(schema, f"{child_pointer(pointer, 'content', media)}/schema")
        props = resolved.get("properties") if isinstance(resolved, dict) else None
        return isinstance(props, dict) and bool(props)

    forms = [m for m in _FORM_TYPES if m in content and encodable_form(m)]
    json = [m for m in ("application/json", *sorted(content)) if m in content and _is_json(m)][:1]
    for media in (*forms, *json) if prefer_form else (*json, *forms):
        return media
    others = [m for m in sorted(content) if m not in _FORM_TYPES]
    return others[0] if others else None


def _body(schemas: Schemas, op: dict[str, Any], pointer: str, prefix: str,
          profile: Profile) -> tuple[list[Parameter], str | None]:
    """Request body -> parameters: a form's fields one by one, a JSON body as one `body` parameter."""
    body, body_pointer = schemas.resolve(op.get("requestBody"), f"{pointer}/requestBody")
    # A media type that cannot be a Content-Type header is left out (only with --lenient: validation
    # reports it).
    content = {m: v for m, v in _mapping(_get(body, "content")).items() if _HEADER_VALUE.fullmatch(m)}
    if not isinstance(body, dict) or not content:
        return [], None
    media = _body_media(schemas, content, body_pointer, profile.prefer_form)
    if media is None:
        schemas.warn("the request body is offered only as a form whose schema has no top-level properties, "
                     "which cannot be sent field by field: the method takes no body", f"{body_pointer}/content")
        return [], None
    media_pointer = child_pointer(body_pointer, "content", media)
    schema = _mapping(content.get(media)).get("schema", {})
    required = bool(body.get("required"))
    if media in _FORM_TYPES:
        resolved, schema_pointer = schemas.resolve(schema, f"{media_pointer}/schema")
        props = resolved.get("properties") if isinstance(resolved, dict) else None
        if isinstance(props, dict) and props:  # (_body_media picks no other form)
            needed = resolved.get("required")
            needed = {str(n) for n in needed} if isinstance(needed, list) else set()
            encodings = _encodings(schemas, content[media], media_pointer, props,
                                   multipart=media == "multipart/form-data")
            fields = []
            for name, prop in props.items():
                prop_pointer = child_pointer(schema_pointer, "properties", name)
                encoding, encoding_pointer = encodings.get(str(name), ({}, ""))
                if media == "multipart/form-data" and _is_binary(schemas.resolve(prop, prop_pointer)[0]):
                    fields.append(_file_part(str(name), required and name in needed, _mapping(prop),
                                             _part_media(encoding)))
                    continue
                field = _parameter(
                    schemas, str(name), "form", required and name in needed,
                    schemas.type_of(prop, prop_pointer, prefix + class_name(str(name))),
                    _mapping(prop), prop, prop_pointer, profile.usual_sample(str(name)))
                if media == "multipart/form-data":
                    field = dataclasses.replace(field, media=_part_media(encoding))
                else:
                    field = _form_field_style(schemas, field, encoding, encoding_pointer, profile.json_arrays)
                fields.append(field)
            return fields, media
    if not _is_json(media):
        return [_raw_body(schemas, schema, media_pointer, required, body)], media
    type_ref = schemas.type_of(schema, f"{media_pointer}/schema", prefix + "Request")
    name = "body"
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rsplit("/", 1)[-1]
    param = _parameter(schemas, name, "json" if not media.startswith("multipart") else "form",
                       required, type_ref, {"description": body.get("description")}, schema, media_pointer)
    return [Parameter(SpecText("body"), param.python_name, param.location, param.required, param.type,
                      param.description, param.example, None)], media


_BYTES = TypeRef("bytes", "**bytes**")
_TEXT = TypeRef("str", "**str**")


def _encodings(schemas: Schemas, media_object: Any, media_pointer: str, props: dict[str, Any], *,
               multipart: bool) -> dict[str, tuple[dict[str, Any], str]]:
    """A form's `encoding` entries by field name (with their pointers); the parts OpenAPI defines
    that the client does not send are located warnings."""
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for name, entry in _mapping(_mapping(media_object).get("encoding")).items():
        pointer = child_pointer(media_pointer, "encoding", str(name))
        if not isinstance(entry, dict):
            continue
        if name not in props:
            schemas.warn(f"encoding {str(name)!r} names no property of the body: it is ignored", pointer)
            continue
        if entry.get("headers"):
            schemas.warn("the headers of a form part are not sent", f"{pointer}/headers")
        if multipart and any(key in entry for key in ("style", "explode", "allowReserved")):
            schemas.warn("style, explode and allowReserved apply to urlencoded forms: a multipart "
                         "part goes as its contentType says", pointer)
        if not multipart and "contentType" in entry:
            schemas.warn("contentType is not sent in a urlencoded form (its fields have none): "
                         "the field goes in its style", f"{pointer}/contentType")
        if not multipart and entry.get("allowReserved") is True:
            schemas.warn("allowReserved is not honoured: reserved characters in the value are "
                         "percent-encoded", f"{pointer}/allowReserved")
        found[str(name)] = (entry, pointer)
    return found


def _part_media(encoding: dict[str, Any]) -> SpecText | None:
    """A multipart part's Content-Type from its encoding (the first, of a list of several)."""
    media = encoding.get("contentType")
    if not isinstance(media, str):
        return None
    first = media.split(",")[0].strip()
    return SpecText(first) if _HEADER_VALUE.fullmatch(first) and "/" in first and "*" not in first else None


def _form_field_style(schemas: Schemas, field: Parameter, encoding: dict[str, Any], pointer: str,
                      json_values: bool) -> Parameter:
    """A urlencoded field in the style its encoding declares. Without one, a list goes as OpenAPI's
    default (`form`, exploded: `a=1&a=2`) and an object as JSON text, as OpenAPI's own example of a
    urlencoded body stringifies it; under a profile of JSON values (Binance) both go as JSON text."""
    if "style" in encoding or "explode" in encoding:
        style, explode = _style(schemas, encoding, "form", field.type, pointer, False)
    elif field.type.hint.removesuffix(" | None").startswith("list[") and not json_values:
        style, explode = "form", True
    else:
        return field
    return field if style == "json" else dataclasses.replace(field, style=style, explode=explode)


def _raw_body(schemas: Schemas, schema: Any, pointer: str, required: bool,
              body: dict[str, Any]) -> Parameter:
    """A body of a media type that is neither JSON nor a form (text/plain, application/octet-stream,
    an image): sent as given, text for a string schema that is not binary, else bytes."""
    resolved, _ = schemas.resolve(schema, f"{pointer}/schema")
    is_text = isinstance(resolved, dict) and resolved.get("type") == "string" and not _is_binary(resolved)
    return Parameter(
        wire_name=SpecText("body"),
        python_name="body",
        location="raw",
        required=required,
        type=_TEXT if is_text else _BYTES,
        description=text(body.get("description")),
        example=Example("example" if is_text else Code('b"example"'), "example"),
        default=None,
    )


def _is_binary(schema: Any) -> bool:
    """A file: `format: binary` (3.0), or a 3.1 string with a `contentMediaType`."""
    return isinstance(schema, dict) and (
        schema.get("format") == "binary" or ("contentMediaType" in schema and "contentEncoding" not in schema))


def _file_part(name: str, required: bool, declared: dict[str, Any], media: SpecText | None) -> Parameter:
    """A multipart field that carries bytes (sent as a file part named after the field)."""
    return Parameter(
        wire_name=SpecText(name),
        python_name=parameter_name(name),
        location="form",
        required=required,
        type=_BYTES,
        description=text(declared.get("description")),
        example=Example(Code('b"example"'), "example"),
        default=None,
        deprecated=bool(declared.get("deprecated")),
        media=media,
    )


def _mapping(value: Any) -> dict[str, Any]:
    """The value if it is a mapping, else an empty one: with --lenient anything may be anywhere."""
    return value if isinstance(value, dict) else {}


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _is_json(media: str) -> bool:
    return bool(re.match(r"^application/([\w.+-]*\+)?json\b", media))


def _status_order(status: str) -> tuple[int, int, str]:
    if status == "default":
        return (9, 9, status)
    first = int(status[0]) if status[:1].isdigit() else 8
    return (first, 0 if status.isdigit() else 1, status)


def _responses(schemas: Schemas, op: dict[str, Any], pointer: str, prefix: str) -> tuple[Response, ...]:
    raw = _mapping(op.get("responses"))
    result = []
    for status in sorted((str(s) for s in raw), key=_status_order):
        response, response_pointer = schemas.resolve(raw[status], child_pointer(pointer, "responses", status))
        if not isinstance(response, dict):
            continue
        content: dict[str, Any] = response["content"] if isinstance(response.get("content"), dict) else {}
        media = next((m for m in content if _is_json(m)), None)
        type_ref: TypeRef | None = None
        example: Any = None
        if media is not None:
            media_obj = content[media] if isinstance(content[media], dict) else {}
            media_pointer = child_pointer(response_pointer, "content", media)
            # `default` without a 2xx response describes the successful answer: named as one.
            as_success = status.startswith("2") or (status == "default" and not any(
                str(s).startswith("2") for s in raw))
            suffix = "Response" if as_success else f"Response{status}"
            schema = media_obj.get("schema", {})
            type_ref = schemas.type_of(schema, f"{media_pointer}/schema", prefix + suffix)
            example = media_obj.get("example")
            named = media_obj.get("examples")
            if example is None and isinstance(named, dict) and named:
                example = _get(named[next(iter(named))], "value")
            # The generated tests answer with it and expect it back, parsed: it must fit the schema.
            # (No example is not a null one: a nullable schema would take None and leave no sample.)
            if example is not None and schemas.conforms(example, schema, f"{media_pointer}/schema"):
                example = examples.plain(example)  # the spec's; example_for's is plain already
            else:
                example = schemas.example_for(schema, f"{media_pointer}/schema")
        elif content:
            # Another media type (text/plain, a file): text or bytes, as the first one offered says.
            first = next(iter(content))
            schema = _mapping(content[first]).get("schema", {})
            resolved, _ = schemas.resolve(schema, child_pointer(response_pointer, "content", first, "schema"))
            is_text = str(first).startswith("text/") or (
                isinstance(resolved, dict) and resolved.get("type") == "string" and not _is_binary(resolved))
            type_ref = _TEXT if is_text else _BYTES
            example = "example"
            media = first
        result.append(Response(
            status=SpecText(status),
            description=SpecText(str(response.get("description") or "")),
            type=type_ref,
            example=example,
            media=None if media is None or _is_json(media) else SpecText(media),
        ))
    return tuple(result)


def _accept(op: dict[str, Any]) -> str | None:
    media = sorted({str(m) for r in _mapping(op.get("responses")).values() if isinstance(r, dict)
                    for m in _mapping(r.get("content"))})
    if not media:
        return None
    return "application/json" if any(_is_json(m) for m in media) else media[0]
