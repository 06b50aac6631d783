"""`make publish` for real: a pypiserver on 127.0.0.1 with upload auth; tools/publish.py run as make runs it
(on a package generated from the tests' copy of the project's first spec into a folder of its own) uploads
the release; a fresh venv installs it from that index and calls a loopback server with it; a second upload
of the version is refused. In a git repository made like a fresh clone (no tags), the first release goes
out and is tagged, and the next one shows the API changes since that tag.

The fresh venv gets the package from the local index only (pip's config files and PIP_* variables are
set aside, so no other index or wheel folder is consulted). Its dependencies (pydantic, urllib3,
cryptography) come from this project's .venv through a .pth file: pip sees them installed and checks
the package's bounds against them, and the test needs no network at all.
"""

from __future__ import annotations

import email.message
import email.parser
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO, SPOT_CONFIG, SPOT_SPEC, LoopbackServer, run_cli

USER, PASSWORD = "releaser", "s3cret-for-tests"
SETTINGS = tomllib.loads(SPOT_CONFIG.read_text(encoding="utf-8"))
NAME, VERSION = SETTINGS["distribution_name"], SETTINGS["version"]
WHEEL = f"{NAME.replace('-', '_')}-{VERSION}-py3-none-any.whl"
SDIST = f"{NAME.replace('-', '_')}-{VERSION}.tar.gz"
LITTER = ("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".generator-cache.json")
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Releaser",
           "GIT_AUTHOR_EMAIL": "releaser@example.invalid", "GIT_COMMITTER_NAME": "Releaser",
           "GIT_COMMITTER_EMAIL": "releaser@example.invalid"}


@dataclass
class Index:
    url: str  # what TWINE_REPOSITORY_URL points at
    packages: Path  # the folder pypiserver serves
    log: Path

    @property
    def simple(self) -> str:
        return self.url + "simple/"

    def files(self) -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in self.packages.iterdir()}

    def uploads(self) -> int:
        return len(re.findall(r"\bPOST\b", self.log.read_text(encoding="utf-8", errors="replace")))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    with warnings.catch_warnings():  # passlib imports the stdlib's deprecated crypt module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile

    root = tmp_path_factory.mktemp("index")
    packages = root / "packages"
    packages.mkdir()
    passwords = HtpasswdFile(str(root / "htpasswd"), new=True)
    passwords.set_password(USER, PASSWORD)
    passwords.save()
    for _attempt in range(3):  # the free port may be taken between probing and binding
        port, log = _free_port(), root / "server.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port),
             "-P", str(root / "htpasswd"), "-a", "update", "--disable-fallback", "-v",
             "--log-file", str(log), "--log-stream", "none", str(packages)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 20
        while server.poll() is None and time.monotonic() < deadline and not _up(url):
            time.sleep(0.1)
        if server.poll() is None and _up(url):
            break
        server.kill()
        server.wait()
    else:
        pytest.fail("pypiserver did not start on 127.0.0.1")
    try:
        yield Index(url, packages, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def publish(index: Index, *extra: str, out: Path, password: str = PASSWORD, config: Path = SPOT_CONFIG,
            spec: Path = SPOT_SPEC, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """tools/publish.py as `make publish` runs it (paths relative to `cwd`, where make runs), plus
    --package-tests-only (the full `make test` is what runs this test). Git reads no user or system
    settings and commits as a test author."""
    env = {**os.environ, "TWINE_REPOSITORY_URL": index.url, "TWINE_USERNAME": USER, "TWINE_PASSWORD": password,
           "PYTHONDONTWRITEBYTECODE": "1", **GIT_ENV}
    env.pop("TWINE_REPOSITORY", None)
    return subprocess.run(
        [sys.executable, REPO / "tools" / "publish.py", "--spec", os.path.relpath(spec, cwd),
         "--config", os.path.relpath(config, cwd), "--out", os.path.relpath(out, cwd),
         "--package-tests-only", *extra],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part in LITTER for part in p.relative_to(folder).parts)}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make generate` writes, in a folder of its own: generated/ itself is the golden test's, and
    may be mid-change while other work goes on."""
    out = tmp_path_factory.mktemp("package") / "generated"
    done = run_cli("generate", os.path.relpath(SPOT_SPEC, REPO), "--config", os.path.relpath(SPOT_CONFIG, REPO),
                   "--out", out)
    assert done.code == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def published(index: Index, package: Path) -> subprocess.CompletedProcess[str]:
    before = _tree(package)
    started = time.monotonic()
    done = publish(index, out=package)
    print(f"publish took {time.monotonic() - started:.1f}s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _tree(package) == before, "publishing changed the package folder"
    return done


def test_publish_checks_builds_and_uploads(index: Index, package: Path,
                                           published: subprocess.CompletedProcess[str]) -> None:
    out = published.stdout
    assert f"publish: {os.path.relpath(package, REPO)}: up to date" in out  # the generator's check ran first
    assert f"{NAME} {VERSION} is new there" in out
    assert " passed" in out  # the package's tests
    assert f"built {WHEEL}, {SDIST}" in out
    assert "twine check --strict: PASSED" in out
    assert f"published {NAME} {VERSION} to {index.url}" in out
    assert "Traceback" not in published.stderr
    assert sorted(index.files()) == sorted([WHEEL, SDIST])
    assert not (package / "dist").exists() and not (REPO / "dist").exists() and not (REPO / "build").exists()


def _from_index(index: Index, name: str) -> bytes:
    with urllib.request.urlopen(index.url + "packages/" + name, timeout=10) as response:
        data: bytes = response.read()
        return data


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower()


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"{NAME.replace('-', '_')}-{VERSION}.dist-info/METADATA").decode("utf-8")
    return email.parser.Parser().parsestr(text)


def test_the_wheel_on_the_index_is_typed_and_fully_described(
        index: Index, package: Path, published: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    wheel = tmp_path / WHEEL
    wheel.write_bytes(_from_index(index, WHEEL))
    (tmp_path / SDIST).write_bytes(_from_index(index, SDIST))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    metadata = _metadata(wheel)
    assert "binance/spot/py.typed" in names
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]
    assert metadata["Name"] == NAME and metadata["Version"] == VERSION
    assert SETTINGS["license"] in (metadata["License-Expression"], metadata["License"])
    assert metadata["Requires-Python"] == SETTINGS["python_requires"]
    requires = metadata.get_all("Requires-Dist") or []
    runtime = [r for r in requires if "extra ==" not in r]
    declared = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    # What the sync client needs; the rest (aiohttp, cryptography) may be extras of the package's choosing.
    assert {_name(r) for r in runtime} == {_name(r) for r in declared} >= {"pydantic", "urllib3"}
    assert all(">=" in r for r in runtime), runtime  # every dependency has a lower bound
    assert metadata["Summary"] == SETTINGS["description"]
    # The README is the long description, as Markdown, and renders: twine check --strict passes.
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert str(metadata.get_payload()).strip() == (package / "README.md").read_text(encoding="utf-8").strip()
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(tmp_path / SDIST)],
                           capture_output=True, text=True, timeout=60, check=False)
    assert check.returncode == 0 and check.stdout.count("PASSED") == 2, check.stdout + check.stderr


def test_the_wheel_names_its_project_urls(index: Index, published: subprocess.CompletedProcess[str],
                                          tmp_path: Path) -> None:
    wheel = tmp_path / WHEEL
    wheel.write_bytes(_from_index(index, WHEEL))
    assert _metadata(wheel).get_all("Project-URL") == [
        "API documentation, https://developers.binance.com/docs/binance-spot-api-docs",
        "Binance API portal, https://www.binance.com/en/binance-api",
    ]


def test_a_fresh_venv_installs_it_from_the_index_and_calls_a_server(
        index: Index, published: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    Path(site, "dependencies-from-dev-venv.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "PYTHONPATH"}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-cache-dir", "--index-url", index.simple, f"{NAME}=={VERSION}"],
        env=env, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert install.returncode == 0, install.stdout + install.stderr
    assert f"Successfully installed {NAME}-{VERSION}" in install.stdout

    call = (
        "import json, sys\n"
        "import binance.spot as spot\n"
        "configuration = spot.Configuration(host=sys.argv[1], auth=spot.BinanceAuth(api_key='key-1'))\n"
        "with spot.ApiClient(configuration) as client:\n"
        "    key = spot.UserDataStreamApi(client).spot_create_user_data_stream_v3().listen_key\n"
        "from importlib.metadata import version\n"
        "print(json.dumps({'file': spot.__file__, 'key': key, 'version': version(sys.argv[2])}))\n"
    )
    with LoopbackServer() as server:
        server.reply(200, {"listenKey": "from-loopback"})
        done = subprocess.run([str(python), "-W", "ignore::DeprecationWarning", "-c", call, server.url, NAME],
                              env=env, capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        (request,) = server.requests
    result = json.loads(done.stdout)
    assert result == {"file": result["file"], "key": "from-loopback", "version": VERSION}
    assert Path(result["file"]).is_relative_to(venv)  # the installed copy, not generated/
    assert (request.method, request.path) == ("POST", "/api/v3/userDataStream")
    assert request.headers.get("X-MBX-APIKEY") == "key-1"


def test_publishing_the_same_version_again_is_refused_before_any_upload(
        index: Index, package: Path, published: subprocess.CompletedProcess[str]) -> None:
    files, uploads = index.files(), index.uploads()
    assert uploads >= 1  # the log does show uploads
    again = publish(index, out=package)
    assert again.returncode == 1
    assert f"publish: refused: {NAME} {VERSION} is already on {index.simple}" in again.stderr
    assert "bump `version`" in again.stderr and WHEEL in again.stderr
    assert "Traceback" not in again.stderr
    assert " passed" not in again.stdout and "built " not in again.stdout  # refused before tests and build
    assert index.files() == files and index.uploads() == uploads


def test_a_stale_output_or_failing_tests_are_refused(index: Index, tmp_path: Path) -> None:
    config = tmp_path / "generator.toml"
    config.write_text(SPOT_CONFIG.read_text(encoding="utf-8").replace(f'"{NAME}"', '"acme-refused"'), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("generate", os.path.relpath(SPOT_SPEC, REPO), "--config", config, "--out", out).code == 0
    (out / "tests" / "test_broken.py").write_text("def test_broken() -> None:\n    assert 1 == 2\n")
    failing = publish(index, out=out, config=config)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert f"publish: refused: the tests of {os.path.relpath(out, REPO)} failed" in failing.stderr
    assert "acme-refused 0" in failing.stdout and "uploading" not in failing.stdout

    (out / "README.md").write_text("edited by hand\n", encoding="utf-8")
    stale = publish(index, out=out, config=config)
    assert stale.returncode == 1
    assert "is stale (README.md): run `make generate`" in stale.stderr
    assert "Traceback" not in stale.stderr + failing.stderr
    assert not any(name.startswith("acme") for name in index.files())


def test_a_wrong_password_is_turned_away_by_the_index(index: Index, tmp_path: Path) -> None:
    config = tmp_path / "generator.toml"
    config.write_text(SPOT_CONFIG.read_text(encoding="utf-8").replace(f'"{NAME}"', '"acme-auth"'), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("generate", os.path.relpath(SPOT_SPEC, REPO), "--config", config, "--out", out).code == 0
    done = publish(index, password="wrong", out=out, config=config)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"publish: refused: `twine upload` to {index.url} failed" in done.stderr
    assert "403" in done.stdout + done.stderr or "401" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not any(name.startswith("acme") for name in index.files())


def test_usage_errors_exit_2_without_a_traceback(index: Index, tmp_path: Path) -> None:
    done = publish(index, out=tmp_path / "missing")
    assert done.returncode == 2
    assert done.stderr.startswith("publish: error:") and "run `make generate` first" in done.stderr
    assert "Traceback" not in done.stderr


# --- release tags: a repository made like a fresh clone ---------------------------------------------

SERVER_TIME = (
    "  /api/v3/time:\n    get:\n      tags: [Market]\n      operationId: SpotGetServerTimeV3\n"
    "      responses:\n        \"200\":\n          description: Successful operation\n"
)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A git repository laid out as this one (spec/, generated/), one commit, no tag: what a fresh clone
    of a project that never released has. Its package has a name of its own on the index."""
    repo = tmp_path / "clone"
    (repo / "spec").mkdir(parents=True)
    shutil.copy(SPOT_SPEC, repo / "spec" / "openapi.yaml")
    settings = SPOT_CONFIG.read_text(encoding="utf-8").replace(f'"{NAME}"', f'"acme-{tmp_path.name}"'.lower())
    (repo / "spec" / "generator.toml").write_text(settings, encoding="utf-8")
    (repo / ".gitignore").write_text("__pycache__/\n/generated/.generator-cache.json\n", encoding="utf-8")
    _generate(repo)
    _git(repo, "init", "--quiet")
    _git(repo, "add", ".")
    _git(repo, "commit", "--quiet", "-m", "The client, generated")
    return repo


def _generate(repo: Path) -> None:
    done = run_cli("generate", "spec/openapi.yaml", "--config", "spec/generator.toml", "--out", "generated",
                   cwd=repo)
    assert done.code == 0, done.stderr


def _release(index: Index, repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`make publish` in the clone: tools/publish.py --tag, from the clone's folder."""
    return publish(index, "--tag", *extra, out=repo / "generated", config=repo / "spec" / "generator.toml",
                   spec=repo / "spec" / "openapi.yaml", cwd=repo)


def test_the_first_release_needs_no_tag_and_makes_one_the_next_release_compares_with(
        index: Index, clone: Path) -> None:
    name = tomllib.loads((clone / "spec" / "generator.toml").read_text(encoding="utf-8"))["distribution_name"]
    dry = _release(index, clone, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "publish: first release: no `v*` tag below 0.1.0, so there is no earlier release" in dry.stdout
    assert f"dry run: {name} 0.1.0 is ready; nothing was uploaded; publishing would tag HEAD v0.1.0" in dry.stdout
    assert _git(clone, "tag", "--list") == "" and not [f for f in index.files() if f.startswith(name.replace("-", "_"))]

    first = _release(index, clone)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "publish: first release: no `v*` tag below 0.1.0" in first.stdout
    assert f"published {name} 0.1.0" in first.stdout and "tagged HEAD v0.1.0" in first.stdout
    assert "git push origin v0.1.0" in first.stdout
    assert _git(clone, "rev-parse", "v0.1.0^{commit}") == _git(clone, "rev-parse", "HEAD")
    assert _git(clone, "cat-file", "-t", "v0.1.0") == "tag"  # annotated: it says who released and when

    # The next release, as the README's steps go: extend the spec, generate, bump, generate, commit.
    spec = clone / "spec" / "openapi.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("paths:\n", "paths:\n" + SERVER_TIME, 1),
                    encoding="utf-8")
    settings = clone / "spec" / "generator.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('"0.1.0"', '"0.1.1"'), encoding="utf-8")
    _generate(clone)
    uncommitted = _release(index, clone)
    assert uncommitted.returncode == 1
    assert "publish: refused: uncommitted changes (" in uncommitted.stderr
    assert "generated/.generator-api.json" in uncommitted.stderr and "so that the tag v0.1.1 marks" in uncommitted.stderr
    assert " passed" not in uncommitted.stdout  # refused before the tests and the build

    _git(clone, "add", ".")
    _git(clone, "commit", "--quiet", "-m", "Server time; 0.1.1")
    second = _release(index, clone)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "publish: API changes since v0.1.0:\n# API changes: `v0.1.0:spec/openapi.yaml` -> `spec/openapi.yaml`" \
        in second.stdout
    assert "- `MarketApi.spot_get_server_time_v3` (`GET /api/v3/time`)." in second.stdout
    assert "first release" not in second.stdout and "tagged HEAD v0.1.1" in second.stdout
    assert _git(clone, "tag", "--list") == "v0.1.0\nv0.1.1"
    assert "Traceback" not in dry.stderr + first.stderr + second.stderr


def test_a_version_tagged_on_another_commit_is_refused(index: Index, clone: Path) -> None:
    _git(clone, "tag", "v0.1.0")
    readme = clone / "README.md"
    readme.write_text("notes\n", encoding="utf-8")
    _git(clone, "add", "README.md")
    _git(clone, "commit", "--quiet", "-m", "Notes")
    done = _release(index, clone, "--dry-run")
    assert done.returncode == 1
    assert "publish: refused: the tag v0.1.0 already marks another commit (" in done.stderr
    assert "bump `version`" in done.stderr and "Traceback" not in done.stderr
    assert "built " not in done.stdout
    # The tag on HEAD itself (tagged by hand, as the README allows) is the release's: no second tag.
    _git(clone, "tag", "--force", "v0.1.0")
    again = _release(index, clone, "--dry-run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.rstrip().endswith("is ready; nothing was uploaded")


def test_tag_needs_the_spec_and_the_output_in_one_repository(index: Index, clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"  # outside the clone: a tag of the clone could not mark it
    shutil.copytree(clone / "generated", out)
    outside = publish(index, "--tag", "--dry-run", out=out, config=clone / "spec" / "generator.toml",
                      spec=clone / "spec" / "openapi.yaml", cwd=clone)
    assert outside.returncode == 2, outside.stdout + outside.stderr
    assert "publish: error: --tag: " in outside.stderr and "is not in the repository" in outside.stderr
    plain = tmp_path / "plain"  # a folder in no git repository at all
    shutil.copytree(clone / "spec", plain / "spec")
    shutil.copytree(clone / "generated", plain / "generated")
    nowhere = publish(index, "--tag", "--dry-run", out=plain / "generated", config=plain / "spec" / "generator.toml",
                      spec=plain / "spec" / "openapi.yaml", cwd=plain)
    assert nowhere.returncode == 2, nowhere.stdout + nowhere.stderr
    assert "publish: error: --tag: the spec is in no git repository, so there is nothing to tag v0.1.0" \
        in nowhere.stderr
    assert "Traceback" not in outside.stderr + nowhere.stderr
    assert " passed" not in outside.stdout + nowhere.stdout  # refused before the tests


# --- the index conversation, against a scripted server ------------------------------------------

def _tool() -> ModuleType:
    """tools/publish.py, imported (it is a script, not a package)."""
    if "publish_tool" not in sys.modules:
        spec = importlib.util.spec_from_file_location("publish_tool", REPO / "tools" / "publish.py")
        assert spec is not None and spec.loader is not None
        sys.modules["publish_tool"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["publish_tool"])
    return sys.modules["publish_tool"]


@pytest.mark.parametrize(("upload", "simple"), [
    ("https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
    ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),  # pypiserver
    ("https://nexus.example/repository/pypi-internal/", "https://nexus.example/repository/pypi-internal/simple/"),
    ("https://gitlab.example/api/v4/projects/7/packages/pypi", "https://gitlab.example/api/v4/projects/7/packages/pypi/simple/"),
    ("https://warehouse.example/legacy/", "https://warehouse.example/simple/"),
])
def test_the_simple_api_is_found_beside_the_upload_url(upload: str, simple: str) -> None:
    assert _tool().simple_url_for(upload if upload.endswith("/") else upload + "/") == simple


def test_twine_settings_choose_the_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tool = _tool()
    for name in ("TWINE_REPOSITORY_URL", "TWINE_REPOSITORY", "TWINE_USERNAME", "TWINE_PASSWORD", "PUBLISH_SIMPLE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWINE_CONFIG_FILE", str(tmp_path / "pypirc"))
    assert tool.index_from_environment(None).simple_url == "https://pypi.org/simple/"  # nothing set: PyPI
    monkeypatch.setenv("TWINE_REPOSITORY", "testpypi")
    assert tool.index_from_environment(None).upload_url == "https://test.pypi.org/legacy/"
    (tmp_path / "pypirc").write_text("[internal]\nrepository = http://10.0.0.9:8080\nusername = ci\n")
    monkeypatch.setenv("TWINE_REPOSITORY", "internal")
    index = tool.index_from_environment(None)
    assert (index.upload_url, index.simple_url, index.username) == (
        "http://10.0.0.9:8080/", "http://10.0.0.9:8080/simple/", "ci")
    monkeypatch.setenv("TWINE_REPOSITORY", "unknown")
    with pytest.raises(tool.Unusable, match="'unknown' is not a section of"):
        tool.index_from_environment(None)
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "http://127.0.0.1:1/")
    monkeypatch.setenv("PUBLISH_SIMPLE_URL", "http://127.0.0.1:1/root/+simple")
    assert tool.index_from_environment(None).simple_url == "http://127.0.0.1:1/root/+simple/"  # devpi


def test_the_index_is_asked_through_its_simple_api() -> None:
    tool = _tool()
    project = tool.Project("binance-spot", "1.0.0", ())
    with LoopbackServer() as server:
        index = tool.Index(server.url + "/", server.url + "/simple/", "ci", "pw")
        listing = {"meta": {"api-version": "1.0"}, "name": "binance-spot",
                   "files": [{"filename": "binance_spot-1.0.0-py3-none-any.whl"},
                             {"filename": "binance_spot-0.9.0.tar.gz"}]}
        server.reply(200, listing, {"Content-Type": "application/vnd.pypi.simple.v1+json"})
        with pytest.raises(tool.Refused, match=r"binance-spot 1\.0\.0 is already on .*binance_spot-1\.0\.0-py3"):
            tool.refuse_if_published(index, project)
        html = '<a href="../../packages/binance_spot-1.0.0.tar.gz#sha256=00">binance_spot-1.0.0.tar.gz</a>'
        server.reply(200, html, {"Content-Type": "text/html"})
        with pytest.raises(tool.Refused, match="already on"):
            tool.refuse_if_published(index, project)
        server.reply(200, html, {"Content-Type": "text/html"})
        tool.refuse_if_published(index, tool.Project("binance-spot", "1.0.1", ()))  # another version: fine
        server.reply(404, "not found", {"Content-Type": "text/plain"})
        assert tool.files_on_index(index, "Binance_Spot") == []
        # pypiserver sends projects it does not have on to PyPI: that is not this index's answer.
        server.reply(303, b"", {"Location": "https://pypi.org/simple/binance-spot/"})
        assert tool.files_on_index(index, "binance-spot") == []
        server.reply(401, b"", {"WWW-Authenticate": 'Basic realm="pypi"'})
        with pytest.raises(tool.Refused, match="wants credentials"):
            tool.files_on_index(index, "binance-spot")
        requests = server.requests
    assert [r.path for r in requests] == ["/simple/binance-spot/"] * 6  # canonical name, nothing elsewhere
    assert requests[0].headers.get("Accept", "").startswith("application/vnd.pypi.simple.v1+json")
    assert requests[0].headers.get("Authorization") == "Basic Y2k6cHc="  # same host as the upload URL
