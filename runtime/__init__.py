"""The runtime every generated client ships: plain Python, copied into the package's root as it is.

The modules here are generic: the sans-I/O request builder and answer reader (_core.py), the retry
flow both transports share (_retry.py), the urllib3 and aiohttp transports, configuration,
credentials, errors, models, operation descriptors. What a package knows of its API reaches them
as an ApiInfo (operation.py) its generated code passes in with every operation; what a vendor adds
is a Profile (profile.py). A folder here holds one vendor's runtime, shipped beside the generic one
in packages of that profile (binance/: BinanceAuth and Binance's Profile).

This file is not shipped: a generated package has an __init__.py of its own. tests/ holds the
runtime's own tests, run against a stand-in package made of these files (tests/conftest.py).
"""
