"""model.Api -> render jobs (one per output file) -> {relative output path: text}, through one Jinja2 Environment.

Templates lay out what the model decided. A user may put a folder of templates in front of the
built-in ones (--templates DIR): a file there with the same relative name replaces ours.

Each job names its file, the template that makes it, and a key: a digest of everything the file is
made from (its template's name and what the template is handed), or None for a file made from the
whole Api. Two jobs with the same key make the same text, so a caller that kept the text made for a
key may use it instead of running the job (the pipeline's cache does; this module keeps nothing).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from ..diagnostics import Diagnostic, GenerationError, Kind, error
from ..model.api import Api, SpecText, Vendor
from . import BUILTIN_RUNTIME, BUILTIN_TEMPLATES, escape, layout

# Compiled templates, kept as Python keeps bytecode (__pycache__): the generator's own code, compiled
# once per machine instead of on every run (0.1 s). Jinja checks each entry against its template's
# source, and a folder that cannot be written only means compiling every time.
_BYTECODE_DIR = Path(__file__).resolve().parent / "__pycache__" / "jinja"

RUNTIME_DIR = "runtime"  # a user's template folder may replace runtime files: in its runtime/
VERBATIM_TEST_FILES = ("tests/loopback.py", "tests/cases/_types.py")
WEBSOCKET_TEST_FILES = ("tests/ws_loopback.py",)  # in packages with a WebSocket API
STREAM_TEST_FILES = ("tests/stream_loopback.py",)  # in packages with market streams


@dataclass(frozen=True)
class CaseModules:
    """The modules of the generated test table (tests/cases/): one per API class, and `models`."""

    api_modules: tuple[str, ...]  # in the order of the API classes

    @property
    def modules(self) -> list[str]:
        return sorted([*self.api_modules, "models"])


@dataclass(frozen=True)
class Job:
    path: str  # where the file goes in the output
    origin: str  # the template (or runtime file) that makes it, for messages
    key: str | None  # see the module docstring
    make: Callable[[], str]
    laid_out: bool  # made by built-in templates only: already in black's layout (format.py)


def _refuse_spec_text(value: Any) -> Any:
    """Jinja finalize hook: spec text printed without an escaping filter is a template bug."""
    if isinstance(value, SpecText):
        raise TypeError("spec text printed without an escaping filter (py_str, docstring, comment, md, ...)")
    return value


def overridable() -> dict[str, Path]:
    """Every name a file in a user's template folder may have, with the built-in file it replaces:
    each template (`docs/model.md.jinja`, `macros/...`, the verbatim test files), and each runtime
    file as `runtime/NAME.py` (Renderer.runtime takes a user's runtime files by name, flat, for the
    generic runtime and a profile's folder of it alike)."""
    names = {p.relative_to(BUILTIN_TEMPLATES).as_posix(): p for p in sorted(BUILTIN_TEMPLATES.rglob("*"))
             if p.is_file() and not _skipped(p.relative_to(BUILTIN_TEMPLATES))}
    folders = [BUILTIN_RUNTIME, *(d for d in sorted(BUILTIN_RUNTIME.iterdir())
                                  if d.is_dir() and d.name not in ("tests", "__pycache__"))]
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            if path.name != "__init__.py":
                names.setdefault(f"{RUNTIME_DIR}/{path.name}", path)
    return names


def _skipped(relative: Path) -> bool:
    """Files that are not anyone's templates: hidden ones (editor backups) and Python's caches."""
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)


def unknown_overrides(folder: Path) -> list[Diagnostic]:
    """An error for each file in a user's template folder that replaces nothing: a misspelt name
    would otherwise be ignored without a word, and the output made from ours."""
    known = overridable()
    problems = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if _skipped(relative) or not path.is_file() or relative.as_posix() in known:
            continue
        name = relative.as_posix()
        # The same file name elsewhere first (runtime/binance/auth.py is runtime/auth.py), else a
        # close spelling.
        close = [k for k in known if k.rpartition("/")[2] == path.name] or difflib.get_close_matches(
            name, list(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(error(f"{name} replaces nothing: no built-in template or runtime file has this "
                              f"name{hint}", str(path), kind=Kind.TEMPLATE))
    return problems


class Renderer:
    def __init__(self, user_templates: Path | None = None) -> None:
        if user_templates is not None:
            try:
                problems = unknown_overrides(user_templates)
            except OSError as exc:
                problems = [error(f"cannot read the templates folder: {exc.strerror or exc}",
                                  str(exc.filename or user_templates), kind=Kind.TEMPLATE)]
            if problems:
                raise GenerationError(problems)
        self.user_templates = user_templates
        self.search_path = [p for p in (user_templates, BUILTIN_TEMPLATES) if p is not None]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in self.search_path]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # each output needs its own escaping; filters below do it explicitly
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_refuse_spec_text,
            bytecode_cache=_BytecodeCache(str(_BYTECODE_DIR)),
        )
        filters: dict[str, Callable[..., str]] = {
            "py_str": escape.py_str,
            "docstring": escape.docstring,
            "comment": escape.comment,
            "md": escape.md,
            "md_block": escape.md_block,
            "toml_str": escape.toml_str,
        }
        self.env.filters.update(filters)
        # Layout helpers: code laid out as black lays it out, so black has nothing left to do.
        self.env.globals["layout"] = layout.py_layout
        self.env.globals["literal"] = layout.py_literal
        self.env.globals["tuples"] = layout.py_tuples
        self.env.globals["tuple_layout"] = layout.py_tuple
        self.env.globals["fits"] = layout.fits
        self.env.globals["hint_lines"] = layout.hint_lines
        self.env.globals["from_names"] = layout.from_names
        self.env.globals["from_import"] = layout.from_import
        self.env.globals["import_sorted"] = layout.import_sorted
        self.env.globals["returns"] = layout.returns
        self.env.globals["operation_constant"] = layout.operation_constant
        self.env.globals["field_declaration"] = layout.field
        self.env.globals["parameter"] = layout.parameter
        self.env.globals["alias"] = layout.alias
        self.env.globals["assigned"] = layout.assigned

    def source(self, name: str) -> str:
        """A plain (non-template) file, from the user's folder if it has one, else ours."""
        for folder in self.search_path:
            candidate = folder / name
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8")
        raise GenerationError([error("built-in template missing", str(BUILTIN_TEMPLATES / name),
                                     kind=Kind.TEMPLATE)])

    def runtime(self, *folders: str | None) -> dict[str, tuple[str, str]]:
        """The runtime a package ships, copied as it is: file name -> (where it comes from, text).
        The generic runtime (runtime/*.py), the folders of it a package needs (runtime/<folder>/*.py:
        its profile's, the WebSocket client's), and, over any of them, a file of the same name in
        the user's templates' runtime/."""
        found = {p.name: p for p in sorted(BUILTIN_RUNTIME.glob("*.py")) if p.name != "__init__.py"}
        for folder in folders:
            if folder is not None:
                found.update((p.name, p) for p in sorted((BUILTIN_RUNTIME / folder).glob("*.py")))
        if self.user_templates is not None and (self.user_templates / RUNTIME_DIR).is_dir():
            found.update((p.name, p) for p in sorted((self.user_templates / RUNTIME_DIR).glob("*.py")))
        try:
            return {name: (str(path), path.read_text(encoding="utf-8")) for name, path in sorted(found.items())}
        except OSError as exc:
            raise GenerationError([error(f"cannot read the runtime: {exc}", str(BUILTIN_RUNTIME),
                                         kind=Kind.TEMPLATE)]) from None

    def render(self, template: str, **context: Any) -> str:
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise GenerationError([error(f"template syntax error: {exc.message}", exc.filename or template,
                                         exc.lineno, kind=Kind.TEMPLATE)]) from None
        except jinja2.TemplateNotFound as exc:
            raise GenerationError([error(f"template not found: {exc.name}", template, kind=Kind.TEMPLATE)]) from None
        except Exception as exc:  # a template bug: name the template and its line, never a traceback
            raise GenerationError([_template_error(exc, template)]) from None


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Read always; written under the rule Python's own bytecode is (not with -B or
    PYTHONDONTWRITEBYTECODE), and never an error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if sys.dont_write_bytecode:
            return
        try:
            _BYTECODE_DIR.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _template_error(exc: Exception, template: str) -> Diagnostic:
    import traceback  # here: only a failing template needs it

    file, line = template, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".jinja"):
            file, line = frame.filename, frame.lineno
    return error(f"template failed: {type(exc).__name__}: {exc}", file, line, kind=Kind.TEMPLATE)


def fingerprint(value: Any) -> str:
    """A digest of everything in a model value (its repr: the model's classes are dataclasses)."""
    return _digest(repr(value))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def jobs(api: Api, renderer: Renderer) -> list[Job]:
    """One job per output file of the client package, its docs and its tests.

    A template is handed only its context: a keyed job's key is the digest of its template's name and
    of every value in that context (a user's template gets the same, so its jobs are keyed alike).
    Files made from the whole Api (the README, pyproject.toml...) are made on every run."""
    pkg = api.package.path
    built_in = renderer.user_templates is None
    made: list[Job] = []
    prints: dict[int, str] = {}  # id -> fingerprint of the values in contexts (all held by `api`)

    def printed(value: Any) -> str:
        known = prints.get(id(value))
        if known is None:
            # A tuple of units (every model, for the models' test table) is the digest of theirs:
            # each unit's repr is made once, for its own job.
            known = prints[id(value)] = _digest("\0".join(map(printed, value))) \
                if type(value) is tuple and value and dataclasses.is_dataclass(value[0]) else fingerprint(value)
        return known

    def add(path: str, template: str, keyed: bool = True, **context: Any) -> None:
        key = _digest("\0".join([template, *(f"{k}={printed(v)}" for k, v in sorted(context.items()))])) \
            if keyed else None
        made.append(Job(path, template, key, lambda: renderer.render(template, **context), built_in))

    def verbatim(path: str, name: str) -> None:
        made.append(Job(path, name, None, _constant(renderer.source(name)), built_in))

    ws = api.websocket
    streams = api.streams
    folders = (api.vendor.runtime, "websocket" if ws or streams else None, "streams" if streams else None)
    for name, (origin, text) in renderer.runtime(*folders).items():
        made.append(Job(f"{pkg}/{name}", origin, None, _constant(text), built_in))
    for name in VERBATIM_TEST_FILES + (WEBSOCKET_TEST_FILES if ws else ()) + (STREAM_TEST_FILES if streams else ()):
        verbatim(name, name)
    made.append(Job(f"{pkg}/py.typed", "(empty marker)", None, lambda: "", True))
    shared = api.shared
    exports = (*_runtime_exports(api.vendor), *((name, ".api." + module) for name, module in api.api_exports),
               *((("UserDataStream", ".user_data_stream"), ("AsyncUserDataStream", ".user_data_stream"))
                 if api.listen_key_ops is not None or (ws is not None and ws.user_data) else ()),
               *((("ListenKeyStream", ".listen_key_stream"), ("AsyncListenKeyStream", ".listen_key_stream"))
                 if api.listen_key_ops is not None and ws is not None and ws.user_data else ()),
               *(((name, "." + ws.module) for name in ws.exports) if ws else ()),
               *(((name, ".ws_operation") for name in ("WsConfiguration", "WsResponse")) if ws else ()),
               *(((name, "." + streams.module) for name in streams.exports) if streams else ()),
               *((("WsConfiguration", ".ws_operation"),) if streams and not ws else ()),
               *((name, ".models." + module) for name, module in api.model_exports))
    add(f"{pkg}/__init__.py", "package/__init__.py.jinja", title=api.title, source=api.source, package=api.package,
        exports=exports)
    add(f"{pkg}/models/__init__.py", "package/models/__init__.py.jinja",
        exports=tuple((name, "." + module) for name, module in api.model_exports))
    add(f"{pkg}/api/__init__.py", "package/api/__init__.py.jinja",
        exports=tuple((name, "." + module) for name, module in api.api_exports))
    add(f"{pkg}/_metadata.py", "package/_metadata.py.jinja", False, api=api)
    if api.vendor.auth_generated:
        add(f"{pkg}/auth.py", "package/auth.py.jinja", False, api=api)
    for api_class in api.apis:
        add(f"{pkg}/api/{api_class.module}.py", "package/api/api.py.jinja", api_class=api_class)
        add(f"docs/{api_class.class_name}.md", "docs/api.md.jinja", api_class=api_class, shared=shared)
        add(f"tests/cases/{api_class.module}.py", "tests/cases/api.py.jinja", api_class=api_class,
            error_example=api.vendor.error_example)
    for model in api.models:
        add(f"{pkg}/models/{model.module}.py", "package/models/model.py.jinja", model=model)
        add(f"docs/{model.class_name}.md", "docs/model.md.jinja", model=model, shared=shared)
    for union in api.unions:
        add(f"{pkg}/models/{union.module}.py", "package/models/union.py.jinja", union=union)
        add(f"docs/{union.class_name}.md", "docs/union.md.jinja", union=union, shared=shared)
    if ws is not None:
        # Black lays this one out (laid_out=False): its signatures and calls are not written to
        # layout.py's rules.
        made.append(Job(f"{pkg}/{ws.module}.py", "package/websocket_api.py.jinja", None,
                        lambda: renderer.render("package/websocket_api.py.jinja", ws=ws), False))
        add(f"docs/{ws.class_name}.md", "docs/websocket_api.md.jinja", ws=ws, shared=shared)
        add("tests/test_websocket_api.py", "tests/test_websocket_api.py.jinja", False, api=api, ws=ws)
    if streams is not None:
        made.append(Job(f"{pkg}/{streams.module}.py", "package/market_streams.py.jinja", None,
                        lambda: renderer.render("package/market_streams.py.jinja", streams=streams), False))
        add(f"docs/{streams.class_name}.md", "docs/market_streams.md.jinja", streams=streams, shared=shared)
        add("tests/test_market_streams.py", "tests/test_market_streams.py.jinja", False, api=api, streams=streams)
    # The user data stream: over the WebSocket API when the package has it (the listen-key helper
    # then keeps its flow under another name, for APIs that still serve it), else over a listen key.
    over_ws = ws is not None and bool(ws.user_data)
    if api.listen_key_ops is not None:
        name = "ListenKeyStream" if over_ws else "UserDataStream"
        add(f"{pkg}/{'listen_key_stream' if over_ws else 'user_data_stream'}.py", "package/user_data_stream.py.jinja",
            ops=api.listen_key_ops, name=name, async_name="Async" + name)
    if ws is not None and over_ws:
        add(f"{pkg}/user_data_stream.py", "package/user_data_stream_ws.py.jinja", ws=ws,
            auth_class=api.vendor.auth_class, listen_key="ListenKeyStream" if api.listen_key_ops else None)
    add("README.md", "README.md.jinja", False, api=api)
    add("pyproject.toml", "pyproject.toml.jinja", False, api=api)
    add("tests/__init__.py", "tests/__init__.py.jinja", False, api=api)
    add("tests/conftest.py", "tests/conftest.py.jinja", False, api=api)
    table = CaseModules(tuple(a.module for a in api.apis))
    add("tests/cases/__init__.py", "tests/cases/__init__.py.jinja", table=table)
    add("tests/cases/models.py", "tests/cases/models.py.jinja", models=api.models)
    add("tests/test_operations.py", "tests/test_operations.py.jinja", package=api.package,
        any_signed=api.any_signed, any_optional=api.any_optional, error_code=api.vendor.error_code,
        error_message=api.vendor.error_message, integer_code=api.vendor.integer_code)
    add("tests/test_models.py", "tests/test_models.py.jinja", False, api=api)
    return made


def _constant(text: str) -> Callable[[], str]:
    return lambda: text


_EXCEPTIONS = (
    "OpenApiException", "ApiException", "ApiValueError", "ApiTypeError", "ApiConnectionError", "ApiTimeoutError",
    "BadRequestException", "UnauthorizedException", "ForbiddenException", "NotFoundException",
    "ConflictException", "IPBannedException", "RateLimitException", "ServiceException",
    "ResponseValidationError", "ExecutionStatusUnknownError", "ResponseTooLargeError",
)


def _runtime_exports(vendor: Vendor) -> tuple[tuple[str, str], ...]:
    """The runtime's public names (naming.RUNTIME_EXPORTS reserves them) and their modules."""
    return (
        ("ApiClient", ".api_client"),
        ("ApiResponse", ".api_response"),
        ("Configuration", "." + vendor.configuration_module),
        (vendor.auth_class, ".auth"),
        ("ApiModel", ".base_model"),
        ("API", "._metadata"),
        *((name, ".exceptions") for name in _EXCEPTIONS),
        ("AsyncApiClient", ".async_api_client"),
    )


def render(api: Api, user_templates: Path | None = None) -> dict[str, str]:
    """Every output file, rendered (not formatted)."""
    return {job.path: job.make() for job in jobs(api, Renderer(user_templates))}
