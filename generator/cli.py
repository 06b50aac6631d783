"""Command line: argparse -> pipeline -> diagnostics on stderr, a summary on stdout, an exit code.

Exit codes: 0 success; 1 spec errors or drift (check); 2 usage, configuration, template or I/O errors.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .layout import CACHE_FILE
from .warm import Warm

# The rest of the generator is imported where it is used, once the validating helper is forked: the
# sooner that starts, the sooner an edit run has its validation (warm.py).
if TYPE_CHECKING:
    from .config import Config
    from .diagnostics import Diagnostic, GenerationError

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

    options(commands.add_parser("generate", help="write the client package into --out"), True)
    options(commands.add_parser("check", help="exit 1 with a diff if --out is not what generate would write"), True)
    options(commands.add_parser("validate", help="validate the spec and report every error"), False)
    diff = commands.add_parser("diff", help="print, in Markdown, how the generated API changes from OLD to NEW")
    diff.add_argument("old", type=Path, metavar="OLD_SPEC", help="the spec before")
    diff.add_argument("spec", type=Path, metavar="NEW_SPEC", help="the spec after")
    diff.add_argument("--config", type=Path, metavar="FILE",
                      help=f"settings file (default: {CONFIG_NAME} beside NEW_SPEC, if there is one)")
    diff.set_defaults(package_name=None, templates=None, lenient=None)
    return parser


class UsageError(Exception):
    """A problem with the command line, the settings or the file system: exit code 2."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = diagnostics


def _config(args: argparse.Namespace) -> Config:
    from .config import Config, check_config, load_config
    from .diagnostics import GenerationError, error

    path: Path | None = args.config
    if path is None and (args.spec.parent / CONFIG_NAME).is_file():
        path = args.spec.parent / CONFIG_NAME
    try:
        config = load_config(path) if path is not None else Config()
        config = config.merged(package_name=args.package_name, lenient=args.lenient,
                               templates=args.templates.resolve() if args.templates else None)
        problems = check_config(config, "--package-name" if args.package_name else str(path or "options"))
        if problems:
            raise GenerationError(problems)
    except GenerationError as exc:
        raise UsageError(exc.diagnostics) from None
    if config.templates is not None and not config.templates.is_dir():
        raise UsageError([error("templates folder not found", str(config.templates))])
    return config


def _check_spec_readable(spec: Path) -> None:
    from .diagnostics import error

    if not spec.is_file():
        raise UsageError([error("spec file not found" if not spec.exists() else "spec is not a file", str(spec))])


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def run(argv: Sequence[str] | None = None) -> int:
    # A run builds one object graph (document, model, files) that lives until it ends, with next to
    # no cycles among its garbage: the cyclic collector would only rescan it (8 % of an edit run of
    # Binance Spot; peak memory is the same without it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if collecting:
            gc.enable()


def _run(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "diff":
        return _diff(args)
    # A folder an earlier run wrote may need only a few path items validated: the validator's import
    # starts now, in a helper process, beside everything else (warm.py).
    warm = Warm() if args.command == "generate" and (args.out / CACHE_FILE).is_file() else None
    try:
        return _generate(args, warm)
    finally:
        if warm is not None:
            warm.close()


def _generate(args: argparse.Namespace, warm: Warm | None) -> int:
    from . import cache
    from . import write as write_stage
    from .diagnostics import GenerationError, ValidationFailed, error

    started = time.perf_counter()
    display = str(args.spec)
    try:
        _check_spec_readable(args.spec)
        config = _config(args)
        if args.command == "validate":
            from . import pipeline

            _, warnings = pipeline.load_and_validate(args.spec, config, display)
            _print(warnings)
            print(f"{display}: valid OpenAPI" + (f" ({len(warnings)} warnings)" if warnings else ""))
            return 0
        out: Path = args.out
        code = cache.code_digest(config)
        inputs = cache.fingerprint(args.spec, config, code) if args.command == "generate" else ""
        if args.command == "generate" and (record := cache.up_to_date(out, inputs)) is not None:
            for line in record.get("warnings") or ():
                print(line, file=sys.stderr)
            seconds = time.perf_counter() - started
            print(f"{record.get('operations')} operations, {record.get('models')} models: 0 files written, "
                  f"{record.get('files')} unchanged, 0 removed (0 formatted) in {seconds:.2f}s "
                  "(inputs and output unchanged)")
            return 0
        from . import pipeline

        if out.exists() and not out.is_dir():
            raise UsageError([error("output path exists and is not a folder", str(out))])
        planned: list[write_stage.Plan] = []
        staged: list[write_stage.Staged] = []
        # Only a new (absent or empty) folder is staged early: one that holds anything is not
        # written to before the run is known to succeed.
        early = args.command == "generate" and write_stage.is_new(out)

        def ready(files: dict[str, write_stage.Text]) -> None:
            """While validation finishes: plan the writing (which only reads the folder), and stage
            the output in a new folder's staging area, moved in if validation passes and removed
            with the folder if not."""
            planned.append(write_stage.plan(out, files))
            if early:
                staged.append(write_stage.stage(out, planned[0]))

        try:
            result = pipeline.generate(args.spec, config, out if out.is_dir() else None, display,
                                       incremental=args.command == "generate",
                                       ready=ready if args.command == "generate" else None, code=code, warm=warm)
        except BaseException:
            for pending in staged:
                pending.abort()
            raise
        _print(result.diagnostics)
        todo = planned[0] if planned else write_stage.plan(out, result.files.raw)
        if args.command == "check":
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
        pipeline.keep(out, inputs, result, todo)
    except UsageError as exc:
        _print(exc.diagnostics)
        return 2
    except GenerationError as exc:
        _print(exc.diagnostics)
        errors = sum(1 for d in exc.diagnostics if d.is_error)
        if not _is_spec_problem(exc):
            return 2
        if args.command == "validate" and errors:
            print(f"{display}: {errors} error{'s' if errors != 1 else ''}.", file=sys.stderr)
        elif errors:
            hint = " Fix them, or pass --lenient to generate anyway." if isinstance(exc, ValidationFailed) else ""
            print(f"{display}: {errors} error{'s' if errors != 1 else ''}; nothing was written.{hint}",
                  file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"{len(result.api.operations)} operations, {len(result.api.models)} models: "
          f"{len(todo.write)} files written, {len(todo.unchanged)} unchanged, {len(todo.remove)} removed "
          f"({result.formatted} formatted) in {seconds:.2f}s")
    return 0


def _diff(args: argparse.Namespace) -> int:
    """Both specs through load -> validate (lenient) -> build; their API surfaces compared, as Markdown."""
    from . import diff
    from .diagnostics import GenerationError

    display = str(args.old)
    try:
        _check_spec_readable(args.old)
        _check_spec_readable(args.spec)
        config = _config(args)
        old, old_warnings = diff.api_of(args.old, config, display)
        display = str(args.spec)
        new, new_warnings = diff.api_of(args.spec, config, display)
    except UsageError as exc:
        _print(exc.diagnostics)
        return 2
    except GenerationError as exc:
        _print(exc.diagnostics)
        errors = sum(1 for d in exc.diagnostics if d.is_error)
        print(f"{display}: {errors} error{'s' if errors != 1 else ''}; nothing was compared.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 2
    _print(old_warnings + new_warnings)
    sys.stdout.write(diff.report(old, new, str(args.old), str(args.spec)))
    return 0


def _is_spec_problem(exc: GenerationError) -> bool:
    """Template and output problems are not the spec's fault: they exit 2."""
    return not any(d.message.startswith(("template", "cannot write", "refusing to write", "built-in template"))
                   for d in exc.diagnostics)


def main() -> None:
    code = run()
    # The run's output is written and closed, its worker processes joined: what is left is freeing a
    # large heap object by object (0.1 s after a Spot run), which nobody waits for gladly. Exit now,
    # as mypy does; anything else that ends the process (an exception, Ctrl-C) exits the usual way.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
