"""One small spec per OpenAPI feature (tests/e2e/specs/features/): generated, the package's own tests
run, and what the feature promises checked on the generated package in fresh interpreters."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli, run_package_tests

FEATURES = REPO / "tests" / "e2e" / "specs" / "features"


def generated(tmp_path: Path, name: str) -> Path:
    out = tmp_path / "out"
    done = run_cli("generate", FEATURES / f"{name}.yaml", "--out", out, "--package-name", "acme.client")
    assert done.code == 0, done.stderr
    return out


def python(out: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Code run in a fresh interpreter that has the generated package on its path."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.fixture(scope="module")
def cycles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = generated(tmp_path_factory.mktemp("cycles"), "model_cycles")
    run_package_tests(out)
    return out


@pytest.mark.parametrize("first", ["a", "b", "c", "d", "e", "holder"])
def test_every_model_of_a_cycle_imports_first_on_its_own(cycles: Path, first: str) -> None:
    done = python(cycles, f"import acme.client.models.{first}")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", ["A", "B", "E"])
def test_a_model_of_a_cycle_imports_from_the_package_and_parses_nested_values(cycles: Path, name: str) -> None:
    done = python(cycles, (
        f"from acme.client import {name}, A, C\n"
        "a = A.model_validate({'name': 'x', 'b': {'a': {'name': 'y'}, 'tags': ['t']}})\n"
        "assert a.b is not None and a.b.a is not None and a.b.a.name == 'y', a\n"
        "c = C.model_validate({'d': {'e': [{'label': 'l', 'c': {'d': {'e': []}}}]}})\n"
        "assert c.d.e[0].c.d.e == [], c\n"
        "print(type(a.b).__name__, type(c.d.e[0]).__name__)\n"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["B", "E"]


@pytest.fixture(scope="module")
def allof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = generated(tmp_path_factory.mktemp("allof"), "allof_modifiers")
    run_package_tests(out)
    return out


def test_allof_of_one_schema_and_modifiers_is_that_schema_made_nullable(allof: Path) -> None:
    done = python(allof, (
        "import typing\n"
        "from acme.client import CreateRunRequest, Owner, Run\n"
        "for value in ('auto', None):\n"
        "    assert CreateRunRequest.model_validate({'tool_choice': value}).tool_choice == value\n"
        "req = CreateRunRequest.model_validate({'owner': {'id': 'o'}})\n"
        "assert type(req.owner) is Owner, type(req.owner)\n"
        "assert CreateRunRequest.model_validate({'owner': None}).owner is None\n"
        "run = Run.model_validate({'id': 'r', 'created': 1, 'tool_choice': None})\n"
        "print(sorted(Run.model_fields))\n"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['created', 'id', 'tool_choice']"  # allOf of objects: merged


def test_statuses_without_a_body_are_answered_without_one(tmp_path: Path) -> None:
    out = generated(tmp_path, "no_body_statuses")
    run_package_tests(out)  # 304 answered with no body: the generated test expects none
    cases = (out / "tests" / "cases" / "default_api.py").read_text()
    assert "[304, None, None]" in cases and "[404, {" in cases


def test_a_body_goes_in_the_first_media_type_that_can_be_encoded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("generate", FEATURES / "body_media.yaml", "--out", out, "--package-name", "acme.client")
    assert done.code == 0, done.stderr
    assert ("body_media.yaml:47:9: warning: the request body is offered only as a form whose schema has no "
            "top-level properties") in done.stderr  # /form-only: nothing it could send
    assert "; 1 warning (above); profile openapi" in done.stdout  # the summary counts them
    run_package_tests(out)  # each case asserts the Content-Type and the body the server received
    source = (out / "acme" / "client" / "api" / "default_api.py").read_text()
    content_types = re.findall(r'content_type="([^"]+)"', source)
    assert content_types == ["application/json", "application/json", "multipart/form-data"]
    assert "def form_without_fields(\n        self,\n        *,\n        _request_timeout" in source  # no body


def test_binance_signed_operations_without_security_send_the_api_key(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("generate", FEATURES / "binance_keyless_signed.yaml", "--out", out, "--package-name", "acme.client")
    assert done.code == 0, done.stderr
    assert "binance_keyless_signed.yaml:11:5: warning: 1 signed operation declares no security that sends " \
           "X-MBX-APIKEY" in done.stderr
    cases = (out / "tests" / "cases" / "referral_api.py").read_text()
    assert 'api_key_header="X-MBX-APIKEY"' in cases and "signed=True" in cases
    assert '"recv_window": 5000' in cases  # Binance's usual value, within the spec's maximum
    run_package_tests(out)  # the server checks the header and the signature on the wire


REF_OPERATION = REPO / "tests" / "e2e" / "specs" / "ref_operation"


def test_an_operation_written_as_a_ref_is_refused_strictly_and_read_leniently(tmp_path: Path) -> None:
    strict_copy = tmp_path / "strict-spec"
    shutil.copytree(REF_OPERATION, strict_copy)
    (strict_copy / "generator.toml").unlink()  # without the settings: strict
    strict = run_cli("generate", strict_copy / "openapi.yaml", "--out", tmp_path / "strict")
    assert strict.code == 1
    assert re.search(r"openapi\.yaml:10:\d+: error: GET /v2/droplets/\{droplet_id\}: an operation cannot be a \$ref",
                     strict.stderr), strict.stderr
    assert not (tmp_path / "strict").exists()
    out = tmp_path / "lenient"
    done = run_cli("generate", REF_OPERATION / "openapi.yaml", "--out", out)  # generator.toml beside it: lenient
    assert done.code == 0, done.stderr
    assert "warning: GET /v2/droplets/{droplet_id}: an operation cannot be a $ref" in done.stderr
    api = (out / "droplets" / "api" / "droplets_api.py").read_text()
    assert 'path="/v2/droplets/{droplet_id}"' in api and "def droplets_get(" in api and "def droplets_destroy(" in api
    run_package_tests(out)


def test_a_path_key_with_a_query_string_sends_its_pairs_in_the_query(tmp_path: Path) -> None:
    out = generated(tmp_path, "path_query")
    api = (out / "acme" / "client" / "api" / "default_api.py").read_text()
    assert 'path="/responses",' in api and "%3F" not in api
    assert 'Param("beta", "query", required=True)' in api
    run_package_tests(out)  # the generated test asserts beta=true in the query of the request sent
    cases = (out / "tests" / "cases" / "default_api.py").read_text()
    assert '"beta": ["true"]' in cases


def test_binance_json_body_with_a_timestamp_is_signed(tmp_path: Path) -> None:
    out = generated(tmp_path, "binance_json_signed")
    api = (out / "acme" / "client" / "api" / "default_api.py").read_text()
    assert "signed=True," in api
    # The generated tests check the signature over the query string and the JSON body, on the wire.
    run_package_tests(out)


def test_security_schemes_send_their_credentials(tmp_path: Path) -> None:
    out = generated(tmp_path, "security")
    # The generated tests check every credential an operation sends, on the wire (test_operations.py).
    run_package_tests(out)
    done = python(out, (
        f"import sys\nsys.path.insert(0, {str(out / 'tests')!r})\n"
        "from acme.client import Configuration, AcmeClientAuth, DefaultApi, ApiClient\n"
        "from loopback import LoopbackServer\n"
        "auth = AcmeClientAuth(api_key='k', passphrase='p', token='t', o_auth='o', oidc='i', username='u', password='w',"
        " query_key='q', cookie_key='c')\n"
        "with LoopbackServer() as server:\n"
        "    with ApiClient(Configuration(host=server.url, auth=auth)) as client:\n"
        "        api = DefaultApi(client)\n"
        "        for name in ('bearer', 'basic', 'oauth', 'oidc', 'keys', 'query_or_cookie', 'optional'):\n"
        "            server.reply(200, b'')\n"
        "            getattr(api, name)()\n"
        "    for r in server.requests:\n"
        "        print(r.path, r.headers.get('Authorization'), r.headers.get('X-Key'), r.headers.get('X-Passphrase'),"
        " r.query.get('api_key'), r.cookies.get('session'))\n"))
    assert done.returncode == 0, done.stderr
    basic = "Basic " + base64.b64encode(b"u:w").decode()
    assert done.stdout.splitlines() == [
        "/bearer Bearer t None None None None",
        f"/basic {basic} None None None None",
        "/oauth Bearer o None None None None",
        "/oidc Bearer i None None None None",
        "/keys None k p None None",
        "/query-or-cookie None None None ['q'] None",  # the first alternative configured
        "/optional None k None None None",  # an empty requirement is tried last
    ]


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pets") / "out"
    done = run_cli("generate", FEATURES / "allof_discriminator.yaml", "--out", out, "--package-name", "acme.client")
    assert done.code == 0, done.stderr
    # `bird` names Owner, which is no subclass of Animal: said, and left out.
    assert ("allof_discriminator.yaml:74:17: warning: discriminator mapping 'bird' names "
            "'#/components/schemas/Owner', which is not a subclass of this schema") in done.stderr
    run_package_tests(out)  # each operation's sample answer and body, on the wire; each model's round trip
    return out


@pytest.mark.parametrize("first", ["animal", "dog", "cat", "owner", "kennel"])
def test_every_model_of_a_class_hierarchy_imports_first_on_its_own(pets: Path, first: str) -> None:
    done = python(pets, f"import acme.client.models.{first}")
    assert done.returncode == 0, done.stderr


def test_allof_of_a_base_with_a_discriminator_subclasses_it_and_parses_polymorphically(pets: Path) -> None:
    done = python(pets, (
        f"import json, sys\nsys.path.insert(0, {str(pets / 'tests')!r})\n"
        "import pydantic\n"
        "from acme.client import Animal, ApiClient, Cat, Configuration, DefaultApi, Dog, Kennel\n"
        "from loopback import LoopbackServer\n"
        "assert issubclass(Dog, Animal) and issubclass(Cat, Animal)\n"
        "dog = Animal.model_validate({'className': 'dog', 'breed': 'beagle'})\n"  # the mapping's value
        "assert type(dog) is Dog and dog.breed == 'beagle', repr(dog)\n"
        "assert type(Animal.model_validate({'className': 'Cat'})) is Cat\n"  # the schema's name
        "bird = Animal.model_validate({'className': 'bird', 'wings': 2})\n"  # names no subclass
        "assert type(bird) is Animal and bird.to_dict() == {'className': 'bird', 'wings': 2}, repr(bird)\n"
        "assert type(Animal(className='dog', breed='b')) is Dog\n"  # made as parsed
        "try:\n"
        "    Animal.model_validate({'className': 'dog'})\n"  # a Dog without its required breed
        "    raise SystemExit('a Dog without a breed was accepted')\n"
        "except pydantic.ValidationError as error:\n"
        "    assert 'breed' in str(error), error\n"
        "kennel = Kennel.model_validate({'animals': [{'className': 'Cat', 'declawed': True,\n"
        "                                             'owner': {'pets': [{'className': 'dog', 'breed': 'b'}]}}]})\n"
        "cat = kennel.animals[0]\n"
        "assert type(cat) is Cat and cat.owner is not None and type(cat.owner.pets[0]) is Dog, repr(kennel)\n"
        "assert kennel.to_dict() == {'animals': [{'className': 'Cat', 'owner': {'pets': [\n"
        "    {'className': 'dog', 'breed': 'b'}]}, 'declawed': True}]}, kennel.to_dict()\n"
        "with LoopbackServer() as server, ApiClient(Configuration(host=server.url)) as client:\n"
        "    api = DefaultApi(client)\n"
        "    server.reply(200, b'{\"className\":\"dog\",\"breed\":\"husky\",\"color\":\"grey\"}')\n"
        "    made = api.create_animal(Kennel(animals=[dog]).animals[0])\n"
        "    server.reply(200, b'[{\"className\":\"Cat\",\"declawed\":false},{\"className\":\"emu\"}]')\n"
        "    listed = api.list_animals()\n"
        "    sent = json.loads(server.requests[0].body)\n"
        "print(type(made).__name__, made.breed, [type(a).__name__ for a in listed], sent)\n"))
    assert done.returncode == 0, done.stderr
    # An Animal answer parses as the subclass its className names; the Dog sent carries its breed.
    assert done.stdout.strip() == "Dog husky ['Cat', 'Animal'] {'className': 'dog', 'breed': 'beagle'}"
