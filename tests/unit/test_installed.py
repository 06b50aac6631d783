"""installed.version reads versions from folder names: it must say what importlib.metadata says."""

from __future__ import annotations

from importlib import metadata

import pytest

from generator.incremental import installed


@pytest.mark.parametrize("distribution", ["black", "openapi-spec-validator", "jsonschema", "Jinja2", "PyYAML",
                                          "jsonschema_path", "typing-extensions"])
def test_the_version_is_the_one_metadata_reports(distribution: str) -> None:
    assert installed.version(distribution) == metadata.version(distribution)


def test_an_unknown_distribution_is_an_error() -> None:
    with pytest.raises(metadata.PackageNotFoundError):
        installed.version("no-such-distribution-here")
