"""Shared set-up for the catalogue's tests: an in-process moto cloud whose
CatalogTable is built from template.yaml, demo data, and the catalog_api
handler fed with the sample events in events/catalog_api/.

Plain context managers and helpers (not fixtures), so each test module
declares the fixtures it needs with the scope it wants.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.seed import load_catalog, load_catalog_demo
from infra.seed.items import new_item_bodies
from infra.template import ROOT
from shared.catalog.service import CatalogService
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item
from shared.platform.dynamo import outbox_events as stored_events
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments

CATALOG_TABLE = "catalog-test"
IDEMPOTENCY_TABLE = "idempotency-test"
OPEN_DATA_BUCKET = "open-data-test"
EVENTS = ROOT / "events"

ENVIRONMENT = {
    "CATALOG_TABLE": CATALOG_TABLE,
    "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
    "OPEN_DATA_BUCKET": OPEN_DATA_BUCKET,
    "EVENT_BUS_NAME": "jszw-domain-test",
}


@contextmanager
def catalog_cloud() -> Iterator[None]:
    """moto with the catalogue's table, the idempotency table and the open-data bucket.

    Sets the functions' environment for the block and resets cached settings
    and clients on the way in and out.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENVIRONMENT.items():
            patch.setenv(name, value)
        reset_settings()
        aws.reset_clients()
        with mock_aws():
            client = boto3.client("dynamodb")
            client.create_table(**create_table_arguments("CatalogTable", CATALOG_TABLE))
            client.create_table(**create_table_arguments("IdempotencyTable", IDEMPOTENCY_TABLE))
            boto3.client("s3").create_bucket(
                Bucket=OPEN_DATA_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
            )
            try:
                yield
            finally:
                reset_settings()
                aws.reset_clients()


def load_demo_data() -> dict[str, int]:
    return load_catalog_demo(dict(ENVIRONMENT))


# --- the function under test and its events ------------------------------------------------


@cache
def _sample(relative: str) -> dict[str, Any]:
    return json.loads((EVENTS / relative).read_text(encoding="utf-8"))


def sample_event(relative: str) -> dict[str, Any]:
    """A fresh copy of a sample event (tests may change it)."""
    return copy.deepcopy(_sample(relative))


def request(
    sample: str,
    *,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    drop_headers: tuple[str, ...] = (),
    authorizer: dict[str, Any] | None = None,
    anonymous: bool = False,
) -> dict[str, Any]:
    """A sample event from events/catalog_api/ with the parts a test changes.

    `authorizer` replaces the principal the (operator) samples carry in
    `requestContext.authorizer`; `anonymous` removes it.
    """
    event = sample_event(f"catalog_api/{sample}")
    if path_params:
        event["pathParameters"] = {**(event.get("pathParameters") or {}), **path_params}
        path = event["resource"]
        for name, value in event["pathParameters"].items():
            path = path.replace("{" + name + "}", value)
        event["path"] = path
        event["requestContext"]["path"] = f"/prod{path}"
    if query is not None:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    if body is not None:
        event["body"] = json.dumps(body, ensure_ascii=False)
    if raw_body is not None:
        event["body"] = raw_body
    for name in drop_headers:
        event["headers"].pop(name, None)
        event["multiValueHeaders"].pop(name, None)
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    if anonymous:
        event["requestContext"].pop("authorizer", None)
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    return event


# --- demo data -----------------------------------------------------------------------------


def demo_bodies(*, regions: set[str] | None = None, basic_codes: set[str] | None = None) -> list[dict[str, Any]]:
    """`POST /v1/items` bodies of the demo items, optionally only some divisions or basic items."""
    return [
        body
        for body in new_item_bodies()
        if (regions is None or body["region_code"] in regions)
        and (basic_codes is None or body["basic_code"] in basic_codes)
    ]


def demo_body(implementation_code: str) -> dict[str, Any]:
    return copy.deepcopy(next(b for b in demo_bodies() if b["implementation_code"] == implementation_code))


def load_demo(item_bodies: list[dict[str, Any]]) -> dict[str, int]:
    """Divisions, departments and the given items, published through the service."""
    return load_catalog(CatalogService(), item_bodies)


def outbox_events(event_type: str | None = None) -> list[dict[str, Any]]:
    """The envelopes waiting in the catalogue table's outbox (what the relay would send)."""
    client = boto3.client("dynamodb")
    events: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=CATALOG_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "outbox":
                for envelope in stored_events(item):
                    if event_type is None or envelope["type"] == event_type:
                        events.append(envelope)
    return sorted(events, key=lambda envelope: envelope["id"])


def table_snapshot() -> list[dict[str, Any]]:
    """Every record of the catalogue table (tests compare before and after a refused write)."""
    client = boto3.client("dynamodb")
    return sorted(
        (item for page in client.get_paginator("scan").paginate(TableName=CATALOG_TABLE) for item in page["Items"]),
        key=lambda item: (item["pk"]["S"], item["sk"]["S"]),
    )
