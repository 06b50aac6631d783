"""Benchmark: client CPU per call of ApiClient.call against raw urllib3, on a loopback server.

Run: python3 tests/runtime/bench_overhead.py [calls]
The server runs in a subprocess; CPU time is the calling thread's own (time.thread_time), rounds of
the two clients alternate, and the median round is reported, so server speed and machine noise
mostly cancel out. Not collected by pytest (the file name does not start with test_).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `tests`

from runtime.tests.conftest import API_KEY, ROOT, SECRET_KEY, write_package

SERVER = f"""
import sys, time
sys.path.insert(0, {str(ROOT / "templates" / "tests")!r})
from loopback import LoopbackServer
server = LoopbackServer()
for _ in range(int(sys.argv[1])):
    server.reply(200, {{"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"}},
                 headers={{"X-MBX-USED-WEIGHT-1M": "2"}})
print(server.url, flush=True)
sys.stdin.read()
"""


def main(calls: int = 2000, rounds: int = 7) -> None:
    root = Path(tempfile.mkdtemp())
    write_package(root)
    sys.path.insert(0, str(root))
    from rtpkg.api_client import ApiClient
    from rtpkg.auth import BinanceAuth
    from rtpkg.configuration import Configuration
    from rtpkg.operation import Operation, Param

    create = Operation("SpotCreateUserDataStreamV3", "POST", "/api/v3/userDataStream",
                       responses={"200": "ListenKey", "4XX": "APIError", "5XX": "APIError"},
                       auth=("ApiKey",))
    signed = Operation("SpotCreateOrderV3", "POST", "/api/v3/order",
                       params=(Param("symbol", "form", True), Param("side", "form", True),
                               Param("quantity", "form"), Param("price", "form")),
                       content_type="application/x-www-form-urlencoded",
                       responses={"200": "dict[str, Any]", "4XX": "APIError"},
                       auth=("ApiKey",), signed=True)

    answers = (200 + rounds * calls) * 5
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(answers)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        raw = urllib3.PoolManager(maxsize=10, retries=False)

        def raw_call() -> None:
            response = raw.request("POST", url + "/api/v3/userDataStream",
                                   headers={"X-MBX-APIKEY": API_KEY, "Accept": "application/json"})
            json.loads(response.data)

        def raw_urlopen() -> None:
            # The leanest urllib3 path (what RESTClient uses): no request encoding layer.
            response = raw.urlopen("POST", url + "/api/v3/userDataStream", retries=False,
                                   headers={"X-MBX-APIKEY": API_KEY, "Accept": "application/json"})
            json.loads(response.data)

        form_headers = {"X-MBX-APIKEY": API_KEY, "Accept": "application/json",
                        "Content-Type": "application/x-www-form-urlencoded"}

        def raw_signed() -> None:
            # The same signed order by hand: encode, HMAC, send; the baseline for SIGNED calls.
            body = f"symbol=BTCUSDT&side=BUY&quantity=1&price=0.1&timestamp={int(time.time() * 1000)}"
            signature = hmac.new(SECRET_KEY.encode(), body.encode(), hashlib.sha256).hexdigest()
            response = raw.urlopen("POST", url + "/api/v3/order", retries=False, headers=form_headers,
                                   body=(body + "&signature=" + signature).encode())
            json.loads(response.data)

        config = Configuration(host=url, auth=BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY))
        client = ApiClient(config)

        def client_call() -> None:
            client.call(create, {})

        def signed_call() -> None:
            client.call(signed, {"symbol": "BTCUSDT", "side": "BUY", "quantity": 1, "price": 0.1})

        cases = (("raw urllib3 request", raw_call), ("raw urllib3 urlopen", raw_urlopen),
                 ("ApiClient.call", client_call), ("raw urllib3 SIGNED", raw_signed),
                 ("ApiClient.call SIGNED", signed_call))
        results: dict[str, list[float]] = {name: [] for name, _ in cases}
        for _, fn in cases:  # warm up: pools, caches, TypeAdapters
            for _ in range(200):
                fn()
        for _ in range(rounds):
            for name, fn in cases:
                started = time.thread_time()
                for _ in range(calls):
                    fn()
                results[name].append((time.thread_time() - started) / calls * 1e6)
        baselines = {"ApiClient.call": "raw urllib3 urlopen",
                     "ApiClient.call SIGNED": "raw urllib3 SIGNED"}
        for name, samples in results.items():
            median = statistics.median(samples)
            line = f"{name:22s} {median:7.1f} us CPU/call"
            if name in baselines:
                base = statistics.median(results[baselines[name]])
                line += f"  ({median / base - 1:+.1%} vs {baselines[name]})"
            print(line)
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
