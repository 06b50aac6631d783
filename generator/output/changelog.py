"""Model + what the last run left in the output folder -> CHANGELOG.md and the API record, as files.

The record (`.generator-api.json`) holds the surface of the API the last run generated (see diff.py),
the package version it had, and, while there are changes not yet released, the surface they started
from. A run compares the new surface with it:

- first run: an initial entry under the package version;
- same API, same version: both files come back byte for byte as they were;
- API changed, same version: the changes since the last version go under `## Unreleased` (the version
  in the settings is taken as released already: bump it to release them);
- version changed: the unreleased changes (if any) get the new version as their heading.

No dates, no clock: the same record, spec and settings always give the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..model.api import Api
from .surface import (
    Bump,
    Change,
    bump_of,
    bump_sentence,
    code,
    compare,
    is_surface,
    markdown,
    next_version,
    surface,
)

CHANGELOG = "CHANGELOG.md"
RECORD = ".generator-api.json"
UNRELEASED = "Unreleased"
_FORMAT = 1


def files(api: Api, out: Path | None) -> dict[str, str]:
    """{CHANGELOG.md: text, .generator-api.json: text} for this run; `out` is only read."""
    version = str(api.package.version)
    record = read_record(out) if out is not None else None
    new = surface(api)
    sections = _sections(_read(out / CHANGELOG) if out is not None else None)
    base: dict[str, Any] | None = None
    if record is None:
        sections.insert(0, (version, _initial(api)))
    elif new == record["api"] and version == record["version"]:
        base = record["unreleased_since"]  # nothing happened: everything stays as it is
    else:
        start = record["unreleased_since"] or record["api"]
        changes = compare(start, new)
        sections = [s for s in sections if s[0] != UNRELEASED]
        if changes and version == record["version"]:
            sections.insert(0, (UNRELEASED, _unreleased(changes, version)))
            base = start
        elif changes:
            sections.insert(0, (version, _released(changes, record["version"], version)))
    state = {"format": _FORMAT, "version": version, "api": new, "unreleased_since": base}
    return {
        CHANGELOG: _preamble(api) + "".join(f"\n## {heading}\n\n{body}" for heading, body in sections),
        RECORD: _dump(state) + "\n",
    }


# json.dumps(value, sort_keys=True, ensure_ascii=False), without making an encoder for every call.
_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
_ENTRY_DEPTH = 3  # the record's operations and models: one line each


def _dump(value: Any, depth: int = 0) -> str:
    """JSON, sorted, one line per operation and per model (three levels deep): small, reviewable diffs."""
    if depth == _ENTRY_DEPTH or not isinstance(value, dict) or not value:
        return _JSON.encode(value)
    pad = " " * (depth + 1)
    items = [f"{pad}{_JSON.encode(key)}: {_dump(value[key], depth + 1)}" for key in sorted(value)]
    return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"


def read_record(out: Path) -> dict[str, Any] | None:
    """The last run's record, or None if there is none (or it is unreadable: then start afresh)."""
    try:
        data = json.loads((out / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("version"), str)
            or not is_surface(data.get("api"))):
        return None
    since = data.get("unreleased_since")
    return {**data, "unreleased_since": since if is_surface(since) else None}


def has_unreleased(out: Path) -> bool:
    """Whether the folder's changelog lists API changes that no version number covers yet."""
    record = read_record(out)
    return record is not None and record["unreleased_since"] is not None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _sections(text: str | None) -> list[tuple[str, str]]:
    """(heading, body) of every `## ` section; the preamble above them is always written afresh."""
    if not text:
        return []
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    result = []
    for part in parts:
        heading, _, body = part.partition("\n")
        result.append((heading.strip(), body.strip("\n") + "\n"))
    return result


def _preamble(api: Api) -> str:
    package = api.package
    return (
        "# Changelog\n\n"
        f"Changes to the API of {code(package.distribution)} (`import {package.name}`), newest first.\n"
        "The generator writes this file on every run that changes the generated API, in\n"
        "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/) sections, each with the\n"
        "[Semantic Versioning](https://semver.org/spec/v2.0.0.html) bump it implies.\n\n"
        "The public contract is the generated client: its API classes, their method names, parameters\n"
        "and return types, and the models with their fields. Changes made while the package version\n"
        "stayed the same are listed under Unreleased until the version is bumped.\n"
    )


def _initial(api: Api) -> str:
    operations = len(api.operations)
    lines = [f"First version: {operations} operation{'s' if operations != 1 else ''} in {len(api.apis)} API "
             f"class{'es' if len(api.apis) != 1 else ''}, {len(api.models)} model{'s' if len(api.models) != 1 else ''}.",
             ""]
    for api_class in api.apis:
        count = len(api_class.operations)
        lines.append(f"- {code(api_class.class_name)}: {count} operation{'s' if count != 1 else ''}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _unreleased(changes: list[Change], version: str) -> str:
    return (f"API changes since {code(version)}, in no version yet. {bump_sentence(changes, version)} "
            "Set `version` in the settings file and generate again to release them.\n\n"
            + markdown(changes, level=3))


def _released(changes: list[Change], previous: str, version: str) -> str:
    bump = bump_of(changes)
    reason = {Bump.MAJOR: "breaking changes, marked **Breaking**", Bump.MINOR: "additions or deprecations",
              Bump.PATCH: "no addition, nothing breaking", Bump.NONE: "none"}[bump]
    text = f"API changes since {code(previous)}: **{bump.label}** ({reason})."
    needed = next_version(previous, bump)
    if needed is not None and not _at_least(version, needed):
        text += f" Note: these changes call for {code(needed)} or later."
    return text + "\n\n" + markdown(changes, level=3)


def _at_least(version: str, needed: str) -> bool:
    """Whether X.Y.Z `version` >= `needed` (True when either is not plain X.Y.Z: nothing to say then)."""
    have, want = _release(version), _release(needed)
    return have is None or want is None or have >= want


def _release(version: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if match is None:
        return None
    major, minor, patch = (int(part or 0) for part in match.groups())
    return major, minor, patch
