"""Operation descriptors: the constant a generated method hands to ApiClient.call per endpoint."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from .exceptions import ApiValueError, ErrorFields
from .profile import PLAIN, Profile

ParamLocation = Literal["path", "query", "header", "cookie", "form", "json", "raw"]
LOCATIONS: frozenset[str] = frozenset({"path", "query", "header", "cookie", "form", "json", "raw"})
# How a list or object value goes out: as JSON text ("json", for APIs that expect it), or in one of
# OpenAPI's styles, with its `explode`; which style fits which location is OpenAPI's rule.
Style = Literal[
    "json", "form", "simple", "spaceDelimited", "pipeDelimited", "deepObject", "label", "matrix"
]
_STYLES_IN: dict[str, frozenset[str]] = {
    "query": frozenset({"json", "form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "cookie": frozenset({"json", "form"}),
    "form": frozenset({"json", "form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "header": frozenset({"json", "simple"}),
    "path": frozenset({"json", "simple", "label", "matrix"}),
    "json": frozenset({"json"}),
    "raw": frozenset({"json"}),
}
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
JSON = "application/json"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ApiInfo:
    """What the operations of one generated package share, handed to the runtime in each of them.

    distribution, version: name the client in its User-Agent. host: the default base URL (a
    Configuration's `host` replaces it). security: scheme name -> (where its credential goes:
    header, query or cookie for an API key, under which name; bearer or basic for the
    Authorization header: ("bearer", "Authorization")). errors: where error bodies carry their code and
    message. rate_limit_headers: lower-case prefixes of the headers that count requests
    (ApiResponse.rate_limits). profile: the vendor's rules (profile.py). token_urls: scheme name ->
    the token URL of its OAuth 2 client credentials flow (absolute, or relative to the host).
    """

    distribution: str = "openapi-client"
    version: str = "0"
    host: str = ""
    security: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    errors: ErrorFields = field(default_factory=ErrorFields)
    rate_limit_headers: tuple[str, ...] = ()
    profile: Profile = PLAIN
    token_urls: Mapping[str, str] = field(default_factory=dict)

    @property
    def user_agent(self) -> str:
        return (
            f"{self.distribution}/{self.version} python/{sys.version_info[0]}.{sys.version_info[1]}"
        )


UNNAMED = ApiInfo()


def install_hint(extra: str, requirement: str, api: ApiInfo | None = None) -> str:
    """How to install what an optional feature needs: the package's extra, which pins it as the
    package was tested, else the requirement itself. `api` names the package when it is known."""
    if api is None or api is UNNAMED:
        return f"install this client with its [{extra}] extra, or pip install '{requirement}'"
    return f"pip install '{api.distribution}[{extra}]' (or pip install '{requirement}')"


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of an operation: its wire name, where it goes, and whether it must be given.

    `form` parameters are the fields of a urlencoded or multipart body (bytes go as a file part);
    the one `json` parameter is the whole JSON body (a model, dict or list); the one `raw`
    parameter is a body of another media type (bytes, or text sent as UTF-8). `style` and
    `explode` are OpenAPI's: how a list or an object goes out in a query, cookie, header, path or
    urlencoded form field ("json": as JSON text); `explode` is stated, not inferred from the style.
    `media`: the Content-Type of a multipart field, when its encoding names one. `key`: the key its
    value is passed under in a call's parameters, if not its name (two parameters of one operation
    share a name).
    """

    name: str
    location: ParamLocation
    required: bool = False
    style: Style = "json"
    key: str | None = None
    explode: bool = False
    media: str | None = None

    def __post_init__(self) -> None:
        if self.location not in LOCATIONS:
            raise ApiValueError(
                f"parameter {self.name!r}: unknown location {self.location!r}, "
                f"expected one of {sorted(LOCATIONS)}"
            )
        if self.style not in _STYLES_IN[self.location]:
            raise ApiValueError(
                f"parameter {self.name!r}: style {self.style!r} does not go in the "
                f"{self.location}, expected one of {sorted(_STYLES_IN[self.location])}"
            )


@dataclass(frozen=True, slots=True)
class Operation(Generic[T]):
    """Everything the runtime needs to send one endpoint's request and read its answer.

    The type parameter is the parsed type of a successful answer: generated code declares
    `_OP: Operation[Order] = Operation(...)`, and `ApiClient.call(_OP, ...)` is an
    ApiResponse[Order].

    responses: status ("200"), range ("4XX") or "default" -> response type hint in the runtime's
    grammar (model names, str, int, float, bool, Any, object, None, list[T], dict[str, T]).
    auth: names of the security schemes (in `api.security`) whose credentials the call sends.
    alternatives: when the API offers several ways in (an OpenAPI `security` list of several
    requirements), each requirement's scheme names: the first whose every credential is
    configured is sent (and nothing, when none is). Empty: each scheme of `auth` that is configured.
    signed: the API's profile signs the request (adds a timestamp and a signature, say).
    api: what the package's operations share (ApiInfo).
    """

    operation_id: str
    method: str
    path: str
    params: tuple[Param, ...] = ()
    content_type: str | None = None
    responses: Mapping[str, str] = field(default_factory=dict)
    auth: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ()
    signed: bool = False
    deprecated: bool = False
    api: ApiInfo = UNNAMED
    # The request plan _core derives on first use (parameter routing, response decoders). Kept
    # here rather than in a global table so it lives and dies with the operation, at no import cost.
    _plan: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.method.isupper():
            object.__setattr__(self, "method", self.method.upper())
        if not self.path.startswith("/"):
            raise ApiValueError(f"{self.operation_id}: path {self.path!r} must start with '/'")


# A context variable, not a warnings filter: warnings.catch_warnings() changes process-wide state
# and is unsafe in threads, while this stays local to one thread or one asyncio task.
QUIET_DEPRECATIONS: ContextVar[bool] = ContextVar("quiet_deprecations", default=False)


@contextmanager
def deprecations_silenced() -> Iterator[None]:
    """Calls in this block (this thread or task only) emit no DeprecationWarning for operations.

    For helpers that call deprecated operations on the user's behalf, such as the listen-key
    keepalive: the helper documents the deprecation once instead of warning on every call.
    """
    token = QUIET_DEPRECATIONS.set(True)
    try:
        yield
    finally:
        QUIET_DEPRECATIONS.reset(token)
