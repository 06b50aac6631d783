"""Every cache of the generator. It wraps the stages from outside; no stage imports it.

The CLI makes a Cache for the output folder and hands it to pipeline.run, which asks it what
pipeline.Cache names; the CLI itself asks it the rest. Four tiers, each at a coarse unit:

1. Nothing changed: the inputs (every spec file in the spec's folder, the settings, the generator,
   its templates and tools) digest as the last run's did, and every output file still holds what
   that run wrote: the run stops before loading anything.
2. Path items: with everything outside `paths` as it was, the validator's findings for path items
   whose digest is unchanged still hold; only the others go to the validator.
3. Render jobs: a file whose render job has the key the last run's had (a digest of everything the
   template is handed: one model, one API class) takes the text that run wrote, if the file still
   holds it: not rendered, not formatted.
4. The spec's file: when its text changed only inside path items (block YAML), the last run's parse
   (kept in the record) takes a parse of those path items alone; the whole file is not parsed
   (chunks.py). The record of this run's parse is made in a forked process.

Files that come out as they are on disk are not written either, but that is the writer's own
comparison (output/write.py), no cache.

What each tier saves on Binance Spot (382 operations, 1,517 files), measured by turning one off at
a time (2026-12-02, medians of 5 runs, this 2-core machine): 1. a no-op run takes 0.15 s instead of
0.75 s; 2. a one-endpoint edit takes 0.82 s instead of 1.45 s (the validator would check every path
item); 3. the same edit, 0.82 s instead of 1.49 s (every file rendered again). Another tier, file
stamps that spared reading unchanged output files, saved 0.02 s of either run and was removed.
Tier 4 (2026-12-06, medians of 9 runs, same machine): the same edit takes 0.59 s instead of
0.77 s (parsing the 1.3 MB file takes 0.2 s; taking up the record's parse, 0.06 s; making it, in
the forked process, 0.06 s); a cold run and a no-op run take what they took without
it (1.96 s and 0.10 s in that session). Its lines: chunks.py (about 200) and 50 in cache.py.
"""

from .cache import CACHE_FILE, Cache, Summary

__all__ = ["CACHE_FILE", "Cache", "Summary"]
