"""`python -m generator ...`: see generator/cli.py."""

from .cli import MODULE_PROG, main

main(prog=MODULE_PROG)
