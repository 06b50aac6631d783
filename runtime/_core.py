"""Sans-I/O core: (operation, arguments) -> PreparedRequest; (status, headers, body) -> answer."""

# No network here, so every rule about what goes on the wire (encoding, API key, what the API's
# profile adds, such as a signature) and how answers are read (type hints, error classes)
# can be tested without a server.

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._serialize import (
    check_header_value,
    encode_pair,
    json_body,
    multipart_body,
    quote_component,
    styled_pairs,
    styled_text,
    to_wire,
)
from .api_response import ApiResponse
from .configuration import Configuration
from .exceptions import (
    ApiException,
    ApiTypeError,
    ApiValueError,
    ResponseValidationError,
)
from .operation import FORM_URLENCODED, JSON, MULTIPART, Operation, Param
from .profile import Draft

if TYPE_CHECKING:
    from ._types import ResponseType

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_ERROR_PREVIEW = 1000


@dataclass(slots=True)
class PreparedRequest:
    """A request ready for the transport: the body is exactly what was signed, byte for byte."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


class _Plan:
    """What an Operation implies, worked out once on its first call rather than on every call."""

    __slots__ = ("alternatives", "by_status", "hidden", "multipart", "profile", "security")

    def __init__(self, op: Operation[Any]) -> None:
        names = {p.name for p in op.params if p.location == "path"}
        placeholders = set(_PLACEHOLDER.findall(op.path))
        if names != placeholders:
            raise ApiTypeError(
                f"{op.operation_id}: path {op.path!r} and its path parameters "
                f"{sorted(names)} do not match"
            )
        locations = [p.location for p in op.params]
        if locations.count("json") > 1 or ("json" in locations and "form" in locations):
            raise ApiTypeError(
                f"{op.operation_id}: a request has one body: one json parameter, "
                "or form parameters"
            )
        if (
            "form" in locations
            and op.content_type
            and not op.content_type.startswith((FORM_URLENCODED, MULTIPART))
        ):
            raise ApiTypeError(
                f"{op.operation_id}: form fields as {op.content_type!r} are not "
                f"supported, only {FORM_URLENCODED!r} and {MULTIPART!r}"
            )
        self.multipart = (op.content_type or "").startswith(MULTIPART)
        security = op.api.security
        # (scheme, where, wire name) of every scheme the call may send; and the alternatives (an
        # OpenAPI `security` list of several requirements): the first fully configured is sent.
        self.security = tuple((name, *security[name]) for name in op.auth if name in security)
        self.alternatives = tuple(
            tuple((name, *security[name]) for name in names if name in security)
            for names in op.alternatives
        )
        profile = op.api.profile
        self.hidden = profile.hidden(op)
        self.profile = profile.plan(op)
        self.by_status: dict[int, ResponseType | None] = {}


def _plan(op: Operation[Any]) -> _Plan:
    plan: _Plan | None = op._plan
    if plan is None:
        plan = _Plan(op)
        # Operation is frozen for its public fields; the plan is a private cache.
        object.__setattr__(op, "_plan", plan)
    return plan


def build_request(
    config: Configuration,
    op: Operation[Any],
    params: Mapping[str, Any],
    *,
    timestamp_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    bearers: Mapping[str, str] | None = None,
) -> PreparedRequest:
    """The request for one call. `params` maps wire names (or a Param's `key`) to values; None
    values are not sent.

    The API key goes where the operation's security schemes say, when the auth has one (`bearers`:
    scheme -> the Authorization value of an access token the client fetched for it); then the
    API's profile adds what its vendor requires (a timestamp, from `timestamp_ms` if given,
    a signature). Raises ApiValueError before any
    traffic when a required parameter is missing, the profile refuses the call as configured, or
    there is no host (neither the configuration's nor the API's).
    """
    plan = op._plan or _plan(op)
    api = op.api
    profile = api.profile
    auth = config.auth
    profile.check(config, op, bool(plan.security))
    host = config.host or api.host
    if not host:
        raise ApiValueError(f"{op.operation_id}: no host: pass Configuration(host=...)")
    path = op.path
    query: list[str] = []
    form: list[str] = []
    parts: list[tuple[str, object, str | None]] = []  # multipart fields
    cookies: list[str] = []
    body: bytes | None = None
    out_headers = {"Accept": JSON, "User-Agent": config.user_agent or api.user_agent}
    if config.default_headers:
        _merge_headers(out_headers, config.default_headers)

    skip = plan.hidden
    for param in op.params:
        name = param.name
        value = params.get(param.key or name)
        if skip and name in skip:
            continue
        if value is None:
            if param.required:
                raise ApiValueError(
                    f"{op.operation_id}: the required parameter {name!r} is missing"
                )
            continue
        location = param.location
        style = param.style
        if location == "query":
            if style == "json":
                query.append(encode_pair(name, to_wire(value)))
            else:
                query.extend(styled_pairs(name, value, style, param.explode))
        elif location == "form":
            if plan.multipart:
                parts.append((name, value, param.media))
            elif style == "json":
                form.append(encode_pair(name, to_wire(value)))
            else:
                form.extend(styled_pairs(name, value, style, param.explode))
        elif location == "path":
            path = path.replace("{" + name + "}", _path_segment(op, param, value))
        elif location == "header":
            if style != "json":
                value = styled_text(name, value, style, param.explode, path=False)
            out_headers[name] = check_header_value(name, to_wire(value))
        elif location == "cookie":
            if style == "json":
                cookies.append(encode_pair(name, to_wire(value)))
            else:
                cookies.extend(styled_pairs(name, value, style, param.explode))
        elif location == "raw":  # a body of another media type: bytes as they are, text as UTF-8
            body = _raw_body(op, name, value)
        else:  # json: the whole body
            body = json_body(value)

    if auth is not None and plan.security:
        for where, wire_name, value in _credentials(auth, plan, bearers):
            if where in ("header", "bearer", "basic"):
                out_headers[wire_name] = value
            elif where == "query":
                query.append(encode_pair(wire_name, value))
            else:
                cookies.append(encode_pair(wire_name, value))

    draft = Draft(query, form, body, plan.multipart)
    profile.finish(config, op, plan.profile, params, draft, timestamp_ms)
    query_string = "&".join(draft.query)
    form_text = "&".join(draft.form)
    form, body = draft.form, draft.body

    if form:
        body = form_text.encode("ascii")  # percent-encoded: ASCII by construction
        out_headers["Content-Type"] = op.content_type or FORM_URLENCODED
    elif plan.multipart:
        boundary = secrets.token_hex(16)  # random: it must not occur in any part
        body = multipart_body(parts, boundary)
        out_headers["Content-Type"] = f"{MULTIPART}; boundary={boundary}"
    elif body is not None:
        out_headers["Content-Type"] = op.content_type or JSON
    if cookies:
        out_headers["Cookie"] = "; ".join(cookies)
    if headers:
        _merge_headers(out_headers, headers)
    url = host + path + "?" + query_string if query_string else host + path
    return PreparedRequest(op.method, url, out_headers, body)


def _credentials(
    auth: Any, plan: _Plan, bearers: Mapping[str, str] | None
) -> list[tuple[str, str, str]]:
    """(where, wire name, value) of what the call sends: the first alternative whose every scheme
    has its credential configured (or fetched); without alternatives, each scheme that has one."""

    def value(name: str, where: str) -> str | None:
        if bearers and where == "bearer" and name in bearers:
            return bearers[name]
        found: str | None = auth.credential(name, where)
        return found

    for alternative in plan.alternatives:
        found = [(where, wire, value(name, where)) for name, where, wire in alternative]
        if all(item is not None for _, _, item in found):
            return [(where, wire, item) for where, wire, item in found if item is not None]
    if plan.alternatives:
        return []
    found = [(where, wire, value(name, where)) for name, where, wire in plan.security]
    return [(where, wire, item) for where, wire, item in found if item is not None]


def parse_response(
    op: Operation[Any], status: int, reason: str | None, headers: Mapping[str, str], body: bytes
) -> ApiResponse[Any]:
    """A 2xx answer -> ApiResponse with the body parsed by the operation's type hint for `status`.

    Any other status raises the ApiException subclass for it, carrying the parsed error model (from
    the "4XX"/"5XX"/"default" entry) as `data` when the body can be parsed. A 2xx body that does not
    match its type raises ResponseValidationError.
    """
    plan = op._plan or _plan(op)
    try:
        rtype = plan.by_status[status]
    except KeyError:
        rtype = plan.by_status[status] = _response_type_for(op, status)
    if 200 <= status < 300:
        data = None
        if rtype is not None and not rtype.is_none:
            if body and not body.isspace():
                data = _decode_success(op, rtype, status, headers, body)
            elif not rtype.admits_empty and status not in _NO_BODY and op.method != "HEAD":
                # An empty answer where a model was promised: never a success with data=None.
                raise ResponseValidationError(
                    f"{op.operation_id}: the {status} response has an empty body, not {rtype.hint}",
                    status=status,
                    headers=headers,
                    body=body,
                )
        return ApiResponse(status, headers, data, body, op.api.rate_limit_headers)
    error_data = None
    if rtype is not None and not rtype.is_none and body:
        try:
            error_data = rtype.decode(body)
        except (ValueError, RecursionError):
            # An HTML error page, a proxy's text, JSON nested thousands deep: the status still
            # tells the story.
            error_data = None
    raise ApiException.from_response(
        status, reason, headers=headers, body=body, data=error_data, errors=op.api.errors
    )


# Statuses whose answers carry no body (RFC 9110): a declared type cannot be expected of them.
_NO_BODY = frozenset({204, 205})


def _response_type_for(op: Operation[Any], status: int) -> ResponseType | None:
    """The declared type for a status: exact code, then its range ("4XX"), then "default"."""
    responses = op.responses
    text = str(status)
    hint = responses.get(text)
    if hint is None:
        hint = responses.get(text[0] + "XX", responses.get(text[0] + "xx"))
    if hint is None:
        hint = responses.get("default")
    if hint is None:
        return None
    # Imported on first use: pydantic is needed only once a typed answer arrives.
    from ._types import response_type

    return response_type(hint)


def _decode_success(
    op: Operation[Any], rtype: ResponseType, status: int, headers: Mapping[str, str], body: bytes
) -> Any:
    if rtype.is_str and "json" not in (headers.get("Content-Type") or "json"):
        return body.decode("utf-8", "replace")  # a text/plain answer to a string-typed response
    try:
        return rtype.decode(body)
    except RecursionError:  # json.loads of a body nested thousands deep
        raise ResponseValidationError(
            f"{op.operation_id}: the {status} response body is nested too deep to be read",
            status=status,
            headers=headers,
            body=body,
        ) from None
    except ValueError as exc:  # pydantic's ValidationError and json's JSONDecodeError both are
        detail = str(exc)
        if len(detail) > _ERROR_PREVIEW:
            detail = detail[:_ERROR_PREVIEW] + "..."
        raise ResponseValidationError(
            f"{op.operation_id}: the {status} response body does not match {rtype.hint}: {detail}",
            status=status,
            headers=headers,
            body=body,
        ) from exc


def _path_segment(op: Operation[Any], param: Param, value: Any) -> str:
    if param.style == "json":
        segment = quote_component(to_wire(value))
    else:
        segment = styled_text(param.name, value, param.style, param.explode, path=True)
    if segment in ("", ".", ".."):
        # These would change which resource the URL names (// or dot segments), not fill it in.
        raise ApiValueError(
            f"{op.operation_id}: path parameter {param.name!r} cannot be {segment!r}"
        )
    return segment


def _raw_body(op: Operation[Any], name: str, value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise ApiTypeError(
        f"{op.operation_id}: the {op.content_type} body {name!r} is bytes or str, "
        f"not {type(value).__name__}"
    )


def _merge_headers(target: dict[str, str], extra: Mapping[str, str]) -> None:
    """Add headers over `target`, replacing names that differ only in case (HTTP ignores case)."""
    for name, value in extra.items():
        check_header_value(name, value)
        lowered = name.lower()
        for existing in [key for key in target if key.lower() == lowered]:
            del target[existing]
        target[name] = value
