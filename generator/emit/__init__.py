"""model.Api -> {output path: text}: render (one Jinja Environment), escaping, Python layout, format."""

from pathlib import Path

# The built-in templates and the runtime every package ships: beside the generator in a checkout,
# packaged inside it in a wheel.
_ROOT = Path(__file__).resolve().parents[2]
BUILTIN_TEMPLATES = _ROOT / "templates"
BUILTIN_RUNTIME = _ROOT / "runtime"
if not BUILTIN_TEMPLATES.is_dir():
    BUILTIN_TEMPLATES = Path(__file__).resolve().parents[1] / "_templates"
    BUILTIN_RUNTIME = Path(__file__).resolve().parents[1] / "_runtime"
