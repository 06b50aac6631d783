"""Settings file and command-line options -> one frozen Config with every option decided."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, GenerationError, Kind, error
from .profiles import NAMES as PROFILES

_DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
# PEP 440, public versions only: what an index will accept.
_VERSION = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*((a|b|rc)(0|[1-9][0-9]*))?"
    r"(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$"
)


@dataclass(frozen=True, slots=True)
class Config:
    """Every option of a run. None means "derive it from the spec"."""

    package_name: str | None = None
    distribution_name: str | None = None
    version: str | None = None
    description: str | None = None
    license: str | None = None
    author: str | None = None
    # The runtime's oldest Python: it takes Self from typing_extensions and 3.11's features only
    # where they exist (tests/e2e/test_python310.py installs and calls a package on 3.10).
    python_requires: str = ">=3.10"
    lenient: bool = False
    templates: Path | None = None
    project_urls: tuple[tuple[str, str], ...] = ()  # label -> URL, as the package metadata lists them
    profile: str | None = None  # "binance" or "openapi"; None: detected from the spec (profiles/)
    # An AsyncAPI 3.0 document whose WebSocket API the package carries beside the spec's REST API
    # (`websocket_spec = "websocket-api.yaml"`, relative to the settings file).
    websocket_spec: Path | None = None

    def merged(self, **overrides: Any) -> Config:
        """A copy with the given options replaced, ignoring those that are None (not given)."""
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(self, **given)


_KEYS = {f.name for f in fields(Config)}
# Releases of Python the runtime does not run on: python_requires must admit none of them.
_UNSUPPORTED_PYTHONS = ("2.7", "3.0", "3.5", "3.6", "3.7", "3.8", "3.9")


def load_config(path: Path) -> Config:
    """Read a TOML settings file; unknown keys and bad values are errors naming the file."""
    import tomllib  # here: most runs have no settings file

    display = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GenerationError([error("config file not found", display, kind=Kind.USAGE)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GenerationError([error(f"cannot read config file: {exc}", display, kind=Kind.USAGE)]) from None
    except tomllib.TOMLDecodeError as exc:
        raise GenerationError([error(f"invalid TOML: {exc}", display, kind=Kind.USAGE)]) from None
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            problems.append(error(f"unknown setting {key!r}; known settings: {known}", display, kind=Kind.USAGE))
        elif key == "lenient":
            if not isinstance(value, bool):
                problems.append(error("'lenient' must be true or false", display, kind=Kind.USAGE))
            values[key] = value
        elif key == "project_urls":
            if not (isinstance(value, dict) and all(
                    isinstance(k, str) and isinstance(v, str) and v.startswith(("https://", "http://"))
                    for k, v in value.items())):
                problems.append(error("'project_urls' must be a table of label = \"https://...\" pairs", display, kind=Kind.USAGE))
            else:
                values[key] = tuple(value.items())
        elif key in ("templates", "websocket_spec"):
            if not isinstance(value, str):
                what = "folder" if key == "templates" else "file"
                problems.append(error(f"{key!r} must be a {what} path (a string)", display, kind=Kind.USAGE))
            else:
                values[key] = (path.parent / value).resolve()
        elif not isinstance(value, str):
            problems.append(error(f"{key!r} must be a string", display, kind=Kind.USAGE))
        else:
            values[key] = value
    config = Config(**values)
    problems.extend(check_config(config, display))
    if problems:
        raise GenerationError(problems)
    return config


def check_config(config: Config, source: str) -> list[Diagnostic]:
    """Errors for option values that would produce a broken package."""
    problems: list[Diagnostic] = []
    if config.package_name is not None and not _DOTTED_NAME.match(config.package_name):
        problems.append(error(
            f"package name {config.package_name!r} is not a dotted Python name "
            "(letters, digits and underscores, parts separated by dots, e.g. binance.spot)", source, kind=Kind.USAGE))
    if config.distribution_name is not None and not _DISTRIBUTION.match(config.distribution_name):
        problems.append(error(
            f"distribution name {config.distribution_name!r} is not a valid project name "
            "(letters, digits, '.', '-' and '_', e.g. binance-spot)", source, kind=Kind.USAGE))
    if config.profile is not None and config.profile not in PROFILES:
        problems.append(error(
            f"profile {config.profile!r} is not one of {', '.join(PROFILES)}", source, kind=Kind.USAGE))
    if config.version is not None and not _VERSION.match(config.version):
        problems.append(error(
            f"version {config.version!r} is not a PEP 440 version (e.g. 1.2.0, 2.0.0rc1)", source, kind=Kind.USAGE))
    problems.extend(_check_python_requires(config.python_requires, source))
    if config.license is not None:
        problems.extend(_check_license(config.license, source))
    return problems


# The usual `python_requires` (`>=3.10`) and licenses (`MIT`), known good and canonical without
# importing packaging (15 ms of every run, a tenth of a no-op run).
AT_LEAST = re.compile(r">=\s*3\.(\d{1,2})")
CANONICAL_LICENSES = frozenset({"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0",
                                "Unlicense", "0BSD", "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-3.0-only"})


def _check_python_requires(python_requires: str, source: str) -> list[Diagnostic]:
    """A PEP 440 specifier that admits no Python older than the runtime's 3.10."""
    simple = AT_LEAST.fullmatch(python_requires)
    if simple is not None and int(simple[1]) >= 10:
        return []
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # black depends on packaging

    try:
        specifier = SpecifierSet(python_requires)
    except InvalidSpecifier:
        return [error(f"python_requires {python_requires!r} is not a version specifier (e.g. >=3.10)",
                      source, kind=Kind.USAGE)]
    if any(specifier.contains(old) for old in _UNSUPPORTED_PYTHONS):
        return [error(f"python_requires {python_requires!r} admits Python older than 3.10, which the "
                      "generated package's runtime does not support (e.g. >=3.10)", source, kind=Kind.USAGE)]
    return []


def _check_license(license: str, source: str) -> list[Diagnostic]:
    """The package's license must be an SPDX expression (PEP 639): `MIT`, `Apache-2.0 OR MIT`."""
    if license in CANONICAL_LICENSES:
        return []
    try:
        from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
    except ImportError:  # packaging < 24.2: the model leaves the license out, with a warning
        return []
    try:
        canonicalize_license_expression(license)
    except InvalidLicenseExpression:
        return [error(f"license {license!r} is not an SPDX license expression (e.g. MIT, Apache-2.0, "
                      "MIT OR Apache-2.0)", source, kind=Kind.USAGE)]
    return []


def is_pep440(version: str) -> bool:
    return bool(_VERSION.match(version))
