"""Size of what each tool generated for Spot: files, lines of Python in the package alone and in the
whole output (tests, setup scripts), lines of every text file, operations generated, and lines of
Python per operation. Counts physical lines (blank lines and comments included), as `wc -l` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generation import Products
from tools import SPOT, count_operations, package


@dataclass
class Size:
    files: int
    lines_all: int  # every text file
    py_files: int
    py_lines: int  # every .py file of the output
    package_lines: int  # .py files of the package only
    operations: int

    def per_operation(self, lines: int) -> float | None:
        return lines / self.operations if self.operations else None


@dataclass
class LineResults:
    sizes: dict[str, Size] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _line_count(path: Path) -> int | None:
    """Lines of a text file; None for a binary one."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def measure_output(tool: str, out: Path) -> Size | str:
    pkg = package(tool, out)
    if pkg is None:
        return "no package in its output"
    files = lines_all = py_files = py_lines = package_lines = 0
    for path in sorted(out.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        files += 1
        count = _line_count(path)
        if count is None:
            continue
        lines_all += count
        if path.suffix == ".py":
            py_files += 1
            py_lines += count
            if pkg.folder in path.parents:
                package_lines += count
    return Size(files, lines_all, py_files, py_lines, package_lines, count_operations(tool, pkg))


def run_lines(tools: Sequence[str], products: Products) -> LineResults:
    results = LineResults()
    for tool in tools:
        out = products.get(tool, SPOT)
        size = measure_output(tool, out) if isinstance(out, Path) else f"no Spot output: {out}"
        if isinstance(size, str):
            results.errors[tool] = size
        else:
            results.sizes[tool] = size
    return results
