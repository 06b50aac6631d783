"""Loaded document -> list[Diagnostic]: every openapi-spec-validator error, each with file:line:col and pointer.

The validator sees only the bundled document from load.py, whose refs are all local, and it gets no
URL or file handlers at all: even a ref load.py missed could not make it fetch or read anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from jsonschema_path import SchemaPath
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.keywords import ValueValidator
from openapi_spec_validator.validation.validators import SpecValidator

from .diagnostics import Diagnostic, error, pointer_from_parts

Locate = Callable[[str], tuple[str, int | None, int | None]]


class _RefusingHandler:
    """Stands in for every URL scheme: the validator may never leave the document."""

    def __call__(self, uri: str) -> Any:
        raise ValueError(f"refusing to fetch {uri!r}: only refs inside the spec's folder are allowed")


_NO_HANDLERS = {scheme: _RefusingHandler() for scheme in ("<all_urls>", "http", "https", "file")}


def _locating(cls: type[Any]) -> type[Any]:
    """A keyword validator that stamps each error it yields with where in the document it was found."""
    is_value = issubclass(cls, ValueValidator)

    class Locating(cls):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
            where = next((a.parts for a in args if isinstance(a, SchemaPath)), None)
            if where is not None and is_value:
                where = (*where, "default")  # value validators check a schema's `default`
            for err in super().__call__(*args, **kwargs):
                if where is not None and getattr(err, "generator_where", None) is None:
                    err.generator_where = tuple(where)
                yield err

    Locating.__name__ = f"Locating{cls.__name__}"
    return Locating


def _validator_class(base: type[SpecValidator]) -> type[SpecValidator]:
    return type(f"Guarded{base.__name__}", (base,), {
        "resolver_handlers": _NO_HANDLERS,
        "keyword_validators": {k: _locating(v) for k, v in base.keyword_validators.items()},
    })


_V30 = _validator_class(OpenAPIV30SpecValidator)
_V31 = _validator_class(OpenAPIV31SpecValidator)


def validate(document: dict[str, Any], locate: Locate, source: str) -> list[Diagnostic]:
    """Every validation error of the document (not just the first), located."""
    version = str(document.get("openapi", ""))
    if "swagger" in document:
        return [error("Swagger 2.0 documents are not supported; convert to OpenAPI 3.0 or 3.1 "
                      "(for example with swagger2openapi)", *locate("#/swagger"), "#/swagger")]
    if version.startswith("3.0"):
        cls = _V30
    elif version.startswith("3.1"):
        cls = _V31
    else:
        where = "#/openapi" if "openapi" in document else "#"
        return [error(f"unsupported or missing 'openapi' version {version!r}; expected 3.0.x or 3.1.x",
                      *locate(where), where)]
    validator = cls(document)
    diagnostics = []
    seen = set()
    try:
        # The two halves of SpecValidator.iter_errors, called directly so our location stamps survive.
        errors = list(validator.schema_validator.iter_errors(document))
        errors.extend(validator.root_validator(validator.schema_path))
    except Exception as exc:  # third-party code on hostile input: any failure is a finding, not a crash
        return [error(f"the validator could not check this document: {type(exc).__name__}: {exc}", source)]
    for err in errors:
        parts = getattr(err, "generator_where", None)
        if parts is None:
            parts = tuple(err.absolute_path) if hasattr(err, "absolute_path") else ()
        if err.context:  # oneOf/anyOf: the alternative that came closest says what is wrong
            best = best_match(err.context)
            parts = (*parts, *best.relative_path)
            err = best
        pointer = pointer_from_parts(parts)
        message = _message(err)
        key = (pointer, message)
        if key in seen:
            continue
        seen.add(key)
        file, line, column = locate(pointer)
        diagnostics.append(error(message, file, line, column, pointer))
    diagnostics.sort(key=lambda d: (d.file, d.line or 0, d.column or 0, d.message))
    return diagnostics


def _message(err: ValidationError) -> str:
    """The validator's message, kept to a readable length."""
    message = str(err.message)
    if len(message) > 300:
        message = message[:297] + "..."
    return message
