"""generated/ -> a release on a package index: refused unless fresh, tested, versioned and new there.

    python tools/publish.py --spec spec/openapi.yaml --config spec/generator.toml --out generated
                            [--tag] [--package-tests-only] [--dry-run] [--dist DIR] [--simple-url URL]

In order: the output must be what `python -m generator check` expects (not stale); its CHANGELOG.md
must have no Unreleased API changes; the index must not have this version yet (asked through its
simple API, before anything is built); with --tag (as `make publish` runs it), spec, settings and
output must be committed and the tag `v<version>` must be free or already on HEAD; `make test` must
pass (or, with --package-tests-only, the package's own tests); then `python -m build` makes the sdist
and the wheel in a temporary folder, `twine check --strict` checks them, and `twine upload` sends them.
With --tag, the commit is then tagged `v<version>` (unless it already is), which is how the next
release finds this one.

Before building, the API changes since the last release are printed: `python -m generator diff` of the
spec as the newest `v*` tag below this version has it against the spec now. A repository without such
a tag (a fresh clone, the first release) has no earlier release to compare with; that is said, and the
release goes on: generated/CHANGELOG.md's "First version" describes it.

Twine is pointed at the index as usual: TWINE_REPOSITORY_URL (or TWINE_REPOSITORY, a name from
~/.pypirc), TWINE_USERNAME, TWINE_PASSWORD; PyPI when none is set. The simple API is derived from the
upload URL (PyPI's and TestPyPI's are known; otherwise a trailing `legacy/` is dropped and `simple/`
added, as pypiserver, Nexus, GitLab and Artifactory lay them out); PUBLISH_SIMPLE_URL or --simple-url
names it when that guess is wrong (devpi: `.../+simple/`).

Exit codes: 0 published (with --dry-run: ready to publish); 1 refused, or a step failed; 2 usage or
environment (missing files, tools not installed, a setting that cannot work).
"""

from __future__ import annotations

import argparse
import base64
import configparser
import importlib.metadata
import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

REPO = Path(__file__).resolve().parent.parent
PYPI_UPLOAD = "https://upload.pypi.org/legacy/"
KNOWN_INDEXES = {  # upload URL -> simple API
    PYPI_UPLOAD: "https://pypi.org/simple/",
    "https://test.pypi.org/legacy/": "https://test.pypi.org/simple/",
}
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
TIMEOUT = 30.0


class Refused(Exception):
    """The release cannot go ahead as things are: exit 1."""


class Unusable(Exception):
    """The command line, the files or the environment do not allow a release at all: exit 2."""


def say(message: str) -> None:
    print(f"publish: {message}", flush=True)


# --- the project ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Project:
    name: str
    version: str
    build_requires: tuple[str, ...]


def read_project(out: Path) -> Project:
    path = out / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Unusable(f"{path} not found: is {out} a generated package? Run `make generate`.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Unusable(f"cannot read {path}: {exc}") from None
    project = data.get("project")
    name, version = (project.get("name"), project.get("version")) if isinstance(project, dict) else (None, None)
    if not isinstance(name, str) or not isinstance(version, str):
        raise Unusable(f"{path} has no [project] name and version")
    try:
        Version(version)
    except InvalidVersion:
        raise Unusable(f"{path}: version {version!r} is not a PEP 440 version") from None
    system = data.get("build-system")
    requires = system.get("requires") or [] if isinstance(system, dict) else []
    return Project(name, version, tuple(str(r) for r in requires))


# --- the index -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Index:
    upload_url: str
    simple_url: str
    username: str | None
    password: str | None


def index_from_environment(simple_override: str | None) -> Index:
    """Where twine will upload (as twine reads its settings) and the simple API that goes with it."""
    upload = os.environ.get("TWINE_REPOSITORY_URL") or ""
    username = os.environ.get("TWINE_USERNAME") or None
    password = os.environ.get("TWINE_PASSWORD") or None
    if not upload:
        repository = os.environ.get("TWINE_REPOSITORY") or "pypi"
        upload, from_rc_user, from_rc_password = _pypirc(repository)
        username, password = username or from_rc_user, password or from_rc_password
    upload = upload if upload.endswith("/") else upload + "/"
    if urllib.parse.urlsplit(upload).scheme not in ("http", "https"):
        raise Unusable(f"TWINE_REPOSITORY_URL {upload!r} is not an http(s) URL")
    simple = simple_override or os.environ.get("PUBLISH_SIMPLE_URL") or simple_url_for(upload)
    return Index(upload, simple if simple.endswith("/") else simple + "/", username, password)


def _pypirc(repository: str) -> tuple[str, str | None, str | None]:
    """A repository named in ~/.pypirc (twine's defaults for pypi and testpypi when it is not there)."""
    defaults = {"pypi": PYPI_UPLOAD, "testpypi": "https://test.pypi.org/legacy/"}
    parser = configparser.RawConfigParser()
    path = Path(os.environ.get("TWINE_CONFIG_FILE") or Path.home() / ".pypirc")
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise Unusable(f"cannot read {path}: {exc}") from None
    if parser.has_section(repository):
        section = parser[repository]
        url = section.get("repository") or defaults.get(repository)
        if url:
            return url, section.get("username"), section.get("password")
    if repository in defaults:
        return defaults[repository], None, None
    raise Unusable(f"TWINE_REPOSITORY={repository!r} is not a section of {path} with a `repository` URL")


def simple_url_for(upload_url: str) -> str:
    if upload_url in KNOWN_INDEXES:
        return KNOWN_INDEXES[upload_url]
    parts = urllib.parse.urlsplit(upload_url)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    if path.endswith("/legacy/"):
        path = path[: -len("legacy/")]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path + "simple/", "", ""))


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects within the index only: pypiserver sends unknown projects on to PyPI."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            path = urllib.parse.urlsplit(href).path
            self.names.append(urllib.parse.unquote(path.rstrip("/").rsplit("/", 1)[-1]))


def files_on_index(index: Index, project: str) -> list[str]:
    """The file names the index holds for a project ([] when it does not know the project)."""
    url = urllib.parse.urljoin(index.simple_url, canonicalize_name(project) + "/")
    request = urllib.request.Request(url, headers={"Accept": f"{SIMPLE_JSON}, text/html;q=0.1"})
    same_host = urllib.parse.urlsplit(url).netloc == urllib.parse.urlsplit(index.upload_url).netloc
    if same_host and index.username and index.password:  # credentials only go where they go anyway
        token = base64.b64encode(f"{index.username}:{index.password}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    opener = urllib.request.build_opener(_SameHostRedirects())
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            body = response.read()
            content_type = response.headers.get("Content-Type") or ""
    except urllib.error.HTTPError as exc:
        if exc.code == 404 or 300 <= exc.code < 400:  # unknown here (a redirect would leave the index)
            return []
        if exc.code in (401, 403):
            raise Refused(f"{url} answered {exc.code}: the index wants credentials to list files; "
                          "set TWINE_USERNAME and TWINE_PASSWORD") from None
        raise Refused(f"cannot ask {url} which versions exist: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Refused(f"cannot ask {url} which versions exist: {reason} "
                      "(is the index up? set PUBLISH_SIMPLE_URL if its simple API lives elsewhere)") from None
    text = body.decode("utf-8", "replace")
    if content_type.startswith(SIMPLE_JSON):
        try:
            return [str(f["filename"]) for f in json.loads(text).get("files", []) if "filename" in f]
        except (ValueError, AttributeError, TypeError):
            raise Refused(f"{url} answered JSON that is not a simple API page") from None
    links = _Links()
    links.feed(text)
    return links.names


def version_of(filename: str, project: str) -> Version | None:
    """The version in a wheel or sdist file name of `project`, None for another project or kind."""
    try:
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return version if name == canonicalize_name(project) else None


def refuse_if_published(index: Index, project: Project) -> None:
    names = files_on_index(index, project.name)
    same = sorted(n for n in names if version_of(n, project.name) == Version(project.version))
    if same:
        raise Refused(
            f"{project.name} {project.version} is already on {index.simple_url} ({', '.join(same)}). "
            "An index takes a version only once: bump `version` in the settings file "
            "(spec/generator.toml), run `make generate`, then publish again.")
    say(f"{index.simple_url}: {project.name} {project.version} is new there "
        f"({len(names)} file{'s' if len(names) != 1 else ''} of other versions)")


# --- the release tags ----------------------------------------------------------------------------

TAG_PREFIX = "v"  # a release's tag: v0.2.0


@dataclass(frozen=True)
class Git:
    """The git work tree the spec is in: releases are its `v<version>` tags."""

    top: Path

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return run(["git", "-C", self.top, *args], self.top)

    def commit_of(self, ref: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", ref + "^{commit}")
        return done.stdout.strip() if done.returncode == 0 else None


def git_of(spec: Path) -> Git | None:
    """The git work tree holding the spec, None when it is in none (or git is not installed)."""
    if shutil.which("git") is None:
        return None
    done = run(["git", "-C", spec.resolve().parent, "rev-parse", "--show-toplevel"], Path.cwd())
    return Git(Path(done.stdout.strip())) if done.returncode == 0 else None


def previous_release(git: Git, version: str) -> str | None:
    """The newest tag `v<X>` reachable from HEAD with X a version below `version`; None if there is none
    (a clone without tags, or nothing released yet)."""
    done = git.run("tag", "--list", TAG_PREFIX + "*", "--merged", "HEAD")
    if done.returncode != 0:  # HEAD is no commit yet
        return None
    released = []
    for tag in done.stdout.split():
        try:
            released.append((Version(tag[len(TAG_PREFIX):]), tag))
        except InvalidVersion:  # some other tag that starts with the prefix
            continue
    earlier = sorted(r for r in released if r[0] < Version(version))
    return earlier[-1][1] if earlier else None


def show_changes_since_last_release(git: Git | None, spec: Path, config: Path | None, version: str) -> None:
    """Print what `python -m generator diff` says of the spec as the last release tag has it against
    the spec now. Without an earlier release (the first one, or a clone without tags) say so and go
    on: the changelog's First version describes the package."""
    tag = previous_release(git, version) if git is not None else None
    if git is None or tag is None:
        where = "the spec is in no git repository" if git is None else f"no `{TAG_PREFIX}*` tag below {version}"
        say(f"first release: {where}, so there is no earlier release to compare with "
            "(the changelog says what this one holds)")
        return
    inside = spec.resolve().relative_to(git.top)
    with tempfile.TemporaryDirectory(prefix="publish-released-") as temporary:
        # The spec's whole folder as the tag has it: a spec split into files refers to its neighbours.
        archive = Path(temporary) / "released.tar"
        done = git.run("archive", "--format=tar", "-o", archive, tag, "--", inside.parent.as_posix())
        old = Path(temporary) / inside
        if done.returncode == 0:
            with tarfile.open(archive) as tar:
                tar.extractall(temporary, filter="data")
        if done.returncode != 0 or not old.is_file():
            say(f"{tag} has no {inside.as_posix()}: no API changes to show since {tag}")
            return
        command: list[str | Path] = [sys.executable, "-m", "generator", "diff", old, spec]
        if config is not None:
            command += ["--config", config]
        diff = run(command, Path.cwd(), env={"PYTHONPATH": str(REPO)})
    if diff.returncode != 0:
        _echo(diff)
        raise Refused(f"`python -m generator diff` could not compare {tag}'s spec with {spec} (above)")
    say(f"API changes since {tag}:")
    # The released spec was read from a temporary folder: name it as git does.
    print(diff.stdout.replace(str(old), f"{tag}:{inside.as_posix()}").rstrip("\n"), flush=True)
    if diff.stderr:  # the specs' warnings
        sys.stderr.write(diff.stderr)


def refuse_if_untaggable(git: Git | None, paths: Sequence[Path], version: str) -> bool:
    """For --tag: the release's tag must be free (or on HEAD already) and what is released committed,
    so that the tag marks exactly what was published. True when HEAD still needs the tag."""
    tag = TAG_PREFIX + version
    if git is None:
        raise Unusable(f"--tag: the spec is in no git repository, so there is nothing to tag {tag}")
    head = git.commit_of("HEAD")
    if head is None:
        raise Refused(f"--tag: {git.top} has no commit yet: commit spec/ and generated/, then publish")
    outside = [p for p in paths if not p.resolve().is_relative_to(git.top)]
    if outside:
        raise Unusable(f"--tag: {', '.join(map(str, outside))} is not in the repository {git.top}, "
                       "so the tag could not mark it")
    status = git.run("status", "--porcelain", "--", *(p.resolve() for p in paths))
    if status.returncode != 0:
        raise Unusable(f"--tag: `git status` failed: {status.stderr.strip()}")
    if status.stdout.strip():
        changed = [line[3:] for line in status.stdout.splitlines()]
        listed = ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else "")
        raise Refused(f"uncommitted changes ({listed}): commit the spec, the settings and the generated "
                      f"package first, so that the tag {tag} marks what is published")
    tagged = git.commit_of("refs/tags/" + tag)
    if tagged is not None and tagged != head:
        raise Refused(f"the tag {tag} already marks another commit ({tagged[:12]}): a version is released "
                      "once; bump `version` in the settings file (spec/generator.toml), run `make generate`, "
                      "commit, then publish")
    return tagged is None


def tag_release(git: Git, project: Project) -> None:
    tag = TAG_PREFIX + project.version
    done = git.run("tag", "--annotate", "--message", f"{project.name} {project.version}", tag, "HEAD")
    if done.returncode != 0:
        _echo(done)
        raise Refused(f"published, but `git tag {tag}` failed (above): tag the commit yourself "
                      f"(`git tag -a {tag} -m '{project.name} {project.version}'`)")
    say(f"tagged HEAD {tag}; share it with `git push origin {tag}`")


# --- the steps -----------------------------------------------------------------------------------

def run(command: Sequence[str | Path], cwd: Path, capture: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([str(c) for c in command], cwd=cwd, text=True, check=False,
                              capture_output=capture, env={**os.environ, **(env or {})})
    except OSError as exc:
        raise Unusable(f"cannot run {command[0]}: {exc}") from None


def _echo(done: subprocess.CompletedProcess[str]) -> None:
    for stream, text in ((sys.stdout, done.stdout), (sys.stderr, done.stderr)):
        if text:
            stream.write(text if text.endswith("\n") else text + "\n")
            stream.flush()


def refuse_if_stale(spec: Path, config: Path | None, out: Path) -> None:
    """`python -m generator check`: the output must be exactly what generate would write."""
    # Paths as given, from where we were started: the spec's name as typed ends up in the output.
    command: list[str | Path] = [sys.executable, "-m", "generator", "check", spec, "--out", out]
    if config is not None:
        command[5:5] = ["--config", config]
    done = run(command, Path.cwd(), env={"PYTHONPATH": str(REPO)})
    if done.returncode == 0:
        say(done.stdout.strip())
        return
    sys.stderr.write(done.stderr)
    lines = done.stdout.splitlines()
    stale = sorted({(minus[len("--- a/"):] if plus == "+++ /dev/null" else plus[len("+++ b/"):])
                    for minus, plus in itertools.pairwise(lines)
                    if minus.startswith("--- ") and plus.startswith("+++ ")})
    if done.returncode == 1 and done.stdout:
        listed = ", ".join(stale[:10]) + (" ..." if len(stale) > 10 else "")
        raise Refused(f"{out} is stale ({listed}): run `make generate`, review and commit it, then publish")
    if done.returncode == 1:
        raise Refused(f"{spec} has errors (above): fix them and run `make generate` before publishing")
    raise Unusable("`python -m generator check` could not run (above)")


def refuse_if_unreleased(out: Path) -> None:
    sys.path.insert(0, str(REPO))
    from generator.output import changelog

    if changelog.has_unreleased(out):
        raise Refused(
            f"{out / changelog.CHANGELOG} lists Unreleased API changes: set `version` in the settings file "
            "(spec/generator.toml) to the version they call for, run `make generate`, then publish")


def run_tests(out: Path, package_only: bool) -> None:
    quiet = {"PYTHONDONTWRITEBYTECODE": "1"}
    if not package_only:
        if out.resolve() == (REPO / "generated").resolve():
            say("make test")
            if run(["make", "-C", REPO, "test"], REPO, capture=False).returncode != 0:
                raise Refused("`make test` failed (above): fix it before publishing")
            return
        say("generator tests")
        if run([sys.executable, "-m", "pytest", "-q", "tests"], REPO, capture=False, env=quiet).returncode != 0:
            raise Refused("the generator's tests failed (above): fix them before publishing")
    say(f"{out}: the package's own tests")
    done = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], out, capture=False,
               env=quiet)
    if done.returncode != 0:
        raise Refused(f"the tests of {out} failed (above): fix them before publishing")


def _satisfied(requirements: Sequence[str]) -> bool:
    """Whether this interpreter already has every build requirement (then no isolated env is needed)."""
    for text in requirements:
        try:
            requirement = Requirement(text)
            installed = importlib.metadata.version(requirement.name)
        except (InvalidRequirement, importlib.metadata.PackageNotFoundError):
            return False
        if not requirement.specifier.contains(installed, prereleases=True):
            return False
    return True


def build(out: Path, project: Project, dist: Path) -> list[Path]:
    """sdist, then the wheel built from that sdist (which proves the sdist is complete)."""
    command: list[str | Path] = [sys.executable, "-m", "build", "--outdir", dist]
    if _satisfied(project.build_requires):
        command.append("--no-isolation")  # the build backend is installed: no download, no network
    done = run([*command, out.resolve()], REPO, env={"PYTHONDONTWRITEBYTECODE": "1"})
    if done.returncode != 0:
        _echo(done)
        raise Refused(f"`python -m build` failed for {out} (above)")
    built = sorted(p for p in dist.iterdir() if p.suffix == ".whl" or p.name.endswith(".tar.gz"))
    wheels = [p for p in built if p.suffix == ".whl"]
    if len(wheels) != 1 or len(built) != 2 or any(version_of(p.name, project.name) != Version(project.version)
                                                   for p in built):
        raise Refused(f"the build made {[p.name for p in built]}, expected one sdist and one wheel of "
                      f"{project.name} {project.version}")
    say(f"built {', '.join(p.name for p in built)}")
    return built


def twine_check(files: list[Path]) -> None:
    done = run([sys.executable, "-m", "twine", "check", "--strict", *files], REPO)
    if done.returncode != 0:
        _echo(done)
        raise Refused("`twine check --strict` failed (above): the long description or metadata would not "
                      "render on the index")
    say("twine check --strict: PASSED")


def upload(files: list[Path], index: Index) -> None:
    say(f"uploading to {index.upload_url}")
    done = run([sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar", *files],
               REPO, capture=False)
    if done.returncode != 0:
        raise Refused(f"`twine upload` to {index.upload_url} failed (its message is above)")


# --- the command ---------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tools/publish.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, required=True, metavar="FILE", help="the spec generated/ comes from")
    parser.add_argument("--config", type=Path, metavar="FILE", help="the generator's settings file")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="the generated package to publish")
    parser.add_argument("--tag", action="store_true",
                        help=f"require spec, settings and output committed; after the upload, tag HEAD "
                             f"{TAG_PREFIX}<version> (as `make publish` does)")
    parser.add_argument("--package-tests-only", action="store_true",
                        help="run only the package's own tests, not all of `make test`")
    parser.add_argument("--dry-run", action="store_true", help="every check and the build, but no upload")
    parser.add_argument("--dist", type=Path, metavar="DIR",
                        help="keep the sdist and wheel in DIR (default: a temporary folder, removed after)")
    parser.add_argument("--simple-url", metavar="URL", help="the index's simple API (default: derived)")
    return parser


def publish(args: argparse.Namespace) -> None:
    for path, what in ((args.spec, "spec"), (args.config, "settings file")):
        if path is not None and not path.is_file():
            raise Unusable(f"{what} {path} not found")
    if not args.out.is_dir():
        raise Unusable(f"{args.out} is not a folder: run `make generate` first")
    missing = [m for m in ("build", "twine") if importlib.util.find_spec(m) is None]
    if missing:
        raise Unusable(f"{' and '.join(missing)} not installed for {sys.executable}: "
                       f"`{sys.executable} -m pip install {' '.join(missing)}`")
    project = read_project(args.out)
    index = index_from_environment(args.simple_url)
    say(f"{project.name} {project.version} from {args.out}")
    refuse_if_stale(args.spec, args.config, args.out)
    refuse_if_unreleased(args.out)
    refuse_if_published(index, project)
    git = git_of(args.spec)
    released = [p for p in (args.spec, args.config, args.out) if p is not None]
    needs_tag = refuse_if_untaggable(git, released, project.version) if args.tag else False
    show_changes_since_last_release(git, args.spec, args.config, project.version)
    run_tests(args.out, args.package_tests_only)
    with tempfile.TemporaryDirectory(prefix="publish-") as temporary:
        dist = Path(temporary)
        files = build(args.out, project, dist)
        twine_check(files)
        if args.dist is not None:
            args.dist.mkdir(parents=True, exist_ok=True)
            files = [Path(shutil.copy2(f, args.dist / f.name)) for f in files]
        if args.dry_run:
            then = f"; publishing would tag HEAD {TAG_PREFIX}{project.version}" if needs_tag else ""
            say(f"dry run: {project.name} {project.version} is ready; nothing was uploaded{then}")
            return
        upload(files, index)
    say(f"published {project.name} {project.version} to {index.upload_url}")
    if needs_tag:
        assert git is not None  # refuse_if_untaggable made sure
        tag_release(git, project)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        publish(args)
    except Refused as exc:
        print(f"publish: refused: {exc}", file=sys.stderr)
        return 1
    except Unusable as exc:
        print(f"publish: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("publish: interrupted", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
