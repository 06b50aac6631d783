"""What one run keeps for the next in the same output folder, so that a small edit rebuilds little.

The document is cut into entries: each path item, each member of a `components` section, and every
other top-level member. A digest of each tells what changed since the last run; build.py replays
the units (operations, models) whose reads lie outside every changed entry (schemas.Record).
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import pointer_from_parts
from .reload import LoadMemo
from .schemas import Record

# The top-level members cut finer: into their members (paths) or their sections' members.
_BY_MEMBER = ("paths",)
_BY_SECTION = ("components",)


@dataclass
class BuildMemo:
    entries: dict[str, bytes | None] = field(default_factory=dict)  # entry pointer -> digest
    records: dict[Any, Record] = field(default_factory=dict)
    load: LoadMemo | None = None  # what load.py may load again from (reload.py)
    fragments: dict[str, str] = field(default_factory=dict)  # render.Rendered.fragments
    fingerprints: dict[str, str] = field(default_factory=dict)  # model.Api.fingerprints
    record_sha: str = ""  # sha256 of the API record (changelog.py) written with these fingerprints


def entries(document: dict[str, Any], last: tuple[dict[str, bytes | None], tuple[str, ...]] | None = None
            ) -> dict[str, bytes | None]:
    """Entry pointer -> a digest of its value, in which types count (1, 1.0 and true differ) and so
    does the order of keys. None: a value the digest cannot take (never equal to anything). Where
    the members of `paths` or of a section stand is not an entry: units read members, not order.

    `last`: the entries of the document this one was loaded again from, and those whose value is
    new since (load.LoadedSpec.changed): the others' digests are the same, and taken from there."""
    old, changed = last if last is not None else ({}, ())
    found: dict[str, bytes | None] = {}

    def add(pointer: str, value: Any) -> None:
        found[pointer] = old[pointer] if pointer in old and pointer not in changed else _digest(value)

    for key, value in document.items():
        if key in _BY_MEMBER and isinstance(value, dict):
            for name, member in value.items():
                add(pointer_from_parts((key, name)), member)
        elif key in _BY_SECTION and isinstance(value, dict):
            for section, members in value.items():
                if not isinstance(members, dict):
                    add(pointer_from_parts((key, section)), members)
                    continue
                for name, member in members.items():
                    add(pointer_from_parts((key, section, name)), member)
        else:
            add(pointer_from_parts((key,)), value)
    return found


def changed(old: dict[str, bytes | None], new: dict[str, bytes | None]) -> tuple[str, ...]:
    """The entries whose value differs, or that are only in one of the two."""
    return tuple(sorted(p for p in old.keys() | new.keys()
                        if old.get(p) is None or new.get(p) is None or old[p] != new[p]))


def _digest(value: Any) -> bytes | None:
    # marshal format 2: no back-references, whose use depends on which objects are shared (one
    # document parsed whole and one parsed piecewise are equal but share differently).
    try:
        return hashlib.blake2b(marshal.dumps(value, 2), digest_size=16).digest()
    except ValueError:  # a type marshal does not know (not made by the loader)
        return None
