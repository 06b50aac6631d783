"""Run the generator's command line with every file and network access it attempts written to a log.

    python sandbox.py LOG ARGS...   (ARGS as for `python -m generator`)

An audit hook (PEP 578) sees each `open` (with its mode or flags), each change to the file system
(mkdir, rename, remove, ...) and each socket operation, in this process and in the processes it forks,
and appends one JSON line per event to LOG through a descriptor opened before the hook, so the log
itself never shows up in it. The tests then hold the run to what it may touch.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import sys

_FILE_EVENTS = frozenset({
    "open", "os.mkdir", "os.rename", "os.replace", "os.remove", "os.rmdir", "os.symlink", "os.link",
    "os.truncate", "os.chmod", "os.chown", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.move",
})
_OTHER_EVENTS = frozenset({
    "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto",
    "socket.sendmsg", "urllib.Request", "http.client.connect", "subprocess.Popen", "os.system",
    "os.exec", "os.posix_spawn", "os.spawn", "ctypes.dlopen",
})


def main() -> None:
    log = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    recording = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if recording[0] and (event in _FILE_EVENTS or event in _OTHER_EVENTS):
            fields = [a if isinstance(a, (str, int, float, bool, type(None))) else os.fsdecode(a)
                      if isinstance(a, (bytes, os.PathLike)) else repr(a) for a in args]
            os.write(log, (json.dumps([event, *fields]) + "\n").encode())

    def peak() -> None:  # what the run cost, for the tests to report
        recording[0] = False
        vm_peak = 0
        if os.path.exists("/proc/self/status"):  # Linux: the peak of the address space, in KiB
            with open("/proc/self/status") as status:
                vm_peak = next((int(line.split()[1]) for line in status if line.startswith("VmPeak:")), 0)
        os.write(log, (json.dumps(["peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, vm_peak])
                       + "\n").encode())

    atexit.register(peak)
    sys.addaudithook(hook)
    sys.argv = ["python -m generator", *sys.argv[2:]]
    from generator.cli import run

    sys.exit(run())


if __name__ == "__main__":
    main()
