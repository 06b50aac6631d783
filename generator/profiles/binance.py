"""Binance's profile: SIGNED endpoints, BinanceAuth, `{"code", "msg"}` errors, X-MBX-* rate limits,
the listen-key helper, JSON arrays; and how a Binance document is recognised.

SIGNED endpoints are not marked by a security scheme in Binance's specs: they carry a `timestamp`
parameter (in the query or the form), and `x-binance-signed: true|false` on an operation overrides
that. The runtime's part (signing, the server clock, IP bans) is runtime/binance/.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .openapi import ListenKeyRule, Profile

BINANCE = Profile(
    name="binance",
    signed_extension="x-binance-signed",
    signed_when=("timestamp",),
    signature_parameters=("timestamp", "signature"),
    signed_key_header="X-MBX-APIKEY",  # Binance refuses a SIGNED request without it
    auth_class="BinanceAuth",
    env_prefix="BINANCE",
    errors=("code", "msg", True),
    error_example={"code": -1000, "msg": "An unknown error occurred."},
    rate_limit_headers=("x-mbx-used-weight", "x-mbx-order-count", "x-sapi-used-"),
    listen_key=ListenKeyRule(path_suffix="/userDataStream", preferred_path="/api/v3/userDataStream",
                             key_name="listenKey"),
    json_arrays=True,  # Binance expects symbols=["BTCUSDT","BNBBTC"]
    prefer_form=True,  # Binance's REST API reads forms
    # Binance's docs: recvWindow "cannot be greater than 60000", 5000 when not sent (its specs say
    # so in prose only, so a made-up int64 would be a timestamp-sized value).
    usual_samples=(("recvWindow", 5000),),
    runtime="binance",
    runtime_profile="_binance:BINANCE",
    configuration_module="_binance",
)

_HOSTS = ("binance.com", "binance.us", "binance.vision", "binancefuture.com")
_KEY_HEADER = "x-mbx-apikey"


def detect(document: dict[str, Any]) -> str | None:
    """Why the document is Binance's, or None: a server on a Binance host, the X-MBX-APIKEY header
    as a security scheme, an operation marked with x-binance-signed, or (AsyncAPI) with
    x-binance-security-type."""
    servers = document.get("servers")
    # OpenAPI lists servers by URL; AsyncAPI maps names to servers with a `host` (and port).
    for server in servers if isinstance(servers, list) else servers.values() if isinstance(servers, dict) else ():
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(server, dict) and isinstance(server.get("host"), str):
            url = "//" + server["host"]
        host = urlsplit(url).hostname if isinstance(url, str) and "//" in url else None
        if host and any(host == name or host.endswith("." + name) for name in _HOSTS):
            return f"server {host}"
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    for scheme in schemes.values() if isinstance(schemes, dict) else ():
        if isinstance(scheme, dict) and str(scheme.get("name", "")).lower() == _KEY_HEADER:
            return "security scheme X-MBX-APIKEY"
    paths = document.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        if isinstance(item, dict) and any(isinstance(op, dict) and "x-binance-signed" in op for op in item.values()):
            return "x-binance-signed"
    # AsyncAPI: an operation with Binance's security type is signed (or keyed) Binance's way.
    operations = document.get("operations") if "asyncapi" in document else None
    for op in operations.values() if isinstance(operations, dict) else ():
        if isinstance(op, dict) and "x-binance-security-type" in op:
            return "x-binance-security-type"
    return None
