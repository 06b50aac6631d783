"""Settings + the spec's info -> the package metadata (generator/model/metadata.py, config.check_config),
and the names linters refuse (naming.py): the decisions behind the generated pyproject.toml."""

from __future__ import annotations

from typing import Any

import pytest

from generator.config import Config, check_config
from generator.model.api import Package
from generator.model.metadata import package, python_versions
from generator.model.naming import class_name, field_name, parameter_name, snake


def metadata(info: dict[str, Any], config: Config | None = None, **document: Any) -> tuple[Package, list[str]]:
    warnings: list[str] = []
    made = package(config or Config(), {"info": info, **document}, "acme.client",
                   lambda message, pointer: warnings.append(f"{pointer}: {message}"))
    return made, warnings


def test_a_spec_license_that_is_spdx_is_kept_in_canonical_form() -> None:
    made, warnings = metadata({"title": "T", "version": "1", "license": {"name": "apache-2.0 or mit"}})
    assert made.license == "Apache-2.0 OR MIT" and warnings == []


def test_openapi_31_license_identifier_wins_over_its_name() -> None:
    made, warnings = metadata({"license": {"name": "The MIT License", "identifier": "MIT"}})
    assert made.license == "MIT" and warnings == []


def test_a_spec_license_that_is_not_spdx_is_left_out_with_a_located_warning() -> None:
    made, warnings = metadata({"license": {"name": "Apache License 2.0"}})
    assert made.license is None
    assert warnings == ["/info/license/name: license 'Apache License 2.0' is not an SPDX license expression "
                        "(e.g. MIT, Apache-2.0): it is left out of the package metadata; set `license` in the "
                        "settings to name one"]


def test_the_settings_license_wins_and_an_invalid_one_is_a_settings_error() -> None:
    made, warnings = metadata({"license": {"name": "not spdx"}}, Config(license="bsd-3-clause"))
    assert made.license == "BSD-3-Clause" and warnings == []
    (problem,) = check_config(Config(license="MIT License"), "generator.toml")
    assert "license 'MIT License' is not an SPDX license expression" in problem.message


def test_contact_and_external_docs_become_author_and_project_urls_without_settings() -> None:
    made, warnings = metadata(
        {"contact": {"name": "API Team", "email": "team@example.test", "url": "https://example.test/help"}},
        externalDocs={"url": "https://docs.example.test"})
    assert (made.author, made.author_email) == ("API Team", "team@example.test")
    assert made.project_urls == (("Documentation", "https://docs.example.test"),
                                 ("Contact", "https://example.test/help"))
    assert warnings == []


def test_settings_win_over_the_spec_contact_and_bad_contact_values_are_left_out() -> None:
    settings = Config(author="Trading team", project_urls=(("Portal", "https://portal.example.test"),))
    made, warnings = metadata({"contact": {"name": "X", "email": "x@example.test", "url": "https://x.test"}},
                              settings)
    assert (made.author, made.author_email) == ("Trading team", None)
    assert made.project_urls == (("Portal", "https://portal.example.test"),)
    made, warnings = metadata({"contact": {"email": "Team <team@example.test>", "url": "javascript:alert(1)"}})
    assert made.author_email is None and made.project_urls == ()
    assert [w.split(":")[0] for w in warnings] == ["/info/contact/email", "/info/contact/url"]


@pytest.mark.parametrize(("python_requires", "versions"), [
    (">=3.10", ("3.10", "3.11", "3.12", "3.13", "3.14")),
    (">=3.11,<3.13", ("3.11", "3.12")),
    ("~=3.12", ("3.12", "3.13", "3.14")),
    ("==3.10.*", ("3.10",)),
    (">=3.15", ()),
])
def test_python_classifiers_and_target_follow_python_requires(python_requires: str, versions: tuple[str, ...]) -> None:
    assert python_versions(python_requires) == versions
    made, _ = metadata({}, Config(python_requires=python_requires))
    assert made.python_classifiers == tuple(f"Programming Language :: Python :: {v}" for v in versions)
    assert made.python_minimum == (versions[0] if versions else None)


@pytest.mark.parametrize(("python_requires", "message"), [
    ("3.10+", "is not a version specifier"),
    (">=3.8", "admits Python older than 3.10"),
])
def test_python_requires_must_parse_and_admit_no_python_the_runtime_cannot_run_on(
        python_requires: str, message: str) -> None:
    (problem,) = check_config(Config(python_requires=python_requires), "generator.toml")
    assert message in problem.message


def test_the_default_python_requires_is_the_runtimes_oldest_python() -> None:
    assert Config().python_requires == ">=3.10" and check_config(Config(), "options") == []


def test_names_pep8_calls_ambiguous_are_renamed() -> None:
    # pycodestyle's E741 (variables, parameters, fields), E742 (classes), E743 (functions)
    assert (field_name("l"), parameter_name("l"), snake("l"), snake("L")) == ("l_", "l_", "l_", "l_")
    assert (class_name("I"), class_name("O"), class_name("l")) == ("IModel", "OModel", "L")
    assert (field_name("I"), field_name("O")) == ("i", "o")
