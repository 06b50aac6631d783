"""`generate` keeps generated/CHANGELOG.md: an initial entry, Unreleased changes, a section per version,
nothing when nothing changed; and it never changes the package version by itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.output.changelog import CHANGELOG, RECORD
from tests.conftest import SPOT_SPEC, run_cli

SERVER_TIME = """\
  /api/v3/time:
    get:
      tags:
        - Market
      summary: Check server time
      operationId: SpotGetServerTimeV3
      responses:
        "200":
          description: Successful operation
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/SpotGetServerTimeV3Resp"
"""
SERVER_TIME_MODEL = """\
    SpotGetServerTimeV3Resp:
      type: object
      properties:
        serverTime:
          type: integer
          format: int64
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A spec (the tests' copy of the project's first one) and a settings file of our own, beside
    each other."""
    shutil.copy(SPOT_SPEC, tmp_path / "openapi.yaml")
    (tmp_path / "generator.toml").write_text(
        'package_name = "binance.spot"\ndistribution_name = "binance-spot"\nversion = "0.1.0"\n', encoding="utf-8")
    return tmp_path


def _generate(project: Path) -> str:
    done = run_cli("generate", project / "openapi.yaml", "--out", project / "out")
    assert done.code == 0, done.stderr
    return done.stdout


def _add_server_time(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    text = text.replace("paths:\n", "paths:\n" + SERVER_TIME, 1).replace("  schemas:\n", "  schemas:\n" + SERVER_TIME_MODEL, 1)
    spec.write_text(text, encoding="utf-8")


def _version_of(out: Path) -> str:
    for line in (out / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("version = "):
            return line.split('"')[1]
    raise AssertionError("no version in pyproject.toml")


def _headings(out: Path) -> list[str]:
    return [line[3:] for line in (out / CHANGELOG).read_text(encoding="utf-8").splitlines() if line.startswith("## ")]


def test_the_changelog_follows_the_api_and_the_version(project: Path) -> None:
    out = project / "out"
    _generate(project)
    assert _headings(out) == ["0.1.0"]
    text = (out / CHANGELOG).read_text(encoding="utf-8")
    assert "First version: 3 operations in 1 API class, 2 models." in text
    assert "- `UserDataStreamApi`: 3 operations" in text
    manifest = json.loads((out / ".generator-manifest.json").read_text(encoding="utf-8"))["files"]
    assert CHANGELOG in manifest and RECORD in manifest

    before = (out / CHANGELOG).stat().st_mtime_ns
    assert "0 files written" in _generate(project)
    assert (out / CHANGELOG).stat().st_mtime_ns == before  # same spec: untouched

    _add_server_time(project / "openapi.yaml")
    settings = (project / "generator.toml").read_bytes()
    _generate(project)
    assert _headings(out) == ["Unreleased", "0.1.0"]
    text = (out / CHANGELOG).read_text(encoding="utf-8")
    assert "API changes since `0.1.0`, in no version yet. **Minor** change" in text
    assert "Next version: `0.1.1`" in text
    assert "- `MarketApi.spot_get_server_time_v3` (`GET /api/v3/time`).\n- Model `SpotGetServerTimeV3Resp`.\n" in text
    assert _version_of(out) == "0.1.0" and (project / "generator.toml").read_bytes() == settings
    check = run_cli("check", project / "openapi.yaml", "--out", out)
    assert check.code == 0, check.stdout + check.stderr  # the history is part of what check expects

    (project / "generator.toml").write_text(settings.decode().replace('"0.1.0"', '"0.2.0"'), encoding="utf-8")
    _generate(project)
    assert _headings(out) == ["0.2.0", "0.1.0"]
    text = (out / CHANGELOG).read_text(encoding="utf-8")
    assert "## 0.2.0\n\nAPI changes since `0.1.0`: **minor** (additions or deprecations).\n" in text
    assert json.loads((out / RECORD).read_text(encoding="utf-8"))["unreleased_since"] is None
    assert _version_of(out) == "0.2.0"
    before = (out / CHANGELOG).stat().st_mtime_ns
    assert "0 files written" in _generate(project)
    assert (out / CHANGELOG).stat().st_mtime_ns == before

    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(SERVER_TIME, ""), encoding="utf-8")
    _generate(project)
    assert _headings(out) == ["Unreleased", "0.2.0", "0.1.0"]
    text = (out / CHANGELOG).read_text(encoding="utf-8")
    assert "- **Breaking:** `MarketApi.spot_get_server_time_v3` (`GET /api/v3/time`) removed.\n" in text
    assert "Next version: `0.3.0`" in text

    # Undoing the change empties Unreleased again.
    _add_server_time_back = spec.read_text(encoding="utf-8").replace("paths:\n", "paths:\n" + SERVER_TIME, 1)
    spec.write_text(_add_server_time_back, encoding="utf-8")
    _generate(project)
    assert _headings(out) == ["0.2.0", "0.1.0"]


def test_generate_never_changes_the_version(project: Path) -> None:
    out = project / "out"
    settings = project / "generator.toml"
    _generate(project)
    assert _version_of(out) == "0.1.0"
    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("version: 0.1.0", "version: 7.0.0", 1),
                    encoding="utf-8")
    _add_server_time(spec)
    for _ in range(2):
        _generate(project)
        assert _version_of(out) == "0.1.0"  # the settings' version wins over info.version, and stays
        assert '__version__ = "0.1.0"' in (out / "binance" / "spot" / "_metadata.py").read_text(encoding="utf-8")
    assert settings.read_text(encoding="utf-8").count('version = "0.1.0"') == 1

    settings.write_text(settings.read_text(encoding="utf-8").replace('version = "0.1.0"\n', ""), encoding="utf-8")
    _generate(project)
    assert _version_of(out) == "7.0.0"  # without a setting: info.version, as it is
    assert "7.0.0" in _headings(out)
