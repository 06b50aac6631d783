"""The coverage spec (unions, OpenAPI 3.1, array styles, cookies, multipart, default responses, server
variables, untagged operations) generated and called on the wire, against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import REPO, LoopbackServer, imported, run_cli, run_package_tests

SPEC = REPO / "tests" / "e2e" / "specs" / "coverage" / "openapi.yaml"
PACKAGE = "acme.coverage"

OWNER = {
    "id": 7,
    "kind": "owner",
    "status": "suspended",  # not in the enum: a value the server added later
    "nickname": None,
    "pet": {"petType": "Dog", "barks": True, "breed": None},  # implicit mapping: the schema name
    "pets": [
        {"petType": "kitten", "meows": False},
        {"petType": "Dog", "barks": False, "breed": "collie"},
        {"petType": "parrot", "talks": True},  # no member: kept as a plain ApiModel
    ],
    "favouriteShape": {"side": 2.5},
    "luckyNumber": "seven",
    "code": 12,
    "nothing": None,
    "scores": [1.5, None],
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("coverage") / "out"
    done = run_cli("generate", SPEC, "--out", folder, "--package-name", PACKAGE)
    assert done.code == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr
    return folder


@pytest.fixture(scope="module")
def package(out: Path) -> Iterator[ModuleType]:
    with imported(out, PACKAGE) as module:
        yield module


@pytest.fixture
def client(package: ModuleType, server: LoopbackServer) -> Iterator[Any]:
    with package.ApiClient(package.Configuration(host=server.url, max_retries=0)) as api_client:
        yield api_client


def test_generated_package_passes_its_own_tests(out: Path) -> None:
    run_package_tests(out)


def test_signatures_and_docs_show_the_unions(out: Path) -> None:
    owner = (out / "acme" / "coverage" / "models" / "owner.py").read_text()
    assert "    pet: Pet\n" in owner
    assert "favourite_shape: Circle | Square | None" in owner
    assert "lucky_number: int | str | None" in owner and "    code: int | str | None = None\n" in owner
    assert "    nickname: str | None = None\n" in owner and "    nothing: None = None\n" in owner
    assert "    scores: list[float | None] | None = None\n" in owner
    pets_api = (out / "acme" / "coverage" / "api" / "pets_api.py").read_text()
    assert "def list_pets(" in pets_api and ") -> list[Pet]:" in pets_api
    assert "photo: bytes," in pets_api
    union_doc = (out / "docs" / "Pet.md").read_text()
    assert "One of [**Cat**](Cat.md) \\| [**Dog**](Dog.md), told apart by the value of its `petType`" in union_doc
    assert "`kitten` | [**Cat**](Cat.md)" in union_doc and "`Dog` | [**Dog**](Dog.md)" in union_doc
    owner_doc = (out / "docs" / "Owner.md").read_text()
    assert "[**Circle**](Circle.md) \\| [**Square**](Square.md)" in owner_doc
    assert "**code** | **int** \\| **str** |" in owner_doc


def test_discriminated_union_parses_each_kind_and_keeps_unknown_ones(
    package: ModuleType, client: Any, server: LoopbackServer
) -> None:
    server.reply(200, OWNER)
    owner = package.PetsApi(client).get_owner(7)
    (request,) = server.requests
    assert request.path == "/owners/7"
    assert isinstance(owner.pet, package.Dog) and owner.pet.breed is None
    kitten, dog, parrot = owner.pets
    assert isinstance(kitten, package.Cat) and kitten.meows is False  # mapping: kitten -> Cat
    assert isinstance(dog, package.Dog) and dog.breed == "collie"  # implicit mapping: Dog's name
    assert type(parrot) is package.ApiModel and parrot.to_dict() == {"petType": "parrot", "talks": True}
    assert isinstance(owner.favourite_shape, package.Square)  # a plain union: the member that fits
    assert (owner.lucky_number, owner.code, owner.scores) == ("seven", 12, [1.5, None])
    assert owner.status == "suspended" and owner.nickname is None  # open enum; 3.1 nullable
    assert owner.to_dict() == {k: v for k, v in OWNER.items() if v is not None} | {
        "pet": {"petType": "Dog", "barks": True}}


def test_a_known_kind_that_does_not_fit_its_model_is_a_response_validation_error(
    package: ModuleType, client: Any, server: LoopbackServer
) -> None:
    server.reply(200, {**OWNER, "pet": {"petType": "cat", "barks": True}})  # a cat must meow
    with pytest.raises(package.ResponseValidationError, match="meows"):
        package.PetsApi(client).get_owner(7)


def test_list_response_of_a_union(package: ModuleType, client: Any, server: LoopbackServer) -> None:
    server.reply(200, [{"petType": "cat", "meows": True}, {"petType": "emu"}])
    cat, emu = package.PetsApi(client).list_pets([1], "r", "s")
    assert isinstance(cat, package.Cat) and type(emu) is package.ApiModel


def test_array_styles_header_and_cookies_on_the_wire(
    package: ModuleType, client: Any, server: LoopbackServer
) -> None:
    server.reply(200, [])
    package.PetsApi(client).list_pets(
        [1, 2, 3], "req-9", "a b;c", tags=["x", "y,z"], symbols=["BTCUSDT", "BNBBTC"], theme="dark")
    (request,) = server.requests
    pairs = request.raw_query.split("&")
    assert pairs[:3] == ["ids=1", "ids=2", "ids=3"]  # form, explode: true
    assert "tags=x,y%2Cz" in pairs  # form, explode: false (a comma inside an item stays encoded)
    assert pairs[-2:] == ["symbols=BTCUSDT", "symbols=BNBBTC"]  # no style declared: OpenAPI's default
    assert request.headers["X-Request-Id"] == "req-9"
    assert request.headers["Cookie"] == "session=a%20b%3Bc; theme=dark"
    assert request.cookies == {"session": ["a b;c"], "theme": ["dark"]}


PHOTO = bytes(range(256)) + b"\r\n--not-a-boundary\r\n"


def check_multipart(request: Any) -> None:
    assert request.method == "POST" and request.path == "/pets/rex/photo"
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    assert request.form["caption"] == ["Sunset, \u00e9t\u00e9"]
    assert request.files == {
        "photo": [("photo", "application/octet-stream", PHOTO)],
        "thumbnail": [("thumbnail", "application/octet-stream", b"\x89PNG")],
    }
    assert request.body.endswith(b"--" + content_type.split("boundary=")[1].encode() + b"--\r\n")


def test_multipart_body_from_the_sync_client(
    package: ModuleType, client: Any, server: LoopbackServer
) -> None:
    server.reply(201, {"size": len(PHOTO)})
    result = package.PetsApi(client).upload_photo(
        "rex", PHOTO, caption="Sunset, \u00e9t\u00e9", thumbnail=b"\x89PNG")
    assert result.size == len(PHOTO)
    (request,) = server.requests
    check_multipart(request)


def test_multipart_body_from_the_async_client(package: ModuleType, server: LoopbackServer) -> None:
    server.reply(201, {"size": len(PHOTO)})

    async def upload() -> Any:
        configuration = package.Configuration(host=server.url, max_retries=0)
        async with package.AsyncApiClient(configuration) as api_client:
            return await package.AsyncPetsApi(api_client).upload_photo(
                "rex", PHOTO, caption="Sunset, \u00e9t\u00e9", thumbnail=b"\x89PNG")

    assert asyncio.run(upload()).size == len(PHOTO)
    (request,) = server.requests
    check_multipart(request)


def test_untagged_operations_default_and_ranged_responses(
    package: ModuleType, client: Any, server: LoopbackServer
) -> None:
    api = package.DefaultApi(client)  # no tags: the default API class
    server.reply(200, {"ok": True})
    assert api.health().ok is True  # only a `default` response: it types the success too
    server.reply(203, {"radius": 1.0})
    assert isinstance(api.get_shapes_shape_id("c1"), package.Circle)  # 2XX; no operationId: derived
    server.reply(503, {"code": 9, "msg": "down"})
    with pytest.raises(package.ApiException) as raised:
        api.get_shapes_shape_id("c1")
    assert raised.value.status == 503 and isinstance(raised.value.data, package.Problem)  # 5XX
    server.reply(418, {"code": 4, "msg": "teapot"})
    with pytest.raises(package.ApiException) as teapot:
        package.PetsApi(client).get_owner(1)
    assert isinstance(teapot.value.data, package.Problem) and teapot.value.data.code == 4  # 4XX


def test_server_variables_take_their_defaults(package: ModuleType) -> None:
    assert package.API.host == "https://api.example.test/v2"  # a Configuration without a host uses it
    assert package.Configuration().host is None


def test_a_3_1_document_validates_cleanly() -> None:
    done = run_cli("validate", SPEC)
    assert done.code == 0, done.stderr
    assert "error" not in done.stderr and "warning" not in done.stderr
