"""Shared pieces of the benchmark: where things live, one measured run (`Sample`), medians and ratios,
and the scrubbing that keeps absolute paths out of the committed report.

Nothing here measures anything; the section modules (generation, imports, lines, calls) do.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
SHARED = REPO.parent / "shared"
PEERS_VENV = WORK / "peers-venv"
PEERS_PYTHON = PEERS_VENV / "bin" / "python"
OUR_PYTHON = REPO / ".venv" / "bin" / "python"
UDS_SPEC = REPO / "spec" / "openapi.yaml"
SPOT_SPEC = SHARED / "specs" / "binance-spot.openxapi.yaml"
GITHUB_SPEC = SHARED / "specs" / "real" / "github.json"
OKX_SPEC = SHARED / "specs" / "real" / "okx.yaml"

# Tool keys, in the order every table lists them and every round runs them (A B C A B C ...).
OURS = "ours"
OPENAPI_GENERATOR = "openapi-generator"
OPENAPI_PYTHON_CLIENT = "openapi-python-client"
TOOLS = (OURS, OPENAPI_GENERATOR, OPENAPI_PYTHON_CLIENT)
PEERS = (OPENAPI_GENERATOR, OPENAPI_PYTHON_CLIENT)

STDERR_TAIL_LINES = 15
NA = "n/a"  # a figure that could not be measured


@dataclass
class Sample:
    """One measured run of one step. `ok` False means the step failed; `error` says how."""

    ok: bool
    wall: float | None = None  # seconds
    rss_kb: int | None = None  # peak resident set of the largest process of the tree
    tree_rss_kb: int | None = None  # peak of the tree's summed RSS, sampled
    cpu: float | None = None  # seconds of user + system CPU
    extra: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def failed(error: str) -> Sample:
    return Sample(ok=False, error=scrub(error))


def median(values: Iterable[float | int | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return statistics.median(present) if present else None


def median_of(samples: Sequence[Sample], attr: str) -> float | None:
    """Median of one attribute (or `extra` key) over the successful samples."""
    values: list[float | None] = []
    for s in samples:
        if not s.ok:
            continue
        value = getattr(s, attr) if hasattr(s, attr) else s.extra.get(attr)
        values.append(value)
    return median(values)


def first_error(samples: Sequence[Sample]) -> str | None:
    """The error of the first failed sample, when every sample failed (a tool that cannot run)."""
    if samples and not any(s.ok for s in samples):
        return samples[0].error or "failed"
    return None


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs


def tail(text: str, lines: int = STDERR_TAIL_LINES) -> str:
    kept = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def scrub(text: str) -> str:
    """Replace this machine's folders by stable names, so a committed report holds no absolute path."""
    replacements = [
        (str(WORK), "bench/.work"),
        (str(REPO), "<repo>"),
        (str(SHARED), "<shared>"),
        (str(Path.home()), "~"),
    ]
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def fresh_dir(path: Path) -> Path:
    """An empty folder at path (under bench/.work only)."""
    if WORK not in path.resolve().parents:
        raise ValueError(f"refusing to clear a folder outside {WORK}: {path}")
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def display_path(path: Path) -> str:
    """A path as the report shows it: relative to the repository or to shared/."""
    resolved = path.resolve()
    for root, label in ((REPO, ""), (SHARED, "shared/")):
        if resolved == root or root in resolved.parents:
            return label + str(resolved.relative_to(root))
    return path.name


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return NA
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def fmt_mb(kb: float | None) -> str:
    return NA if kb is None else f"{kb / 1024:.0f} MB"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return NA
    return f"{value:.0f}x" if value >= 10 else f"{value:.2f}x" if value >= 0.1 else f"{value:.3f}x"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def fmt_int(value: float | None) -> str:
    return NA if value is None else f"{value:,.0f}"
