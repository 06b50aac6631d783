"""BinanceAuth: Binance's published signing vectors, RSA round trips, lazy key loading, no leaks."""

from __future__ import annotations

import base64
import copy
import pickle
import re
import threading
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from .conftest import API_KEY, SECRET_KEY

HMAC_VECTORS = [
    ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
     "&timestamp=1499827319559",
     "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"),
    ("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT"
     "&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
     "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"),
    ("timestamp=1578963600000", "d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4"),
]

# Binance's FIX API documentation example key and signature.
ED25519_PEM = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u
-----END PRIVATE KEY-----
"""
ED25519_PAYLOAD = "\x01".join(["A", "EXAMPLE", "SPOT", "1", "20240627-11:17:25.223"])
ED25519_SIGNATURE = "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA=="
ED25519_PUBLIC = "MCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0="


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_of(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey,
           passphrase: bytes | None = None) -> bytes:
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


@pytest.mark.parametrize(("payload", "signature"), HMAC_VECTORS)
def test_hmac_matches_binance_vectors(rt: ModuleType, payload: str, signature: str) -> None:
    auth = rt.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY)
    assert auth.sign(payload) == signature
    assert auth.sign(payload.encode()) == signature


def test_ed25519_matches_binance_vector(rt: ModuleType) -> None:
    auth = rt.auth.BinanceAuth(api_key=API_KEY, private_key_pem=ED25519_PEM)
    signature = auth.sign(ED25519_PAYLOAD)
    assert signature == ED25519_SIGNATURE
    public = serialization.load_der_public_key(base64.b64decode(ED25519_PUBLIC))
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(base64.b64decode(signature), ED25519_PAYLOAD.encode())


def test_rsa_signature_verifies_with_the_public_key(rt: ModuleType, rsa_key: rsa.RSAPrivateKey,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "rsa.pem"
    path.write_bytes(pem_of(rsa_key))
    auth = rt.auth.BinanceAuth(api_key=API_KEY, private_key_path=path)
    payload = "symbol=BTCUSDT&side=SELL&timestamp=1499827319559"
    signature = base64.b64decode(auth.sign(payload))
    rsa_key.public_key().verify(signature, payload.encode(), padding.PKCS1v15(), hashes.SHA256())


def test_encrypted_keys_need_the_right_passphrase(rt: ModuleType) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = pem_of(key, b"correct horse")
    assert rt.auth.BinanceAuth(private_key_pem=pem, passphrase="correct horse").sign("x")
    for passphrase in ("wrong", None):
        with pytest.raises(rt.exceptions.ApiValueError, match="cannot load the private key"):
            rt.auth.BinanceAuth(private_key_pem=pem, passphrase=passphrase).sign("x")


def test_key_file_is_read_lazily_and_once(rt: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    auth = rt.auth.BinanceAuth(api_key=API_KEY, private_key_path=path)  # no file yet: fine
    assert auth.can_sign and auth.api_key == API_KEY
    with pytest.raises(rt.exceptions.ApiValueError, match="cannot read private key file"):
        auth.sign("x")
    path.write_text(ED25519_PEM)
    assert auth.sign(ED25519_PAYLOAD) == ED25519_SIGNATURE
    path.unlink()  # cached: the file is not read again
    assert auth.sign(ED25519_PAYLOAD) == ED25519_SIGNATURE


def test_docs_example_key_path_does_not_break_api_key_only_use(rt: ModuleType) -> None:
    auth = rt.auth.BinanceAuth(api_key=API_KEY, private_key_path="/path/to/private_key.pem")
    assert auth.api_key == API_KEY
    with pytest.raises(rt.exceptions.ApiValueError, match=re.escape("/path/to/private_key.pem")):
        auth.sign("timestamp=1")


def test_first_signatures_from_many_threads_load_the_key_once(rt: ModuleType) -> None:
    auth = rt.auth.BinanceAuth(private_key_pem=ED25519_PEM.encode())
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(auth.sign(ED25519_PAYLOAD)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [ED25519_SIGNATURE] * 8


@pytest.mark.parametrize("pem", [b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_garbage_keys_raise_our_error(rt: ModuleType, pem: bytes) -> None:
    with pytest.raises(rt.exceptions.ApiValueError, match="cannot load the private key"):
        rt.auth.BinanceAuth(private_key_pem=pem).sign("x")


def test_other_key_types_are_refused(rt: ModuleType) -> None:
    pem = pem_of(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(rt.exceptions.ApiValueError, match="RSA and Ed25519 keys only"):
        rt.auth.BinanceAuth(private_key_pem=pem).sign("x")


def test_ambiguous_or_missing_signing_setups(rt: ModuleType, tmp_path: Path) -> None:
    BinanceAuth, ApiValueError = rt.auth.BinanceAuth, rt.exceptions.ApiValueError
    with pytest.raises(ApiValueError, match="not both"):
        BinanceAuth(secret_key=SECRET_KEY, private_key_pem=ED25519_PEM)
    with pytest.raises(ApiValueError, match="not both"):
        BinanceAuth(private_key_pem=ED25519_PEM, private_key_path=tmp_path / "k.pem")
    api_key_only = BinanceAuth(api_key=API_KEY)
    assert not api_key_only.can_sign
    with pytest.raises(ApiValueError, match="signing needs"):
        api_key_only.sign("x")
    assert BinanceAuth(api_key="", secret_key="").api_key is None  # unset environment variables
    with pytest.raises(rt.exceptions.ApiTypeError):
        BinanceAuth(api_key=b"bytes")


def test_reprs_and_pickles_never_show_secrets(rt: ModuleType) -> None:
    secret_auth = rt.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY)
    key_auth = rt.auth.BinanceAuth(api_key=API_KEY, private_key_pem=ED25519_PEM)
    key_auth.sign("x")
    for auth in (secret_auth, key_auth):
        for text in (repr(auth), str(auth)):
            assert API_KEY not in text and SECRET_KEY not in text and "MC4CAQ" not in text
            assert "<set>" in text
        with pytest.raises(rt.exceptions.ApiTypeError, match="cannot be pickled"):
            pickle.dumps(auth)
        assert copy.deepcopy(auth) is auth
