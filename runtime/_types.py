"""Response type hint strings (`list[Order]`, `dict[str, Any]`) -> cached JSON decoders."""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter

from .exceptions import ApiTypeError

Decoder = Callable[[bytes], Any]

# The whole grammar: T := ITEM ("|" ITEM)*, ITEM := NAME | list[T] | dict[str, T], NAME a model
# class, a union alias of the models package (a discriminated oneOf), or one of these.
_SCALARS: dict[str, Any] = {
    "str": str,
    "bytes": bytes,
    "int": int,
    "float": float,
    "bool": bool,
    "Any": Any,
    "object": Any,
    "None": None,
}
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\S")


class ResponseType:
    """One response type hint, parsed: `decode` turns a body into the hinted Python value (JSON;
    `bytes`, a body of another media type, as it came).

    `is_none`: the hint is None (the body is never read); `is_str`: the hint is str, so a body
    that is not JSON (text/plain) is returned as text; `admits_empty`: an empty body is a valid
    answer of this type (None: the hint is Any, str, or admits None), else it is a broken answer.
    """

    __slots__ = ("admits_empty", "decode", "hint", "is_none", "is_str")

    def __init__(
        self,
        hint: str,
        decode: Decoder,
        *,
        is_none: bool = False,
        is_str: bool = False,
        admits_empty: bool = True,
    ) -> None:
        self.hint = hint
        self.decode = decode
        self.is_none = is_none
        self.is_str = is_str
        self.admits_empty = admits_empty

    def __repr__(self) -> str:
        return f"ResponseType({self.hint!r})"


_cache: dict[str, ResponseType] = {}
_cache_lock = threading.Lock()


def response_type(hint: str) -> ResponseType:
    """The decoder for a hint, built once per distinct hint string and shared by all operations."""
    cached = _cache.get(hint)
    if cached is not None:
        return cached
    with _cache_lock:  # building a TypeAdapter is the expensive part: do it once
        cached = _cache.get(hint)
        if cached is None:
            cached = _cache[hint] = _build(hint)
        return cached


def parse_hint(hint: str) -> Any:
    """The Python type a hint denotes (`list[Order]` -> list[Order]); ApiTypeError if malformed."""
    tokens = _TOKEN.findall(hint)
    position, result = _parse(hint, tokens, 0)
    if position != len(tokens):
        raise ApiTypeError(f"response type {hint!r}: unexpected {tokens[position]!r}")
    return result


def _parse(hint: str, tokens: list[str], position: int) -> tuple[int, Any]:
    """Recursive descent over the tokens from `position`; returns (next position, type)."""
    position, first = _parse_item(hint, tokens, position)
    members = [first]
    while position < len(tokens) and tokens[position] == "|":
        position, member = _parse_item(hint, tokens, position + 1)
        members.append(member)
    if len(members) == 1:
        return position, first
    # None stands for its type inside a union (`Order | None`), as in an annotation.
    return position, Union[tuple(type(None) if m is None else m for m in members)]  # noqa: UP007


def _parse_item(hint: str, tokens: list[str], position: int) -> tuple[int, Any]:
    name = _take(hint, tokens, position, None)
    position += 1
    if name in ("list", "dict"):
        position = _expect(hint, tokens, position, "[")
        if name == "dict":
            position = _expect(hint, tokens, position, "str")
            position = _expect(hint, tokens, position, ",")
        position, item = _parse(hint, tokens, position)
        position = _expect(hint, tokens, position, "]")
        container = list[item] if name == "list" else dict[str, item]  # type: ignore[valid-type]
        return position, container
    if name in _SCALARS:
        return position, _SCALARS[name]
    if not name.isidentifier():
        raise ApiTypeError(f"response type {hint!r}: unexpected {name!r}")
    return position, _model(hint, name)


def _take(hint: str, tokens: list[str], position: int, what: str | None) -> str:
    if position >= len(tokens):
        raise ApiTypeError(
            f"response type {hint!r}: ends early" + (f", expected {what!r}" if what else "")
        )
    return tokens[position]


def _expect(hint: str, tokens: list[str], position: int, token: str) -> int:
    found = _take(hint, tokens, position, token)
    if found != token:
        raise ApiTypeError(f"response type {hint!r}: expected {token!r}, found {found!r}")
    return position + 1


def _model(hint: str, name: str) -> Any:
    # Through the package's lazy `models` namespace: only the models a response names get imported.
    package = __package__ or ""
    models = importlib.import_module(".models", package)
    found = getattr(models, name, None)
    is_model = isinstance(found, type) and issubclass(found, BaseModel)
    if not (is_model or get_origin(found) is Annotated):
        raise ApiTypeError(f"response type {hint!r}: {name!r} is not a model of {package}.models")
    return found


def _build(hint: str) -> ResponseType:
    parsed = parse_hint(hint)
    if parsed is None:
        return ResponseType(hint, _no_body, is_none=True)
    if parsed is Any:
        # No validation to do: plain JSON parsing is the cheapest way to Python values.
        return ResponseType(hint, json.loads)
    if parsed is bytes:  # a body of another media type (a file, an image): as it came
        return ResponseType(hint, bytes, admits_empty=True)
    if isinstance(parsed, type) and issubclass(parsed, BaseModel):
        return ResponseType(hint, parsed.model_validate_json, admits_empty=False)
    adapter: TypeAdapter[Any] = TypeAdapter(parsed)
    members = get_args(parsed) if get_origin(parsed) is Union else ()
    empty_ok = parsed is str or type(None) in members or Any in members
    return ResponseType(hint, adapter.validate_json, is_str=parsed is str, admits_empty=empty_ok)


def _no_body(body: bytes) -> None:
    return None
