"""The test table: how to call each operation, what the server must receive, what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OperationCase:
    api: str  # API class name
    method: str  # method name on it
    args: dict[str, Any]  # every parameter, with its example value
    required_args: list[str]  # the ones a call cannot leave out
    optional_wire_names: list[str]  # must not be sent when left out
    http_method: str
    path: str  # as the server must see it
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    cookies: dict[str, list[str]]
    json_body: Any  # the parsed JSON body the server must receive, or None
    api_key_header: str | None
    signed: bool
    deprecated: bool
    status: int
    response_body: Any  # what the server answers; None: an empty body
    errors: list[list[Any]]  # [status, body] of each documented error response


@dataclass(frozen=True)
class ModelCase:
    model: str
    example: dict[str, Any]


CASES: list[OperationCase] = [
    OperationCase(
        api="UserDataStreamApi",
        method="spot_create_user_data_stream_v3",
        args={},
        required_args=[],
        optional_wire_names=[],
        http_method="POST",
        path="/api/v3/userDataStream",
        query={},
        form={},
        headers={},
        cookies={},
        json_body=None,
        api_key_header="X-MBX-APIKEY",
        signed=False,
        deprecated=True,
        status=200,
        response_body={
            "listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1",
        },
        errors=[
            [400, {"code": -1125, "msg": "This listenKey does not exist."}],
            [
                500,
                {
                    "code": -1001,
                    "msg": "Internal error; unable to process your request. Please try again.",
                },
            ],
        ],
    ),
    OperationCase(
        api="UserDataStreamApi",
        method="spot_delete_user_data_stream_v3",
        args={"listen_key": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"},
        required_args=["listen_key"],
        optional_wire_names=[],
        http_method="DELETE",
        path="/api/v3/userDataStream",
        query={"listenKey": ["pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"]},
        form={},
        headers={},
        cookies={},
        json_body=None,
        api_key_header="X-MBX-APIKEY",
        signed=False,
        deprecated=True,
        status=200,
        response_body={},
        errors=[
            [400, {"code": -1125, "msg": "This listenKey does not exist."}],
            [
                500,
                {
                    "code": -1001,
                    "msg": "Internal error; unable to process your request. Please try again.",
                },
            ],
        ],
    ),
    OperationCase(
        api="UserDataStreamApi",
        method="spot_update_user_data_stream_v3",
        args={"listen_key": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"},
        required_args=["listen_key"],
        optional_wire_names=[],
        http_method="PUT",
        path="/api/v3/userDataStream",
        query={},
        form={"listenKey": ["pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"]},
        headers={},
        cookies={},
        json_body=None,
        api_key_header="X-MBX-APIKEY",
        signed=False,
        deprecated=True,
        status=200,
        response_body={},
        errors=[
            [400, {"code": -1125, "msg": "This listenKey does not exist."}],
            [
                500,
                {
                    "code": -1001,
                    "msg": "Internal error; unable to process your request. Please try again.",
                },
            ],
        ],
    ),
]

MODEL_CASES: list[ModelCase] = [
    ModelCase(
        model="APIError",
        example={"code": -1125, "msg": "This listenKey does not exist."},
    ),
    ModelCase(
        model="SpotCreateUserDataStreamV3Resp",
        example={"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"},
    ),
]
