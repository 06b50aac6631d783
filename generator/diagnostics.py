"""One Diagnostic type for every problem the pipeline reports: YAML, validation, build, render, format."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem a person can act on: where it is, what it is, and (optionally) the JSON pointer."""

    level: Level
    message: str
    file: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.level.value}: {self.message}"
        if self.pointer is not None:
            text += f" (at {self.pointer})"
        return text

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR


def error(message: str, file: str, line: int | None = None, column: int | None = None,
          pointer: str | None = None) -> Diagnostic:
    return Diagnostic(Level.ERROR, message, file, line, column, pointer)


def warning(message: str, file: str, line: int | None = None, column: int | None = None,
            pointer: str | None = None) -> Diagnostic:
    return Diagnostic(Level.WARNING, message, file, line, column, pointer)


class GenerationError(Exception):
    """Raised by a stage that cannot go on; carries every diagnostic collected so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class ValidationFailed(GenerationError):
    """The spec is readable but not valid OpenAPI: `--lenient` would generate anyway."""


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def pointer_from_parts(parts: Iterable[str | int]) -> str:
    """JSON pointer (RFC 6901, URI fragment form) for a path of keys and indexes."""
    escaped = [str(p).replace("~", "~0").replace("/", "~1") for p in parts]
    return "#/" + "/".join(escaped) if escaped else "#"


def child_pointer(pointer: str, *parts: str | int) -> str:
    """pointer_from_parts((*parts_from_pointer(pointer), *parts)), without the round trip."""
    if pointer in ("", "/", "#/"):  # other spellings of the root
        pointer = "#"
    elif not pointer.startswith("#"):
        pointer = "#" + pointer
    return pointer + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def parts_from_pointer(pointer: str) -> tuple[str, ...]:
    """Inverse of pointer_from_parts (indexes come back as strings)."""
    body = pointer[1:] if pointer.startswith("#") else pointer
    if body in ("", "/"):
        return ()
    if not body.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in body[1:].split("/"))
