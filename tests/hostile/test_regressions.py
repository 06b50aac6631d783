"""Specs the fuzz tests once broke the generator with, shrunk and kept: each still gives a package that
compiles, imports and passes its own generated tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.harness import check_generated_package, generate_into

REGRESSIONS = sorted(Path(__file__).with_name("regressions").glob("*.yaml"))


@pytest.mark.parametrize("spec", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_regression_spec_gives_a_working_client(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Lenient, as the fuzz test that found them generates: some are invalid documents on purpose.
    result = generate_into(spec, out, package_name=f"regression_{spec.stem}", lenient=True)
    check_generated_package(out, result)
