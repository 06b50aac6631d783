"""{output path: text} -> files (atomic, manifest, ignore file); the changelog and the API surface diff."""
