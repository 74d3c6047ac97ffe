"""Shared set-up for the 12345 hotline tests: the identity cloud (one-time codes for
anonymous reports go through identity_api as for anyone), plus the Hotline table,
the Catalog table with the demo divisions and departments (routing rules name real
departments; the calendar counts the limits), the attachments bucket, and the demo
routing table, desks and FAQ of infra/seed/hotline.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.hotline import load_hotline
from shared.catalog.service import CatalogService
from shared.hotline import service as hotline_service_module
from shared.hotline.repository import HotlineRepository
from shared.platform import sealing
from shared.platform.dynamo import from_item, outbox_events
from shared.workdays import repository as workdays_repository
from tests.support.apigw import as_role
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments
from tests.unit.identity_fixtures import forget_cached as forget_identity
from tests.unit.identity_fixtures import identity_cloud, request_code

HOTLINE_TABLE = "hotline-test"
CATALOG_TABLE = "catalog-test"
ATTACHMENTS = "hotline-attachments-test"

CITIZEN = as_role("citizen", sub="01JDQ90F3W7C8M2T6R4K9N5HC1")
OTHER_CITIZEN = as_role("citizen", sub="01JDQ90F3W7C8M2T6R4K9N5HC2")
XUANWU_MARKET = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5HS1", department_id="320102-market", region_code="320102")
XUANWU_POLICE = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5HS2", department_id="320102-police", region_code="320102")
JIANGNING_MARKET = as_role(
    "staff", sub="01JDQ90F3W7C8M2T6R4K9N5HS3", department_id="320115-market", region_code="320115"
)
XUANWU_DESK = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5HS4", department_id="320102-hotline", region_code="320102")
NANJING_SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5HV1", region_code="320100")
SUZHOU_SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5HV2", region_code="320500")
AGENT_12345 = as_role("hotline_agent", sub="01JDQ90F3W7C8M2T6R4K9N5HA1", region_code="320100")
OPERATOR = as_role("operator", sub="01JDQ90F3W7C8M2T6R4K9N5HO1", region_code="320000")

COMPLAINT: dict[str, Any] = {
    "type": "complaint",
    "category_code": "0101",
    "text": "在玄武区某超市购买的牛奶已过保质期，商家拒绝退换。",
    "location": {"region_code": "320102", "address": "南京市玄武区中山路 18 号", "lat": 32.0450, "lon": 118.7890},
    "channel": "web",
}


def forget_hotline() -> None:
    forget_identity()
    workdays_repository.clear_cache()
    sealing.sealer.cache_clear()
    hotline_service_module.hotline_service.cache_clear()


@contextmanager
def hotline_cloud() -> Iterator[None]:
    with identity_cloud(), pytest.MonkeyPatch.context() as patch:
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_arguments("HotlineTable", HOTLINE_TABLE))
        dynamodb.create_table(**create_table_arguments("CatalogTable", CATALOG_TABLE))
        boto3.client("s3").create_bucket(
            Bucket=ATTACHMENTS, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        patch.setenv("HOTLINE_TABLE", HOTLINE_TABLE)
        patch.setenv("CATALOG_TABLE", CATALOG_TABLE)
        patch.setenv("HOTLINE_ATTACHMENTS_BUCKET", ATTACHMENTS)
        forget_hotline()
        load_catalog(CatalogService(), [])
        load_hotline(HotlineRepository())
        try:
            yield
        finally:
            forget_hotline()


def contact_code(phone: str) -> str:
    """A one-time code for `phone`, purpose `contact`, through identity_api (the SMS outbox)."""
    return request_code(phone, purpose="contact")


def hotline_outbox(event_type: str | None = None, subject: str | None = None) -> list[dict[str, Any]]:
    """Envelopes in the Hotline table's outbox (what the relay would put on the bus), oldest first."""
    found = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=HOTLINE_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "outbox":
                for envelope in outbox_events(item):
                    if (event_type is None or envelope["type"] == event_type) and subject in (
                        None,
                        envelope["subject"],
                    ):
                        found.append(envelope)
    return sorted(found, key=lambda e: (e["time"], e["id"]))


def table_items() -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    return sorted(
        (item for page in client.get_paginator("scan").paginate(TableName=HOTLINE_TABLE) for item in page["Items"]),
        key=lambda item: (item["pk"]["S"], item["sk"]["S"]),
    )
