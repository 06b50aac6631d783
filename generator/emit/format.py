"""{path: text} -> {path: text}: every .py file in black's format, running black only where it is needed.

Every .py file leaves this stage formatted as black formats it; black runs on the files that need it:
- the built-in templates lay code out the way black does (layout.py; tests/golden/test_black_stable.py
  runs black over the output of several specs, the project's and hostile ones, and asserts it
  changes nothing), so their output skips black unless `black_would_change` finds a line black
  would re-flow (a code line over the limit, or a docstring whose closing quotes overflow);
- output of a user's own templates (--templates) always goes through black.
Black runs in process, in parallel when there are many files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from ..diagnostics import Diagnostic, GenerationError, Kind, error
from .layout import LINE_LENGTH


@cache
def black_mode() -> Any:
    """Black's settings for generated code. Black is imported only when a file needs it."""
    from black.mode import Mode, TargetVersion

    return Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY310})
_PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves


def _format_one(item: tuple[str, str]) -> tuple[str, str | None, str | None]:
    path, text = item
    try:
        import black

        return path, black.format_str(text, mode=black_mode()), None
    except Exception as exc:  # black reports invalid code as several exception types
        return path, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# Lines black cannot split, so it leaves them however long: an optional `name=` or `"key": ` and one
# string literal; one imported name (`Name as Name,`) inside import parentheses; the opening line of
# those parentheses (`from a.long.module import (`); the opening line of an exploded signature
# (`def a_long_name(`); and a parameter annotated with a bare name (`name: LongName,`,
# `name: LongName = None,`: a field's black puts in parentheses).
_ATOMIC = re.compile(
    r"""\s*(?:[A-Za-z_]\w*=|"(?:[^"\\]|\\.)*":\s)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'),?"""
    r"|\s*[A-Za-z_]\w*(?: as [A-Za-z_]\w*)?,"
    r"|\s*from [\w.]+ import \("
    r"|\s*(?:async )?def \w+\("
    r"|\s*[A-Za-z_]\w*: [A-Za-z_][\w.]*(?: = None)?,"
)


def black_would_change(text: str) -> bool:
    """Whether black would re-flow text laid out by our templates: a line over the limit that is code,
    or that closes a multi-line docstring (black then moves the closing quotes to a line of their
    own; only a docstring: the string after a model's field is an expression, which it leaves).

    Long lines inside strings are left alone by black. Every triple quote in our output delimits a
    docstring or such a string (spec text has its own escaped), so counting them tells strings from
    code; a docstring is one that opens right after a line ending in `:` or at the top of the file.
    """
    in_docstring = real = False
    previous = ""  # the last line of code (outside strings), stripped
    for line in text.split("\n"):
        quotes = line.count('"""')
        if len(line) > LINE_LENGTH:
            single_line = quotes == 2 and not in_docstring
            inside = in_docstring and quotes == 0
            opening = not in_docstring and quotes == 1
            closing = in_docstring and quotes == 1 and not real
            atomic = quotes == 0 and not in_docstring and (
                _ATOMIC.fullmatch(line) is not None or line.lstrip().startswith("#"))
            if not (single_line or inside or opening or closing or atomic):
                return True
        if quotes % 2:
            if not in_docstring:
                real = previous.endswith(":") or not previous
            in_docstring = not in_docstring
        elif not in_docstring and line.strip():
            previous = line.strip()  # code, or a string of one line: the next string is no docstring
    return False


def format_files(files: Mapping[str, str], origins: Mapping[str, str],
                 laid_out: Collection[str] = ()) -> tuple[dict[str, str], int]:
    """Black-formatted copies of all files and the number that went through black.

    `laid_out`: files made by the built-in templates, which need black only if `black_would_change`.
    Raises GenerationError naming the template when black finds invalid Python.
    """
    result = dict(files)
    todo = [(path, text) for path, text in files.items()
            if path.endswith(".py") and not (path in laid_out and not black_would_change(text))]
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) >= _PARALLEL_THRESHOLD and workers > 1:
        from concurrent.futures import ProcessPoolExecutor  # here: most runs format nothing

        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_format_one, todo, chunksize=max(1, len(todo) // (workers * 4))))
    else:
        outcomes = [_format_one(item) for item in todo]
    problems: list[Diagnostic] = []
    for path, formatted, failure in outcomes:
        if formatted is None:
            template = origins.get(path, path)
            problems.append(error(f"template produced invalid Python for {path}: {failure}", template,
                                  kind=Kind.TEMPLATE))
        else:
            result[path] = formatted
    if problems:
        raise GenerationError(problems)
    return result, len(todo)
