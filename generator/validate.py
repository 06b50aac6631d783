"""Loaded document -> list[Diagnostic]: every openapi-spec-validator error, each with file:line:col and pointer.

The validator sees only the bundled document from load.py, whose refs are all local, and it gets no
URL or file handlers at all: even a ref load.py missed could not make it fetch or read anything.

A few checks of our own come first, for what the validator misses or trips over: path templates it
cannot parse, schemas that contain themselves (it recurses until the stack runs out), and header
parameters no HTTP client could send. A document that is not OpenAPI 3 at all stops here, lenient or
not: there is nothing to generate from a Swagger 2.0 document.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import marshal
import os
import re
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import escape, installed
from .diagnostics import Diagnostic, GenerationError, error, parts_from_pointer, pointer_from_parts
from .layout import BUNDLE_KEY
from .warm import Warm

if TYPE_CHECKING:  # imported where used: 0.26 s that forked validation spares the main process
    from jsonschema.exceptions import ValidationError
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation.validators import SpecValidator

Locate = Callable[[str], tuple[str, int | None, int | None]]


class _RefusingHandler:
    """Stands in for every URL scheme: the validator may never leave the document."""

    def __call__(self, uri: str) -> Any:
        raise ValueError(f"refusing to fetch {uri!r}: only refs inside the spec's folder are allowed")


_NO_HANDLERS = {scheme: _RefusingHandler() for scheme in ("<all_urls>", "http", "https", "file")}


class _IdRegistry(list[int]):
    """The schema validator's "seen" registries are lists searched on every schema (quadratic: 0.3 s
    of Binance Spot's 1.2 s); the same list, with a set answering `in`."""

    def __init__(self) -> None:
        super().__init__()
        self._ids: set[int] = set()

    def append(self, value: int) -> None:
        self._ids.add(value)
        super().append(value)

    def __contains__(self, value: object) -> bool:
        return value in self._ids


def _locating(cls: type[Any]) -> type[Any]:
    """A keyword validator that stamps each error it yields with where in the document it was found."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation.keywords import SchemaValidator, ValueValidator

    is_value = issubclass(cls, ValueValidator)
    is_schema = issubclass(cls, SchemaValidator)

    class Locating(cls):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if is_schema:
                self.visited_schema_ids = _IdRegistry()
                self.meta_checked_schema_ids = _IdRegistry()

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


@functools.cache
def _validator_for(version: str) -> type[SpecValidator]:
    """The guarded validator class for "3.0" or "3.1", built (and openapi-spec-validator imported)
    on first use."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    return _validator_class(OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator)


# A document this size or larger is validated in two forked processes, while the pipeline goes on.
_PARALLEL_SIZE = 200  # path items + component schemas
_HALVES = ("schema", "keywords")
_shared: tuple[dict[str, Any], set[str], str] | None = None  # what forked workers validate

# A validator error before it is located: (path item it belongs to or None for the rest, pointer,
# message). Locating happens last: line numbers move when the spec is edited, pointers do not.
Finding = tuple[str | None, str, str]
Memo = dict[str, Any]


@functools.cache
def _tool() -> str:
    """What a memo is valid for: this module and the validator's version."""
    return hashlib.sha256(Path(__file__).read_bytes() + installed.version("openapi-spec-validator").encode()
                          + installed.version("jsonschema").encode()).hexdigest()

_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MEMO_FORMAT = 1


class Validation:
    """A validation under way. `wait()` returns every located problem; `memo` then holds what the
    next run may reuse (None when nothing may be: the validator crashed, or the document is not one
    it can check)."""

    def __init__(self, wait: Callable[[], tuple[list[Diagnostic], Memo | None]]) -> None:
        self._wait = wait
        self._result: tuple[list[Diagnostic], Memo | None] | None = None

    def wait(self) -> list[Diagnostic]:
        if self._result is None:
            self._result = self._wait()
        return self._result[0]

    @property
    def memo(self) -> Memo | None:
        self.wait()
        assert self._result is not None
        return self._result[1]


def prepare_validator() -> None:
    """Import the validator and build its classes (warm.py does this ahead of a run's job)."""
    from jsonschema.exceptions import best_match  # noqa: F401
    from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError  # noqa: F401

    _validator_for("3.0")
    _validator_for("3.1")


def start(document: dict[str, Any], locate: Locate, source: str, memo: Memo | None = None,
          warm: Warm | None = None) -> Validation:
    """Begin validating; `Validation.wait()` waits for and returns every located error.

    openapi-spec-validator takes seconds on a large spec (3 s for Binance Spot), and its two halves
    (the OpenAPI meta-schema, and the keyword checks) are independent: on a platform that can fork,
    they run in child processes that inherit the document, so build and render overlap with them
    (one child for both when the compiled schema check makes the first half take milliseconds).

    With `memo` (what the last run of this output folder recorded), only path items that changed are
    validated again, provided everything outside `paths` (components included) is as it was: a
    one-endpoint edit of Binance Spot is validated in milliseconds, in `warm` if it is given.
    """
    problem = _version_problem(document, locate)
    if problem is not None:
        raise GenerationError([problem])
    unreadable = _unreadable_paths(document)
    rest, units = _unit_digests(document, unreadable)
    reused = _reusable(memo, rest, units)
    # A schema containing itself is a cycle among ref targets. With nothing outside `paths` changed,
    # and no ref naming a node under `paths` (in the last run's document or in the changed path
    # items), the targets and what they refer to are the last run's, which had no such cycle.
    paths = _mapping(document.get("paths"))
    quick = reused is not None and isinstance(memo, dict) and memo.get("paths_targeted") is False and not any(
        r.startswith("#/paths/") for url in reused[1] for r in _refs_in(paths.get(url)))
    own, targeted = _own_checks(document, locate, unreadable, not quick)
    if any(d.message.startswith(_SELF_CONTAINED) for d in own):
        return Validation(lambda: (_finish(own), None))  # the validator would only recurse until the stack runs out
    components = document.get("components")
    size = _size(document.get("paths")) + _size(components.get("schemas") if isinstance(components, dict) else None)
    parallel = size >= _PARALLEL_SIZE and hasattr(os, "fork")
    kept: list[Finding] = []
    if reused is not None:  # the changed path items only: one job, forked for a large document
        kept, changed = reused
        jobs: list[tuple[str, ...]] = [("paths", *changed)]
    else:
        version = "3.0" if str(document.get("openapi")).startswith("3.0") else "3.1"
        # With the compiled check the schema half takes milliseconds for a valid document: one
        # process for both halves spares a second import of the validator (0.25 s of CPU).
        fast = version == "3.0" and importlib.util.find_spec("jsonschema_rs") is not None  # not imported here
        jobs = [("half", *_HALVES)] if fast else [("half", half) for half in _HALVES]
    if not parallel or (reused is not None and not reused[1]):
        results = [_job(document, unreadable, source, job) for job in jobs]
        return Validation(lambda: _outcome(own, [d for _, c in results for d in c],
                                           kept + [f for h, _ in results for f in h], locate, rest, units,
                                           targeted))
    if warm is not None and warm.ready and reused is not None:  # the changed path items, shipped
        changed = list(jobs[0][1:])
        shipped = warm.submit(_changed_paths, (_only_paths(document, changed), source, changed))

        def checked() -> tuple[list[Diagnostic], Memo | None]:
            found, crashed = shipped()
            return _outcome(own, crashed, kept + found, locate, rest, units, targeted)

        return Validation(checked)
    import multiprocessing  # here: an edit run never needs it

    global _shared
    _shared = (document, unreadable, source)
    pool = multiprocessing.get_context("fork").Pool(len(jobs))
    pending = pool.map_async(_forked_job, jobs)
    _shared = None  # the children have their copy

    def wait() -> tuple[list[Diagnostic], Memo | None]:
        try:
            results = pending.get()
        finally:
            pool.close()
            pool.join()
        return _outcome(own, [d for _, c in results for d in c], kept + [f for h, _ in results for f in h],
                        locate, rest, units, targeted)

    return Validation(wait)


def _changed_paths(job: tuple[dict[str, Any], str, list[str]]) -> tuple[list[Finding], list[Diagnostic]]:
    document, source, changed = job
    return _findings(document, set(), source, _HALVES, units=set(changed))


def _forked_job(job: tuple[str, ...]) -> tuple[list[Finding], list[Diagnostic]]:
    assert _shared is not None
    return _job(*_shared, job)


def _job(document: dict[str, Any], unreadable: set[str], source: str,
         job: tuple[str, ...]) -> tuple[list[Finding], list[Diagnostic]]:
    """("half", "schema" and/or "keywords"): those halves over the whole document; ("paths", URL,
    ...): both halves over those path items only."""
    if job[0] == "half":
        return _findings(document, unreadable, source, job[1:])
    changed = list(job[1:])
    return _findings(_only_paths(document, changed), set(), source, _HALVES, units=set(changed))


def _outcome(own: list[Diagnostic], crashed: list[Diagnostic], findings: list[Finding], locate: Locate,
             rest: str, units: dict[str, str], targeted: bool = True) -> tuple[list[Diagnostic], Memo | None]:
    located = [error(message, *locate(pointer), escape.terminal(pointer)) for _, pointer, message in findings]
    memo: Memo | None = None
    if not crashed:
        by_unit: dict[str | None, list[Finding]] = {}
        for finding in findings:
            by_unit.setdefault(finding[0], []).append(finding)
        memo = {"format": _MEMO_FORMAT, "tool": _tool(), "rest": [rest, sorted(set(by_unit.get(None, ())))],
                "paths": {url: [digest, sorted(set(by_unit.get(url, ())))] for url, digest in units.items()},
                "paths_targeted": targeted}
    return _finish(own + crashed + located), memo


def _reusable(memo: Memo | None, rest: str, units: dict[str, str]) -> tuple[list[Finding], list[str]] | None:
    """(findings still valid, path items to validate again) if the last run's memo may be used."""
    if not isinstance(memo, dict) or memo.get("format") != _MEMO_FORMAT or memo.get("tool") != _tool():
        return None
    try:
        last_rest, rest_findings = memo["rest"]
        if last_rest != rest:
            return None
        kept = [_finding(f) for f in rest_findings]
        changed = []
        for url, digest in units.items():
            last = memo["paths"].get(url)
            if last is not None and last[0] == digest:
                kept += [_finding(f) for f in last[1]]
            else:
                changed.append(url)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a memo written by hand or by another version: validate everything
    return kept, changed


def _finding(raw: Any) -> Finding:
    unit, pointer, message = raw
    if not (unit is None or isinstance(unit, str)) or not isinstance(pointer, str) or not isinstance(message, str):
        raise ValueError("not a finding")
    if escape.terminal(message) != message:  # it is printed: only text this module could have written
        raise ValueError("not a finding")
    return unit, pointer, message


def _only_paths(document: dict[str, Any], urls: list[str]) -> dict[str, Any]:
    paths = document["paths"]
    return {**document, "paths": {url: paths[url] for url in urls}}


def _unit_digests(document: dict[str, Any], unreadable: set[str]) -> tuple[str, dict[str, str]]:
    """A digest of everything outside `paths`, and one of each path item (and what it refers to
    inside `paths`): the units a memo is kept by."""
    rest = _digest({k: v for k, v in document.items() if k != "paths"})
    paths = document.get("paths")
    units: dict[str, str] = {}
    for url, item in paths.items() if isinstance(paths, dict) else ():
        if isinstance(url, str) and url not in unreadable:
            # A ref into another path item makes this one depend on it: its target joins the digest.
            # (Only an item whose bytes hold "#/paths/" can have one: the rest need no walk.)
            data = _marshal(item)
            inside = sorted(r for r in _refs_in(item) if r.startswith("#/paths/")) \
                if data is None or b"#/paths/" in data else []
            targets = [_resolve(document, {"$ref": r}, r)[0] for r in inside]
            units[url] = _digest([item, inside, targets]) if data is None or inside else \
                hashlib.sha256(data).hexdigest()
    return rest, units


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _marshal(value: Any) -> bytes | None:
    try:
        return marshal.dumps(value, 2)
    except ValueError:
        return None


def _refs_in(node: Any) -> set[str]:
    found = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _digest(value: Any) -> str:
    """Exact (types and key order count) and fast: marshal writes Spot in 10 ms, JSON in 60. (Format 2:
    no back-references, which depend on how objects happen to be shared.)"""
    try:
        return hashlib.sha256(marshal.dumps(value, 2)).hexdigest()
    except ValueError:  # a type marshal does not know: JSON, with repr for the rest
        text = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False, allow_nan=True)
        return "json:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _size(node: Any) -> int:
    return len(node) if isinstance(node, dict) else 0


def _version_problem(document: dict[str, Any], locate: Locate) -> Diagnostic | None:
    if "swagger" in document:
        return error("Swagger 2.0 documents are not supported, only OpenAPI 3.0 and 3.1; convert it "
                     "first (for example with swagger2openapi)", *locate("#/swagger"), "#/swagger")
    version = str(document.get("openapi", ""))
    if version.startswith(("3.0", "3.1")):
        return None
    where = "#/openapi" if "openapi" in document else "#"
    return error(f"unsupported or missing 'openapi' version {escape.terminal(repr(version))}; expected "
                 "3.0.x or 3.1.x", *locate(where), where)


def validate(document: dict[str, Any], locate: Locate, source: str) -> list[Diagnostic]:
    """Every validation error of the document (not just the first), located."""
    problem = _version_problem(document, locate)
    if problem is not None:
        return [problem]
    unreadable = _unreadable_paths(document)
    own, _ = _own_checks(document, locate, unreadable)
    if any(d.message.startswith(_SELF_CONTAINED) for d in own):
        return _finish(own)  # the validator would only recurse until the stack runs out
    findings, crashed = _findings(document, unreadable, source, _HALVES)
    return _outcome(own, crashed, findings, locate, "", {})[0]


def _findings(document: dict[str, Any], unreadable: set[str], source: str, halves: tuple[str, ...],
              units: set[str] | None = None) -> tuple[list[Finding], list[Diagnostic]]:
    """The validator's errors (duplicate operationIds aside: _own_checks finds those over the whole
    document), and diagnostics for a validator that crashed. With `units`, only path items are
    checked (the keyword half from the paths alone) and only their findings kept."""
    from jsonschema.exceptions import best_match
    from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError

    version = "3.0" if str(document["openapi"]).startswith("3.0") else "3.1"
    cls = _validator_for(version)
    if unreadable:  # the validator cannot parse them; the rest of the document is still checked
        paths = document["paths"]
        document = {**document, "paths": {k: v for k, v in paths.items() if k not in unreadable}}
    crashed: list[Diagnostic] = []
    errors: list[ValidationError] = []
    # The two halves of SpecValidator.iter_errors, called directly so our location stamps survive.
    # Third-party code on hostile input: any failure is a finding, not a crash; one half failing
    # still leaves the other's errors (a document whose shape is wrong trips the keyword half, and
    # the schema half says, located, what is wrong with the shape).
    if units is None:
        validator = cls(document)
        if "schema" in halves:
            errors.extend(_collect(lambda: _schema_errors(document, version), crashed, source))
        if "keywords" in halves:
            errors.extend(_collect(lambda: validator.root_validator(validator.schema_path), crashed, source))
    else:
        # The structure of path items needs nothing else; their keyword checks follow refs into
        # the components (so those stay), but the components themselves are not checked again.
        shape = {k: v for k, v in document.items() if k not in ("components", BUNDLE_KEY)}
        errors.extend(_collect(lambda: _schema_errors(shape, version), crashed, source))
        validator = cls(document)
        paths_validator: Callable[[SchemaPath], Iterator[ValidationError]] = (
            validator.keyword_validators_registry["paths"])  # type: ignore[assignment]
        errors.extend(_collect(lambda: paths_validator(validator.schema_path / "paths"), crashed, source))
    findings: list[Finding] = []
    seen = set()
    for err in errors:
        if isinstance(err, DuplicateOperationIDError):
            continue
        parts = getattr(err, "generator_where", None)
        if parts is None:
            parts = tuple(err.absolute_path) if hasattr(err, "absolute_path") else ()
        if err.context:  # oneOf/anyOf: the alternative that came closest says what is wrong
            best = best_match(err.context)
            parts = (*parts, *best.relative_path)
            err = best
        pointer = pointer_from_parts(parts)
        unit = parts[1] if len(parts) > 1 and parts[0] == "paths" and isinstance(parts[1], str) else None
        if units is not None and unit not in units:
            continue  # a component reached from a changed path item: the memo has its findings
        finding = (unit, pointer, _message(err))
        if finding not in seen:
            seen.add(finding)
            findings.append(finding)
    return findings, crashed


def _schema_errors(document: dict[str, Any], version: str) -> Iterator[ValidationError]:
    """The schema half: the document against the OpenAPI schema, with jsonschema (what
    openapi-spec-validator uses by default). A valid document has nothing to report, so for 3.0 a
    compiled check (jsonschema-rs, 2 s -> 0.01 s for Binance Spot) may say so first; it is stricter
    than jsonschema where the two differ (formats, `$` before a final newline), never laxer, so
    only what jsonschema itself reports is ever shown."""
    fast = _fast_schema_check(version)
    if fast is not None:
        try:
            if fast(document):
                return iter(())
        except Exception:  # an input the compiled check cannot take: jsonschema decides
            pass
    errors: Iterator[ValidationError] = _schema_validator(version).iter_errors(document)
    return errors


@functools.cache
def _schema_validator(version: str) -> Any:
    """jsonschema's validator of the OpenAPI schema, chosen explicitly: openapi-spec-validator would
    switch to jsonschema-rs when it is installed, whose messages and locations differ."""
    from jsonschema.validators import validator_for
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    schema = dict(schema_v30 if version == "3.0" else schema_v31)
    return validator_for(schema)(schema)


@functools.cache
def _fast_schema_check(version: str) -> Callable[[Any], bool] | None:
    """jsonschema-rs's is_valid for the OpenAPI 3.0 schema, or None. Not for 3.1: its schema reaches
    the JSON Schema dialect through $dynamicRef, which jsonschema-rs does not follow here (it accepts
    `type: strin` in a 3.1 schema object)."""
    if version != "3.0":
        return None
    try:
        import jsonschema_rs
        from openapi_spec_validator.schemas import schema_v30

        check: Callable[[Any], bool] = jsonschema_rs.validator_for(dict(schema_v30)).is_valid
    except Exception:  # not installed, or a version without this API: jsonschema alone
        return None
    return check


_CRASHED = "the validator could not check this document"


def _collect(run: Callable[[], Any], diagnostics: list[Diagnostic], source: str) -> list[ValidationError]:
    try:
        return list(run())
    except RecursionError:
        diagnostics.append(error(f"{_CRASHED}: its schemas nest too deeply", source))
    except Exception as exc:
        diagnostics.append(error(escape.terminal(f"{_CRASHED}: {type(exc).__name__}: {exc}"), source))
    return []


def _finish(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Duplicates dropped, in file and line order; a crash of the validator only when nothing located
    explains it."""
    if any(d.line is not None for d in diagnostics):
        diagnostics = [d for d in diagnostics if not d.message.startswith(_CRASHED)]
    unique = {(d.file, d.line, d.column, d.pointer, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: (d.file, d.line or 0, d.column or 0, d.message))


def _message(err: ValidationError) -> str:
    """The validator's message, kept to a readable length and to one printable line (it may quote spec
    text: a path with a line break, a name with an escape sequence)."""
    message = escape.terminal(str(err.message))
    if len(message) > 300:
        message = message[:297] + "..."
    return message


# -- our own checks ---------------------------------------------------------------------------------
# A path template as the runtime reads it: text, and `{name}` placeholders with no brace in the name.
_TEMPLATE = re.compile(r"[^{}]*(?:\{[^{}]+\}[^{}]*)*")
# RFC 9110 token: what http.client accepts as a header name; and a header value it sends unchanged.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_SELF_CONTAINED = "schema contains itself"
_SAME_INSTANCE_LISTS = ("allOf", "anyOf", "oneOf")
_LITERAL_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


def _unreadable_paths(document: dict[str, Any]) -> set[str]:
    """The paths the validator cannot be shown (their templates are broken: _own_checks says how)."""
    paths = document.get("paths")
    return {path for path in (paths if isinstance(paths, dict) else ()) if _template_problem(path) is not None}


def _own_checks(document: dict[str, Any], locate: Locate, unreadable: set[str],
                self_contained: bool = True) -> tuple[list[Diagnostic], bool]:
    """Problems the validator misses or trips over; and whether a ref names a node under `paths`
    (False without `self_contained`, the search for schemas that contain themselves: the caller
    skips it only when it knows none does)."""
    problems: list[Diagnostic] = []
    for path in sorted(unreadable, key=list(document["paths"]).index) if unreadable else ():
        reason = _template_problem(path)
        problems.append(_located(f"path {path!r} {reason}", pointer_from_parts(("paths", path)), locate))
    for pointer, param in _parameters(document):
        name = param.get("name")
        if param.get("in") == "header" and isinstance(name, str) and not _TOKEN.fullmatch(name):
            problems.append(_located(f"header parameter name {name!r} is not an HTTP header name (letters, "
                                     "digits and !#$%&'*+-.^_`|~ only)", f"{pointer}/name", locate))
    for pointer, body in _request_bodies(document):
        content = body.get("content")
        for media in content if isinstance(content, dict) else ():
            if not _HEADER_VALUE.fullmatch(media):
                where = pointer_from_parts((*parts_from_pointer(pointer), "content", media))
                problems.append(_located(f"media type {media!r} cannot be sent as a Content-Type header "
                                         "(printable ASCII only)", where, locate))
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    for key, scheme in schemes.items() if isinstance(schemes, dict) else ():
        name = scheme.get("name") if isinstance(scheme, dict) else None
        if isinstance(name, str) and scheme.get("in") == "header" and not _TOKEN.fullmatch(name):
            where = pointer_from_parts(("components", "securitySchemes", key, "name"))
            problems.append(_located(f"API key header name {name!r} is not an HTTP header name",
                                     where, locate))
    problems += _duplicate_operation_ids(document, unreadable, locate)
    targeted = False
    if self_contained:
        found, targeted = _self_contained_schemas(document, locate)
        problems += found
    return problems, targeted


def _duplicate_operation_ids(document: dict[str, Any], unreadable: set[str], locate: Locate) -> list[Diagnostic]:
    """The validator's own check, over the whole document (a memo-assisted run shows it only the
    changed path items): every operation whose operationId an earlier one already has."""
    problems = []
    seen: set[Any] = set()
    paths = document.get("paths")
    for url, raw in paths.items() if isinstance(paths, dict) else ():
        if url in unreadable:
            continue
        item, _ = _resolve(document, raw, pointer_from_parts(("paths", url)))
        for name, operation in item.items() if isinstance(item, dict) else ():
            if name not in _OPERATIONS or not isinstance(operation, dict) or "operationId" not in operation:
                continue
            value = operation["operationId"]
            if value is not None and _hashable(value) in seen:
                problems.append(_located(f"Operation ID '{value}' for '{name}' in '{url}' is not unique",
                                         pointer_from_parts(("paths", url, name)), locate))
            seen.add(_hashable(value))
    return problems


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=repr) if isinstance(value, (dict, list)) else value


def _located(message: str, pointer: str, locate: Locate) -> Diagnostic:
    return error(escape.terminal(message), *locate(pointer), escape.terminal(pointer))


def _template_problem(path: str) -> str | None:
    if not _TEMPLATE.fullmatch(path):
        return "has a '{' or '}' that does not enclose a path parameter's name, as in /orders/{orderId}"
    try:
        for _ in string.Formatter().parse(path):  # how the validator reads it
            pass
    except ValueError as exc:
        return f"cannot be read as a template: {exc}"
    return None


def _resolve(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s (load.py made them all local) to what they name; ({}, ref) if nothing."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        pointer = node["$ref"]
        seen.add(pointer)
        node = document
        try:
            for part in parts_from_pointer(pointer):
                node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return {}, pointer
    return node, pointer


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, object) of every path item and operation: where parameters and bodies are found."""
    paths = document.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        item, item_pointer = _resolve(document, item, pointer_from_parts(("paths", path)))
        if isinstance(item, dict):
            yield item_pointer, item
            for method, operation in item.items():
                if isinstance(operation, dict):
                    yield f"{item_pointer}/{_pointer_part(method)}", operation


def _pointer_part(part: str) -> str:
    return pointer_from_parts((part,))[2:]


def _parameters(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, Parameter Object) of every parameter the paths use or the components declare, once."""
    found: list[tuple[Any, str]] = []  # (parameter or $ref, where it is)
    for pointer, holder in _operations(document):
        items = holder.get("parameters")
        if isinstance(items, list):
            found += [(raw, f"{pointer}/parameters/{index}") for index, raw in enumerate(items)]
    components = document.get("components")
    declared = components.get("parameters") if isinstance(components, dict) else None
    for key, raw in declared.items() if isinstance(declared, dict) else ():
        found.append((raw, pointer_from_parts(("components", "parameters", key))))
    yield from _resolved_once(document, found)


def _request_bodies(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    found = [(holder["requestBody"], f"{pointer}/requestBody") for pointer, holder in _operations(document)
             if "requestBody" in holder]
    yield from _resolved_once(document, found)


def _resolved_once(document: dict[str, Any], found: list[tuple[Any, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
    seen: set[str] = set()
    for raw, start in found:
        node, pointer = _resolve(document, raw, start)
        if isinstance(node, dict) and pointer not in seen:
            seen.add(pointer)
            yield pointer, node


def _self_contained_schemas(document: dict[str, Any], locate: Locate) -> tuple[list[Diagnostic], bool]:
    """Schemas that contain themselves through allOf/anyOf/oneOf/not: no value can be checked against
    one (checking it means checking it again, first). Containing itself through properties or items
    is recursion, and fine: those describe other, smaller values."""
    targets = sorted(_ref_targets(document))
    edges = {target: _same_instance_refs(_resolve(document, {"$ref": target}, target)[0]) for target in targets}
    problems = []
    done: set[str] = set()
    for start in targets:  # iterative depth-first search: a cycle is a step back onto the current path
        if start in done:
            continue
        path, stack = [start], [iter(edges[start])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                done.add(path.pop())
                stack.pop()
            elif step in path:
                loop = [*path[path.index(step):], step]
                names = " -> ".join(_display(p) for p in loop)
                problems.append(_located(f"{_SELF_CONTAINED} through allOf/anyOf/oneOf/not: {names}",
                                         loop[0], locate))
            elif step not in done and step in edges:
                path.append(step)
                stack.append(iter(edges[step]))
    return problems, any(target.startswith("#/paths/") for target in targets)


def _ref_targets(document: dict[str, Any]) -> set[str]:
    """Every local pointer a `$ref` names, outside literal data (examples, defaults, enums)."""
    found = set()
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                found.add(ref)
            stack.extend(value for key, value in node.items() if key not in _LITERAL_KEYS)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _same_instance_refs(schema: Any) -> list[str]:
    """The refs a schema applies to the very value it checks: its own and those of its allOf/anyOf/
    oneOf/not members, inline members included."""
    found = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            found.append(ref)
        for keyword in _SAME_INSTANCE_LISTS:
            if isinstance(node.get(keyword), list):
                stack.extend(node[keyword])
        stack.append(node.get("not"))
    return sorted(set(found))


def _display(pointer: str) -> str:
    """A pointer as a person reads it: `schemas/pet.yaml#/Pet` for one into a bundled file."""
    parts = parts_from_pointer(pointer)
    if len(parts) >= 2 and parts[0] == BUNDLE_KEY:
        return parts[1] + pointer_from_parts(parts[2:])
    return pointer
