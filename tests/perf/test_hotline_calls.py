"""AWS calls of the 12345 hotline per operation, counted exactly through botocore's hooks
against moto. Run with `make bench PYTEST_ARGS=-k hotline`; the table printed goes into
docs/performance.md ("12345 hotline")."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared.platform import aws
from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.unit.hotline_fixtures import CITIZEN, COMPLAINT, XUANWU_DESK, XUANWU_MARKET, hotline_cloud

MONDAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with hotline_cloud(), frozen_at(MONDAY):
        yield


def _count(action: Callable[[], Any]) -> Counter[str]:
    with aws.count_calls() as calls:
        reply = action()
    assert reply.status in (200, 201), reply.body
    return Counter(calls)


@pytest.mark.perf
def test_calls_per_ticket_operation(cloud: None) -> None:
    def complaint(n: int) -> dict[str, Any]:
        return COMPLAINT | {"location": COMPLAINT["location"] | {"address": f"计数路 {n} 号"}}

    warm = call("POST", "/v1/hotline/tickets", CITIZEN, body=complaint(0))  # caches: calendar, sealer
    assert warm.status == 201
    rows: list[tuple[str, Counter[str]]] = []
    opened: dict[str, Any] = {}

    def open_one() -> Any:
        reply = call("POST", "/v1/hotline/tickets", CITIZEN, body=complaint(1))
        opened.update(reply.body)
        return reply

    rows.append(("open a ticket (routed)", _count(open_one)))
    tid = opened["ticket_id"]
    rows.append(
        (
            "open the same matter again (linked)",
            _count(lambda: call("POST", "/v1/hotline/tickets", CITIZEN, body=complaint(1))),
        )
    )
    rows.append(("sign", _count(lambda: call("POST", f"/v1/hotline/tickets/{tid}/sign", XUANWU_MARKET, body={}))))
    rows.append(
        (
            "answer",
            _count(lambda: call("POST", f"/v1/hotline/tickets/{tid}/answer", XUANWU_MARKET, body={"text": "已处理"})),
        )
    )
    rows.append(
        (
            "rate dissatisfied (reopen)",
            _count(lambda: call("POST", f"/v1/hotline/tickets/{tid}/rating", CITIZEN, body={"rating": "dissatisfied"})),
        )
    )
    rows.append(
        (
            "answer again",
            _count(lambda: call("POST", f"/v1/hotline/tickets/{tid}/answer", XUANWU_MARKET, body={"text": "再处理"})),
        )
    )
    rows.append(
        (
            "rate satisfied (close)",
            _count(lambda: call("POST", f"/v1/hotline/tickets/{tid}/rating", CITIZEN, body={"rating": "satisfied"})),
        )
    )
    other = call("POST", "/v1/hotline/tickets", CITIZEN, body=complaint(2)).body["ticket_id"]
    rows.append(
        (
            "return to the desk",
            _count(
                lambda: call("POST", f"/v1/hotline/tickets/{other}/return", XUANWU_MARKET, body={"reason": "非本部门"})
            ),
        )
    )
    body = {"department_id": "320102-police", "reason": "改派"}
    rows.append(
        (
            "re-dispatch (desk)",
            _count(lambda: call("POST", f"/v1/hotline/tickets/{other}/redispatch", XUANWU_DESK, body=body)),
        )
    )
    rows.append(("read a ticket (staff)", _count(lambda: call("GET", f"/v1/hotline/tickets/{tid}", XUANWU_MARKET))))
    rows.append(("timeline", _count(lambda: call("GET", f"/v1/hotline/tickets/{tid}/timeline", CITIZEN))))
    print("\n| operation | AWS calls |\n|---|---|")
    for name, calls in rows:
        print(f"| {name} | " + ", ".join(f"{k.split('.')[-1]} {v}" for k, v in sorted(calls.items())) + " |")
