"""Security schemes on the wire, through both clients: API keys in a header, the query or a cookie,
several keys each with its own credential, bearer tokens (http bearer, oauth2, openIdConnect),
http basic, and alternatives (an OpenAPI `security` list of several requirements)."""

from __future__ import annotations

import base64
from types import ModuleType
from typing import Any

import pytest
from loopback import LoopbackServer

from .conftest import Connect

SECURITY = {
    "KeyHeader": ("header", "X-Api-Key"),
    "KeyQuery": ("query", "api_key"),
    "KeyCookie": ("cookie", "session"),
    "Passphrase": ("header", "X-Passphrase"),
    "Bearer": ("bearer", "Authorization"),
    "Basic": ("basic", "Authorization"),
}


def call(rt: ModuleType, server: LoopbackServer, connect: Connect, auth: Any, *,
         names: tuple[str, ...], alternatives: tuple[tuple[str, ...], ...] = ()) -> Any:
    api = rt.operation.ApiInfo(distribution="sec", host=server.url, security=SECURITY)
    op = rt.operation.Operation("Secured", "GET", "/secured", responses={"200": "dict[str, Any]"},
                                auth=names, alternatives=alternatives, api=api)
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    server.reply(200, {"ok": True})
    client.call(op, {})
    (request,) = server.requests
    return request


def test_an_api_key_goes_in_the_header_the_query_or_a_cookie(rt: ModuleType, server: LoopbackServer,
                                                            connect: Connect) -> None:
    auth = rt.credentials.ApiKeyAuth("k-1")
    request = call(rt, server, connect, auth, names=("KeyHeader", "KeyQuery", "KeyCookie"))
    assert request.headers.get("X-Api-Key") == "k-1"
    assert request.query.get("api_key") == ["k-1"]
    assert request.cookies.get("session") == ["k-1"]


def test_several_api_keys_each_send_their_own_credential(rt: ModuleType, server: LoopbackServer,
                                                        connect: Connect) -> None:
    """OKX: a key and a passphrase, each in its header (the passphrase is not the key)."""
    auth = rt.credentials.ApiKeyAuth("the-key", keys={"Passphrase": "the-passphrase"}, api_key_for=("KeyHeader",))
    request = call(rt, server, connect, auth, names=("KeyHeader", "Passphrase"))
    assert request.headers.get("X-Api-Key") == "the-key"
    assert request.headers.get("X-Passphrase") == "the-passphrase"
    server.requests.clear()
    no_passphrase = rt.credentials.ApiKeyAuth("the-key", api_key_for=("KeyHeader",))
    request = call(rt, server, connect, no_passphrase, names=("KeyHeader", "Passphrase"))
    assert "X-Passphrase" not in request.headers  # never the key's value in its place


def test_a_bearer_token_and_basic_credentials(rt: ModuleType, server: LoopbackServer, connect: Connect) -> None:
    request = call(rt, server, connect, rt.credentials.ApiKeyAuth(token="t0k3n"), names=("Bearer",))
    assert request.headers.get("Authorization") == "Bearer t0k3n"
    server.requests.clear()
    basic = rt.credentials.ApiKeyAuth(username="ann", password="s3cret:x")
    request = call(rt, server, connect, basic, names=("Basic",))
    assert request.headers.get("Authorization") == "Basic " + base64.b64encode(b"ann:s3cret:x").decode()


def test_the_first_configured_alternative_is_sent(rt: ModuleType, server: LoopbackServer,
                                                 connect: Connect) -> None:
    """security: [{Bearer: []}, {KeyQuery: [], Passphrase: []}]: a token if there is one, else both keys."""
    alternatives = (("Bearer",), ("KeyQuery", "Passphrase"))
    names = ("Bearer", "KeyQuery", "Passphrase")
    keys_only = rt.credentials.ApiKeyAuth("k", keys={"Passphrase": "p"})
    request = call(rt, server, connect, keys_only, names=names, alternatives=alternatives)
    assert "Authorization" not in request.headers
    assert request.query.get("api_key") == ["k"] and request.headers.get("X-Passphrase") == "p"
    server.requests.clear()
    both = rt.credentials.ApiKeyAuth("k", keys={"Passphrase": "p"}, token="t")
    request = call(rt, server, connect, both, names=names, alternatives=alternatives)
    assert request.headers.get("Authorization") == "Bearer t"
    assert "api_key" not in request.query and "X-Passphrase" not in request.headers


def test_an_alternative_half_configured_is_not_sent(rt: ModuleType, server: LoopbackServer,
                                                   connect: Connect) -> None:
    auth = rt.credentials.ApiKeyAuth("k", api_key_for=("KeyQuery",))  # no passphrase: the pair cannot go
    request = call(rt, server, connect, auth, names=("KeyQuery", "Passphrase"),
                   alternatives=(("KeyQuery", "Passphrase"),))
    assert "api_key" not in request.query and "X-Passphrase" not in request.headers


@pytest.mark.parametrize("field", ["api_key", "token", "username", "password"])
def test_credentials_are_checked_when_made_and_never_shown(rt: ModuleType, field: str) -> None:
    with pytest.raises(rt.exceptions.ApiValueError) as raised:
        rt.credentials.ApiKeyAuth(**{field: "value-with-newline\n"})
    assert "value-with-newline" not in str(raised.value) and field in str(raised.value)
    shown = repr(rt.credentials.ApiKeyAuth(**{field: "visible-secret"}, keys={"A": "other-secret"}))
    assert "secret" not in shown.replace("keys=<1 set>", "") and f"{field}=<set>" in shown


def _oauth_api(rt: ModuleType, server: LoopbackServer, token_url: str | None = None) -> Any:
    api = rt.operation.ApiInfo(distribution="sec", host=server.url, security=SECURITY,
                               token_urls={"Bearer": token_url or f"{server.url}/oauth/token"})
    return rt.operation.Operation("Secured", "GET", "/secured", responses={"200": "dict[str, Any]"},
                                  auth=("Bearer",), api=api)


def _token_server(server: LoopbackServer, lifetimes: list[int | None]) -> list[str]:
    """Answers the token endpoint with tokens t1, t2, ... (each lasting the next of `lifetimes`
    seconds), and the API with the token it was sent; returns the issued tokens."""
    issued: list[str] = []

    def handler(request: Any) -> tuple[int, Any] | None:
        if request.path == "/oauth/token":
            token = f"t{len(issued) + 1}"
            issued.append(token)
            lifetime = lifetimes[min(len(issued), len(lifetimes)) - 1]
            return 200, {"access_token": token, "token_type": "Bearer",
                         **({"expires_in": lifetime} if lifetime is not None else {})}
        return 200, {"sent": request.headers.get("Authorization")}

    server.respond_with(handler)
    return issued


def test_a_client_credentials_flow_fetches_its_token_and_reuses_it(rt: ModuleType, server: LoopbackServer,
                                                                  connect: Connect) -> None:
    op = _oauth_api(rt, server)
    issued = _token_server(server, [3600])
    auth = rt.credentials.ApiKeyAuth(client_id="app:1", client_secret="s3cret", scopes=["read", "write"])
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    assert [client.call(op, {}).data for _ in range(3)] == [{"sent": "Bearer t1"}] * 3
    token_request, *calls = server.requests
    assert (token_request.method, token_request.path, len(calls), issued) == ("POST", "/oauth/token", 3, ["t1"])
    assert token_request.form == {"grant_type": ["client_credentials"], "scope": ["read write"]}
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    # client_secret_basic: the id and secret form-encoded, then HTTP basic (RFC 6749, 2.3.1).
    assert token_request.headers["Authorization"] == "Basic " + base64.b64encode(b"app%3A1:s3cret").decode()
    assert "s3cret" not in repr(auth) and "client_secret=<set>" in repr(auth)


def test_an_expiring_or_refused_token_is_fetched_again(rt: ModuleType, server: LoopbackServer,
                                                       connect: Connect) -> None:
    op = _oauth_api(rt, server, token_url="/oauth/token")  # relative: resolved against the host
    issued = _token_server(server, [10, 3600])  # t1 lasts less than the renewal margin
    auth = rt.credentials.ApiKeyAuth(client_id="app", client_secret="s")
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    assert client.call(op, {}).data == {"sent": "Bearer t1"}
    assert client.call(op, {}).data == {"sent": "Bearer t2"}  # t1 was about to expire
    assert issued == ["t1", "t2"]
    refused = {"count": 0}

    def revoked(request: Any) -> tuple[int, Any] | None:
        if request.path == "/secured" and request.headers.get("Authorization") == "Bearer t2":
            refused["count"] += 1
            return 401, {"error": "invalid_token"}
        return None

    inner = server._handler
    server.respond_with(lambda request: revoked(request) or inner(request))
    assert client.call(op, {}).data == {"sent": "Bearer t3"}  # revoked early: a new one, once
    assert refused["count"] == 1 and issued == ["t1", "t2", "t3"]


def test_a_given_token_wins_and_a_refusal_says_why(rt: ModuleType, server: LoopbackServer,
                                                   connect: Connect) -> None:
    op = _oauth_api(rt, server)
    _token_server(server, [3600])
    given = rt.credentials.ApiKeyAuth(token="mine", client_id="app", client_secret="s")
    client = connect(rt.configuration.Configuration(host=server.url, auth=given, max_retries=0))
    assert client.call(op, {}).data == {"sent": "Bearer mine"}
    assert [r.path for r in server.requests] == ["/secured"]
    server.respond_with(lambda request: (401, {"error": "invalid_client", "error_description": "unknown app"}))
    auth = rt.credentials.ApiKeyAuth(client_id="app", client_secret="wrong")
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    with pytest.raises(rt.exceptions.UnauthorizedException) as caught:
        client.call(op, {})
    assert (caught.value.code, caught.value.msg) == ("invalid_client", "unknown app")
    assert "Fetching an access token for 'Bearer'" in caught.value.__notes__[0]
    with pytest.raises(rt.exceptions.ApiValueError, match="client_id and client_secret go together"):
        rt.credentials.ApiKeyAuth(client_id="app")
