"""Document -> every openapi-spec-validator error, each located (file:line:col and pointer).

The validator sees only the bundled document from load.py, whose refs are all local, and it gets no
URL or file handlers at all: even a ref load.py missed could not make it fetch or read anything.

openapi-spec-validator takes a second or more on a large spec (Binance Spot), in two independent
halves: the document against the OpenAPI meta-schema, and the keyword checks. `start` hands them,
as plain calls of `findings`, to a `spawn` function of the caller's (the pipeline runs them in
forked processes while it builds and renders), and returns a function that waits for the outcome.
Findings are kept unlocated, as (path item, pointer, message), until the end: a caller may keep
those of unchanged path items from an earlier run and have only the others checked (`paths`).
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, error, parts_from_pointer, pointer_from_parts, printable
from . import checks
from .checks import Locate, openapi_version
from .load import BUNDLE_KEY

if TYPE_CHECKING:  # imported where used: a run that validates in a forked process spares its import
    from jsonschema.exceptions import ValidationError
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation.validators import SpecValidator

# A validator error before it is located: (path item it belongs to or None for the rest, pointer,
# message). Line numbers move when the spec is edited; pointers do not.
Finding = tuple[str | None, str, str]
HALVES = ("schema", "keywords")
# Runs each call, perhaps elsewhere; the function it returns waits for their results, in order.
Spawn = Callable[[Sequence[Callable[[], Any]]], Callable[[], list[Any]]]


@dataclass(frozen=True)
class Outcome:
    diagnostics: list[Diagnostic]  # every problem: located, without duplicates, in file order
    findings: list[Finding]  # the validator's, unlocated (those taken from the caller included)
    complete: bool  # False when the validator crashed or could not be run: keep nothing of it


def inline(calls: Sequence[Callable[[], Any]]) -> Callable[[], list[Any]]:
    """The plain Spawn: each call made when the outcome is asked for."""
    return lambda: [call() for call in calls]


def start(document: dict[str, Any], locate: Locate, source: str, *, kept: Sequence[Finding] = (),
          paths: Sequence[str] | None = None, spawn: Spawn = inline) -> Callable[[], Outcome]:
    """Begin validating; the function returned waits for the Outcome. Raises GenerationError at once
    for a document that is not OpenAPI 3. With `paths`, only those path items go to the validator
    and `kept` stands for what it found elsewhere (our own checks always cover the whole document).
    Our checks come first (they decide whether the validator may run at all): with the
    validator's one call when there is one, else before its two."""
    checks.check_version(document, locate)
    unreadable = checks.unreadable_paths(document)
    jobs: list[tuple[set[str], tuple[str, ...], tuple[str, ...] | None]]
    if paths is not None:
        wanted = tuple(path for path in paths if path not in unreadable)
        jobs = [(set(), HALVES, wanted)] if wanted else []
    else:
        jobs = [(unreadable, halves, None) for halves in _split(document)]
    if len(jobs) > 1:  # our checks first: they decide whether the validator may see the document
        own = checks.run(document, locate, unreadable)
        if checks.blocks_validator(own):
            return lambda: Outcome(finish(own), [], False)
        calls = [functools.partial(findings, document, skip, source, halves, only) for skip, halves, only in jobs]
        waiting = spawn(calls)

        def both() -> Outcome:
            return _outcome(own, waiting(), kept, locate)

        return both
    waiting = spawn([functools.partial(_checked, document, locate, unreadable, source, jobs[0] if jobs else None)])

    def one() -> Outcome:
        ((own, blocked, found, crashed),) = waiting()
        if blocked:
            return Outcome(finish(own), [], False)
        return _outcome(own, [(found, crashed)], kept, locate)

    return one


def _outcome(own: list[Diagnostic], results: list[tuple[list[Finding], list[Diagnostic]]],
             kept: Sequence[Finding], locate: Locate) -> Outcome:
    found = _one_per_value([*kept, *(f for done, _ in results for f in done)])
    crashed = [d for _, failed in results for d in failed]
    return Outcome(finish(own + crashed + located(found, locate)), found, not crashed)


_REJECTED = re.compile(r"^(.*) is not one of \[")


def _one_per_value(found: list[Finding]) -> list[Finding]:
    """Without a second "'int' is not one of [...]" at a place that already has one: for OpenAPI 3.0
    both halves check a schema's `type`, against lists that differ by 'null', and the schema half
    (first) holds the 3.0 list."""
    rejected: set[tuple[str, str]] = set()
    kept: list[Finding] = []
    for finding in found:
        match = _REJECTED.match(finding[2])
        if match is not None:
            if (finding[1], match[1]) in rejected:
                continue
            rejected.add((finding[1], match[1]))
        kept.append(finding)
    return kept


def _checked(document: dict[str, Any], locate: Locate, unreadable: set[str], source: str,
             job: tuple[set[str], tuple[str, ...], tuple[str, ...] | None] | None
             ) -> tuple[list[Diagnostic], bool, list[Finding], list[Diagnostic]]:
    """Our own checks, then (unless they found a schema that contains itself) the validator's job:
    (our problems, whether they block the validator, its findings, its crashes)."""
    own = checks.run(document, locate, unreadable)
    if checks.blocks_validator(own) or job is None:
        return own, checks.blocks_validator(own), [], []
    found, crashed = findings(document, job[0], source, job[1], job[2])
    return own, False, found, crashed


def validate(document: dict[str, Any], locate: Locate, source: str) -> list[Diagnostic]:
    """Every problem of the document (not just the first), located, checked in this process."""
    return start(document, locate, source)().diagnostics


def located(found: Sequence[Finding], locate: Locate) -> list[Diagnostic]:
    return [error(message, *locate(pointer), printable(pointer)) for _, pointer, message in found]


def _split(document: dict[str, Any]) -> list[tuple[str, ...]]:
    """The halves, as separate calls; as one where the compiled schema check makes the schema half
    take milliseconds (a second process would only import the validator a second time)."""
    fast = openapi_version(document) == "3.0" and importlib.util.find_spec("jsonschema_rs") is not None
    return [HALVES] if fast else [(half,) for half in HALVES]


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


class _HasItems(type):
    """pathable asks `isinstance(node, Subscriptable)`, a runtime-checkable Protocol, for every step
    into the document; Python 3.11 collects the protocol's members on each such check (1.4 s of
    the 11.9 s a profiled Spot validation takes). The same test, answered directly."""

    def __instancecheck__(cls, node: object) -> bool:
        return hasattr(node, "__getitem__") and hasattr(node, "__contains__") and hasattr(node, "__len__")


class _Subscriptable(metaclass=_HasItems):
    pass


@functools.cache
def _validator_for(version: str) -> type[SpecValidator]:
    """The guarded validator class for "3.0" or "3.1", built (and openapi-spec-validator imported)
    on first use."""
    import pathable.accessors
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    if hasattr(pathable.accessors, "Subscriptable"):
        pathable.accessors.Subscriptable = _Subscriptable
    return _validator_class(OpenAPIV30SpecValidator if version == "3.0" else OpenAPIV31SpecValidator)


def findings(document: dict[str, Any], unreadable: set[str], source: str, halves: tuple[str, ...],
             paths: tuple[str, ...] | None = None) -> tuple[list[Finding], list[Diagnostic]]:
    """The validator's errors (duplicate operationIds aside: checks.py finds those over the whole
    document), unlocated, and diagnostics for a validator that crashed. With `paths`, only those
    path items are checked (both halves, from the paths alone) and only their findings kept: the
    rest of the document is taken to have been checked already."""
    from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError

    version = openapi_version(document)
    cls = _validator_for(version)
    if unreadable:  # the validator cannot parse them; the rest of the document is still checked
        items = document["paths"]
        document = {**document, "paths": {k: v for k, v in items.items() if k not in unreadable}}
    crashed: list[Diagnostic] = []
    errors: list[ValidationError] = []
    # The two halves of SpecValidator.iter_errors, called directly so our location stamps survive.
    # Third-party code on hostile input: any failure is a finding, not a crash; one half failing
    # still leaves the other's errors (a document whose shape is wrong trips the keyword half, and
    # the schema half says, located, what is wrong with the shape).
    if paths is None:
        validator = cls(document)
        if "schema" in halves:
            errors.extend(_collect(lambda: _schema_errors(document, version), crashed, source))
        if "keywords" in halves:
            errors.extend(_collect(lambda: validator.root_validator(validator.schema_path), crashed, source))
    else:
        # The structure of path items needs nothing else; their keyword checks follow refs into
        # the components (so those stay), but the components themselves are not checked again.
        shape = {k: v for k, v in document.items() if k not in ("components", BUNDLE_KEY)}
        shape["paths"] = {url: document["paths"][url] for url in paths}
        document = {**document, "paths": shape["paths"]}
        errors.extend(_collect(lambda: _schema_errors(shape, version), crashed, source))
        validator = cls(document)
        paths_validator: Callable[[SchemaPath], Iterator[ValidationError]] = (
            validator.keyword_validators_registry["paths"])  # type: ignore[assignment]
        errors.extend(_collect(lambda: paths_validator(validator.schema_path / "paths"), crashed, source))
    found: list[Finding] = []
    seen = set()
    for err in errors:
        if isinstance(err, DuplicateOperationIDError):
            continue
        where = getattr(err, "generator_where", None)
        # A keyword check reports a schema where it reached it, perhaps through a `$ref`: the
        # mistake is where the schema is written.
        base = _through_refs(document, where) if where is not None else ()
        for below, message in _explained(err):
            parts = (*base, *below)
            pointer = pointer_from_parts(parts)
            unit = parts[1] if len(parts) > 1 and parts[0] == "paths" and isinstance(parts[1], str) else None
            if paths is not None and unit not in paths:
                continue  # a component reached from a checked path item: checked with the rest
            finding = (unit, pointer, message)
            if finding not in seen:
                seen.add(finding)
                found.append(finding)
    return found, crashed


def _through_refs(document: dict[str, Any], parts: tuple[Any, ...]) -> tuple[Any, ...]:
    """The path of the node `parts` reaches when every `$ref` on the way is followed (`parts` as they
    are, if they do not lead anywhere in the document)."""
    node: Any = document
    at: tuple[Any, ...] = ()
    for part in (*parts, None):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node, pointer = checks.resolve(document, node, "")
            try:
                at = parts_from_pointer(pointer)
            except ValueError:
                return parts
        if part is None:
            return at
        found = ((isinstance(node, dict) and part in node)
                 or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)))
        if not found:
            return parts
        node = node[part]
        at = (*at, part)
    return at


# -- what a validator error means ---------------------------------------------------------------------
# jsonschema reports a failed oneOf/anyOf as one error with each branch's errors as its context.
# OpenAPI 3.0's schema writes most objects as `oneOf: [Thing, Reference]`, so a parameter with
# `in: querry` fails both branches, and jsonschema's best_match, which ranks by depth and keyword
# alone, picks the Reference branch's "'$ref' is a required property": the one branch the node plainly
# was not meant for. What a person wants is the error of the branch they meant: so the branches are
# compared as branches (below), and best_match's `relevance` only orders the errors within one.
_ENUMS = frozenset({"enum", "const"})


def explain(err: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    """What to report for one validator error: (path below the validated document or schema, message)
    pairs. A oneOf/anyOf becomes the errors of the branch the node was meant for, when one is (each
    of them: all are real problems); a closed object gives one error per unknown key."""
    from jsonschema.exceptions import best_match, relevance

    if err.context:
        branches = _branches(err)
        chosen = branches[0] if len(branches) == 1 else _meant(branches)
        if chosen is not None:
            # "fits several alternatives" beside another error of the branch is that error's echo (a
            # parameter without `in` fits every location that does not require it).
            real = [sub for sub in chosen if not _fits_several(sub)] or chosen
            return [found for sub in real for found in explain(sub)]
        merged = _merged_enum(branches)
        if merged is not None:
            return [merged]
        # No branch stands out: the library's heuristic (the deepest error of the closest branch).
        err = best_match([sub for branch in branches for sub in branch], key=relevance) or err
    path = tuple(err.absolute_path) if hasattr(err, "absolute_path") else ()
    unknown = _unknown_keys(err)
    if unknown:
        return [((*path, key), message) for key, message in unknown]
    if _fits_several(err):
        # jsonschema's "... is valid under each of" prints the node and the schemas it fits, whole.
        return [(path, "fits more than one of the alternatives its place allows (oneOf): "
                       "it must fit exactly one")]
    return [(path, _message(err) + _hint(path, err))]


def _hint(path: tuple[Any, ...], err: ValidationError) -> str:
    """What to write instead, for schema mistakes that real specs make (Swagger 2 habits)."""
    if path[-1:] == ("required",) and err.validator == "type":
        if isinstance(err.instance, bool):  # `required: true` on a property, as in a parameter
            return ("; in a schema, `required` is the list of the object's required property names "
                    "(`required: [id]` beside `properties`), not a flag on a property")
        return ("; `required` lists the names of the properties that must be present (`required: "
                "[id, name]`); a property not listed is optional")
    return ""


def _explained(err: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    """explain, or the error as the validator put it if explaining it fails (third-party objects made
    from hostile input: a finding either way, never a crash)."""
    try:
        return explain(err)
    except Exception:
        path = tuple(getattr(err, "absolute_path", ()))
        return [(path, _message(err))]


def _fits_several(err: ValidationError) -> bool:
    return err.validator == "oneOf" and not err.context


def _branches(err: ValidationError) -> list[list[ValidationError]]:
    """The context errors of a oneOf/anyOf by branch, in the schema's order, without the branches the
    node plainly is not (unless that is all of them): one of another type (a mapping where a branch
    wants a boolean), and the Reference branch of a node without `$ref` (OpenAPI 3.0)."""
    by_index: dict[Any, list[ValidationError]] = {}
    for sub in err.context or ():
        index = sub.relative_schema_path[0] if sub.relative_schema_path else None
        by_index.setdefault(index, []).append(sub)
    branches = list(by_index.values())
    kept = [branch for branch in branches if not _other_kind(branch)]
    return kept or branches


def _other_kind(branch: list[ValidationError]) -> bool:
    if any(sub.validator == "type" and not sub.relative_path for sub in branch):
        return True
    return all(sub.validator == "required" and "$ref" in (sub.validator_value or ())
               and isinstance(sub.instance, dict) and "$ref" not in sub.instance for sub in branch)


def _meant(branches: list[list[ValidationError]]) -> list[ValidationError] | None:
    """The branch the node was meant for, when one branch accepts a value that the others reject with
    an enum (OpenAPI 3.0 tells parameters apart by `in`: `in: path` without `required: true` is a
    path parameter missing `required`, not a query parameter with the wrong `in`). Of several such
    values, the one the branches pin down most (enums of one value: a discriminator) decides:
    `in: query` with `style: matrix` is a query parameter with a wrong style, though matrix is a
    path style."""
    best: tuple[tuple[int, int], list[ValidationError]] | None = None
    # In the order met (dict, not set: the same choice under every PYTHONHASHSEED); the first of equals wins.
    for path in dict.fromkeys(tuple(sub.relative_path) for branch in branches for sub in branch
                              if sub.validator in _ENUMS):
        accepting = [b for b in branches if not any(tuple(e.relative_path) == path for e in b)]
        if len(accepting) != 1:
            continue
        rejecting = [e for b in branches for e in b if e.validator in _ENUMS and tuple(e.relative_path) == path]
        pinned = sum(1 for e in rejecting if e.validator == "const" or len(e.validator_value or ()) == 1)
        score = (pinned, len(rejecting))
        if best is None or score > best[0]:
            best = (score, accepting[0])
    return best[1] if best is not None else None


def _merged_enum(branches: list[list[ValidationError]]) -> tuple[tuple[Any, ...], str] | None:
    """One "'querry' is not one of [...]" with every branch's values, when each branch rejects the
    same value with an enum (OpenAPI 3.0's `in` is one branch per location)."""
    firsts: list[ValidationError] = []
    for branch in branches:
        enums = [sub for sub in branch if sub.validator in _ENUMS]
        if not enums:
            return None
        firsts.append(enums[0])
    if len({tuple(sub.absolute_path) for sub in firsts}) != 1:
        return None
    values: list[Any] = []
    for sub in firsts:
        for value in (sub.validator_value if sub.validator == "enum" else [sub.validator_value]):
            if value not in values:
                values.append(value)
    message = printable(f"{firsts[0].instance!r} is not one of {values!r}")
    return tuple(firsts[0].absolute_path), message


def _unknown_keys(err: ValidationError) -> list[tuple[str, str]]:
    """(key, message) for each key a closed object does not allow ("'itemz' does not match any of the
    regexes: '^x-'" says neither that the key is unknown nor what was meant)."""
    if err.validator != "additionalProperties" or err.validator_value is not False:
        return []
    if not isinstance(err.instance, dict) or not isinstance(err.schema, dict):
        return []
    known = list(err.schema.get("properties") or {})
    patterns = list(err.schema.get("patternProperties") or {})
    unknown = []
    for key in err.instance:
        if key in known or any(_matches(pattern, key) for pattern in patterns):
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        extensions = "^x-" in patterns
        if close:
            message = f"unknown key {key!r} (did you mean {close[0]!r}?)"
        elif key in _NOT_IN_30 and "nullable" in known:  # a 3.0 schema object
            message = f"unknown key {key!r}: OpenAPI 3.0 schemas have no {key!r} ({_NOT_IN_30[key]})"
        elif len(known) <= 15:
            message = f"unknown key {key!r}: not one of {sorted(known)!r}" + (
                " or an extension key (x-...)" if extensions else "")
        else:
            message = f"unknown key {key!r}: not a key of this object" + (
                " (extension keys start with x-)" if extensions else "")
        unknown.append((key, printable(message)))
    return unknown


# JSON Schema keywords OpenAPI 3.1 has and 3.0's schema object does not, with what 3.0 has instead.
_NOT_IN_30 = {
    "const": "write enum: [value]",
    "examples": "write example: value",
    "$defs": "put the schema under components/schemas",
    "prefixItems": "3.0 has no tuples",
    "if": "3.0 has no conditionals",
    "contentMediaType": "a file is type: string, format: binary",
}


def _matches(pattern: str, key: Any) -> bool:
    try:
        return isinstance(key, str) and re.search(pattern, key) is not None
    except re.error:
        return False


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
        diagnostics.append(error(printable(f"{_CRASHED}: {type(exc).__name__}: {exc}"), source))
    return []


def finish(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Duplicates dropped, in file and line order; a crash of the validator only when nothing located
    explains it."""
    if any(d.line is not None for d in diagnostics):
        diagnostics = [d for d in diagnostics if not d.message.startswith(_CRASHED)]
    unique = {(d.file, d.line, d.column, d.pointer, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: (d.file, d.line or 0, d.column or 0, d.message))


def _message(err: ValidationError) -> str:
    """The validator's message, kept to a readable length and to one printable line (it may quote spec
    text: a path with a line break, a name with an escape sequence)."""
    message = printable(str(err.message))
    if len(message) > 300:
        message = message[:297] + "..."
    return message
