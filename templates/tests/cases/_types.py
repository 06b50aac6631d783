"""The types of the test table (one module of cases per API class, and one for the models)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OperationCase:
    api: str  # API class name
    method: str  # method name on it
    args: dict[str, Any]  # every parameter, with its example value
    required_args: list[str]  # the ones a call cannot leave out
    optional_wire_names: list[str]  # must not be sent when left out
    http_method: str
    path: str  # as the server must see it
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    cookies: dict[str, list[str]]
    json_body: Any  # the parsed JSON body the server must receive, or None
    api_key_header: str | None
    credentials: dict[str, str]  # "header:X-Api-Key" (or query:, cookie:) -> the value sent
    signed: bool
    deprecated: bool
    status: int
    response_body: Any  # what the server answers; None: an empty body
    errors: list[list[Any]]  # [status, body, error model or None] of each documented error response
    raw_body: str | None = None  # a body of another media type than JSON or a form, as sent
    response_media: str | None = None  # the success body's media type, when it is not JSON
    response_bytes: bool = False  # that body is read as bytes (else as text)


@dataclass(frozen=True)
class ModelCase:
    model: str
    example: dict[str, Any]
