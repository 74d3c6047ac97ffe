"""outbox_relay with the real stream event shape (events/outbox_relay) against
moto's EventBridge: the event reaches the queue a rule routes it to."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.platform import aws
from shared.platform.config import reset_settings
from tests.support.apigw import FakeContext

SAMPLE = Path(__file__).resolve().parents[2] / "events" / "outbox_relay" / "stream-catalog-outbox-insert.json"


@pytest.fixture
def bus_with_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("EVENT_BUS_NAME", "jszw-domain-test")
    reset_settings()
    aws.reset_clients()
    with mock_aws():
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="open-data")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        bus = boto3.client("events")
        bus.create_event_bus(Name="jszw-domain-test")
        bus.put_rule(
            Name="catalog-changed",
            EventBusName="jszw-domain-test",
            EventPattern=json.dumps({"source": ["jszw.catalog"], "detail-type": ["catalog.item_published"]}),
        )
        bus.put_targets(Rule="catalog-changed", EventBusName="jszw-domain-test", Targets=[{"Id": "q", "Arn": arn}])
        yield url
    aws.reset_clients()
    reset_settings()


def test_outbox_insert_reaches_the_routed_queue_as_our_envelope(bus_with_queue: str) -> None:
    # Given the stream record of an outbox INSERT
    event: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    handler = importlib.import_module("functions.outbox_relay.app").handler
    # When the relay handles it
    with aws.count_calls() as calls:
        result = handler(event, FakeContext())
    # Then nothing failed, one PutEvents call was made, and the queue got the envelope
    assert result == {"batchItemFailures": []}
    assert dict(calls) == {"events.PutEvents": 1}
    messages = boto3.client("sqs").receive_message(QueueUrl=bus_with_queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["detail-type"] == "catalog.item_published"
    assert body["detail"]["id"] == "01KAXQ7R5T2N3V4W5X6Y7Z8A9B"
    assert body["detail"]["data"]["region_code"] == "320000"
