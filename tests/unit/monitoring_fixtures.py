"""Live monitoring test set-up: moto with the Supervision and Catalog tables (the
calendar), the monitoring worker fed as MonitoringQueue would, and the generator of
a realistic month of cases across regions and departments (`infra.local.generated_month`,
which also feeds such a month to the local cloud).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.generated_month import (  # noqa: F401 - the generator, as the tests import it
    CALENDAR,
    TODAY,
    GeneratedCase,
    generate,
)
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.supervision import monitoring_service
from shared.workdays import repository as workdays_repository
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import create_table_arguments

SUPERVISION_TABLE = "supervision-monitoring-test"
CATALOG_TABLE = "catalog-monitoring-test"
DLQ_NAME = "monitoring-dlq-test"


def forget_caches() -> None:
    reset_settings()
    aws.reset_clients()
    workdays_repository.clear_cache()
    monitoring_service.monitoring.cache_clear()


@contextmanager
def monitoring_cloud() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        supervision = create_table_arguments("SupervisionTable", SUPERVISION_TABLE)
        # without the stream (it feeds the outbox relay; monitoring writes no events): moto copies a
        # table's whole stream on every transaction, which would make the month quadratic in time
        supervision.pop("StreamSpecification", None)
        dynamodb.create_table(**supervision)
        dynamodb.create_table(**create_table_arguments("CatalogTable", CATALOG_TABLE))
        dlq = boto3.client("sqs").create_queue(QueueName=DLQ_NAME)["QueueUrl"]
        for name, value in {
            "SUPERVISION_TABLE": SUPERVISION_TABLE,
            "CATALOG_TABLE": CATALOG_TABLE,
            "DLQ_URL": dlq,
            "MAX_RECEIVES": "3",
            "EVENT_BUS_NAME": "jszw-domain-test",
            "IDEMPOTENCY_TABLE": "unused",
        }.items():
            patch.setenv(name, value)
        forget_caches()
        try:
            yield
        finally:
            forget_caches()


def deliver(envelopes: list[dict[str, Any]], batch: int = 10) -> None:
    """Feed the monitoring worker as its queue would, in batches; every record must be
    applied (none failed, none parked in the DLQ)."""
    handler = load_function("monitoring_worker").handler
    for start in range(0, len(envelopes), batch):
        answer = handler(sqs_event(envelopes[start : start + batch], queue="MonitoringQueue"), FakeContext())
        assert answer == {"batchItemFailures": []}, answer
    sqs = boto3.client("sqs")
    parked = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName=DLQ_NAME)["QueueUrl"], MaxNumberOfMessages=10)
    assert not parked.get("Messages"), [m["MessageAttributes"] for m in parked["Messages"]]
