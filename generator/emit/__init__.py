"""model.Api -> {output path: text}: render (one Jinja Environment), escaping, Python layout, format."""
