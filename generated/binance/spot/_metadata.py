"""Facts about this package, fixed when it was generated."""

__version__ = "0.1.0"
DISTRIBUTION_NAME = "binance-spot"
PACKAGE_NAME = "binance.spot"
DEFAULT_HOST = "https://api.binance.com"
# security scheme name -> (where the API key goes: header, query or cookie; its wire name)
API_KEY_SCHEMES: dict[str, tuple[str, str]] = {
    "ApiKey": ("header", "X-MBX-APIKEY"),
}
