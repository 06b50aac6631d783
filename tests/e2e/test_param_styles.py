"""Parameter styles, form encodings and bodies of other media types on the wire
(tests/e2e/specs/features/param_styles.yaml): the package's own tests hold every example call to
OpenAPI's style table; here, calls a user writes (models, dicts, bytes) are checked byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_package_tests
from tests.e2e.test_features import generated, python


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = generated(tmp_path_factory.mktemp("styles"), "param_styles")
    run_package_tests(out)
    return out


CALLS = """
import json, sys
sys.path.insert(0, {tests!r})
from acme.client import ApiClient, Configuration, DefaultApi, Page, Point, RangeQuery
from loopback import LoopbackServer

with LoopbackServer() as server:
    with ApiClient(Configuration(host=server.url)) as client:
        api = DefaultApi(client)
        api.list_charges(created=RangeQuery(gt=5), expand=["customer"], page=Page(limit=3),
                         fields=Page(limit=1, starting_after="a,b"), filter=Page(limit=2))
        api.get_point(Point(x=1, y=2), ["a b", "c"], 7, x_point=Point(x=3, y=4))
        api.create_checkout_session(
            line_items=[{{"price": "p1", "quantity": 2}}, {{"price": "p2", "quantity": 1}}],
            metadata={{"order id": "6735"}}, payment_method_types=["card", "link"], mode="payment")
        api.upload(meta=Point(x=1, y=2), image=b"\\x89PNG")
        server.reply(200, b"caf\\xc3\\xa9 noted", {{"Content-Type": "text/plain; charset=utf-8"}})
        note = api.create_note("caf\\u00e9 {{not json}}")
        server.reply(200, b"\\x00\\xffstored", {{"Content-Type": "application/octet-stream"}})
        stored = api.put_file("a.bin", b"\\x00\\xff")
    first, point, checkout, upload, create, put = server.requests
    print(json.dumps({{
        "query": first.raw_query, "path": point.path, "header": point.headers.get("X-Point"),
        "form": checkout.body.decode(), "upload": upload.body.decode("latin-1"),
        "upload_type": upload.headers.get("Content-Type"),
        "note": [create.body.decode(), create.headers.get("Content-Type"), note],
        "file": [put.body.decode("latin-1"), put.headers.get("Content-Type"), stored.decode("latin-1")],
    }}))
"""


def test_parameters_bodies_and_answers_go_in_their_declared_styles_and_media(styles: Path) -> None:
    done = python(styles, CALLS.format(tests=str(styles / "tests")))
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)
    assert sent["query"].split("&") == [
        "created%5Bgt%5D=5", "expand%5B0%5D=customer",  # deepObject, Stripe's lists indexed
        "limit=3",  # an object in the default style (form, exploded): its properties as pairs
        "fields=limit,1,starting_after,a%2Cb",  # not exploded: keys and values, commas in values escaped
        "filter=%7B%22limit%22%3A2%7D"]  # a `content` parameter: JSON text
    assert sent["path"] == "/points/.x=1.y=2/;tags=a%20b;tags=c/;id=7"  # label and matrix
    assert sent["header"] == "x=3,y=4"  # simple, exploded
    assert sent["form"].split("&") == [
        "line_items%5B0%5D%5Bprice%5D=p1", "line_items%5B0%5D%5Bquantity%5D=2",
        "line_items%5B1%5D%5Bprice%5D=p2", "line_items%5B1%5D%5Bquantity%5D=1",
        "metadata%5Border%20id%5D=6735",
        "payment_method_types=card", "payment_method_types=link",  # a list: form, exploded
        "mode=payment"]
    assert 'name="meta"\r\nContent-Type: application/json\r\n\r\n{"x":1,"y":2}' in sent["upload"]
    assert 'filename="image"\r\nContent-Type: image/png\r\n\r\n\x89PNG' in sent["upload"]
    assert sent["upload_type"].startswith("multipart/form-data; boundary=")
    assert sent["note"] == ["caf\u00e9 {not json}", "text/plain", "caf\u00e9 noted"]
    assert sent["file"] == ["\x00\xff", "application/octet-stream", "\x00\xffstored"]
