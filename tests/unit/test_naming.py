"""The naming rules, pinned by tables."""

from __future__ import annotations

import keyword

import pytest

from generator.model.naming import Namer, class_name, field_name, module_name, parameter_name, snake

SNAKE = [
    ("connectionID", "connection_id"),
    ("S3Config", "s3_config"),
    ("for", "for_"),
    ("1st", "field_1st"),
    ("listenKey", "listen_key"),
    ("SpotCreateUserDataStreamV3", "spot_create_user_data_stream_v3"),
    ("APIError", "api_error"),
    ("X-MBX-APIKEY", "x_mbx_apikey"),
    ("symbols[]", "symbols"),
    ("newClientOrderId", "new_client_order_id"),
    ("recvWindow", "recv_window"),
    ("user data stream", "user_data_stream"),
    ("HTTPServer2Go", "http_server2_go"),
    ("é", "u00e9"),
    ("$$$", "empty"),
    ("match", "match_"),
]


@pytest.mark.parametrize(("spec_name", "expected"), SNAKE)
def test_snake(spec_name: str, expected: str) -> None:
    assert snake(spec_name) == expected


CLASSES = [
    ("APIError", "APIError"),
    ("SpotCreateUserDataStreamV3Resp", "SpotCreateUserDataStreamV3Resp"),
    ("order list", "OrderList"),
    ("UserDataStream", "UserDataStreamModel"),
    ("order-list", "OrderList"),
    ("ApiClient", "ApiClientModel"),
    ("Configuration", "ConfigurationModel"),
    ("2fa", "Model2fa"),
    ("class", "Class"),
]


@pytest.mark.parametrize(("spec_name", "expected"), CLASSES)
def test_class_name(spec_name: str, expected: str) -> None:
    assert class_name(spec_name) == expected


@pytest.mark.parametrize(("spec_name", "expected"), [
    ("self", "self_"), ("str", "str_"), ("type", "type"), ("from", "from_"), ("listenKey", "listen_key"),
])
def test_parameter_names_never_shadow_what_the_method_uses(spec_name: str, expected: str) -> None:
    assert parameter_name(spec_name) == expected


@pytest.mark.parametrize(("spec_name", "expected"), [
    ("schema", "schema_"), ("model_config", "model_config_"), ("to_dict", "to_dict_"), ("json", "json_"),
    ("int", "int_"), ("code", "code"),
])
def test_field_names_never_shadow_base_model(spec_name: str, expected: str) -> None:
    assert field_name(spec_name) == expected


@pytest.mark.parametrize("name", [*keyword.kwlist, "1", "-", "名前", "a b c", "__init__", "😀"])
def test_every_result_is_a_valid_non_keyword_identifier(name: str) -> None:
    for result in (snake(name), class_name(name), parameter_name(name), field_name(name), module_name(name)):
        assert result.isidentifier() and result.isascii(), result
        assert not keyword.iskeyword(result), result


def test_namer_resolves_collisions_case_insensitively_in_claim_order() -> None:
    namer = Namer(taken=["ApiClient"])
    assert [namer.claim(n) for n in ["Foo", "foo", "FOO", "ApiClient", "Foo2"]] == [
        "Foo", "foo2", "FOO3", "ApiClient2", "Foo22"
    ]
    separated = Namer(separator="_")
    assert [separated.claim(n) for n in ["get", "get", "get"]] == ["get", "get_2", "get_3"]
