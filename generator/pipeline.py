"""Spec path + Config -> the finished output files: load -> validate -> build -> render -> format.

Nothing here touches the output folder except to read what the last run left (for reuse); writing is
the caller's last step, so a failure anywhere leaves the folder as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import build as build_stage
from . import cache, changelog
from . import format as format_stage
from . import render as render_stage
from . import validate as validate_stage
from . import write as write_stage
from .config import Config
from .diagnostics import Diagnostic, Level, ValidationFailed, has_errors
from .load import LoadedSpec, load
from .memo import BuildMemo
from .model import Api
from .reload import LoadMemo
from .warm import Warm


@dataclass
class Result:
    api: Api
    files: write_stage.Outputs  # path -> text; its `raw` holds write.Kept for files not read back
    formatted: int  # how many files went through black (the rest were reused)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    validation_memo: validate_stage.Memo | None = None  # what the next run in the same folder may reuse
    render_keys: dict[str, str] = field(default_factory=dict)  # likewise (render.Rendered.keys)
    build_memo: BuildMemo | None = None  # likewise (memo.py)
    code: str = ""  # cache.code_digest: what the memos are valid for


def load_and_validate(spec: Path, config: Config, display: str | None = None) -> tuple[LoadedSpec, list[Diagnostic]]:
    """Load and validate; errors raise unless lenient, in which case they come back as warnings."""
    loaded, validation = load_and_start_validating(spec, display)
    return loaded, checked(validation.wait(), config)


def load_and_start_validating(spec: Path, display: str | None = None, memo: validate_stage.Memo | None = None,
                              previous: LoadMemo | None = None, warm: Warm | None = None
                              ) -> tuple[LoadedSpec, validate_stage.Validation]:
    loaded = load(spec, display, previous)
    source = loaded.files[0] if loaded.files else str(spec)
    return loaded, validate_stage.start(loaded.document, loaded.locate, source, memo, warm)


def checked(problems: list[Diagnostic], config: Config) -> list[Diagnostic]:
    """Validation errors raise, unless lenient: then they come back as warnings."""
    if has_errors(problems) and not config.lenient:
        raise ValidationFailed(problems)
    return [_as_warning(d) for d in problems]


def _as_warning(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.level is Level.WARNING:
        return diagnostic
    return Diagnostic(Level.WARNING, diagnostic.message, diagnostic.file, diagnostic.line,
                      diagnostic.column, diagnostic.pointer)


def generate(spec: Path, config: Config, out: Path | None = None, display: str | None = None,
             incremental: bool = False, ready: Callable[[dict[str, write_stage.Text]], None] | None = None,
             code: str | None = None, warm: Warm | None = None) -> Result:
    """Every output file in memory. `out`, if given, is only read: to reuse unchanged formatted files,
    and to continue its CHANGELOG.md. `incremental`: also take what the last run in `out` recorded
    in its cache (cache.py) to skip validating path items and rendering models that did not change;
    the result is the same, byte for byte. `ready` is handed the files as soon as they are known,
    while validation may still be running (the CLI stages them for writing meanwhile); whether they
    may be used is only known when generate returns rather than raises. `code`: cache.code_digest
    of `config`, if the caller has it already. `warm`: a helper forked to validate (warm.py), if the
    caller made one already; it stays the caller's to close."""
    memo = cache.validation_memo(out) if incremental and out is not None else None
    # With a memo most of validating is importing the validator: start that first (warm.py).
    own = Warm() if memo is not None and warm is None else None
    try:
        return _generate(spec, config, out, display, incremental, ready, code, memo, own or warm)
    finally:
        if own is not None:
            own.close()


def _generate(spec: Path, config: Config, out: Path | None, display: str | None, incremental: bool,
              ready: Callable[[dict[str, write_stage.Text]], None] | None, code: str | None, memo: validate_stage.Memo | None,
              warm: Warm | None) -> Result:
    code = code or cache.code_digest(config)
    render_keys = cache.render_keys(out) if incremental and out is not None else {}
    previous_build = cache.build_memo(out, code) if incremental and out is not None else None
    previous_build = previous_build if isinstance(previous_build, BuildMemo) else None
    loaded, validation = load_and_start_validating(spec, display, memo,
                                                   previous_build.load if previous_build is not None else None,
                                                   warm)
    source = loaded.files[0] if loaded.files else str(spec)
    # Build, render and format overlap with validation; nothing is kept unless the spec is valid
    # (or the run lenient). An invalid spec may trip the later stages: its errors are what to report.
    try:
        api, warnings, kept = build_stage.build_incrementally(loaded.document, config, source, loaded.locate,
                                                              previous_build, loaded.changed)
        previous = write_stage.Unformatted(out, render_keys, cache.stamps(out)) \
            if render_keys and out is not None else None
        rendered = render_stage.render(api, config.templates, previous, code,
                                       previous_build.fragments if previous_build is not None else None)
        kept.fragments = rendered.fragments
        reuse = write_stage.reuse_from(out) if out is not None else None
        files, formatted = format_stage.format_files(rendered.files, rendered.origins, reuse,
                                                     rendered.laid_out)
        # CHANGELOG.md: what changed since the last run in `out`.
        last = previous_build.fingerprints if previous_build is not None else {}
        same = frozenset(name for name, print_ in api.fingerprints.items() if last.get(name) == print_)
        files.update(changelog.files(api, out, same, previous_build.record_sha if previous_build else ""))
        kept.fingerprints = api.fingerprints
        kept.record_sha = format_stage.sha256(files[changelog.RECORD])
        sources = {path: text for path, text in rendered.files.items() if path.endswith(".py")}
        files[write_stage.MANIFEST] = write_stage.manifest_text(files, sources)
        if ready is not None:
            ready(files)
    except Exception:
        checked(validation.wait(), config)
        raise
    diagnostics = checked(validation.wait(), config) + warnings
    kept.load = loaded.memo()  # now: with the positions this run looked up
    return Result(api, write_stage.Outputs(files), formatted, diagnostics, validation.memo, rendered.keys, kept,
                  code)


def keep(out: Path, inputs: str, result: Result, written: write_stage.Plan) -> None:
    """After `result` was written into `out` (`written`: what that changed): record what the next run
    there may skip or reuse (cache.py): the inputs' fingerprint, the files' stamps, the memos."""
    stamped = write_stage.stamps(out, result.files.raw, written)
    cache.remember(out, inputs, result.files, len(result.api.operations), len(result.api.models),
                   [str(d) for d in result.diagnostics], result.validation_memo, result.render_keys, stamped)
    if result.build_memo is not None:
        cache.keep_build_memo(out, result.code, result.build_memo)
