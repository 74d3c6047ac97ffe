"""Shared set-up for the supervision tests: the cases cloud (tests/unit/cases_fixtures.py)
plus the Supervision table from template.yaml, and helpers that feed the limits
watcher the way LimitsWatcherQueue would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from shared.platform.dynamo import from_item, outbox_events
from shared.platform.events import Envelope
from shared.platform.limits import (
    LIMIT_CLEARED,
    LIMIT_SET,
    LIMITS_CHANGED,
    LimitClearedData,
    LimitData,
    LimitsChangedData,
    limit_key,
    limit_set,
)
from shared.supervision import service, watcher
from shared.supervision.service import supervision_service
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.support.template_tables import OUTBOX_ITEMS
from tests.unit.cases_fixtures import cases_cloud, forget_cached, outbox, sqs_event, table_arguments

SUPERVISION_TABLE = "supervision-test"


def forget_supervision_caches() -> None:
    forget_cached()
    watcher.limits_watcher.cache_clear()
    service.supervision_service.cache_clear()


@contextmanager
def supervision_cloud() -> Iterator[None]:
    """The cases cloud and the Supervision table."""
    with cases_cloud(), pytest.MonkeyPatch.context() as patch:
        boto3.client("dynamodb").create_table(**table_arguments("SupervisionTable", SUPERVISION_TABLE))
        patch.setenv("SUPERVISION_TABLE", SUPERVISION_TABLE)
        forget_supervision_caches()
        try:
            yield
        finally:
            forget_supervision_caches()


def watch(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    """Deliver envelopes to limits_watcher as one SQS batch (its partial-failure answer back)."""
    result: dict[str, Any] = load_function("limits_watcher").handler(
        sqs_event(envelopes, queue="LimitsWatcherQueue"), FakeContext()
    )
    return result


def a_limit(subject_id: str = "T-1", *, version: int = 1, **changes: Any) -> LimitData:
    """A ticket-like limit of 10 working days from Monday 2026-09-21."""
    fields: dict[str, Any] = {
        "limit_id": limit_key("hotline", "ticket", subject_id, "answer"),
        "context": "hotline",
        "subject_kind": "ticket",
        "subject_id": subject_id,
        "name": "answer",
        "version": version,
        "label": f"12345-{subject_id}",
        "region_code": "320102",
        "department_id": "320102-civil",
        "started_on": dt.date(2026, 9, 21),
        "due_on": dt.date(2026, 10, 12),
        "limit_days": 10,
    }
    return LimitData.model_validate(fields | changes)


def set_event(data: LimitData) -> dict[str, Any]:
    return limit_set(data, correlation_id=None).model_dump(mode="json")


def relay_limits(case_id: str | None = None) -> int:
    """Hand the cases outbox's `limit.*` / `limits.changed` events (of one case, or all) to
    the limits watcher, as the relay, the bus and LimitsWatcherQueue would; any order does."""
    envelopes = [
        Envelope.model_validate(e)
        for e in outbox()
        if e["type"] in (LIMIT_SET, LIMIT_CLEARED, LIMITS_CHANGED) and e["subject"].startswith(case_id or "")
    ]
    watcher = supervision_service().watcher
    for envelope in envelopes:
        if envelope.type == LIMIT_SET:
            watcher.set(LimitData.model_validate(envelope.data))
        elif envelope.type == LIMIT_CLEARED:
            watcher.clear(LimitClearedData.model_validate(envelope.data))
        else:
            changed = LimitsChangedData.model_validate(envelope.data)
            for cleared in changed.limits_cleared:
                watcher.clear(cleared)
            for limit in changed.limits_set:
                watcher.set(limit)
    return len(envelopes)


def supervision_outbox(event_type: str, subject: str | None = None) -> list[dict[str, Any]]:
    """Envelopes of one type in the Supervision table's outbox (of one subject when given)."""
    found: list[dict[str, Any]] = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=SUPERVISION_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            for envelope in outbox_events(from_item(raw)):
                if envelope["type"] == event_type and subject in (None, envelope["subject"]):
                    found.append(envelope)
    return found
