"""Create moto tables exactly as template.yaml declares them (keys, indexes, stream)."""

from __future__ import annotations

import base64
import copy
import json
import zlib
from functools import cache
from typing import Any

from infra.template import sam_template


@cache
def _resources() -> dict[str, Any]:
    # one copy per test process, never changed (callers get deep copies of a table's properties):
    # a fresh sam_template() per table cost ~9 ms, and fixtures create tables for thousands of tests
    resources: dict[str, Any] = sam_template()["Resources"]
    return resources


def create_table_arguments(logical_id: str, name: str) -> dict[str, Any]:
    """CreateTable arguments for the template's table `logical_id`, named `name`."""
    props = copy.deepcopy(_resources()[logical_id]["Properties"])
    arguments: dict[str, Any] = {
        "TableName": name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    if "GlobalSecondaryIndexes" in props:
        arguments["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if "StreamSpecification" in props:
        arguments["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return arguments


# Scan arguments for a table's outbox items only: moto serialises every item a scan
# returns (slowly), and the outbox is what the tests read.
OUTBOX_ITEMS: dict[str, Any] = {
    "FilterExpression": "#kind = :outbox",
    "ExpressionAttributeNames": {"#kind": "kind"},
    "ExpressionAttributeValues": {":outbox": {"S": "outbox"}},
}


def stored_text(table: str) -> str:
    """Every item of `table` as JSON text, packed attributes unpacked (outbox events, D-319; case bodies,
    D-320): what a check that a raw value is stored nowhere must search."""
    import boto3
    from boto3.dynamodb.types import Binary

    from shared.platform.dynamo import from_item, unpacked

    def readable(value: Any) -> Any:
        if not isinstance(value, Binary):
            return value
        try:
            return unpacked(value)
        except (zlib.error, ValueError):  # binary that is not packed JSON: searched as base64
            return base64.b64encode(bytes(value)).decode()  # type: ignore[call-overload]

    items = [from_item(raw) for raw in boto3.client("dynamodb").scan(TableName=table)["Items"]]
    return json.dumps([{k: readable(v) for k, v in item.items()} for item in items], ensure_ascii=False, default=str)
