"""The monitoring functions' sample events (events/monitoring_worker, events/monitoring_api)
work as they are: a decision and a 12345 answer counted by the worker are read back by the
city's supervisor."""

from __future__ import annotations

import datetime as dt
import json

from infra.template import ROOT
from shared.platform.clock import frozen_at
from tests.support.api import reply_of
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.monitoring_fixtures import monitoring_cloud


def test_the_samples_a_decision_counted_then_read_by_the_city() -> None:
    events = ROOT / "events"
    decided = json.loads((events / "monitoring_worker" / "sqs-case-decided.json").read_text(encoding="utf-8"))
    answered = json.loads((events / "monitoring_worker" / "sqs-ticket-answered.json").read_text(encoding="utf-8"))
    view_sample = json.loads((events / "monitoring_api" / "monitoring-view.json").read_text(encoding="utf-8"))
    with monitoring_cloud():
        assert load_function("monitoring_worker").handler(decided, FakeContext()) == {"batchItemFailures": []}
        assert load_function("monitoring_worker").handler(answered, FakeContext()) == {"batchItemFailures": []}
        with frozen_at(dt.datetime(2026, 11, 13, 4, tzinfo=dt.UTC)):
            answer = reply_of(load_function("monitoring_api").handler(view_sample, FakeContext()))
    assert answer.status == 200
    (xuanwu,) = answer.body["sub_regions"]
    assert xuanwu["region_code"] == "320102"
    assert xuanwu["figures"]["today"]["decided"] == 1
    assert xuanwu["figures"]["by_state"] == {"approved": 1}
    # no acceptance seen for this case: no clock, so it counts as decided but not as on time
    assert xuanwu["figures"]["month"]["on_time_legal"] == 0
    # the ticket taken in Monday 11-02 and answered Thursday 11-05 by a Xuanwu department (D-283)
    month = xuanwu["figures"]["month"]
    assert (month["tickets_received"], month["tickets_answered"], month["average_ticket_answer_working_days"]) == (
        1,
        1,
        3.0,
    )
