"""One Diagnostic type for every problem a run reports, with its kind: whose fault it is decides the exit code.

Kinds: `spec` (the document: YAML, $refs, validation, build warnings), `template` (a template or a
template folder), `output` (the output folder cannot be read or written), `usage` (the command
line or the settings file). The CLI exits 1 for spec problems, 2 for the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Kind(StrEnum):
    SPEC = "spec"
    TEMPLATE = "template"
    OUTPUT = "output"
    USAGE = "usage"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem a person can act on: where it is, what it is, and (optionally) the JSON pointer."""

    level: Level
    message: str
    file: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    kind: Kind = Kind.SPEC

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

    def as_warning(self) -> Diagnostic:
        return self if self.level is Level.WARNING else replace(self, level=Level.WARNING)


def error(message: str, file: str, line: int | None = None, column: int | None = None,
          pointer: str | None = None, kind: Kind = Kind.SPEC) -> Diagnostic:
    return Diagnostic(Level.ERROR, message, file, line, column, pointer, kind)


def warning(message: str, file: str, line: int | None = None, column: int | None = None,
            pointer: str | None = None, kind: Kind = Kind.SPEC) -> Diagnostic:
    return Diagnostic(Level.WARNING, message, file, line, column, pointer, kind)


class GenerationError(Exception):
    """Raised by a stage that cannot go on; carries every diagnostic collected so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @property
    def is_spec_problem(self) -> bool:
        """Every error is the spec's (exit 1); a template, output or usage error exits 2."""
        return all(d.kind is Kind.SPEC for d in self.diagnostics if d.is_error)


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


def printable(value: str) -> str:
    """Text for one line of a diagnostic on a terminal: each unprintable character (a line break,
    an escape sequence, a bidi override) written as its Python escape, so spec text quoted in a
    message can neither split it into lines nor drive the terminal."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
