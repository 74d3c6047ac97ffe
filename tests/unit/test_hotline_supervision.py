"""A late ticket gets exactly one yellow and one red warning per limit across repeated
sweeps (acceptance point 3): the ticket's `limit.set` / `limit.cleared` facts travel
to the supervision context as the bus would deliver them, and supervision's own sweep
(the one clock, D-115/D-116) raises the warnings; the hotline sweeps nothing itself.
The sweep's calls not growing with the number of limits is supervision's test
(tests/unit/test_supervision_warnings.py, docs/performance.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.platform.clock import frozen_at
from shared.platform.limits import LIMIT_SET, LimitClearedData, LimitData
from shared.supervision.service import supervision_service
from tests.support.api import call
from tests.support.handlers import load_function
from tests.support.template_tables import create_table_arguments
from tests.unit.cases_fixtures import LongRunningContext
from tests.unit.hotline_fixtures import (
    CITIZEN,
    COMPLAINT,
    NANJING_SUPERVISOR,
    XUANWU_MARKET,
    hotline_cloud,
    hotline_outbox,
)
from tests.unit.supervision_fixtures import SUPERVISION_TABLE, forget_supervision_caches, supervision_outbox

MONDAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)


def at(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with hotline_cloud(), pytest.MonkeyPatch.context() as patch:
        boto3.client("dynamodb").create_table(**create_table_arguments("SupervisionTable", SUPERVISION_TABLE))
        patch.setenv("SUPERVISION_TABLE", SUPERVISION_TABLE)
        forget_supervision_caches()
        yield
        forget_supervision_caches()


def relay(ticket_id: str) -> None:
    """The ticket's limit facts, as the relay, the bus and LimitsWatcherQueue deliver them."""
    watcher = supervision_service().watcher
    for envelope in hotline_outbox(subject=ticket_id):
        if envelope["type"] == LIMIT_SET:
            watcher.set(LimitData.model_validate(envelope["data"]))
        elif envelope["type"] == "limit.cleared":
            watcher.clear(LimitClearedData.model_validate(envelope["data"]))


def sweep() -> dict[str, Any]:
    result: dict[str, Any] = load_function("supervision_sweep").handler({}, LongRunningContext())
    return result


def warnings_of(ticket_id: str) -> list[tuple[str, str]]:
    return sorted(
        (e["data"]["name"], e["data"]["level"]) for e in supervision_outbox("supervision.warning_raised", ticket_id)
    )


def test_a_late_ticket_gets_one_yellow_and_one_red_per_limit_across_repeated_sweeps() -> None:
    with frozen_at(MONDAY):
        opened = call("POST", "/v1/hotline/tickets", CITIZEN, body=COMPLAINT)
    assert opened.status == 201, opened.body
    ticket_id = opened.body["ticket_id"]
    relay(ticket_id)
    with frozen_at(at(18)):  # sign (due 17th) overdue; answer (due 23rd) 3 working days left
        sweep()
        sweep()
    assert warnings_of(ticket_id) == [("answer", "yellow"), ("sign", "red"), ("sign", "yellow")]
    with frozen_at(at(24)):  # the answer limit overdue too
        sweep()
        sweep()
    assert warnings_of(ticket_id) == [("answer", "red"), ("answer", "yellow"), ("sign", "red"), ("sign", "yellow")]
    listed = call("GET", "/v1/supervision/warnings", NANJING_SUPERVISOR, query={"subject_kind": "ticket"})
    assert listed.status == 200, listed.body
    assert {w["label"] for w in listed.body["items"]} == {opened.body["number"]}

    # signing and answering clear the limits: a later sweep raises nothing more
    with frozen_at(at(25)):
        assert call("POST", f"/v1/hotline/tickets/{ticket_id}/sign", XUANWU_MARKET).status == 200
        assert (
            call("POST", f"/v1/hotline/tickets/{ticket_id}/answer", XUANWU_MARKET, body={"text": "已处理"}).status
            == 200
        )
        relay(ticket_id)
        sweep()
    assert len(warnings_of(ticket_id)) == 4
