"""Runs one command and writes its peak RSS (KB) and CPU seconds, as `/usr/bin/time -f "%M %U %S"` would.

Used by measure.py where GNU time is missing. RUSAGE_CHILDREN's ru_maxrss is a maximum over every child
a process has waited for, so each measurement needs a wrapper process of its own: this one runs exactly
one command. Usage: rusage_wrap.py OUTFILE -- COMMAND [ARGS...]; exits with the command's exit code.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: rusage_wrap.py OUTFILE -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    out, command = Path(argv[0]), argv[2:]
    code = subprocess.call(command)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Linux reports ru_maxrss in kilobytes (macOS in bytes; this harness targets Linux).
    out.write_text(f"{usage.ru_maxrss} {usage.ru_utime:.3f} {usage.ru_stime:.3f}\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
