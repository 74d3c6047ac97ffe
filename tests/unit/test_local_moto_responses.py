"""moto's DynamoDB answers written without its generic serializer walk (infra/local/motoserver.py
`faster_responses`, applied to every test process and to the local cloud's moto) are the answers
moto's own serializer gives, for every kind of attribute value and every operation that returns
items; the 400 KB item limit still holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import serialize

from infra.local.motoserver import faster_responses

TABLE = "responses-test"

EVERY_KIND = {
    "pk": {"S": "p1"},
    "sk": {"S": "s1"},
    "text": {"S": "江苏政务 — ünïcode"},
    "empty": {"S": ""},
    "number": {"N": "-12.50"},
    "binary": {"B": b"\x00\xffbytes"},
    "strings": {"SS": ["b", "a"]},
    "numbers": {"NS": ["1", "2.5"]},
    "binaries": {"BS": [b"\x01", b"\x02"]},
    "nothing": {"NULL": True},
    "yes": {"BOOL": True},
    "no": {"BOOL": False},
    "empty_map": {"M": {}},
    "empty_list": {"L": []},
    "nested": {
        "M": {
            "a.b": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"B": b"z"}, "flag": {"BOOL": False}}}]},
            "set": {"SS": ["only"]},
            "null": {"NULL": True},
        }
    },
}


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    faster_responses()  # idempotent; tests/conftest.py has applied it already
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
        yield client


def _answers(client: Any) -> list[dict[str, Any]]:
    """Every item-returning operation once, on a fresh item (so both runs see the same state)."""
    key = {"pk": {"S": "p1"}, "sk": {"S": "s1"}}
    answers = [
        client.put_item(TableName=TABLE, Item=EVERY_KIND, ReturnValues="ALL_OLD"),
        client.put_item(TableName=TABLE, Item=EVERY_KIND, ReturnValues="ALL_OLD"),
        client.get_item(TableName=TABLE, Key=key),
        client.get_item(TableName=TABLE, Key=key, ProjectionExpression="nested, binaries, yes"),
        client.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p1"}}),
        client.scan(TableName=TABLE),
        client.batch_get_item(RequestItems={TABLE: {"Keys": [key]}}),
        client.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key}}]),
        client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET #n = :n, more = :m REMOVE #e",
            ExpressionAttributeNames={"#n": "number", "#e": "empty"},
            ExpressionAttributeValues={":n": {"N": "7"}, ":m": {"L": [{"NULL": True}, {"BS": [b"\x03"]}]}},
            ReturnValues="ALL_NEW",
        ),
        client.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD"),
        client.get_item(TableName=TABLE, Key=key),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata", None)
    return answers


def test_items_come_back_exactly_as_motos_own_serializer_writes_them(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    faster = _answers(dynamodb)
    patched = serialize.BaseJSONSerializer._serialize_type_structure
    monkeypatch.setattr(serialize.BaseJSONSerializer, "_serialize_type_structure", patched.moto_own)  # type: ignore[attr-defined]
    own = _answers(dynamodb)
    assert faster == own
    assert faster[2]["Item"]["binary"] == {"B": b"\x00\xffbytes"}
    assert faster[2]["Item"]["nested"]["M"]["a.b"]["L"][2]["M"]["flag"] == {"BOOL": False}


def test_the_item_size_limit_still_holds(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "p"}, "sk": {"S": "ok"}, "blob": {"S": "x" * 300_000}})
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(
            TableName=TABLE,
            Item={"pk": {"S": "p"}, "sk": {"S": "big"}, "a": {"S": "x" * 300_000}, "b": {"S": "y" * 110_000}},
        )
    assert "Item size has exceeded the maximum allowed size" in str(refused.value)
