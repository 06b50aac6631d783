"""Every cache of the generator. It wraps the stages from outside; no stage imports it.

The CLI makes a Cache for the output folder and hands it to pipeline.run, which asks it two things
(pipeline.Cache); the CLI itself asks it the rest. Four tiers, each at a coarse unit:

1. Nothing changed: the inputs (every spec file in the spec's folder, the settings, the generator,
   its templates and tools) digest as the last run's did, and every output file still holds what
   that run wrote: the run stops before loading anything.
2. Path items: with everything outside `paths` as it was, the validator's findings for path items
   whose digest is unchanged still hold; only the others go to the validator.
3. Render jobs: a file whose render job has the key the last run's had (a digest of everything the
   template is handed: one model, one API class) takes the text that run wrote, if the file still
   holds it: not rendered, not formatted.
4. Files: a file whose stamp is the one recorded with the digest of the text about to be written is
   known to hold it, and is neither read nor written.
"""

from .cache import CACHE_FILE, Cache, Summary

__all__ = ["CACHE_FILE", "Cache", "Summary"]
