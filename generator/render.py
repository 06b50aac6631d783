"""model.Api -> {relative output path: text}, through one Jinja2 Environment over templates/.

Templates lay out what the model decided. A user may put a folder of templates in front of the built-in
ones (--templates DIR): a file there with the same relative name replaces ours.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import escape, examples
from .diagnostics import Diagnostic, GenerationError, error
from .model import Api, SpecText
from .naming import RUNTIME_EXPORT_MODULES

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # installed as a wheel: templates are packaged inside
    BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "_templates"

RUNTIME_DIR = "runtime"  # plain Python files copied into the package root as they are
VERBATIM_TEST_FILES = ("tests/loopback.py",)


@dataclass(frozen=True)
class Rendered:
    files: dict[str, str]  # output path -> text
    origins: dict[str, str]  # output path -> template that made it (for error messages)
    laid_out: frozenset[str]  # outputs of built-in templates only: already in black's layout


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


def _template_error(exc: Exception, template: str) -> Diagnostic:
    file, line = template, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".jinja"):
            file, line = frame.filename, frame.lineno
    return error(f"template failed: {type(exc).__name__}: {exc}", file, line)


def render(api: Api, user_templates: Path | None = None) -> Rendered:
    """Every output file of the client package, its docs and its tests, in memory."""
    renderer = Renderer(user_templates)
    pkg = api.package.path
    files: dict[str, str] = {}
    origins: dict[str, str] = {}

    def emit(path: str, template: str, **context: Any) -> None:
        files[path] = renderer.render(template, api=api, **context)
        origins[path] = template

    for name in renderer.runtime_files():
        files[f"{pkg}/{name}"] = renderer.source(f"{RUNTIME_DIR}/{name}")
        origins[f"{pkg}/{name}"] = f"{RUNTIME_DIR}/{name}"
    for name in VERBATIM_TEST_FILES:
        files[name] = renderer.source(name)
        origins[name] = name
    files[f"{pkg}/py.typed"] = ""
    origins[f"{pkg}/py.typed"] = "(empty marker)"
    emit(f"{pkg}/__init__.py", "package/__init__.py.jinja", runtime_exports=RUNTIME_EXPORT_MODULES)
    emit(f"{pkg}/_metadata.py", "package/_metadata.py.jinja")
    emit(f"{pkg}/api/__init__.py", "package/api/__init__.py.jinja")
    emit(f"{pkg}/models/__init__.py", "package/models/__init__.py.jinja")
    for api_class in api.apis:
        emit(f"{pkg}/api/{api_class.module}.py", "package/api/api.py.jinja", api_class=api_class)
        emit(f"docs/{api_class.class_name}.md", "docs/api.md.jinja", api_class=api_class)
    for model in api.models:
        emit(f"{pkg}/models/{model.module}.py", "package/models/model.py.jinja", model=model)
        emit(f"docs/{model.class_name}.md", "docs/model.md.jinja", model=model)
    if api.listen_key_ops is not None:
        emit(f"{pkg}/user_data_stream.py", "package/user_data_stream.py.jinja")
    emit("README.md", "README.md.jinja")
    emit("pyproject.toml", "pyproject.toml.jinja")
    emit("tests/__init__.py", "tests/__init__.py.jinja")
    emit("tests/conftest.py", "tests/conftest.py.jinja")
    emit("tests/cases.py", "tests/cases.py.jinja")
    emit("tests/test_operations.py", "tests/test_operations.py.jinja")
    emit("tests/test_models.py", "tests/test_models.py.jinja")
    # With a user's template folder any template (or macro) may be theirs: black formats everything.
    laid_out = frozenset(files) if user_templates is None else frozenset()
    return Rendered(files, origins, laid_out)
