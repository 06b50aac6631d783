"""Command line: argparse -> pipeline.run -> diagnostics on stderr, a summary on stdout, an exit code.

Exit codes: 0 success; 1 spec errors or drift (check); 2 usage, settings, template or I/O errors
(the kind each Diagnostic carries says which).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .config import Config, check_config, load_config
from .diagnostics import Diagnostic, GenerationError, Kind, ValidationFailed, error
from .profiles import NAMES as PROFILES

CONFIG_NAME = "generator.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Generate a typed Python client package, its docs and its tests from an OpenAPI 3 spec.",
    )
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
    diff.set_defaults(package_name=None, templates=None, lenient=None, profile=None)
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


def run(argv: Sequence[str] | None = None) -> int:
    # A run builds one object graph (document, model, files) that lives until it ends, with next to
    # no cycles among its garbage: the cyclic collector would only rescan it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        args = _parser().parse_args(argv)
        return _run(args)
    finally:
        if collecting:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
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
        elif args.command == "diff":
            print(f"{exc.diagnostics[0].file}: {errors} error{plural}; nothing was compared.", file=sys.stderr)
        else:
            hint = " Fix them, or pass --lenient to generate anyway." if isinstance(exc, ValidationFailed) else ""
            print(f"{display}: {errors} error{plural}; nothing was written.{hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 2


def _validate(spec: Path, config: Config, display: str) -> int:
    from . import pipeline

    warnings = pipeline.run(spec, config, display=display, until="validate").diagnostics
    _print(warnings)
    print(f"{display}: valid OpenAPI" + (f" ({len(warnings)} warnings)" if warnings else ""))
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
              f"(inputs and output unchanged); {summary.profile}")
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
    operations, models = len(api.operations), len(api.models)
    profile = f"profile {api.vendor.profile} ({api.vendor.reason})"
    if cache is not None:
        cache.keep(result.digests, result.keys, todo, incremental.Summary(
            operations, models, len(result.files), [str(d) for d in result.diagnostics], profile),
            result.sources)
    print(f"{operations} operations, {models} models: {len(todo.write)} files written, "
          f"{len(todo.unchanged)} unchanged, {len(todo.remove)} removed ({result.formatted} formatted) "
          f"in {time.perf_counter() - started:.2f}s; {profile}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    """Both specs through the pipeline up to the model (leniently); their API surfaces compared."""
    from . import pipeline
    from .output import surface

    _check_spec_readable(args.old)
    _check_spec_readable(args.spec)
    config = _config(args).merged(lenient=True)
    old = pipeline.run(args.old, config, until="model")
    new = pipeline.run(args.spec, config, until="model")
    assert old.api is not None and new.api is not None
    _print(old.diagnostics + new.diagnostics)
    sys.stdout.write(surface.report(old.api, new.api, str(args.old), str(args.spec)))
    return 0


def main() -> None:
    code = run()
    # The run's output is written and closed, its worker processes joined: what is left is freeing a
    # large heap object by object (0.1 s after a Spot run), which nobody waits for gladly. Exit now,
    # as mypy does; anything else that ends the process (an exception, Ctrl-C) exits the usual way.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
