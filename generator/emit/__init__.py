"""model.Api -> {output path: text}: render (one Jinja Environment), escaping, Python layout, format."""

from pathlib import Path

# The built-in templates: beside the generator in a checkout, packaged inside it in a wheel.
BUILTIN_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
if not BUILTIN_TEMPLATES.is_dir():
    BUILTIN_TEMPLATES = Path(__file__).resolve().parents[1] / "_templates"
