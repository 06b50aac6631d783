"""Every model with an example: the data its round-trip test starts from."""

from __future__ import annotations

from ._types import ModelCase

MODEL_CASES: list[ModelCase] = [
    ModelCase(
        model="APIError",
        example={"code": -1125, "msg": "This listenKey does not exist."},
    ),
    ModelCase(
        model="SpotCreateUserDataStreamV3Resp",
        example={"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"},
    ),
    ModelCase(
        model="BalanceUpdate",
        example={
            "e": "balanceUpdate",
            "E": 1499827319559,
            "a": "BTC",
            "d": "100.00000000",
            "T": 1499827319559,
        },
    ),
    ModelCase(
        model="EventStreamTerminated",
        example={"e": "eventStreamTerminated", "E": 1499827319559},
    ),
    ModelCase(
        model="ExecutionReport",
        example={
            "e": "executionReport",
            "E": 1499827319559,
            "s": "ETHBTC",
            "c": "example",
            "S": "BUY",
            "o": "LIMIT",
            "f": "GTC",
            "q": "1.00000000",
            "p": "0.10264410",
            "P": "example",
            "F": "example",
            "g": 1499827319559,
            "C": "example",
            "x": "NEW",
            "X": "NEW",
            "r": "NONE",
            "i": 1499827319559,
            "l": "example",
            "z": "example",
            "L": "example",
            "n": "example",
            "N": "example",
            "T": 1499827319559,
            "t": 1499827319559,
            "w": True,
            "m": True,
            "O": 1499827319559,
            "Z": "example",
            "Y": "example",
            "Q": "example",
            "W": 1499827319559,
            "V": "example",
        },
    ),
    ModelCase(
        model="ExternalLockUpdate",
        example={
            "e": "externalLockUpdate",
            "E": 1499827319559,
            "a": "NEO",
            "d": "10.00000000",
            "T": 1499827319559,
        },
    ),
    ModelCase(
        model="ListStatus",
        example={
            "e": "listStatus",
            "E": 1499827319559,
            "s": "ETHBTC",
            "g": 1499827319559,
            "c": "OCO",
            "l": "EXEC_STARTED",
            "L": "EXECUTING",
            "r": "NONE",
            "C": "example",
            "T": 1499827319559,
            "O": [{"s": "example", "i": 1499827319559, "c": "example"}],
        },
    ),
    ModelCase(
        model="ListStatusOModelItem",
        example={"s": "example", "i": 1499827319559, "c": "example"},
    ),
    ModelCase(
        model="OutboundAccountPosition",
        example={
            "e": "outboundAccountPosition",
            "E": 1499827319559,
            "u": 1499827319559,
            "B": [{"a": "ETH", "f": "10000.000000", "l": "0.000000"}],
        },
    ),
    ModelCase(
        model="OutboundAccountPositionBItem",
        example={"a": "ETH", "f": "10000.000000", "l": "0.000000"},
    ),
    ModelCase(
        model="SessionStatus",
        example={
            "apiKey": "example",
            "authorizedSince": 1499827319559,
            "connectedSince": 1499827319559,
            "returnRateLimits": True,
            "serverTime": 1499827319559,
            "userDataStream": True,
        },
    ),
]
