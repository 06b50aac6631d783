"""The user's path, as the README tells it, in a copy of this repository: grow spec/, generate, test,
lint, bump the version, commit, publish (dry run). It must never break again (issue 13: the worked
example made `make test` fail, so `make publish` refused).

The copy is the current working tree as a fresh clone would have it (tracked and untracked files that
git does not ignore), with spec/ as the project first shipped it (the tests' copy in
tests/e2e/specs/user_data_stream/: this repository's own spec/ may already hold the user's endpoints)
and generated/ made from it, in a repository of its own with one commit and no tag. It reuses this
project's .venv through a symlink, and make is told never to remake the venv's stamp, so nothing is
installed. Into its spec/openapi.yaml go (a) the README's worked example, its YAML blocks read from
README.md, (b) a SIGNED endpoint of our own under a tag the spec already has, (c) an endpoint under a
new tag. Then, in the copy: `make generate`; the version bumped to what the changelog calls for and
`make generate` again; `make test-generated`; the golden check (tests/golden/test_golden.py, and
`make check`); the lint of the generated package (the commands of `make lint` that run in it); a
commit; `make publish` as a dry run against a local index.

The rest of `make test` is not run here (it would run this test again, and takes minutes): the
generator's and the runtime's own tests read specs of their own under tests/, never spec/ or
generated/, so the user's edit cannot change what they find. `test_no_other_test_reads_the_users_spec`
holds that rule.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SPOT_CONFIG, SPOT_SPEC, LoopbackServer

WORKED_EXAMPLE = "## Adding an endpoint: a worked example"
YAML_BLOCK = re.compile(r"^( *)```yaml\n(.*?)^\1```", re.S | re.M)
STAMP = ".venv/.installed-stamp"  # the Makefile's $(STAMP): the venv is this project's, never remade

# (b): a SIGNED endpoint (its `timestamp` parameter), for a tag the spec already has ({tag}).
SIGNED_ENDPOINT = """\
  /api/v3/account:
    get:
      tags:
        - {tag}
      summary: Account information (USER_DATA)
      operationId: SpotGetAccountV3
      security:
        - ApiKey: []
      parameters:
        - name: omitZeroBalances
          in: query
          schema:
            type: boolean
        - name: timestamp
          in: query
          required: true
          schema:
            type: integer
            format: int64
      responses:
        "200":
          description: Successful operation
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/SpotGetAccountV3Resp"
        4XX:
          $ref: "#/components/responses/ClientError"
"""
SIGNED_MODEL = """\
    SpotGetAccountV3Resp:
      type: object
      properties:
        canTrade:
          type: boolean
        balances:
          type: array
          items:
            type: object
            properties:
              asset:
                type: string
                example: BTC
              free:
                type: string
                example: "4723846.89208129"
"""
# (c): an endpoint under a tag no operation had: a SIGNED form POST.
NEW_TAG_ENDPOINT = """\
  /api/v3/order/test:
    post:
      tags:
        - Trade
      summary: Test new order (TRADE)
      operationId: SpotCreateOrderTestV3
      security:
        - ApiKey: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [symbol, side, type, timestamp]
              properties:
                symbol:
                  type: string
                  example: BNBUSDT
                side:
                  type: string
                  enum: [BUY, SELL]
                type:
                  type: string
                  example: MARKET
                quantity:
                  type: string
                  example: "1.5"
                timestamp:
                  type: integer
                  format: int64
      responses:
        "200":
          description: Successful operation
          content:
            application/json:
              schema:
                type: object
              example: {}
        4XX:
          $ref: "#/components/responses/ClientError"
"""


def worked_example(readme: str) -> tuple[str, str]:
    """The README's worked example: its path item and its model, as YAML text indented to go under
    `paths:` and `components: schemas:` (the blocks sit in a Markdown list, indented with it)."""
    section = readme[readme.index(WORKED_EXAMPLE):]
    section = section[:section.index("\n## ", len(WORKED_EXAMPLE))]
    blocks = ["".join(line[len(indent):] for line in body.splitlines(keepends=True))
              for indent, body in YAML_BLOCK.findall(section)]
    paths = [b for b in blocks if b.lstrip().startswith("/")]
    models = [b for b in blocks if not b.lstrip().startswith("/")]
    assert len(paths) == 1 and len(models) == 1, f"the worked example's YAML blocks changed: {blocks}"
    return paths[0], models[0]


def _under(text: str, key_line: str, addition: str) -> str:
    """`addition` inserted right below the line `key_line` (which the spec must have)."""
    assert f"\n{key_line}\n" in text, f"the spec has no line {key_line!r}"
    return text.replace(f"\n{key_line}\n", f"\n{key_line}\n{addition}", 1)


def _clone(target: Path) -> Path:
    """The working tree's files a fresh clone would have, with spec/ and generated/ as the project
    first shipped them, in a git repository of their own: one commit, no tag. Returns its root."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not name.startswith("generated/"):  # a deleted tracked file stays deleted
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name, follow_symlinks=False)
    shutil.copy(SPOT_SPEC, target / "spec" / "openapi.yaml")
    shutil.copy(SPOT_CONFIG, target / "spec" / "generator.toml")
    (target / ".venv").symlink_to(REPO / ".venv")
    _ok(_make(target, "generate"), "make generate (of the spec as shipped)")
    _git(target, "init", "--quiet")
    _git(target, "add", ".")
    _git(target, "commit", "--quiet", "-m", "A fresh clone")
    return target


GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "User",
           "GIT_AUTHOR_EMAIL": "user@example.invalid", "GIT_COMMITTER_NAME": "User",
           "GIT_COMMITTER_EMAIL": "user@example.invalid"}


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the user's shell would have: none of this test run's Python settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "PYTHON", "TWINE_", "PUBLISH_", "MAKE"))}
    return {**env, **GIT_ENV, "PYTHONDONTWRITEBYTECODE": "1", **(extra or {})}


def _run(repo: Path, *command: str, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=repo, capture_output=True, text=True, timeout=timeout, check=False,
                          env=_environment(env))


def _make(repo: Path, *targets: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return _run(repo, "make", "--no-print-directory", "-o", STAMP, *targets, env=env)


def _ok(done: subprocess.CompletedProcess[str], what: str) -> str:
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-6000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git")
@pytest.mark.skipif(not (REPO / ".git").exists(), reason="what a clone holds is what git lists: needs a git work tree")
def test_the_readme_path_generates_tests_lints_and_publishes(tmp_path: Path) -> None:
    repo = _clone(tmp_path / "clone")
    spec_file, settings_file = repo / "spec" / "openapi.yaml", repo / "spec" / "generator.toml"
    shipped = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    settings = tomllib.loads(settings_file.read_text(encoding="utf-8"))
    existing_tag = shipped["tags"][0]["name"]

    # (a) the worked example as the README shows it, (b) a SIGNED endpoint, (c) a new tag.
    path_item, model = worked_example((repo / "README.md").read_text(encoding="utf-8"))
    text = spec_file.read_text(encoding="utf-8")
    text = _under(text, "paths:", path_item + SIGNED_ENDPOINT.format(tag=existing_tag) + NEW_TAG_ENDPOINT)
    text = _under(text, "  schemas:", model + SIGNED_MODEL)
    spec_file.write_text(text, encoding="utf-8")
    grown = yaml.safe_load(text)
    added = sorted(set(grown["paths"]) - set(shipped["paths"]))
    assert added == ["/api/v3/account", "/api/v3/order/test", "/api/v3/time"]

    generated = _ok(_make(repo, "generate"), "make generate")
    operations = sum(len(item) for item in grown["paths"].values())
    assert f"{operations} operations, " in generated, generated
    package = repo / "generated" / Path(*settings["package_name"].split("."))
    for module in ("market_api", "trade_api"):  # the README's MarketApi, and the new tag's class
        assert (package / "api" / f"{module}.py").is_file()
    changelog = (repo / "generated" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in changelog and "`MarketApi.spot_get_server_time_v3` (`GET /api/v3/time`)" in changelog
    signed_class = re.sub(r"\W", "", existing_tag.title()) + "Api"
    assert f"`{signed_class}.spot_get_account_v3` (`GET /api/v3/account`)" in changelog

    # README "Releasing", step 4: the version the changelog calls for, then generate again.
    (version,) = re.findall(r"Next version: `([^`]+)`", changelog)
    settings_file.write_text(settings_file.read_text(encoding="utf-8").replace(
        f'version = "{settings["version"]}"', f'version = "{version}"', 1), encoding="utf-8")
    _ok(_make(repo, "generate"), "make generate (after the version bump)")
    changelog = (repo / "generated" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" not in changelog and f"\n## {version}\n" in changelog

    tested = _ok(_make(repo, "test-generated", "PYTEST_FLAGS=-q"), "make test-generated")
    assert " passed" in tested and "failed" not in tested
    _ok(_make(repo, "check"), "make check")
    golden = _ok(_run(repo, ".venv/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                      "tests/golden/test_golden.py"), "the golden test")
    assert " passed" in golden and "failed" not in golden

    # `make lint`'s commands that run in the generated package (the rest lint the generator itself).
    commands = [line for line in _ok(_make(repo, "-n", "lint"), "make -n lint").splitlines()
                if line.startswith("cd generated ")]
    assert commands, "make lint has no step for the generated package"
    for command in commands:
        _ok(_run(repo, "sh", "-c", command), f"lint of the generated package: {command}")

    # README "Releasing", steps 5 and 6: commit, then `make publish` (a dry run, to a local index that
    # has no version of the package yet). The clone has no tag: this is its first release.
    _git(repo, "add", ".")
    _git(repo, "commit", "--quiet", "-m", f"Server time, account, test orders; {version}")
    with LoopbackServer() as index:
        index.respond_with(lambda request: (404, "not found", {"Content-Type": "text/plain"}))
        published = _make(repo, "publish", "PUBLISH_FLAGS=--dry-run --package-tests-only",
                          env={"TWINE_REPOSITORY_URL": index.url + "/"})
        asked = [request.path for request in index.requests]
    out = _ok(published, "make publish (dry run)")
    name = settings["distribution_name"]
    assert asked == [f"/simple/{name}/"]
    assert "publish: first release: no `v*` tag below" in out
    assert "twine check --strict: PASSED" in out
    assert f"dry run: {name} {version} is ready; nothing was uploaded; publishing would tag HEAD v{version}" in out
    assert _git(repo, "tag", "--list") == ""


# --- the rule that makes the rest of `make test` safe ------------------------------------------------

# Tests that read spec/ or generated/ (or look as if they did). The golden check must; the others that
# really read them are to move onto specs under tests/, and no new one may join.
READERS = {
    "tests/golden/test_golden.py": "the golden check: generated/ is what `make generate` writes from spec/",
    "tests/e2e/test_user_path.py": "this file: a copy of spec/ (and the patterns above)",
    "tests/e2e/test_publish.py": "not the user's: spec/ of a clone of its own",
    "tests/unit/test_load.py": "not the user's: spec/openapi.yaml is a display name there",
}
# A conftest import of the project's paths, a `spec/...` file named in a string, REPO / "spec".
READS = re.compile(r"""from tests\.conftest import [^\n]*\b(SPEC|CONFIG|GENERATED)\b"""
                   r"""|["']spec/(openapi\.yaml|generator\.toml)|\b(REPO|ROOT) / ["'](spec|generated)["']""")


def test_no_other_test_reads_the_users_spec() -> None:
    found = {}
    for folder in ("tests", "runtime/tests"):
        for path in sorted((REPO / folder).rglob("*.py")):
            name = path.relative_to(REPO).as_posix()
            if name != "tests/conftest.py" and READS.search(path.read_text(encoding="utf-8")):
                found[name] = READERS.get(name, "NEW: use a spec under tests/e2e/specs/ instead")
    assert {k: v for k, v in found.items() if v.startswith("NEW")} == {}
    assert "tests/golden/test_golden.py" in found  # the rule does see a test that reads them
