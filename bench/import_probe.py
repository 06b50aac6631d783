"""Child process of the import benchmark: times one import statement in this fresh interpreter.

Usage: import_probe.py STATEMENT. Prints JSON: `wall` (seconds spent in the statement, interpreter start-up
excluded) and `rss_kb` (this process's peak RSS after it: VmHWM, since Linux carries ru_maxrss over from the parent
across fork and exec, which would show the benchmark's own size). Runs in the peers' venv, with the generated
package's folder on PYTHONPATH; it imports nothing but the standard library before the statement.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def peak_rss_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(statement: str) -> None:
    code = compile(statement, "<import>", "exec")
    start = time.perf_counter()
    exec(code, {})
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "rss_kb": peak_rss_kb(), "modules": len(sys.modules)}))


if __name__ == "__main__":
    main(sys.argv[1])
