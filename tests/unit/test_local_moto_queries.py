"""moto's Query reading one partition (infra/local/motoserver.py `partition_queries`,
applied to every test process and to the local cloud's moto) answers what
DynamoDB answers: the partition's items in key order, both directions, paged,
on the table and on an index, while scans keep their full listing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.motoserver import partition_queries

TABLE = "queries-test"


@pytest.fixture
def client() -> Iterator[Any]:
    partition_queries()  # idempotent; tests/conftest.py has applied it already
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi1pk", "gsi1sk")
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "gsi1",
                    "KeySchema": [
                        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        for p in range(30):
            for s in range(20):
                item = {"pk": {"S": f"p{p:02d}"}, "sk": {"S": f"s{19 - s:02d}"}}
                if s % 2 == 0:  # half of them in the index, keyed across partitions
                    item |= {"gsi1pk": {"S": f"g{p % 3}"}, "gsi1sk": {"S": f"t{s:02d}"}}
                dynamodb.put_item(TableName=TABLE, Item=item)
        yield dynamodb


def _keys(items: list[dict[str, Any]], *names: str) -> list[tuple[str, ...]]:
    return [tuple(item[name]["S"] for name in names) for item in items]


def test_a_table_query_returns_its_partition_in_key_order_both_ways_and_paged(client: Any) -> None:
    key = {":p": {"S": "p07"}}
    forward = client.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues=key)["Items"]
    assert _keys(forward, "pk", "sk") == [("p07", f"s{s:02d}") for s in range(20)]
    backward = client.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues=key, ScanIndexForward=False
    )["Items"]
    assert backward == forward[::-1]
    pages: list[dict[str, Any]] = []
    arguments: dict[str, Any] = {"Limit": 7}
    while True:
        page = client.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p AND sk > :s",
            ExpressionAttributeValues={**key, ":s": {"S": "s04"}},
            **arguments,
        )
        pages += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert _keys(pages, "sk") == [(f"s{s:02d}",) for s in range(5, 20)]
    missing = client.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "nobody"}}
    )
    assert missing["Items"] == []


def test_an_index_query_returns_every_partitions_matches_in_index_order(client: Any) -> None:
    items = client.query(
        TableName=TABLE,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :g AND gsi1sk < :t",
        ExpressionAttributeValues={":g": {"S": "g1"}, ":t": {"S": "t04"}},
    )["Items"]
    # partitions p01, p04, … p28 (10 of them), index keys t00 and t02 each, ordered by index then table key
    expected = sorted((f"t{s:02d}", f"p{p:02d}") for p in range(1, 30, 3) for s in (0, 2))
    assert _keys(items, "gsi1sk", "pk") == expected


def test_a_scan_still_lists_the_whole_table(client: Any) -> None:
    seen = [item for page in client.get_paginator("scan").paginate(TableName=TABLE, Limit=50) for item in page["Items"]]
    assert len(seen) == 600
    assert len({(i["pk"]["S"], i["sk"]["S"]) for i in seen}) == 600
