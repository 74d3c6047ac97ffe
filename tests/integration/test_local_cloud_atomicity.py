"""DynamoDB's guarantee that one conditional write wins holds in the local cloud too."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from infra.local import LocalCloud

pytestmark = pytest.mark.integration


def test_concurrent_conditional_writes_on_one_item_have_exactly_one_winner(local_cloud: LocalCloud) -> None:
    table = local_cloud.ref("CatalogTable")
    clients = [local_cloud.client("dynamodb") for _ in range(12)]

    def claim(index: int) -> str:
        try:
            clients[index].put_item(
                TableName=table,
                Item={"pk": {"S": "TEST#atomicity"}, "sk": {"S": "CLAIM"}, "winner": {"N": str(index)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
            return "won"
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(claim, range(12)))
    assert outcomes.count("won") == 1
    assert set(outcomes) == {"won", "ConditionalCheckFailedException"}
