"""Loaded document + Config -> model.Api: every decision about names, types, order and examples is made here."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import examples
from .config import Config, is_pep440
from .diagnostics import Diagnostic, pointer_from_parts
from .model import (
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
)
from .naming import Namer, class_name, constant, module_name, parameter_name, snake
from .schemas import ANY, Schemas, text

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DEFAULT_TAG = "Default"
SIGNED_EXTENSION = "x-binance-signed"
# Filled in by the runtime on every attempt of a SIGNED call, never by the caller.
SIGNATURE_PARAMETERS = ("timestamp", "signature")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_VOID = TypeRef("None", "void (empty response body)")


def build(document: dict[str, Any], config: Config, source: str,
          locate: Callable[[str], tuple[str, int | None, int | None]]) -> tuple[Api, list[Diagnostic]]:
    """Build the model; returns it with the warnings met on the way (errors stop earlier, in validate)."""
    schemas = Schemas(document, locate)
    schemas.register_components()
    info = document.get("info", {}) if isinstance(document.get("info"), dict) else {}
    security = _security_schemes(document)
    apis = _api_classes(document, schemas, {s.name for s in security})
    models = schemas.build_models()
    listen_key_ops = _listen_key_ops(apis, models)
    api = Api(
        title=SpecText(str(info.get("title") or "API")),
        description=text(info.get("description")),
        api_version=SpecText(str(info.get("version", ""))),
        host=SpecText(_default_host(document)),
        package=_package(config, info),
        apis=apis,
        models=models,
        security_schemes=security,
        source=source,
        listen_key_ops=listen_key_ops,
    )
    return api, schemas.diagnostics


def _listen_key_ops(apis: tuple[ApiClass, ...], models: tuple[Model, ...]) -> ListenKeyOps | None:
    """Binance's listen-key trio (POST/PUT/DELETE .../userDataStream) in one API class, if present."""
    fields = {m.class_name: {str(f.wire_name): f.python_name for f in m.fields} for m in models}
    for api_class in apis:
        by_path: dict[str, dict[str, Operation]] = {}
        for op in api_class.operations:
            if op.path.endswith("/userDataStream"):
                by_path.setdefault(str(op.path), {})[op.http_method] = op
        for path in sorted(by_path, key=lambda p: (p != "/api/v3/userDataStream", p)):
            ops = by_path[path]
            if not {"POST", "PUT", "DELETE"} <= set(ops):
                continue
            key_field = fields.get(ops["POST"].return_type.hint, {}).get("listenKey")
            params = [next((p.python_name for p in ops[m].parameters if p.wire_name == "listenKey"), None)
                      for m in ("PUT", "DELETE")]
            if key_field and params[0] and params[0] == params[1]:
                return ListenKeyOps(api_class.class_name, api_class.module, ops["POST"].python_name,
                                    ops["PUT"].python_name, ops["DELETE"].python_name, key_field, params[0])
    return None


def package_name_from_title(title: str) -> str:
    """`Binance Spot API` -> `binance_spot_api`: used when neither --package-name nor a config says."""
    return snake(title or "client", digit_prefix="client_").rstrip("_") or "client"


def _package(config: Config, info: dict[str, Any]) -> Package:
    name = config.package_name or package_name_from_title(str(info.get("title") or ""))
    spec_version = str(info.get("version") or "")
    version = config.version or (spec_version if is_pep440(spec_version) else "0.1.0")
    return Package(
        name=name,
        distribution=config.distribution_name or name.replace(".", "-").replace("_", "-"),
        version=version,
        description=SpecText(config.description or str(info.get("title") or name) + " client"),
        license=text(config.license or (info.get("license") or {}).get("name")),
        author=text(config.author),
        python_requires=config.python_requires,
    )


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


def _security_schemes(document: dict[str, Any]) -> tuple[SecurityScheme, ...]:
    found = (document.get("components") or {}).get("securitySchemes") or {}
    result = []
    for name in sorted(found):
        scheme = found[name]
        if isinstance(scheme, dict) and scheme.get("type") == "apiKey":
            result.append(SecurityScheme(
                name=SpecText(name),
                kind="apiKey",
                location=str(scheme.get("in", "header")),
                wire_name=SpecText(str(scheme.get("name", ""))),
                description=text(scheme.get("description")),
            ))
    return tuple(result)


def _api_classes(document: dict[str, Any], schemas: Schemas, known_schemes: set[str]) -> tuple[ApiClass, ...]:
    """Group operations by their first tag into API classes; untagged ones go to DefaultApi."""
    tag_docs = {t.get("name"): t for t in document.get("tags") or [] if isinstance(t, dict)}
    grouped: dict[str, list[tuple[str, str, dict[str, Any], list[Any]]]] = {}
    paths = document.get("paths") or {}
    for path in paths:
        item, _item_pointer = schemas.resolve(paths[path], pointer_from_parts(("paths", path)))
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                tags = operation.get("tags") or [DEFAULT_TAG]
                tag = str(tags[0]) if isinstance(tags, list) and tags else DEFAULT_TAG
                grouped.setdefault(tag, []).append((path, method, operation, item.get("parameters") or []))
    class_names = schemas.class_names
    root_security = document.get("security")
    result = []
    for tag in sorted(grouped, key=lambda t: class_name(t, "Api")):
        api_class = class_names.claim(class_name(tag, "Api"))
        method_names = Namer(separator="_")
        operations = []
        for path, method, op, shared in grouped[tag]:
            pointer = pointer_from_parts(("paths", path, method))
            operations.append(_operation(schemas, path, method, op, shared, pointer, method_names,
                                         root_security, known_schemes))
        operations.sort(key=lambda o: o.python_name)
        used = sorted({m for op in operations for m in _models_of(op)})
        tag_doc = tag_docs.get(tag) or {}
        result.append(ApiClass(
            tag=SpecText(tag),
            class_name=api_class,
            async_class_name=class_names.claim("Async" + api_class),
            module=module_name(api_class),
            description=text(tag_doc.get("description")),
            operations=tuple(operations),
            models=tuple(used),
        ))
    return tuple(result)


def _models_of(op: Operation) -> set[str]:
    names = set(op.return_type.models)
    for param in op.parameters:
        names.update(param.type.models)
    return names


def _operation(schemas: Schemas, path: str, method: str, op: dict[str, Any], shared: list[Any],
               pointer: str, method_names: Namer, root_security: Any, known_schemes: set[str]) -> Operation:
    operation_id = str(op.get("operationId") or f"{method} {path}")
    python_name = method_names.claim(snake(operation_id, digit_prefix="call_"))
    prefix = class_name(operation_id)
    params = _parameters(schemas, op, shared, pointer, prefix)
    body_params, content_type = _body(schemas, op, pointer, prefix)
    params.extend(body_params)
    signed = _is_signed(op, params)
    hidden = tuple(SpecText(p.wire_name) for p in params if signed and p.wire_name in SIGNATURE_PARAMETERS)
    visible = [p for p in params if not (signed and p.wire_name in SIGNATURE_PARAMETERS)]
    names = Namer(separator="_")
    visible = [_renamed(p, names.claim(p.python_name))
               for p in sorted(visible, key=lambda p: not p.required)]
    responses = _responses(schemas, op, pointer, prefix)
    success = next((r for r in responses if r.is_success), None)
    return_type = success.type if success and success.type else _VOID
    security = op.get("security", root_security) or []
    auth = sorted({str(name) for req in security if isinstance(req, dict) for name in req
                   if name in known_schemes})
    accept = _accept(op)
    return Operation(
        operation_id=SpecText(operation_id),
        python_name=python_name,
        constant="_" + constant(python_name),
        http_method=method.upper(),
        path=SpecText(path),
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
    )


def _renamed(param: Parameter, python_name: str) -> Parameter:
    if python_name == param.python_name:
        return param
    return Parameter(param.wire_name, python_name, param.location, param.required, param.type,
                     param.description, param.example, param.default, param.deprecated)


def _is_signed(op: dict[str, Any], params: list[Parameter]) -> bool:
    """Binance marks SIGNED endpoints by a `timestamp` parameter; a vendor extension may say so too."""
    explicit = op.get(SIGNED_EXTENSION)
    if isinstance(explicit, bool):
        return explicit
    return any(p.wire_name == "timestamp" and p.location in ("query", "form") for p in params)


def _parameters(schemas: Schemas, op: dict[str, Any], shared: list[Any], pointer: str,
                prefix: str) -> list[Parameter]:
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for where, items in (("../parameters", shared), ("parameters", op.get("parameters") or [])):
        base = pointer.rsplit("/", 1)[0] if where.startswith("..") else pointer
        for index, raw in enumerate(items if isinstance(items, list) else []):
            param, param_pointer = schemas.resolve(raw, f"{base}/parameters/{index}")
            if isinstance(param, dict) and "name" in param and "in" in param:
                merged[(str(param["name"]), str(param["in"]))] = (param, param_pointer)
    result = []
    for (name, location), (param, param_pointer) in merged.items():
        schema = param.get("schema", {})
        type_ref = schemas.type_of(schema, f"{param_pointer}/schema", prefix + class_name(name))
        result.append(_parameter(schemas, name, location, bool(param.get("required") or location == "path"),
                                 type_ref, param, schema, param_pointer))
    return result


def _parameter(schemas: Schemas, name: str, location: str, required: bool, type_ref: TypeRef,
               declared: dict[str, Any], schema: Any, pointer: str) -> Parameter:
    resolved, _ = schemas.resolve(schema, f"{pointer}/schema")
    value = declared.get("example")
    if value is None or (isinstance(resolved, dict) and not _example_fits(value, type_ref)):
        value = schemas.example_for(schema, f"{pointer}/schema")
    default = resolved.get("default") if isinstance(resolved, dict) else None
    return Parameter(
        wire_name=SpecText(name),
        python_name=parameter_name(name),
        location=location,
        required=required,
        type=type_ref,
        description=text(declared.get("description") or (resolved or {}).get("description")),
        example=Example(examples.py_literal(value), examples.wire_text(value) if value is not None else None),
        default=SpecText(examples.wire_text(default)) if default not in (None, "") else None,
        deprecated=bool(declared.get("deprecated")),
    )


def _example_fits(value: Any, type_ref: TypeRef) -> bool:
    checks: dict[str, Callable[[Any], bool]] = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
    }
    check = checks.get(type_ref.hint)
    return check(value) if check else True


def _body(schemas: Schemas, op: dict[str, Any], pointer: str, prefix: str) -> tuple[list[Parameter], str | None]:
    """Request body -> parameters: a form's fields one by one, a JSON body as one `body` parameter."""
    body, body_pointer = schemas.resolve(op.get("requestBody"), f"{pointer}/requestBody")
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict) or not body["content"]:
        return [], None
    content = body["content"]
    media = next((m for m in (*_FORM_TYPES, "application/json") if m in content), None)
    media = media or next((m for m in content if _is_json(m)), None) or sorted(content)[0]
    media_pointer = pointer_from_parts((*_parts(body_pointer), "content", media))
    schema = (content.get(media) or {}).get("schema", {})
    required = bool(body.get("required"))
    if media in _FORM_TYPES:
        resolved, schema_pointer = schemas.resolve(schema, f"{media_pointer}/schema")
        props = resolved.get("properties") if isinstance(resolved, dict) else None
        if isinstance(props, dict) and props:
            needed = set(resolved.get("required") or [])
            return [
                _parameter(schemas, str(name), "form", required and name in needed,
                           schemas.type_of(prop, f"{schema_pointer}/properties/{name}", prefix + class_name(str(name))),
                           prop if isinstance(prop, dict) else {}, prop,
                           f"{schema_pointer}/properties/{name}")
                for name, prop in props.items()
            ], media
    type_ref = schemas.type_of(schema, f"{media_pointer}/schema", prefix + "Request")
    name = "body"
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rsplit("/", 1)[-1]
    param = _parameter(schemas, name, "json" if not media.startswith("multipart") else "form",
                       required, type_ref, {"description": body.get("description")}, schema, media_pointer)
    return [Parameter(SpecText("body"), param.python_name, param.location, param.required, param.type,
                      param.description, param.example, None)], media


def _parts(pointer: str) -> tuple[str, ...]:
    from .diagnostics import parts_from_pointer

    return parts_from_pointer(pointer)


def _is_json(media: str) -> bool:
    return bool(re.match(r"^application/([\w.+-]*\+)?json\b", media))


def _status_order(status: str) -> tuple[int, int, str]:
    if status == "default":
        return (9, 9, status)
    first = int(status[0]) if status[:1].isdigit() else 8
    return (first, 0 if status.isdigit() else 1, status)


def _responses(schemas: Schemas, op: dict[str, Any], pointer: str, prefix: str) -> tuple[Response, ...]:
    raw = op.get("responses") or {}
    result = []
    for status in sorted((str(s) for s in raw), key=_status_order):
        response, response_pointer = schemas.resolve(raw[status], f"{pointer}/responses/{status}")
        if not isinstance(response, dict):
            continue
        content: dict[str, Any] = response["content"] if isinstance(response.get("content"), dict) else {}
        media = next((m for m in content if _is_json(m)), None)
        type_ref: TypeRef | None = None
        example: Any = None
        if media is not None:
            media_obj = content[media] if isinstance(content[media], dict) else {}
            media_pointer = pointer_from_parts((*_parts(response_pointer), "content", media))
            suffix = "Response" if status.startswith("2") else f"Response{status}"
            type_ref = schemas.type_of(media_obj.get("schema", {}), f"{media_pointer}/schema", prefix + suffix)
            example = media_obj.get("example")
            named = media_obj.get("examples")
            if example is None and isinstance(named, dict) and named:
                first = named[next(iter(named))]
                example = first.get("value") if isinstance(first, dict) else None
            if example is None:
                example = schemas.example_for(media_obj.get("schema", {}), f"{media_pointer}/schema")
        elif content:
            type_ref = ANY if status.startswith("2") else None
        result.append(Response(
            status=SpecText(status),
            description=SpecText(str(response.get("description") or "")),
            type=type_ref,
            example=examples.py_literal(example) if example is not None else None,
            example_json=examples.json_text(example) if example is not None else None,
        ))
    return tuple(result)


def _accept(op: dict[str, Any]) -> str | None:
    media = sorted({str(m) for r in (op.get("responses") or {}).values() if isinstance(r, dict)
                    for m in (r.get("content") or {})})
    if not media:
        return None
    return "application/json" if any(_is_json(m) for m in media) else media[0]
