"""model.Api -> {relative output path: text}, through one Jinja2 Environment over templates/.

Templates lay out what the model decided. A user may put a folder of templates in front of the built-in
ones (--templates DIR): a file there with the same relative name replaces ours.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from . import escape, examples
from .diagnostics import Diagnostic, GenerationError, error
from .model import Api, SpecText
from .naming import RUNTIME_EXPORT_MODULES
from .schemas import fingerprint
from .write import Kept

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # installed as a wheel: templates are packaged inside
    BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "_templates"

# Compiled templates, kept as Python keeps bytecode (__pycache__): the generator's own code, compiled
# once per machine instead of on every run (0.1 s). Jinja checks each entry against its template's
# source, and a folder that cannot be written only means compiling every time.
_BYTECODE_DIR = Path(__file__).resolve().parent / "__pycache__" / "jinja"

RUNTIME_DIR = "runtime"  # plain Python files copied into the package root as they are
VERBATIM_TEST_FILES = ("tests/loopback.py",)


@dataclass(frozen=True)
class Rendered:
    files: dict[str, str | Kept]  # output path -> text (write.Kept: one the last run wrote, not read back)
    origins: dict[str, str]  # output path -> template that made it (for error messages)
    laid_out: frozenset[str]  # outputs of built-in templates only: already in black's layout
    keys: dict[str, str] = field(default_factory=dict)  # model file -> digest of all it was made from
    # Parts of files, by the digest of all they were made from (the next run's `fragments`).
    fragments: dict[str, str] = field(default_factory=dict)


# (output path, key, how to render it) -> the text a previous run rendered for that key, or what stands
# in for it (write.Kept), if it can be had unchanged.
Previous = Callable[[str, str, Callable[[], str]], str | Kept | None]


def _refuse_spec_text(value: Any) -> Any:
    """Jinja finalize hook: spec text printed without an escaping filter is a template bug."""
    if isinstance(value, SpecText):
        raise TypeError("spec text printed without an escaping filter (py_str, docstring, comment, md, ...)")
    return value


class Renderer:
    def __init__(self, user_templates: Path | None = None) -> None:
        self.search_path = [p for p in (user_templates, BUILTIN_TEMPLATES) if p is not None]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in self.search_path]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # each output needs its own escaping; filters below do it explicitly
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_refuse_spec_text,
            bytecode_cache=_bytecode_cache(),
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
        self.env.globals["layout"] = examples.py_layout
        self.env.globals["fits"] = lambda line: len(line) <= examples.LINE_LENGTH
        self.env.globals["hint_lines"] = examples.hint_lines

    def source(self, name: str) -> str:
        """A plain (non-template) file, from the user's folder if it has one, else ours."""
        for folder in self.search_path:
            candidate = folder / name
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8")
        raise GenerationError([error("built-in template missing", str(BUILTIN_TEMPLATES / name))])

    def runtime_files(self) -> list[str]:
        names: set[str] = set()
        for folder in self.search_path:
            runtime = folder / RUNTIME_DIR
            if runtime.is_dir():
                names.update(p.name for p in runtime.glob("*.py"))
        return sorted(names)

    def render(self, template: str, **context: Any) -> str:
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise GenerationError([error(f"template syntax error: {exc.message}",
                                         exc.filename or template, exc.lineno)]) from None
        except jinja2.TemplateNotFound as exc:
            raise GenerationError([error(f"template not found: {exc.name}", template)]) from None
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


def _bytecode_cache() -> jinja2.BytecodeCache:
    return _BytecodeCache(str(_BYTECODE_DIR))


def _template_error(exc: Exception, template: str) -> Diagnostic:
    import traceback  # here: only a failing template needs it

    file, line = template, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".jinja"):
            file, line = frame.filename, frame.lineno
    return error(f"template failed: {type(exc).__name__}: {exc}", file, line)


def render(api: Api, user_templates: Path | None = None, previous: Previous | None = None,
           base: str = "", fragments: Mapping[str, str] | None = None) -> Rendered:
    """Every output file of the client package, its docs and its tests, in memory.

    Files made from one model or one API class (most of a large spec's output) are keyed by a digest
    of everything they are made from: `base` (the generator, its templates and settings), the Api
    apart from its classes and models, the module names of models and unions, and the fingerprint
    of the model or class (build.py). With `previous`, such a file whose key is unchanged since the
    last run takes that run's text instead of being rendered again.
    """
    renderer = Renderer(user_templates)
    pkg = api.package.path
    files: dict[str, str | Kept] = {}
    origins: dict[str, str] = {}
    keys: dict[str, str] = {}
    modules = [(m.class_name, m.module) for m in api.models] + [(u.class_name, u.module) for u in api.unions]
    # Everything of the Api but its classes and models (those go by their fingerprints, build.py),
    # and but the spec's file name, which the built-in templates of these files do not show.
    shown = api.source if user_templates is not None else None
    shared = fingerprint((base, api.title, api.description, api.api_version, api.host, api.package,
                      api.security_schemes, shown, api.listen_key_ops, api.unions, modules))

    def emit(path: str, template: str, **context: Any) -> None:
        files[path] = renderer.render(template, api=api, **context)
        origins[path] = template

    def emit_keyed(path: str, template: str, name: str, item: Any, **context: Any) -> None:
        """A file made from one API class or model: its text from the last run if its key is the same."""
        key = fingerprint((shared, template, api.fingerprints.get(name) or repr(item)))
        keys[path] = key
        text = previous(path, key, lambda: renderer.render(template, api=api, **context)) \
            if previous is not None else None
        if text is None:
            emit(path, template, **context)
        else:
            files[path], origins[path] = text, template

    for name in renderer.runtime_files():
        files[f"{pkg}/{name}"] = renderer.source(f"{RUNTIME_DIR}/{name}")
        origins[f"{pkg}/{name}"] = f"{RUNTIME_DIR}/{name}"
    for name in VERBATIM_TEST_FILES:
        files[name] = renderer.source(name)
        origins[name] = name
    files[f"{pkg}/py.typed"] = ""
    origins[f"{pkg}/py.typed"] = "(empty marker)"
    def emit_shown(path: str, template: str, shown: Callable[[], Any], **context: Any) -> None:
        """A file of a built-in template that shows `shown()` of the Api and what `shared` covers,
        nothing else: keyed by them. A user's template may show anything: rendered every time."""
        if user_templates is None:
            emit_keyed(path, template, "", shown(), **context)
        else:
            emit(path, template, **context)

    classes = [(a.class_name, a.async_class_name, a.module) for a in api.apis]
    emit_shown(f"{pkg}/__init__.py", "package/__init__.py.jinja",
               lambda: (api.title, api.source, api.listen_key_ops is not None, classes),
               runtime_exports=RUNTIME_EXPORT_MODULES)
    emit_shown(f"{pkg}/models/__init__.py", "package/models/__init__.py.jinja", lambda: ())
    emit(f"{pkg}/_metadata.py", "package/_metadata.py.jinja")
    emit_shown(f"{pkg}/api/__init__.py", "package/api/__init__.py.jinja", lambda: classes)
    for api_class in api.apis:
        for path, template in ((f"{pkg}/api/{api_class.module}.py", "package/api/api.py.jinja"),
                               (f"docs/{api_class.class_name}.md", "docs/api.md.jinja")):
            emit_keyed(path, template, api_class.class_name, api_class, api_class=api_class)
    for model in api.models:
        for path, template in ((f"{pkg}/models/{model.module}.py", "package/models/model.py.jinja"),
                               (f"docs/{model.class_name}.md", "docs/model.md.jinja")):
            emit_keyed(path, template, model.class_name, model, model=model)
    for union in api.unions:
        emit(f"{pkg}/models/{union.module}.py", "package/models/union.py.jinja", union=union)
        emit(f"docs/{union.class_name}.md", "docs/union.md.jinja", union=union)
    if api.listen_key_ops is not None:
        emit(f"{pkg}/user_data_stream.py", "package/user_data_stream.py.jinja")
    emit("README.md", "README.md.jinja")
    emit("pyproject.toml", "pyproject.toml.jinja")
    emit("tests/__init__.py", "tests/__init__.py.jinja")
    emit("tests/conftest.py", "tests/conftest.py.jinja")
    # tests/cases.py: the part of each API class, and the models' part, kept by their keys like files.
    made: dict[str, str] = {}

    def part(template: str, identity: Any, **context: Any) -> str:
        key = fingerprint((shared, template, identity))
        text = (fragments or {}).get(key)
        made[key] = text if text is not None else renderer.render(template, api=api, **context)
        return made[key]

    operation_cases = [part("tests/operation_cases.py.jinja",
                            api.fingerprints.get(a.class_name) or repr(a), api_class=a) for a in api.apis]
    model_cases = part("tests/model_cases.py.jinja",
                       [api.fingerprints.get(m.class_name) or repr(m) for m in api.models])
    emit("tests/cases.py", "tests/cases.py.jinja", operation_cases=operation_cases, model_cases=model_cases)
    emit_shown("tests/test_operations.py", "tests/test_operations.py.jinja",
               lambda: (any(op.signed for op in api.operations),
                        any(not p.required for op in api.operations for p in op.parameters)))
    emit("tests/test_models.py", "tests/test_models.py.jinja")
    # With a user's template folder any template (or macro) may be theirs: black formats everything.
    laid_out = frozenset(files) if user_templates is None else frozenset()
    return Rendered(files, origins, laid_out, keys, made)
