"""Random valid OpenAPI 3.0 documents through the whole pipeline, from a written file to files on disk:
every generated client compiles, imports and passes its own tests, or the generator says why in
diagnostics (GenerationError), never with another exception.

Random broken documents (arbitrary JSON in arbitrary places) through the pipeline with --lenient:
output or diagnostics, never a crash, and what is output always compiles.

FUZZ_EXAMPLES=500 runs more examples than `make test` does. Deterministic: derandomized, no example
database (nothing is written into the repository). A failure prints its spec; with FUZZ_SHRINK=1 it
first shrinks to a small one (each step runs a generated client's tests, so shrinking takes minutes:
`make test` reports the failure at once instead). Add the spec to tests/hostile/regressions/
(test_regressions.py runs each one there).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, note, settings

from generator import pipeline
from generator.config import Config
from generator.diagnostics import GenerationError
from tests.fuzz.strategies import broken_documents, documents
from tests.hostile.harness import check_generated_package, generate_into, write_spec

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
PHASES = [Phase.explicit, Phase.generate, *([Phase.shrink] if os.environ.get("FUZZ_SHRINK") == "1" else [])]
FUZZ = settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False, phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
_numbers = itertools.count()


def _spec_note(document: dict[str, Any]) -> None:
    note("The failing spec (add it to tests/hostile/regressions/):\n"
         + yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


@FUZZ
@given(document=documents())
def test_valid_documents_give_working_clients(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    _spec_note(document)
    number = next(_numbers)
    folder = tmp_path_factory.mktemp(f"fuzz{number}")
    spec = write_spec(folder / "spec", document)
    try:
        result = generate_into(spec, folder / "out", package_name=f"fuzz_{number}")
    except GenerationError as exc:
        event("refused: " + type(exc).__name__)
        assert exc.diagnostics and all(d.file and d.message for d in exc.diagnostics)
        assert not any(d.message.startswith(("template", "built-in template")) for d in exc.diagnostics)
        return
    event(f"generated: {len(result.api.operations)} operations")
    check_generated_package(folder / "out", result)


@FUZZ
@given(document=broken_documents())
def test_broken_documents_give_diagnostics_or_output_that_compiles(
        document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    _spec_note(document)
    folder = tmp_path_factory.mktemp("broken")
    spec = write_spec(folder, document)
    try:
        result = pipeline.run(spec, Config(lenient=True, package_name="broken"))
    except GenerationError as exc:
        event("refused")
        assert exc.diagnostics
        # The spec's problem, not a template or output one (exit 1, not 2).
        assert not any(d.message.startswith(("template", "built-in template")) for d in exc.diagnostics)
        return
    event("generated")
    for path, text in result.files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
