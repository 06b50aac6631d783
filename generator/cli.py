"""Command line: argparse -> pipeline.run -> diagnostics on stderr, a summary on stdout, an exit code.

Commands: generate, check, validate, diff (the API changes between two specs), templates (copies of
the built-in templates and runtime files, to edit and pass back with --templates), and --version.
Exit codes: 0 success; 1 spec errors or drift (check); 2 usage, settings, template or I/O errors
(the kind each Diagnostic carries says which).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import Config, check_config, load_config
from .diagnostics import Diagnostic, GenerationError, Kind, ValidationFailed, error
from .profiles import NAMES as PROFILES

CONFIG_NAME = "generator.toml"
DISTRIBUTION = "binance-sdk-generator"  # the generator's own name on the package index
MODULE_PROG = "python -m generator"


def version() -> str:
    """The generator's version: its installed distribution's, else (a checkout run as `python -m
    generator` without installing it) the one its pyproject.toml declares."""
    import importlib.metadata

    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        pass
    import tomllib

    try:
        project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8"))
        found = project["project"]
        if found.get("name") == DISTRIBUTION and isinstance(found.get("version"), str):
            return f"{found['version']} (not installed)"
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return "unknown (not installed)"


class _Version(argparse.Action):
    """--version, looked up only when asked for: a run reads nothing it does not need (the metadata
    search, pyproject.toml)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"{DISTRIBUTION} {version()}")
        parser.exit()


def _prog() -> str:
    """The name the user ran: the console script's, or `python -m generator` (where argv[0] is the
    path of __main__.py)."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return MODULE_PROG if name in ("", "__main__.py", "-c") else name


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Generate a typed Python client package, its docs and its tests from an OpenAPI 3 spec.",
    )
    parser.add_argument("--version", action=_Version, help="print the generator's version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def options(sub: argparse.ArgumentParser, out_required: bool) -> None:
        sub.add_argument("spec", type=Path, metavar="SPEC", help="the OpenAPI 3.0/3.1 document (YAML or JSON)")
        if out_required:
            sub.add_argument("--out", type=Path, required=True, metavar="DIR", help="the output folder")
        sub.add_argument("--config", type=Path, metavar="FILE",
                         help=f"settings file (default: {CONFIG_NAME} beside the spec, if there is one)")
        sub.add_argument("--package-name", metavar="DOTTED.NAME", help="import name, e.g. binance.spot")
        sub.add_argument("--templates", type=Path, metavar="DIR",
                         help="a folder of templates that replace the built-in ones of the same name")
        sub.add_argument("--lenient", action="store_true", default=None,
                         help="report spec validation errors as warnings and generate anyway")
        sub.add_argument("--profile", choices=PROFILES, default=None,
                         help="the vendor's rules to build with (default: detected from the spec)")

    options(commands.add_parser("generate", help="write the client package into --out"), True)
    options(commands.add_parser("check", help="exit 1 with a diff if --out is not what generate would write"), True)
    options(commands.add_parser("validate", help="validate the spec and report every error"), False)
    diff = commands.add_parser("diff", help="print, in Markdown, how the generated API changes from OLD to NEW")
    diff.add_argument("old", type=Path, metavar="OLD_SPEC", help="the spec before")
    diff.add_argument("spec", type=Path, metavar="NEW_SPEC", help="the spec after")
    diff.add_argument("--config", type=Path, metavar="FILE",
                      help=f"settings file (default: {CONFIG_NAME} beside NEW_SPEC, if there is one)")
    diff.add_argument("--lenient", action="store_true", default=None,
                      help="compare specs with validation errors anyway (reported as warnings)")
    diff.set_defaults(package_name=None, templates=None, profile=None)
    templates = commands.add_parser(
        "templates", help="copy the built-in templates (and runtime files) into a folder, to edit and "
                          "pass back with --templates")
    templates.add_argument("--out", type=Path, metavar="DIR",
                           help="the folder to copy them into (it must not hold files of those names)")
    templates.add_argument("--only", nargs="+", metavar="NAME", default=None,
                           help="only these files, or folders of them (docs/model.md.jinja, docs, runtime/rest.py); "
                                "default: every template and the runtime every package ships (a profile's "
                                "own runtime files, such as runtime/auth.py, only by name)")
    templates.add_argument("--list", action="store_true", help="print the names that can be copied and overridden")
    return parser


def _usage(message: str, file: str) -> GenerationError:
    return GenerationError([error(message, file, kind=Kind.USAGE)])


def _config(args: argparse.Namespace) -> Config:
    path: Path | None = args.config
    if path is None and (args.spec.parent / CONFIG_NAME).is_file():
        path = args.spec.parent / CONFIG_NAME
    config = load_config(path) if path is not None else Config()
    config = config.merged(package_name=args.package_name, lenient=args.lenient, profile=args.profile,
                           templates=args.templates.resolve() if args.templates else None)
    problems = check_config(config, "--package-name" if args.package_name else str(path or "options"))
    if problems:
        raise GenerationError(problems)
    if config.templates is not None and not config.templates.is_dir():
        raise GenerationError([error("templates folder not found", str(config.templates), kind=Kind.TEMPLATE)])
    return config


def _check_spec_readable(spec: Path) -> None:
    if not spec.is_file():
        raise _usage("spec file not found" if not spec.exists() else "spec is not a file", str(spec))


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def run(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """One command; its exit code. `prog` is the name usage messages give the command (default:
    the name it was run by)."""
    # A run builds one object graph (document, model, files) that lives until it ends, with next to
    # no cycles among its garbage: the cyclic collector would only rescan it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser = _parser(prog or _prog())
        args = parser.parse_args(argv)
        if args.command == "templates" and not args.list and args.out is None:
            parser.error("templates: --out DIR is required (or --list)")  # exits 2, as argparse does
        args.prog = parser.prog
        return _run(args)
    finally:
        if collecting:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    if args.command == "templates":
        return _templates(args)
    display = str(args.spec)
    try:
        if args.command == "diff":
            return _diff(args)
        _check_spec_readable(args.spec)
        config = _config(args)
        if args.command == "validate":
            return _validate(args.spec, config, display)
        return _generate(args, config, display)
    except GenerationError as exc:
        _print(exc.diagnostics)
        errors = sum(1 for d in exc.diagnostics if d.is_error)
        if not exc.is_spec_problem:
            return 2
        plural = "s" if errors != 1 else ""
        if args.command == "validate":
            print(f"{display}: {errors} error{plural}.", file=sys.stderr)
        else:
            hint = " Fix them, or pass --lenient to generate anyway." if isinstance(exc, ValidationFailed) else ""
            print(f"{display}: {errors} error{plural}; nothing was written.{hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # stdout closed by its reader (`| head`): main's to handle
    except OSError as exc:  # one the edges did not name: a located message all the same, never a traceback
        _print([io_error(exc, display)])
        return 2


def io_error(exc: OSError, fallback: str) -> Diagnostic:
    """`PATH: error: REASON` for a file the system refused (the path it names, else `fallback`)."""
    named = exc.filename2 if exc.filename2 is not None else exc.filename
    path = os.fsdecode(named) if isinstance(named, str | bytes) else fallback
    return error(f"cannot read or write: {exc.strerror or exc}", path, kind=Kind.USAGE)


def _validate(spec: Path, config: Config, display: str) -> int:
    from . import pipeline

    result = pipeline.run(spec, config, display=display, until="validate")
    warnings = result.diagnostics
    _print(warnings)
    print(f"{display}: valid {result.kind}" + (f" ({len(warnings)} warnings)" if warnings else ""))
    return 0


def _generate(args: argparse.Namespace, config: Config, display: str) -> int:
    from . import incremental

    started = time.perf_counter()
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise GenerationError([error("output path exists and is not a folder", str(out), kind=Kind.OUTPUT)])
    generating = args.command == "generate"
    cache = incremental.Cache(out, args.spec, config) if generating else None
    if cache is not None and (summary := cache.unchanged()) is not None:
        for line in summary.warnings:
            print(line, file=sys.stderr)
        print(f"{summary.operations} operations, {summary.models} models: 0 files written, "
              f"{summary.files} unchanged, 0 removed (0 formatted) in {time.perf_counter() - started:.2f}s "
              f"(inputs and output unchanged); {_warnings(len(summary.warnings))}{summary.profile}")
        return 0
    from . import pipeline  # here: a run with nothing to do needs none of the stages
    from .output import write as write_stage

    kept = (incremental.CACHE_FILE,)
    staged: list[write_stage.Staged] = []
    planned: list[write_stage.Plan] = []

    def ready(made: pipeline.Result) -> None:
        """While validation finishes: plan the writing (which only reads the folder) and, for a new
        (absent or empty) folder, stage the files, to be moved in if the run succeeds."""
        planned.append(write_stage.plan(out, made.files, kept, made.reused))
        if generating and write_stage.is_new(out):
            staged.append(write_stage.stage(out, planned[0]))

    try:
        result = pipeline.run(args.spec, config, display=display, out=out if out.is_dir() else None,
                              cache=cache, ready=ready)
    except BaseException:
        for pending in staged:
            pending.abort()
        raise
    _print(result.diagnostics)
    todo = planned[0] if planned else write_stage.plan(out, result.files, kept, result.reused)
    if not generating:
        if todo.changed:
            sys.stdout.write(write_stage.diff(out, todo))
            print(f"{out}: {len(todo.write)} files differ, {len(todo.remove)} would be removed: "
                  "run `make generate`", file=sys.stderr)
            return 1
        print(f"{out}: up to date ({len(todo.unchanged)} files)")
        return 0
    if staged:
        staged[0].commit()
    else:
        write_stage.apply(out, todo)
    api = result.api
    assert api is not None  # a run until "files" has its model
    operations = len(api.operations) + (len(api.websocket.methods) if api.websocket is not None else 0) \
        + (len(api.streams.methods) + 3 if api.streams is not None else 0)  # + (un)subscribe, list
    models = len(api.models)
    profile = f"profile {api.vendor.profile} ({api.vendor.reason})"
    if cache is not None:
        cache.keep(result.digests, result.keys, todo, incremental.Summary(
            operations, models, len(result.files), [str(d) for d in result.diagnostics], profile),
            result.sources)
    print(f"{operations} operations, {models} models: {len(todo.write)} files written, "
          f"{len(todo.unchanged)} unchanged, {len(todo.remove)} removed ({result.formatted} formatted) "
          f"in {time.perf_counter() - started:.2f}s; {_warnings(len(result.diagnostics))}{profile}")
    return 0


def _warnings(count: int) -> str:
    """The summary's count of the warnings printed above it (nothing when there are none)."""
    return f"{count} warning{'s' if count != 1 else ''} (above); " if count else ""


def _diff(args: argparse.Namespace) -> int:
    """Both specs through the pipeline up to the model, their API surfaces compared. A spec with
    errors is not compared: every error of both is printed, exit 1 (with --lenient, validation
    errors are warnings and the specs are compared anyway)."""
    from . import pipeline
    from .output import surface

    _check_spec_readable(args.old)
    _check_spec_readable(args.spec)
    config = _config(args)
    shown: list[Diagnostic] = []
    failed: list[str] = []
    invalid = False
    apis = []
    for spec in (args.old, args.spec):
        try:
            result = pipeline.run(spec, config, until="model")
        except GenerationError as exc:
            if not exc.is_spec_problem:
                raise
            shown += exc.diagnostics
            errors = sum(1 for d in exc.diagnostics if d.is_error)
            failed.append(f"{spec}: {errors} error{'s' if errors != 1 else ''}")
            invalid = invalid or isinstance(exc, ValidationFailed)
            continue
        shown += result.diagnostics
        apis.append(result.api)
    _print(shown)
    if failed:
        hint = " Fix them, or pass --lenient to compare anyway." if invalid else ""
        print("; ".join(failed) + "; nothing was compared." + hint, file=sys.stderr)
        return 1
    old, new = apis
    assert old is not None and new is not None  # a run until "model" has its model
    sys.stdout.write(surface.report(old, new, str(args.old), str(args.spec)))
    return 0


def _templates(args: argparse.Namespace) -> int:
    """Copy built-in templates and runtime files into --out, at the names --templates reads them by;
    or list those names. Nothing is overwritten: a file already there is an error, and nothing is
    copied."""
    from .emit import render

    names = render.overridable()
    if args.list:
        print("\n".join(names))
        return 0
    out: Path = args.out
    chosen, problems = _chosen(names, args.only, args.prog)
    try:
        problems += [error("exists; not overwritten: remove it, or copy into another folder", str(out / name),
                           kind=Kind.OUTPUT) for name in chosen if (out / name).exists()]
    except OSError as exc:
        problems.append(io_error(exc, str(out)))
    if problems:
        _print(problems)
        print(f"{out}: nothing was copied.", file=sys.stderr)
        return 2
    try:
        for name in chosen:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(names[name].read_bytes())
    except OSError as exc:
        _print([io_error(exc, str(out))])
        return 2
    print(f"{len(chosen)} file{'s' if len(chosen) != 1 else ''} copied into {out}. Edit them, delete those you "
          f"do not change (the rest keep following the generator's), and pass --templates {out}.")
    return 0


def _chosen(names: dict[str, Path], only: Sequence[str] | None, prog: str) -> tuple[list[str], list[Diagnostic]]:
    """The names --only asks for (each a file or a folder of them), or every template and generic
    runtime file; an error for a name that is neither."""
    import difflib  # here: only this command needs it

    from .emit import BUILTIN_RUNTIME

    if not only:
        # A user's runtime/ adds its files to every package (Renderer.runtime), so a profile's own
        # runtime files (runtime/binance/auth.py) are copied only when asked for by name.
        return [name for name, path in names.items()
                if not name.startswith("runtime/") or path.parent == BUILTIN_RUNTIME], []
    chosen: list[str] = []
    problems = []
    for wanted in only:
        wanted = wanted.strip("/")
        matching = [name for name in names if name == wanted or name.startswith(wanted + "/")]
        if not matching:
            close = difflib.get_close_matches(wanted, list(names), n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (`{prog} templates --list` lists them)"
            problems.append(error(f"no built-in template or runtime file is named {wanted}{hint}", "--only",
                                  kind=Kind.USAGE))
        chosen += [name for name in matching if name not in chosen]
    return chosen, problems


def main(prog: str | None = None) -> None:
    """The console script's entry point (and `python -m generator`'s, with its prog)."""
    try:
        code = run(prog=prog)
        sys.stdout.flush()
    except BrokenPipeError:
        # Whoever read stdout stopped (`templates --list | head`): not worth a traceback. Exit 2 as
        # for any output that could not be written, without a word: stdout is gone.
        code = 2
    # The run's output is written and closed, its worker processes joined: what is left is freeing a
    # large heap object by object (0.1 s after a Spot run), which nobody waits for gladly. Exit now,
    # as mypy does; anything else that ends the process (an exception, Ctrl-C) exits the usual way.
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)
