"""Spec path -> located document (YAML/JSON, bounded reading, $ref bundling) -> Diagnostics (validation)."""
