"""`python -m generator ...`: see generator/cli.py."""

from .cli import main

main()
