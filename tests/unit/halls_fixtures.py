"""Shared set-up for the halls tests: moto with the Halls table (the catalogue's, for
the working-day calendar; the notifications table, for the reminders), the demo
halls, and the principals the routes see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.seed.halls import demo_halls
from shared.halls import service as halls_service_module
from shared.halls.repository import HallsRepository
from shared.notifications import service as notifications_service
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events
from shared.workdays import repository as workdays_repository
from tests.support.apigw import as_role
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments

HALLS_TABLE = "halls-test"
CATALOG_TABLE = "catalog-test"
NOTIFICATIONS_TABLE = "notifications-test"
CENTER = "320102-center"  # 玄武区政务服务中心: capacity 20, windows A01/A02 general, B01 business
TOWNSHIP = "320102-xiaolingwei"

SUBJECT_A = "01JDQ90F3W7C8M2T6R4K9N5XA1"
SUBJECT_B = "01JDQ90F3W7C8M2T6R4K9N5XB2"
CITIZEN_A = as_role("citizen", sub=SUBJECT_A)
CITIZEN_B = as_role("citizen", sub=SUBJECT_B)
CENTER_CLERK = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XD4", department_id="320102-civil", region_code="320102")
SUZHOU_CLERK = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XE5", department_id="320500-civil", region_code="320500")
OPERATOR = as_role("operator", sub="01JDQ90F3W7C8M2T6R4K9N5XF6")


def forget_cached() -> None:
    reset_settings()
    aws.reset_clients()
    workdays_repository.clear_cache()
    halls_service_module.halls_service.cache_clear()
    notifications_service.inbox_service.cache_clear()


@contextmanager
def halls_cloud() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        for logical_id, name in (
            ("HallsTable", HALLS_TABLE),
            ("CatalogTable", CATALOG_TABLE),
            ("NotificationsTable", NOTIFICATIONS_TABLE),
        ):
            dynamodb.create_table(**create_table_arguments(logical_id, name))
        for variable, value in {
            "HALLS_TABLE": HALLS_TABLE,
            "CATALOG_TABLE": CATALOG_TABLE,
            "NOTIFICATIONS_TABLE": NOTIFICATIONS_TABLE,
        }.items():
            patch.setenv(variable, value)
        forget_cached()
        repository = HallsRepository()
        for hall in demo_halls():
            repository.save_hall(hall)
        try:
            yield
        finally:
            forget_cached()


def halls_outbox(event_type: str | None = None) -> list[dict[str, Any]]:
    """Envelopes in the Halls table's outbox (what the relay would put on the bus)."""
    found = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=HALLS_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            for envelope in outbox_events(from_item(raw)):
                if event_type is None or envelope["type"] == event_type:
                    found.append(envelope)
    return sorted(found, key=lambda e: e["time"])
