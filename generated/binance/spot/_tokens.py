"""OAuth 2 client credentials (RFC 6749, section 4.4): access tokens a client fetches for itself.

An `oauth2` scheme with a `clientCredentials` flow names its token URL (ApiInfo.token_urls). When
the credentials hold a client id and secret and no token of their own for that scheme, the call
flow (_retry) first posts `grant_type=client_credentials` to the token URL, the id and secret in
HTTP basic (client_secret_basic, section 2.3.1), then sends the access token it got as a bearer
token, reusing it until shortly before it expires; a 401 drops it and the call is made once more
with a new one. Sans-I/O like the rest of the flow: the clients only send what it yields.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

from ._core import PreparedRequest
from .exceptions import (
    ApiConnectionError,
    ApiException,
    ApiValueError,
    ErrorFields,
    ResponseValidationError,
    add_note,
)
from .operation import FORM_URLENCODED, JSON, ApiInfo, Operation

if TYPE_CHECKING:
    from .configuration import Configuration
    from .rest import RESTResponse

# A token is renewed this many seconds before the server says it expires: a call that starts with
# a token one second from its end would be refused on arrival.
EXPIRY_MARGIN = 30.0
# What an OAuth 2 error answer carries (RFC 6749, section 5.2).
OAUTH_ERRORS = ErrorFields("error", "error_description")


class Tokens:
    """The access tokens one client fetched: scheme name -> (token, time.monotonic() it expires)."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: dict[str, tuple[str, float]] = {}

    def get(self, scheme: str) -> str | None:
        found = self._found.get(scheme)
        if found is None or time.monotonic() >= found[1]:
            return None
        return found[0]

    def keep(self, scheme: str, token: str, expires_in: float | None) -> None:
        lasts = float("inf") if expires_in is None else max(expires_in - EXPIRY_MARGIN, 0.0)
        self._found[scheme] = (token, time.monotonic() + lasts)

    def drop(self, schemes: tuple[str, ...]) -> None:
        for scheme in schemes:
            self._found.pop(scheme, None)

    def bearers(self, schemes: tuple[str, ...]) -> dict[str, str]:
        """scheme -> the Authorization value of its token, for the schemes that have one (just
        fetched: a token that lives less than the renewal margin still serves the call it was
        fetched for)."""
        found = self._found
        return {s: f"Bearer {found[s][0]}" for s in schemes if s in found}


def schemes_to_fetch(config: Configuration, op: Operation[Any]) -> tuple[str, ...]:
    """The operation's schemes whose token the client fetches: a client credentials flow, a
    client id and secret configured, and no token given for the scheme."""
    auth = config.auth
    urls = op.api.token_urls
    if auth is None or not urls or getattr(auth, "client_credentials", None) is None:
        return ()
    return tuple(s for s in op.auth if s in urls and auth.credential(s, "bearer") is None)


def token_flow(
    tokens: Tokens, config: Configuration, api: ApiInfo, scheme: str
) -> Generator[PreparedRequest, RESTResponse | ApiConnectionError | None, None]:
    """Fetch an access token for `scheme` and keep it; raises the network error, or the
    ApiException of a refusal (an OAuth error body's `error` and `error_description` in it)."""
    client = getattr(config.auth, "client_credentials", None)
    assert client is not None  # schemes_to_fetch saw it
    client_id, client_secret, scopes = client
    url = _token_url(config, api, scheme)
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
    body = "grant_type=client_credentials"
    if scopes:
        body += "&scope=" + quote(" ".join(scopes), safe="")
    headers = {
        "Accept": JSON,
        "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
        "Content-Type": FORM_URLENCODED,
        "User-Agent": config.user_agent or api.user_agent,
    }
    outcome = yield PreparedRequest("POST", url, headers, body.encode("ascii"))
    if isinstance(outcome, ApiConnectionError):
        raise outcome
    assert outcome is not None
    data = _json(outcome.data)
    if not 200 <= outcome.status < 300:
        error = ApiException.from_response(
            outcome.status,
            outcome.reason,
            headers=outcome.headers,
            body=outcome.data,
            data=data,
            errors=OAUTH_ERRORS,
        )
        add_note(error, f"Fetching an access token for {scheme!r} from {url} was refused")
        raise error
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise ResponseValidationError(
            f"the token endpoint {url} answered without an access_token",
            status=outcome.status,
            headers=outcome.headers,
            body=outcome.data,
        )
    expires_in = data.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
        expires_in = None  # not said (or not a number): the token serves until a 401
    tokens.keep(scheme, token, expires_in)


def _token_url(config: Configuration, api: ApiInfo, scheme: str) -> str:
    """The scheme's token URL; a relative one is resolved against the API's host (OpenAPI 3.1)."""
    url = api.token_urls[scheme]
    if url.startswith(("https://", "http://")):
        return url
    host = config.host or api.host
    if not host:
        raise ApiValueError(f"{scheme}: no host to resolve the token URL {url!r} against")
    return urljoin(host.rstrip("/") + "/", url)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
