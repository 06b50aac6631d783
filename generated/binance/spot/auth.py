"""Binance credentials: the API key, and signing of payloads with HMAC-SHA256, RSA or Ed25519."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from collections.abc import Callable

from ._serialize import check_credential
from .credentials import ApiKeyAuth
from .exceptions import ApiTypeError, ApiValueError
from .operation import install_hint

Signer = Callable[[bytes], str]

CRYPTOGRAPHY_REQUIREMENT = "cryptography>=44.0.1"


class BinanceAuth(ApiKeyAuth):
    """API key plus at most one signing secret: an HMAC `secret_key` or an RSA/Ed25519 private key.

    An API key alone is enough for USER_STREAM and other API-key-only endpoints. A private key
    (`private_key_path` or `private_key_pem`, optionally encrypted with `passphrase`) is read and
    parsed on the first signature only, then cached, so configuring a key file costs nothing until
    a SIGNED endpoint is called; a missing or unreadable key then raises ApiValueError. The key
    type (RSA or Ed25519) is taken from the PEM itself. The API key and the secret are checked
    when the object is made (visible ASCII, no surrounding space); messages never quote them.
    """

    __slots__ = ("_key_path", "_key_pem", "_lock", "_passphrase", "_secret", "_signer")

    def __init__(
        self,
        api_key: str | None = None,
        secret_key: str | None = None,
        private_key_path: str | os.PathLike[str] | None = None,
        private_key_pem: str | bytes | None = None,
        passphrase: str | bytes | None = None,
    ) -> None:
        super().__init__(api_key)
        # Checked now, not on the first call, and never quoted: see check_credential.
        if self._api_key is not None:
            check_credential(type(self).__name__, "api_key", self._api_key)
        if secret_key is not None and not isinstance(secret_key, str):
            raise ApiTypeError(
                f"BinanceAuth: secret_key must be a str, not {type(secret_key).__name__}"
            )
        if secret_key:
            check_credential(type(self).__name__, "secret_key", secret_key)
        self._secret = secret_key.encode("utf-8") if secret_key else None
        self._key_path = os.fspath(private_key_path) if private_key_path else None
        self._key_pem = (
            private_key_pem.encode("utf-8")
            if isinstance(private_key_pem, str)
            else (private_key_pem or None)
        )
        self._passphrase = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        if self._key_path and self._key_pem:
            raise ApiValueError("BinanceAuth: pass private_key_path or private_key_pem, not both")
        if self._secret and (self._key_path or self._key_pem):
            raise ApiValueError(
                "BinanceAuth: pass secret_key (HMAC) or a private key (RSA/Ed25519), not both"
            )
        self._signer: Signer | None = None  # the private key's, once loaded
        self._lock = threading.Lock()

    @property
    def can_sign(self) -> bool:
        """True when a secret or private key is configured (a key file is not read for this)."""
        return bool(self._secret or self._key_path or self._key_pem)

    def sign(self, payload: str | bytes) -> str:
        """The signature of `payload`: lowercase hex for HMAC-SHA256, base64 for RSA and Ed25519.

        The payload must be exactly what is sent: the percent-encoded query string followed by
        the body. The base64 result still has to be percent-encoded on the wire.
        """
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        if self._secret is not None:
            return hmac.new(self._secret, data, hashlib.sha256).hexdigest()
        signer = self._signer
        if signer is None:
            signer = self._load_signer()
        return signer(data)

    def _load_signer(self) -> Signer:
        if not self.can_sign:
            raise ApiValueError("BinanceAuth: signing needs secret_key or a private key")
        # Two threads may make the first SIGNED call at once: read and parse the key only once.
        with self._lock:
            if self._signer is None:
                self._signer = _private_key_signer(
                    self._read_pem(), self._passphrase, self._source()
                )
            return self._signer

    def _read_pem(self) -> bytes:
        if self._key_pem is not None:
            return self._key_pem
        assert self._key_path is not None  # can_sign guarantees one of the two key sources
        try:
            with open(self._key_path, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise ApiValueError(
                f"BinanceAuth: cannot read private key file {self._key_path!r}: "
                f"{exc.strerror or exc}"
            ) from None

    def _source(self) -> str:
        return f"file {self._key_path!r}" if self._key_path else "private_key_pem"

    def _shown(self) -> list[str]:
        parts = super()._shown()
        if self._secret:
            parts.append("secret_key=<set>")
        if self._key_path:
            parts.append(f"private_key_path={self._key_path!r}")
        if self._key_pem:
            parts.append("private_key_pem=<set>")
        return parts


def _private_key_signer(pem: bytes, passphrase: bytes | None, source: str) -> Signer:
    """Parse a PEM private key and return a function that signs with it (RSA or Ed25519)."""
    # cryptography is imported here, not at module level: importing the package must stay fast and
    # API-key-only or HMAC users never need it (it is the package's `signing` extra).
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
    except ImportError as exc:
        hint = install_hint("signing", CRYPTOGRAPHY_REQUIREMENT)
        raise ImportError(
            f"BinanceAuth: RSA and Ed25519 keys need cryptography, which is not installed: {hint}"
        ) from exc

    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        # cryptography's messages describe the problem (bad PEM, wrong or missing passphrase)
        # without quoting the key material.
        raise ApiValueError(
            f"BinanceAuth: cannot load the private key from {source}: {exc}"
        ) from None
    except (
        Exception
    ) as exc:  # e.g. UnsupportedAlgorithm: still a configuration problem of the user's
        raise ApiValueError(
            f"BinanceAuth: cannot load the private key from {source}: " f"{type(exc).__name__}"
        ) from None

    if isinstance(key, ed25519.Ed25519PrivateKey):
        ed_key = key

        def sign_ed25519(data: bytes) -> str:
            return base64.b64encode(ed_key.sign(data)).decode("ascii")

        return sign_ed25519
    if isinstance(key, rsa.RSAPrivateKey):
        rsa_key = key
        pkcs1v15, sha256 = padding.PKCS1v15(), hashes.SHA256()

        def sign_rsa(data: bytes) -> str:
            return base64.b64encode(rsa_key.sign(data, pkcs1v15, sha256)).decode("ascii")

        return sign_rsa
    raise ApiValueError(
        f"BinanceAuth: the private key from {source} is a {type(key).__name__}; "
        "Binance accepts RSA and Ed25519 keys only"
    )
