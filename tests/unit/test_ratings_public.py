"""The public exposure column and counts (曝光纠错, issue 14 acceptance 5): every
public response is scanned for names, ID numbers, phone numbers and account
(subject) ids; the rater's free text appears only once staff marked it
publishable, and even then with ID and phone numbers masked."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.platform.clock import frozen_at
from tests.support.api import call, invoke
from tests.unit.ratings_fixtures import (
    CITIZEN_A,
    CITIZEN_B,
    SUBJECT_IDS,
    XUANWU_CIVIL,
    case_event,
    feed_worker,
    ratings_cloud,
    ratings_outbox,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
NAMES = ("张伟", "李娜", "刘洋")
ID_NUMBER = re.compile(r"[1-9][0-9]{16}[0-9Xx]")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with ratings_cloud(), frozen_at(MONDAY):
        yield


def rectified(case_id: str, who: dict[str, str], text: str, measures: str, *, publish: bool) -> str:
    assert feed_worker([case_event(case_id=case_id, subject=who["sub"])]) == {"batchItemFailures": []}
    body = {"target_kind": "case", "target_id": case_id, "level": "dissatisfied", "reasons": ["materials"]}
    rated = call("POST", "/v1/ratings", who, body=body | {"text": text, "channel": "wechat"})
    order_id = str(rated.body["rectification_id"])
    call("POST", f"/v1/rectifications/{order_id}/visit", XUANWU_CIVIL, body={"note": "刘洋已回访张伟 13800000001"})
    answer = {
        "measures": measures,
        "answer": "已整改",
        "publishable": publish,
    }
    call("POST", f"/v1/rectifications/{order_id}/answer", XUANWU_CIVIL, body=answer)
    closed = call("POST", f"/v1/rectifications/{order_id}/confirmation", who, body={"confirmed": True})
    assert closed.body["state"] == "closed"
    return order_id


def leaks(text: str) -> list[str]:
    found = [name for name in NAMES if name in text]
    found += ID_NUMBER.findall(text) + PHONE.findall(text)
    return found + [subject for subject in SUBJECT_IDS if subject in text]


def test_no_public_response_identifies_a_person() -> None:
    # staff leave the first unmarked (names in both texts); they mark the second, whose texts
    # still carry phone numbers they overlooked
    hidden = rectified(
        "01JDQ9A0000000000000000P01",
        CITIZEN_A,
        "我是张伟，身份证 320102198803150213",
        "已由刘洋向张伟当面致歉",
        publish=False,
    )
    shown = rectified(
        "01JDQ9A0000000000000000P02",
        CITIZEN_B,
        "窗口让我补交三次，电话 13800000002",
        "材料清单统一，咨询电话 13900000001",
        publish=True,
    )
    counted = {"rating.given", "rating.changed", "rating.excluded"}
    assert feed_worker([e for e in ratings_outbox() if e["type"] in counted]) == {"batchItemFailures": []}

    first = call("GET", "/v1/exposure", query={"limit": "1"})
    second = call("GET", "/v1/exposure", query={"limit": "1", "cursor": first.body["next_cursor"]})
    sample = json.loads((ROOT / "events" / "ratings_api" / "exposure.json").read_text("utf-8"))
    replies = [
        first,
        second,
        invoke(sample),
        call("GET", "/v1/exposure/counts", query={"month": "2026-09"}),
        call("GET", "/v1/exposure/counts", query={"month": "2026-09", "region": "320102"}),
        call("GET", "/v1/exposure/counts", query={"month": "2026-13"}),
    ]
    assert [r.status for r in replies] == [200, 200, 200, 200, 200, 422]
    for reply in replies:
        text = json.dumps(reply.body, ensure_ascii=False)
        assert leaks(text) == [], text

    entries: dict[str, Any] = {e["order_id"]: e for e in invoke(sample).body["items"]}
    assert (entries[hidden]["rating_text"], entries[hidden]["measures"]) == (None, None)  # not marked publishable
    assert entries[shown]["rating_text"] == "窗口让我补交三次，电话 138****0002"
    assert "139****0001" in entries[shown]["measures"]  # staff text is masked as well
    (counts,) = replies[3].body["items"]
    assert (counts["levels"]["dissatisfied"], counts["rectified_on_time"], counts["satisfaction_rate"]) == (2, 2, 0.0)
