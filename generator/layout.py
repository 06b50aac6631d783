"""Names the generator fixes: the files it keeps in an output folder beside the output, and the key
under which load.py bundles a spec's other files into its document.

A module of its own, importing nothing: the CLI and the validating helper (warm.py) need these
before, or without, the modules that use them.
"""

MANIFEST = ".generator-manifest.json"  # write.py: the files a run made, with their digests
IGNORE_FILE = ".generatorignore"  # write.py: paths the user keeps, never written nor removed
CACHE_FILE = ".generator-cache.json"  # cache.py's record: local, never part of the output
MEMO_FILE = ".generator-cache.pickle"  # cache.py's build memo: likewise

BUNDLE_KEY = "x-generator-files"  # load.py: the top-level key of bundled files, reserved
