"""Credentials a Configuration carries: the API key its security schemes send, nothing more.

Every package's credentials class is this one or a subclass of it: a profile whose API signs
requests ships a subclass that can sign; a package's own class names it after the API. Secrets never appear in a repr, and the object refuses to be pickled.
"""

from __future__ import annotations

from typing import Any

from .exceptions import ApiTypeError, ApiValueError


class ApiKeyAuth:
    """The API key, sent where an operation's security scheme puts it (header, query, cookie)."""

    __slots__ = ("_api_key",)

    def __init__(self, api_key: str | None = None) -> None:
        if api_key is not None and not isinstance(api_key, str):
            raise ApiTypeError(
                f"{type(self).__name__}: api_key must be a str, not {type(api_key).__name__}"
            )
        # os.getenv gives "" for a variable that is set but empty: treat it as not configured.
        self._api_key = api_key or None

    @property
    def api_key(self) -> str | None:
        """The API key, or None."""
        return self._api_key

    @property
    def can_sign(self) -> bool:
        """Whether a signing key is configured (never, for an API key alone)."""
        return False

    def sign(self, payload: str | bytes) -> str:
        raise ApiValueError(f"{type(self).__name__} holds no signing key")

    def _shown(self) -> list[str]:
        """What the repr says: whether each secret is set, never its value."""
        return [f"api_key={'<set>' if self._api_key else None}"]

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
