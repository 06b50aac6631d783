"""The version of an installed distribution, without importing importlib.metadata (30 ms at every
start, a twentieth of an edit run): the name of its `NAME-VERSION.dist-info` folder says it."""

from __future__ import annotations

import functools
import os
import re
import sys

_SUFFIX = ".dist-info"


def version(distribution: str) -> str:
    found = _installed().get(_normalized(distribution))
    if found is not None:
        return found
    from importlib import metadata  # installed some other way (an egg, a zip): ask the slow way

    return metadata.version(distribution)


@functools.cache
def _installed() -> dict[str, str]:
    """Normalized name -> version of every distribution on sys.path (the first one found wins, as
    for imports): one listing per folder, however many versions a run asks for."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(_SUFFIX):
                project, _, number = name[:-len(_SUFFIX)].rpartition("-")
                if number:
                    found.setdefault(_normalized(project), number)
    return found


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()
