"""Spec path + Config -> the API model and every output file, in memory. The one place the stages meet:

    load (spec/) -> validate (spec/) -> build (model/) -> render, format (emit/) -> changelog, manifest (output/)

Nothing here writes to the output folder: `out` is only read (the changelog goes on from the record
the last run left there), and writing is the caller's last step, so a failure anywhere leaves the
folder as it was.

Validation is the slowest stage on a large spec, and the rest does not need its answer until the end:
it runs in forked processes (`_forked`) while the model is built and rendered, and an invalid spec's
errors are what is reported even when the later stages trip over it. The changelog, which needs
the model alone, is made in one while the files are rendered.

A caller may hand in a Cache (the CLI's comes from incremental/): the stages never see it. It is
handed to the loader as the parser of the spec's file, asked which findings of the last validation
still hold and which path items to check again, and for the text a render job made last time under
the same key; what it records of the parse is made in a forked process while the rest runs.
"""

from __future__ import annotations

import functools
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from .config import Config
from .diagnostics import Diagnostic, GenerationError, ValidationFailed, error, has_errors
from .emit import format as format_stage
from .emit import render as render_stage
from .model import build as build_stage
from .model.api import Api
from .output import changelog
from .output import write as write_stage
from .spec import asyncapi
from .spec import validate as validate_stage
from .spec.load import LoadedSpec, load
from .spec.source import SourceFile, parse_source
from .spec.validate import Finding, Outcome

Until = Literal["validate", "model", "files"]


class Cache(Protocol):
    def validation(self, document: dict[str, Any]) -> tuple[Sequence[Finding], Sequence[str] | None]:
        """(findings that still hold, the path items to check again; None: check everything)."""
        ...

    def validated(self, outcome: Outcome) -> None:
        """What validating this run's document found (called once it is known)."""
        ...

    def rendered(self, path: str, key: str) -> str | None:
        """The final text of the file a job with this key made last time, if it is known."""
        ...

    def digest(self, path: str) -> str:
        """The sha256 of the text `rendered` has just returned for `path`."""
        ...

    def parse(self, raw: bytes, display: str) -> tuple[SourceFile | None, list[Diagnostic]]:
        """The spec file's parse, as spec.source.parse_source makes it."""
        ...

    def recording(self) -> Callable[[], Any] | None:
        """A call to make in a forked process once the spec is loaded (None: nothing to do); what it
        returns goes to `recorded` when the files are made."""
        ...

    def recorded(self, made: Any) -> None:
        ...


@dataclass
class Result:
    api: Api | None  # None when the run stopped after validating
    diagnostics: list[Diagnostic]  # warnings (errors raise), in the order they were found
    files: dict[str, str] = field(default_factory=dict)  # output path -> final text
    digests: dict[str, str] = field(default_factory=dict)  # output path -> sha256 of its text
    keys: dict[str, str] = field(default_factory=dict)  # output path -> the key of the job that made it
    rendered: int = 0  # files made by running their job (the rest were the cache's)
    reused: frozenset[str] = frozenset()  # files whose text the cache read from the output this run
    formatted: int = 0  # files that went through black
    sources: tuple[Path, ...] = ()  # the files the spec was read from
    kind: str = "OpenAPI"  # or "AsyncAPI": what the spec is


def run(spec: Path, config: Config, *, display: str | None = None, out: Path | None = None,
        cache: Cache | None = None, until: Until = "files",
        ready: Callable[[Result], None] | None = None) -> Result:
    """Every stage up to `until`. Raises GenerationError with every problem found; validation
    errors raise unless the config is lenient, in which case they come back as warnings. `ready`
    is handed the files as soon as they are known, while validation may still be running; whether
    they may be used is known only when this returns rather than raises."""
    loaded = load(spec, display, cache.parse) if cache is not None else load(spec, display)
    document, locate, source = loaded.document, loaded.locate, loaded.source
    websocket = load(config.websocket_spec, _beside(config.websocket_spec, spec, source)) \
        if config.websocket_spec is not None else None
    keeper = cache
    recording = cache.recording() if cache is not None and until == "files" else None
    recorded = _forked([recording]) if recording is not None else None
    if asyncapi.is_asyncapi(document):  # a WebSocket API alone: small documents, checked here
        waiting = _asyncapi_validation(loaded, alone=True)
        cache = None if cache is None else _RenderOnly(cache)
    else:
        kept, paths = cache.validation(document) if cache is not None else ((), None)
        waiting = validate_stage.start(document, locate, source, kept=kept, paths=paths,
                                       spawn=_forked if until != "validate" else validate_stage.inline)
    also = _asyncapi_validation(websocket, alone=False) if websocket is not None else None

    def validation() -> list[Diagnostic]:
        outcome = waiting()
        if cache is not None:
            cache.validated(outcome)
        found = outcome.diagnostics + (also().diagnostics if also is not None else [])
        if has_errors(found) and not config.lenient:
            raise ValidationFailed(found)
        return [d.as_warning() for d in found]

    sources = loaded.paths + (websocket.paths if websocket is not None else ())
    if until == "validate":
        kind = "AsyncAPI" if asyncapi.is_asyncapi(document) else "OpenAPI"
        return Result(None, validation(), sources=sources, kind=kind)
    # An invalid spec may trip the later stages: then its validation errors are what to report.
    try:
        api, warnings = build_stage.build(
            document, config, source, locate,
            (websocket.document, websocket.source, websocket.locate) if websocket is not None else None)
        if until != "model":
            result = _files(api, config, out, cache)
            result.sources = sources
            if ready is not None:
                ready(result)
    except Exception:
        if recorded is not None:
            recorded()
        validation()
        raise
    if recorded is not None:
        assert keeper is not None
        keeper.recorded(recorded()[0])
    if until == "model":  # not inside the try: validation's own error must not wait for it twice
        return Result(api, validation() + warnings, sources=sources)
    result.diagnostics = validation() + warnings
    return result


def _beside(path: Path, spec: Path, display: str) -> str:
    """How to name a second spec in messages and output: relative to the first as it was named
    (`spec/websocket-api.yaml` beside `spec/openapi.yaml`), whatever the working folder."""
    try:
        relative = os.path.relpath(path.absolute(), spec.absolute().parent)
    except ValueError:  # another drive (Windows)
        return str(path)
    return (Path(display).parent / relative).as_posix()


def _asyncapi_validation(loaded: LoadedSpec, alone: bool) -> Callable[[], Outcome]:
    """Validate an AsyncAPI document (the only spec, or the WebSocket API beside an OpenAPI one)."""
    document = loaded.document
    if not asyncapi.is_asyncapi(document):
        problem = error("a websocket_spec must be an AsyncAPI 3.0 document (`asyncapi: 3.0.0` at the top)"
                        + (", not OpenAPI" if "openapi" in document else ""),
                        *loaded.locate("#/openapi" if "openapi" in document else "#"))
        raise GenerationError([problem])
    asyncapi.check_version(document, loaded.locate)
    diagnostics = asyncapi.validate(document, loaded.locate, loaded.source)
    return lambda: Outcome(diagnostics, [], True)


class _RenderOnly:
    """A Cache without its validation part (it keeps OpenAPI validation findings, by path item)."""

    def __init__(self, cache: Cache) -> None:
        self.rendered = cache.rendered
        self.digest = cache.digest

    def validation(self, document: dict[str, Any]) -> tuple[Sequence[Finding], Sequence[str] | None]:
        return (), None

    def validated(self, outcome: Outcome) -> None:
        pass

    def parse(self, raw: bytes, display: str) -> tuple[SourceFile | None, list[Diagnostic]]:
        return parse_source(raw, display)

    def recording(self) -> Callable[[], Any] | None:
        return None

    def recorded(self, made: Any) -> None:
        pass


def _files(api: Api, config: Config, out: Path | None, cache: Cache | None) -> Result:
    """Render what the cache does not have, format it, and add the changelog (made meanwhile, in a
    forked process: it needs the model alone) and the manifest."""
    # The jobs first: their keys read the whole model, which after a fork would copy every page of it.
    jobs = render_stage.jobs(api, render_stage.Renderer(config.templates))
    history = _forked([functools.partial(changelog.files, api, out)])
    files: dict[str, str] = {}
    made: dict[str, str] = {}
    keys = {job.path: job.key for job in jobs if job.key is not None}
    for job in jobs:
        known = cache.rendered(job.path, job.key) if cache is not None and job.key is not None else None
        if known is not None:
            files[job.path] = known
        else:
            made[job.path] = job.make()
    origins = {job.path: job.origin for job in jobs}
    laid_out = {job.path for job in jobs if job.laid_out}
    formatted, count = format_stage.format_files(made, origins, laid_out)
    files.update(formatted)
    reused = frozenset(files) - frozenset(made)
    files = {job.path: files[job.path] for job in jobs}  # in the jobs' order, whoever made them
    files.update(history()[0])
    digests = {path: cache.digest(path) if cache is not None and path in reused else write_stage.digest(text)
               for path, text in files.items()}
    files[write_stage.MANIFEST] = manifest = write_stage.manifest_text(digests)
    digests[write_stage.MANIFEST] = write_stage.digest(manifest)
    return Result(api, [], files, digests, keys, len(made), reused, count)


# -- forked calls --------------------------------------------------------------------------------

def _forked(calls: Sequence[Callable[[], Any]]) -> Callable[[], list[Any]]:
    """validate.Spawn that runs each call in a child process forked now (it inherits the document
    and the model: nothing is copied), and waits for their pickled results when asked. Where there
    is no fork, or a child fails, the call runs here instead: the outcome is the same, and an
    exception it raises is raised here."""
    if not calls or not hasattr(os, "fork"):
        return validate_stage.inline(calls)
    children = [_fork(call) for call in calls]

    def wait() -> list[Any]:
        return [_result(child, call) for child, call in zip(children, calls, strict=True)]

    return wait


def _fork(call: Callable[[], Any]) -> tuple[int, int] | None:
    try:
        read, write = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            os.close(read)
            payload = pickle.dumps(call(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(payload)
            while view:
                view = view[os.write(write, view):]
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _result(child: tuple[int, int] | None, call: Callable[[], Any]) -> Any:
    if child is None:
        return call()
    pid, read = child
    chunks = []
    try:
        while chunk := os.read(read, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(read)
        _, status = os.waitpid(pid, 0)
    if status == 0:
        try:
            return pickle.loads(b"".join(chunks))
        except Exception:  # a truncated result: run it here
            pass
    return call()

