"""Spec names -> Python identifiers: snake_case, PascalCase, keywords, reserved names, collisions.

Every identifier the generator writes comes from here, and everything here yields a valid, ASCII,
non-keyword identifier whatever the input: spec text never reaches code as a name unchecked.
"""

from __future__ import annotations

import functools
import hashlib
import keyword
import re
from collections.abc import Iterable

# Soft keywords are valid names; these get a `_` all the same, and the list is fixed rather than read
# from the running Python (3.12 adds `type`): the same spec must give the same names on every machine.
_SOFT_KEYWORDS = frozenset({"_", "case", "match"})
# Names PEP 8 calls ambiguous (l, I and O read as 1 and 0): linters refuse them (pycodestyle's
# E741-E743), so they get a `_` too (`l` -> `l_`), and a class `Model`.
_AMBIGUOUS = frozenset({"l", "I", "O"})

# Longer names are cut and given a hash of the whole: a module or docs file is named after its class,
# and a file name may not exceed 255 bytes (the writer also stages `.<name>.<pid>.tmp` beside it).
MAX_IDENTIFIER = 120

# Names our generated modules use for their own purposes; a spec name equal to one gets a suffix.
_TYPING_NAMES = frozenset({
    "Any", "Literal", "Optional", "Union", "Mapping", "Sequence", "TYPE_CHECKING", "Field",
    "ConfigDict", "ApiModel", "ApiClient", "ApiResponse", "Operation", "Param", "annotations",
    "str", "int", "float", "bool", "bytes", "list", "dict", "object", "set", "tuple", "None",
    "True", "False", "date", "datetime", "Decimal", "self", "cls",
})
# Attributes of pydantic.BaseModel and of our ApiModel: a field with one of these names would shadow it.
_MODEL_ATTRIBUTES = frozenset({
    "construct", "copy", "dict", "json", "parse_file", "parse_obj", "parse_raw", "schema",
    "schema_json", "update_forward_refs", "validate", "fields", "from_orm", "model_computed_fields",
    "model_config", "model_construct", "model_copy", "model_dump", "model_dump_json", "model_extra",
    "model_fields", "model_fields_set", "model_json_schema", "model_parametrized_name",
    "model_post_init", "model_rebuild", "model_validate", "model_validate_json",
    "model_validate_strings", "from_json", "to_json", "from_dict", "to_dict", "to_str",
})
# The runtime's public names (emit/render.py's table of exports): the package exports these at its
# top level next to the API classes and models, so a model may not take one of these names.
RUNTIME_EXPORTS = frozenset({
    "ApiClient", "ApiResponse", "Configuration", "BinanceAuth", "ApiKeyAuth", "ApiModel", "OpenApiException",
    "ApiException", "ApiValueError", "ApiTypeError", "ApiConnectionError", "ApiTimeoutError",
    "BadRequestException", "UnauthorizedException", "ForbiddenException", "NotFoundException",
    "ConflictException", "IPBannedException", "RateLimitException", "ServiceException",
    "ResponseValidationError", "ExecutionStatusUnknownError", "ResponseTooLargeError", "AsyncApiClient",
    "UserDataStream", "AsyncUserDataStream", "ListenKeyStream", "AsyncListenKeyStream", "BaseModel", "Operation",
    "Param", "API",
    # The WebSocket runtime's (runtime/websocket/), exported by packages with a WebSocket API.
    "WsClient", "AsyncWsClient", "WsApi", "WsOperation", "WsConfiguration", "WsResponse", "RateLimit",
    "UserDataSubscription", "AsyncUserDataSubscription",
    # The market streams runtime's (runtime/streams/), exported by packages with market streams.
    "StreamClient", "AsyncStreamClient", "StreamApi",
})

_ACRONYM_BOUNDARY = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def _ascii(text: str) -> str:
    """Replace each non-ASCII character by a readable, deterministic ASCII word (u00e9 for é)."""
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else f"_u{ord(ch):04x}_" for ch in text)


@functools.lru_cache(maxsize=16384)  # a spec repeats its names (Spot: 7,000 lookups, 2,000 names)
def words(text: str) -> tuple[str, ...]:
    """Split a name into words at case changes, digits-to-capital boundaries and symbols."""
    text = _ascii(text)
    text = _ACRONYM_BOUNDARY.sub(r"\1_\2", text)
    text = _WORD_BOUNDARY.sub(r"\1_\2", text)
    return tuple(w for w in _NOT_WORD.sub("_", text).split("_") if w)


def _finish(name: str, digit_prefix: str, reserved: frozenset[str] = frozenset()) -> str:
    if not name:
        name = "empty"
    if name[0].isdigit():
        name = f"{digit_prefix}{name}"
    if len(name) > MAX_IDENTIFIER:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[:MAX_IDENTIFIER - 9]}_{digest}"
    if keyword.iskeyword(name) or name in _SOFT_KEYWORDS or name in _AMBIGUOUS or name in reserved:
        name += "_"
    return name


@functools.lru_cache(maxsize=16384)
def snake(text: str, digit_prefix: str = "field_") -> str:
    """`listenKey` -> `listen_key`; keywords get a trailing underscore; a leading digit a prefix."""
    return _finish("_".join(w.lower() for w in words(text)), digit_prefix)


@functools.lru_cache(maxsize=16384)
def pascal(text: str, digit_prefix: str = "Model") -> str:
    """`user data stream` -> `UserDataStream`; an identifier already in PascalCase is kept as is."""
    ascii_text = _ascii(text)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", ascii_text) and ascii_text == text:
        name = text[0].upper() + text[1:]
    else:
        name = "".join(w[0].upper() + w[1:] for w in words(text)) or "Empty"
    return _finish(name, digit_prefix)


def constant(text: str) -> str:
    """`spot_create_user_data_stream_v3` -> `SPOT_CREATE_USER_DATA_STREAM_V3`."""
    return _finish("_".join(w.upper() for w in words(text)), "OP_")


def parameter_name(text: str) -> str:
    """A method parameter: snake_case, never a keyword or a name the method body needs."""
    return _finish(snake(text).rstrip("_") or "value", "param_", _TYPING_NAMES)


def field_name(text: str) -> str:
    """A model attribute: snake_case, never shadowing BaseModel or a name the module imports."""
    return _finish(snake(text).rstrip("_") or "value", "field_", _TYPING_NAMES | _MODEL_ATTRIBUTES)


def case_kept_field(wire: str) -> str | None:
    """A field's wire name as its attribute name, for a wire name that differs from another only by
    case (Binance's events: `e` and `E`, `t` and `T`): None where it is not a name we would write."""
    if not (wire.isidentifier() and wire.isascii()) or wire.startswith("_") or keyword.iskeyword(wire):
        return None
    if wire.lower() != "_".join(words(wire)).lower():  # only case differs (`fooBar` beside `foo_bar`: no)
        return None
    if wire in _SOFT_KEYWORDS or wire in _AMBIGUOUS or wire in _TYPING_NAMES or wire in _MODEL_ATTRIBUTES:
        return None
    return wire


def class_name(text: str, suffix: str = "") -> str:
    """A class: PascalCase plus suffix; a runtime export's name (ApiClient ...) gets `Model` appended."""
    name = pascal(text).rstrip("_") + suffix
    if name in RUNTIME_EXPORTS or name in _TYPING_NAMES or name in _AMBIGUOUS or keyword.iskeyword(name):
        name += "Model"
    return name


def import_order(module: str) -> tuple[tuple[int, str], ...]:
    """The key isort (ruff's `I001`) orders `from MODULE import ...` lines by: case-insensitive, with
    runs of digits compared as numbers (`items2` before `items10`, `mcp_protocol` before `mcphttp`)."""
    return tuple((0, part.lower()) if i % 2 == 0 else (int(part), "")
                 for i, part in enumerate(re.split(r"(\d+)", module)) if part)


def module_name(class_or_tag: str) -> str:
    """A module file name (without .py) for a class: `SpotCreateUserDataStreamV3Resp` -> `spot_..._resp`."""
    return snake(class_or_tag, digit_prefix="m_")


class Namer:
    """Hands out unique names in one namespace, deterministically.

    Names are compared case-insensitively, because two modules `Foo.py` and `foo.py` are one file on
    case-insensitive file systems. The first claimant keeps the plain name; later ones get `2`, `3`, ...
    Callers claim in a stable (sorted) order, so the outcome never depends on dict or set order.
    """

    def __init__(self, taken: Iterable[str] = (), separator: str = "") -> None:
        self._taken = {name.casefold() for name in taken}
        self._separator = separator

    def is_free(self, name: str) -> bool:
        return name.casefold() not in self._taken

    def claim(self, name: str) -> str:
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{name}{self._separator}{number}"
        self._taken.add(candidate.casefold())
        return candidate
