"""Settings + the spec's `info` -> api.Package: what the generated pyproject.toml says of the package.

In: the Config (settings and options win), the spec document (its `info` and `externalDocs`) and a
`warn(message, pointer)` for spec values that cannot become metadata. Out: one Package. The license
is a PEP 639 SPDX expression, in packaging's canonical form; a spec license that is not one is left
out with a warning (the settings' `license` is checked earlier, as an error: config.check_config).
The Python version classifiers and the type checkers' target version follow `python_requires`,
tested against a fixed list of versions, so the output does not depend on the running Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..config import AT_LEAST, CANONICAL_LICENSES, Config, is_pep440
from .api import Package, SpecText

# Versions the classifiers may name, oldest first: the runtime needs 3.10 (typing_extensions.Self,
# no 3.11-only library), and Python 3.15 is not yet released as this generator is.
PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13", "3.14")

# What pip and the index accept as an author's e-mail address: one @, no spaces, no separators
# that would split a "Name <address>" header.
_EMAIL = re.compile(r"^[^@\s<>\",;()]+@[^@\s<>\",;()]+\.[^@\s<>\",;()]+$")
_URL = re.compile(r"^https?://[^\s\"'<>\\]+$")

Warn = Callable[[str, str], None]


def package(config: Config, document: dict[str, Any], name: str, warn: Warn) -> Package:
    """The package `name`'s version and metadata, from the settings first and then the spec."""
    info = _mapping(document.get("info"))
    spec_version = str(info.get("version") or "")
    version = config.version or (spec_version if is_pep440(spec_version) else "0.1.0")
    contact = _mapping(info.get("contact"))
    supported = python_versions(config.python_requires)
    return Package(
        name=name,
        distribution=config.distribution_name or name.replace(".", "-").replace("_", "-"),
        version=version,
        description=SpecText(config.description or str(info.get("title") or name) + " client"),
        license=_license(config, _mapping(info.get("license")), warn),
        author=_text(config.author) or _one_line(contact.get("name")),
        author_email=None if config.author else _email(contact.get("email"), warn),
        python_requires=config.python_requires,
        project_urls=(tuple((SpecText(k), SpecText(v)) for k, v in config.project_urls)
                      or _spec_urls(document, contact, warn)),
        python_classifiers=tuple(f"Programming Language :: Python :: {v}" for v in supported),
        python_minimum=supported[0] if supported else None,
    )


def python_versions(python_requires: str) -> tuple[str, ...]:
    """The versions of PYTHON_VERSIONS a `python_requires` specifier admits, oldest first.

    config.check_config has refused a specifier packaging cannot parse; none is admitted then.
    """
    simple = AT_LEAST.fullmatch(python_requires)
    if simple is not None:  # the usual `>=3.10`: no need to import packaging for it
        return tuple(v for v in PYTHON_VERSIONS if int(v.split(".")[1]) >= int(simple[1]))
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        specifier = SpecifierSet(python_requires)
    except InvalidSpecifier:
        return ()
    return tuple(version for version in PYTHON_VERSIONS if specifier.contains(version))


def canonical_license(expression: str) -> str | None:
    """An SPDX license expression in canonical form (`mit` -> `MIT`); None if it is not one.

    Raises ImportError when packaging (24.2+) has no license parser: nothing can be checked then.
    """
    if expression in CANONICAL_LICENSES:
        return expression
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        return str(canonicalize_license_expression(expression))
    except InvalidLicenseExpression:
        return None


def _license(config: Config, spec_license: dict[str, Any], warn: Warn) -> SpecText | None:
    """The settings' license, else OpenAPI 3.1's `identifier`, else `name`, if it is SPDX."""
    if config.license:
        given, pointer = config.license, "/info"
    elif isinstance(spec_license.get("identifier"), str) and spec_license["identifier"]:
        given, pointer = spec_license["identifier"], "/info/license/identifier"
    elif isinstance(spec_license.get("name"), str) and spec_license["name"]:
        given, pointer = spec_license["name"], "/info/license/name"
    else:
        return None
    try:
        canonical = canonical_license(given)
    except ImportError:
        warn(f"license {given!r} is left out of the package metadata: validating it needs "
             "packaging 24.2 or later (pip install 'packaging>=24.2')", pointer)
        return None
    if canonical is None:
        # config.check_config refuses a settings license that is not SPDX: this is the spec's.
        warn(f"license {given!r} is not an SPDX license expression (e.g. MIT, Apache-2.0): it is "
             "left out of the package metadata; set `license` in the settings to name one", pointer)
        return None
    return SpecText(canonical)


def _email(value: Any, warn: Warn) -> SpecText | None:
    if not isinstance(value, str) or not value:
        return None
    if not _EMAIL.match(value):
        warn(f"contact e-mail {value!r} is not an address the package metadata can carry: "
             "it is left out", "/info/contact/email")
        return None
    return SpecText(value)


def _spec_urls(document: dict[str, Any], contact: dict[str, Any],
               warn: Warn) -> tuple[tuple[SpecText, SpecText], ...]:
    """Project-URLs from the spec, when the settings give none: its external docs, its contact."""
    found: list[tuple[SpecText, SpecText]] = []
    for label, value, pointer in (
        ("Documentation", _mapping(document.get("externalDocs")).get("url"), "/externalDocs/url"),
        ("Contact", contact.get("url"), "/info/contact/url"),
    ):
        if not isinstance(value, str) or not value:
            continue
        if not _URL.match(value):
            warn(f"{value!r} is not an http(s) URL: it is left out of the package's Project-URLs",
                 pointer)
            continue
        found.append((SpecText(label), SpecText(value)))
    return tuple(found)


def _one_line(value: Any) -> SpecText | None:
    """Spec text for a one-line metadata field (Author): its whitespace, line breaks too, made one
    space each, so it cannot start a header line of its own in the package's METADATA file."""
    return _text(" ".join(value.split())) if isinstance(value, str) else None


def _text(value: Any) -> SpecText | None:
    return SpecText(value) if isinstance(value, str) and value.strip() else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
