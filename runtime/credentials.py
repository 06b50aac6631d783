"""Credentials a Configuration carries: what the API's security schemes send, nothing more.

API keys, a bearer token, a username and password. Every package's credentials class is this one or a subclass of it: a profile whose API signs
requests ships a subclass that can sign; a package's own class names it after the API and names
its arguments after the schemes. Secrets never appear in a repr, and the object refuses to be
pickled.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Mapping
from typing import Any

from ._serialize import check_credential
from .exceptions import ApiTypeError, ApiValueError


class ApiKeyAuth:
    """The credentials an API's security schemes send, each where its scheme puts it.

    api_key: the key of an `apiKey` scheme (header, query or cookie); `api_key_for`: the schemes it
    is for (None: every apiKey scheme without a key of its own). keys: a credential per scheme
    name, for an API with several schemes (OKX: a key and a passphrase, each in its header), over
    `api_key` and `token` for that scheme. token: the bearer token of an `http` bearer, `oauth2` or
    `openIdConnect` scheme. username, password: `http` basic. client_id, client_secret, scopes:
    an OAuth 2 client of an `oauth2` scheme with a client credentials flow, which fetches its own
    access token (and a new one when it expires) unless `token` gives one. A value left out (or "",
    as os.getenv gives for a variable set empty) is not configured: the schemes that need it send
    nothing.
    """

    __slots__ = (
        "_api_key",
        "_api_key_for",
        "_client",
        "_keys",
        "_password",
        "_token",
        "_username",
    )

    def __init__(
        self,
        api_key: str | None = None,
        *,
        keys: Mapping[str, str | None] | None = None,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        api_key_for: Collection[str] | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: Collection[str] = (),
    ) -> None:
        owner = type(self).__name__
        client = (
            _credential(owner, "client_id", client_id),
            _credential(owner, "client_secret", client_secret),
        )
        if isinstance(scopes, str):
            raise ApiTypeError(f"{owner}: scopes is a list of scope names, not a str")
        self._client = (client[0], client[1], tuple(scopes)) if client[0] and client[1] else None
        if self._client is None and (client[0] or client[1]):
            raise ApiValueError(f"{owner}: client_id and client_secret go together; one is missing")
        self._api_key_for = frozenset(api_key_for) if api_key_for is not None else None
        self._api_key = _credential(owner, "api_key", api_key)
        self._token = _credential(owner, "token", token)
        self._username = _credential(owner, "username", username)
        self._password = _credential(owner, "password", password)
        found = {
            str(name): _credential(owner, f"keys[{name!r}]", value)
            for name, value in (keys or {}).items()
        }
        self._keys = {name: value for name, value in found.items() if value is not None}

    @property
    def api_key(self) -> str | None:
        """The API key, or None."""
        return self._api_key

    def credential(self, scheme: str, where: str) -> str | None:
        """What scheme `scheme` sends, as the value goes on the wire, or None when it is not
        configured: `where` is header, query or cookie (an API key), bearer (`Bearer <token>`)
        or basic (`Basic <base64 of username:password>`)."""
        if where == "bearer":
            token = self._keys.get(scheme) or self._token
            return f"Bearer {token}" if token else None
        if where == "basic":
            if self._username is None:
                return None
            pair = f"{self._username}:{self._password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        own = self._keys.get(scheme)
        if own is not None or (self._api_key_for is not None and scheme not in self._api_key_for):
            return own
        return self._api_key

    @property
    def client_credentials(self) -> tuple[str, str, tuple[str, ...]] | None:
        """(client id, client secret, scopes) of an OAuth 2 client, or None."""
        return self._client

    @property
    def can_sign(self) -> bool:
        """Whether a signing key is configured (never, for an API key alone)."""
        return False

    def sign(self, payload: str | bytes) -> str:
        raise ApiValueError(f"{type(self).__name__} holds no signing key")

    def _shown(self) -> list[str]:
        """What the repr says: whether each secret is set, never its value."""
        shown = [f"api_key={'<set>' if self._api_key else None}"]
        shown += [
            f"{name}=<set>"
            for name, value in (
                ("token", self._token),
                ("username", self._username),
                ("password", self._password),
                ("client_secret", self._client),
            )
            if value
        ]
        if self._keys:
            shown.append(f"keys=<{len(self._keys)} set>")
        return shown

    def __repr__(self) -> str:
        # Reprs end up in logs and tracebacks.
        return f"{type(self).__name__}({', '.join(self._shown())})"

    __str__ = __repr__

    def __copy__(self) -> ApiKeyAuth:
        return self  # immutable: copies (and deep copies of a Configuration) may share it

    def __deepcopy__(self, memo: dict[int, Any]) -> ApiKeyAuth:
        return self

    def __reduce__(self) -> Any:
        # Pickling would write the secrets out in clear; refuse rather than leak them.
        raise ApiTypeError(f"{type(self).__name__} holds secrets and cannot be pickled")


def _credential(owner: str, name: str, value: str | None) -> str | None:
    """A configured credential: None for None or ""; a str that can go on the wire as it is."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiTypeError(f"{owner}: {name} must be a str, not {type(value).__name__}")
    return check_credential(owner, name, value)
