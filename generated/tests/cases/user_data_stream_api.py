"""The test cases of UserDataStreamApi."""

from __future__ import annotations

from ._types import OperationCase

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
        credentials={"header:X-MBX-APIKEY": "test-api-key"},
        signed=False,
        deprecated=True,
        status=200,
        response_body={
            "listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1",
        },
        errors=[
            [400, {"code": -1125, "msg": "This listenKey does not exist."}, "APIError"],
            [
                500,
                {
                    "code": -1001,
                    "msg": "Internal error; unable to process your request. Please try again.",
                },
                "APIError",
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
        credentials={"header:X-MBX-APIKEY": "test-api-key"},
        signed=False,
        deprecated=True,
        status=200,
        response_body={},
        errors=[
            [400, {"code": -1125, "msg": "This listenKey does not exist."}, "APIError"],
            [
                500,
                {
                    "code": -1001,
                    "msg": "Internal error; unable to process your request. Please try again.",
                },
                "APIError",
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
        credentials={"header:X-MBX-APIKEY": "test-api-key"},
        signed=False,
        deprecated=True,
        status=200,
        response_body={},
        errors=[
            [400, {"code": -1125, "msg": "This listenKey does not exist."}, "APIError"],
            [
                500,
                {
                    "code": -1001,
                    "msg": "Internal error; unable to process your request. Please try again.",
                },
                "APIError",
            ],
        ],
    ),
]
