"""model.Api -> {output path: text}: render (one Jinja Environment), escaping, Python layout, format."""

from pathlib import Path

# The built-in templates and the runtime every package ships: packaged inside the generator in a
# wheel (generator/_templates, generator/_runtime: see pyproject.toml), beside it in a checkout. The
# packaged ones are looked for first: an installed generator's "beside" is site-packages, where
# another distribution may have put a folder named templates.
_PACKAGED = Path(__file__).resolve().parents[1]
if (_PACKAGED / "_templates").is_dir():
    BUILTIN_TEMPLATES = _PACKAGED / "_templates"
    BUILTIN_RUNTIME = _PACKAGED / "_runtime"
else:
    BUILTIN_TEMPLATES = _PACKAGED.parent / "templates"
    BUILTIN_RUNTIME = _PACKAGED.parent / "runtime"
