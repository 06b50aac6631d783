"""{path: text} -> {path: text}: every .py file through black, in process (in parallel when there are many).

A file whose unformatted text is what the last run formatted is not formatted again: the caller passes
`reuse`, the formatted text recorded for an unchanged source (see write.py's manifest).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor

import black
from black.mode import Mode, TargetVersion

from .diagnostics import Diagnostic, GenerationError, error

MODE = Mode(line_length=100, target_versions={TargetVersion.PY310})
_PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _format_one(item: tuple[str, str]) -> tuple[str, str | None, str | None]:
    path, text = item
    try:
        return path, black.format_str(text, mode=MODE), None
    except Exception as exc:  # black reports invalid code as several exception types
        return path, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def format_files(files: Mapping[str, str], origins: Mapping[str, str],
                 reuse: Callable[[str, str], str | None] | None = None) -> tuple[dict[str, str], int]:
    """Formatted copies of all files and the number that went through black. Raises on invalid Python."""
    result = dict(files)
    todo = []
    for path, text in files.items():
        if not path.endswith(".py"):
            continue
        previous = reuse(path, sha256(text)) if reuse is not None else None
        if previous is not None:
            result[path] = previous
        else:
            todo.append((path, text))
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) >= _PARALLEL_THRESHOLD and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_format_one, todo, chunksize=max(1, len(todo) // (workers * 4))))
    else:
        outcomes = [_format_one(item) for item in todo]
    problems: list[Diagnostic] = []
    for path, formatted, failure in outcomes:
        if formatted is None:
            template = origins.get(path, path)
            problems.append(error(f"template produced invalid Python for {path}: {failure}", template))
        else:
            result[path] = formatted
    if problems:
        raise GenerationError(problems)
    return result, len(todo)
