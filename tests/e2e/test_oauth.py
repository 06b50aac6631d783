"""OAuth 2 client credentials through a generated package
(tests/e2e/specs/features/oauth_client_credentials.yaml): the client fetches its access token from
the flow's token URL, reuses it, and sends a given token as it is; sync and async, on the wire."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_package_tests
from tests.e2e.test_features import generated, python

CALLS = """
import asyncio, json, sys
sys.path.insert(0, {tests!r})
from acme.client import AcmeClientAuth as LedgerAuth
from acme.client import ApiClient, AsyncApiClient, AsyncDefaultApi, Configuration, DefaultApi
from loopback import LoopbackServer

issued = []

def answer(request):
    if request.path == "/oauth/token":
        issued.append(request.form)
        return 200, {{"access_token": f"t{{len(issued)}}", "token_type": "Bearer", "expires_in": 3600}}
    return 200, {{"total": 5}} if request.path == "/balances" else {{"name": "ann"}}

with LoopbackServer() as server:
    server.respond_with(answer)
    auth = LedgerAuth(client_id="app", client_secret="s3cret", scopes=["ledger.read"])
    with ApiClient(Configuration(host=server.url, auth=auth)) as client:
        api = DefaultApi(client)
        totals = [api.list_balances().total for _ in range(2)]

    async def main():
        async with AsyncApiClient(Configuration(host=server.url, auth=auth)) as client:
            return (await AsyncDefaultApi(client).list_balances()).total

    totals.append(asyncio.run(main()))
    with ApiClient(Configuration(host=server.url, auth=LedgerAuth(user="u-token"))) as client:
        DefaultApi(client).get_me()
    print(json.dumps({{
        "totals": totals, "issued": issued,
        "sent": [[r.method, r.path, r.headers.get("Authorization")] for r in server.requests],
    }}))
"""


def test_a_client_credentials_flow_fetches_and_reuses_its_token(tmp_path: Path) -> None:
    out = generated(tmp_path, "oauth_client_credentials")
    run_package_tests(out)
    done = python(out, CALLS.format(tests=str(out / "tests")))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["totals"] == [5, 5, 5]
    grant = {"grant_type": ["client_credentials"], "scope": ["ledger.read"]}
    assert result["issued"] == [grant, grant]  # one token per client: the async client has its own
    token, basic = "POST", "Basic YXBwOnMzY3JldA=="  # app:s3cret
    assert result["sent"] == [
        [token, "/oauth/token", basic], ["GET", "/balances", "Bearer t1"], ["GET", "/balances", "Bearer t1"],
        [token, "/oauth/token", basic], ["GET", "/balances", "Bearer t2"],
        ["GET", "/me", "Bearer u-token"],  # an authorization code flow: the token given
    ]
