"""generator/diff.py: two small inline specs -> the exact Markdown of how the generated API changes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.config import Config
from generator.output import surface as diff
from generator.output.surface import Bump
from tests.conftest import run_cli


def _op(operation_id: str, tag: str, params: list[dict[str, Any]], schema: dict[str, Any]) -> dict[str, Any]:
    return {"tags": [tag], "operationId": operation_id, "parameters": params,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}


def _param(name: str, kind: str, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}, **extra}


ORDER = {"$ref": "#/components/schemas/Order"}
BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Shop", "version": "1.2.0"},
    "paths": {
        "/orders": {
            "get": _op("listOrders", "Orders", [_param("symbol", "string", True), _param("limit", "integer")],
                       {"type": "array", "items": ORDER}),
            "post": _op("createOrder", "Orders", [_param("symbol", "string", True),
                                                  _param("quantity", "number", True)], ORDER),
        },
    },
    "components": {"schemas": {"Order": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "integer"}, "price": {"type": "string"}}}}},
}


def _report(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> str:
    apis = []
    for name, document in (("old.yaml", old), ("new.yaml", new)):
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
        built = pipeline.run(tmp_path / name, Config(lenient=True, profile="binance"), display=name, until="model")
        assert built.diagnostics == [] and built.api is not None
        apis.append(built.api)
    return diff.report(apis[0], apis[1], "old.yaml", "new.yaml")


def _changed(edit: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    edit(document)
    return document


HEAD = "# API changes: `old.yaml` -> `new.yaml`\n\nPackage `shop` (import `shop`), from version `1.2.0`.\n\n"
GET_ORDERS = "`OrdersApi.list_orders` (`GET /orders`)"


def test_no_change(tmp_path: Path) -> None:
    assert _report(tmp_path, BASE, BASE) == HEAD + "No changes to the generated API.\n"


def test_additions_and_deprecations_are_minor(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["paths"]["/orders"]["get"]["parameters"].append(_param("fromId", "integer"))
        d["paths"]["/orders"]["post"]["deprecated"] = True
        d["paths"]["/time"] = {"get": _op("getServerTime", "Market", [], {"$ref": "#/components/schemas/Time"})}
        d["components"]["schemas"]["Time"] = {"type": "object", "properties": {"serverTime": {"type": "integer"}}}
        d["components"]["schemas"]["Order"]["properties"]["status"] = {"type": "string"}

    assert _report(tmp_path, BASE, _changed(edit)) == HEAD + (
        "**Minor** change: additions or deprecations, nothing breaking. Next version: `1.3.0`.\n"
        "\n"
        "## Added\n"
        "\n"
        "- `MarketApi.get_server_time` (`GET /time`).\n"
        f"- Optional parameter `from_id: int` (query) of {GET_ORDERS}.\n"
        "- Model `Time`.\n"
        "- Optional field `status: str` of `Order`.\n"
        "\n"
        "## Deprecated\n"
        "\n"
        "- `OrdersApi.create_order` (`POST /orders`) is deprecated.\n"
    )


def test_breaking_changes_are_major_and_marked(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["paths"]["/orders"]["get"]["parameters"] = [
            _param("symbol", "string", True), _param("limit", "integer", True), _param("side", "string", True)]
        del d["paths"]["/orders"]["post"]
        d["components"]["schemas"]["Order"]["properties"] = {"id": {"type": "string"}}

    assert _report(tmp_path, BASE, _changed(edit)) == HEAD + (
        "**Major** change: 5 breaking changes, marked **Breaking**. Next version: `2.0.0`.\n"
        "\n"
        "## Added\n"
        "\n"
        f"- **Breaking:** Required parameter `side: str` (query) of {GET_ORDERS}.\n"
        "\n"
        "## Changed\n"
        "\n"
        f"- **Breaking:** Parameter `limit` of {GET_ORDERS} is now required.\n"
        "- **Breaking:** Field `id` of `Order` is `str` (was `int`).\n"
        "\n"
        "## Removed\n"
        "\n"
        "- **Breaking:** `OrdersApi.create_order` (`POST /orders`) removed.\n"
        "- **Breaking:** Field `price` of `Order` removed.\n"
    )


def test_what_callers_feel_decides_not_the_yaml(tmp_path: Path) -> None:
    """A new operationId renames the method (breaking); a new path under the same name is unseen by callers;
    a required parameter made optional is an addition, but here it moves behind another: positional calls
    break."""
    def edit(d: dict[str, Any]) -> None:
        d["paths"]["/orders"]["get"]["operationId"] = "getOrders"
        d["paths"]["/v2/orders"] = {"post": d["paths"]["/orders"].pop("post")}
        d["paths"]["/v2/orders"]["post"]["parameters"] = [
            _param("quantity", "number", True), _param("symbol", "string")]

    assert _report(tmp_path, BASE, _changed(edit)) == HEAD + (
        "**Major** change: 2 breaking changes, marked **Breaking**. Next version: `2.0.0`.\n"
        "\n"
        "## Changed\n"
        "\n"
        "- **Breaking:** Parameters of `OrdersApi.create_order` (`POST /v2/orders`) take new positions: "
        "`quantity, symbol` (was `symbol, quantity`); positional calls break.\n"
        "- **Breaking:** `OrdersApi.list_orders` is now `OrdersApi.get_orders` (`GET /orders`): renamed.\n"
        "- `OrdersApi.create_order` (`POST /v2/orders`): was `POST /orders`.\n"
        "- Parameter `symbol` of `OrdersApi.create_order` (`POST /v2/orders`) is now optional.\n"
    )


def test_reordered_required_parameters_break_positional_calls(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["paths"]["/orders"]["post"]["parameters"].reverse()

    report = _report(tmp_path, BASE, _changed(edit))
    assert ("- **Breaking:** Parameters of `OrdersApi.create_order` (`POST /orders`) take new positions: "
            "`quantity, symbol` (was `symbol, quantity`); positional calls break.\n") in report
    assert "**Major** change: 1 breaking change" in report


def test_documentation_only_is_a_patch(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["paths"]["/orders"]["get"]["summary"] = "List orders"
        d["paths"]["/orders"]["get"]["parameters"][1]["description"] = "At most this many."
        d["components"]["schemas"]["Order"]["properties"]["price"]["description"] = "Decimal, as text."

    assert _report(tmp_path, BASE, _changed(edit)) == HEAD + (
        "**Patch** change: no addition, nothing breaking. Next version: `1.2.1`.\n"
        "\n"
        "## Changed\n"
        "\n"
        f"- {GET_ORDERS}: documentation or examples changed.\n"
        "- Model `Order`: documentation or examples changed.\n"
    )


def test_signing_and_auth_requirements(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["components"]["securitySchemes"] = {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-MBX-APIKEY"}}
        get = d["paths"]["/orders"]["get"]
        get["security"] = [{"ApiKey": []}]
        get["parameters"].append(_param("timestamp", "integer", True))

    report = _report(tmp_path, BASE, _changed(edit))
    assert f"- **Breaking:** {GET_ORDERS} is now SIGNED: it needs a secret or private key.\n" in report
    assert f"- **Breaking:** {GET_ORDERS} now needs `ApiKey`.\n" in report
    assert "timestamp" not in report  # filled in by the runtime: callers never pass it


@pytest.mark.parametrize(("version", "bump", "expected"), [
    ("1.2.3", Bump.MAJOR, "2.0.0"), ("1.2.3", Bump.MINOR, "1.3.0"), ("1.2.3", Bump.PATCH, "1.2.4"),
    ("0.1.0", Bump.MAJOR, "0.2.0"), ("0.1.0", Bump.MINOR, "0.1.1"), ("0.1.0", Bump.PATCH, "0.1.1"),
    ("2", Bump.MINOR, "2.1.0"), ("1.0.0rc1", Bump.MAJOR, None), ("1.2.3", Bump.NONE, None),
])
def test_next_version(version: str, bump: Bump, expected: str | None) -> None:
    assert diff.next_version(version, bump) == expected


def test_zero_x_versions_say_how_they_bump(tmp_path: Path) -> None:
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    old["info"]["version"] = new["info"]["version"] = "0.3.1"
    del new["paths"]["/orders"]["post"]
    assert ("**Major** change: 1 breaking change, marked **Breaking**. Next version: `0.4.0` (before 1.0, a "
            "breaking change moves the minor number and anything else the patch number).\n") in _report(
        tmp_path, old, new)


@pytest.mark.parametrize(("text", "span"), [
    ("/plain", "`/plain`"),
    ("/a`b", "``/a`b``"),
    ("`edge", "`` `edge ``"),
    ("two\nlines | <b>", "`two lines | <b>`"),
])
def test_code_spans_hold_any_text(text: str, span: str) -> None:
    assert diff.code(text) == span


def test_cli_diff_exit_codes(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(BASE), encoding="utf-8")
    new.write_text(json.dumps(_changed(lambda d: d["paths"]["/orders"].pop("post"))), encoding="utf-8")
    done = run_cli("diff", old, new)
    assert done.code == 0, done.stderr
    assert done.stdout.startswith(f"# API changes: `{old}` -> `{new}`\n")
    assert "- **Breaking:** `OrdersApi.create_order` (`POST /orders`) removed.\n" in done.stdout

    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: [unclosed\n", encoding="utf-8")
    spec_error = run_cli("diff", old, broken)
    assert spec_error.code == 1 and spec_error.stdout == ""
    assert f"{broken}: 1 error; nothing was compared." in spec_error.stderr
    assert "Traceback" not in spec_error.stderr

    missing = run_cli("diff", old, tmp_path / "nope.yaml")
    assert missing.code == 2 and "spec file not found" in missing.stderr
    assert run_cli("diff", old).code == 2  # argparse: NEW_SPEC is required


def test_invalid_specs_are_compared_with_lenient_with_warnings(tmp_path: Path) -> None:
    invalid = _changed(lambda d: d["paths"]["/orders"]["get"].update(summary=42))
    (tmp_path / "old.json").write_text(json.dumps(BASE), encoding="utf-8")
    (tmp_path / "new.json").write_text(json.dumps(invalid), encoding="utf-8")
    refused = run_cli("diff", tmp_path / "old.json", tmp_path / "new.json")
    assert refused.code == 1 and refused.stdout == ""
    assert ": error: 42 is not of type 'string'" in refused.stderr and "nothing was compared" in refused.stderr
    done = run_cli("diff", tmp_path / "old.json", tmp_path / "new.json", "--lenient")
    assert done.code == 0, done.stderr
    assert ": warning: 42 is not of type 'string'" in done.stderr


def test_spec_text_stays_inside_its_code_span(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:  # a new wire name (hostile) for the same Python name
        properties = d["components"]["schemas"]["Order"]["properties"]
        properties["price`|"] = properties.pop("price")

    report = _report(tmp_path, BASE, _changed(edit))
    assert "- Field `price` of `Order` maps the JSON key ``price`|`` (was `price`).\n" in report
    assert diff.code("x\n## Injected") == "`x ## Injected`"  # one line: no heading can start
