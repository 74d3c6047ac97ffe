"""The project cases rule filters on content (D-307): projects_worker hears every case event
it handles of a project approval case (the item code ends in the configured basic code), and
never another case's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from infra.template import sam_template
from shared.projects.config import ProjectsSettings
from shared.projects.consumers import CASE_EVENTS

APPROVAL_ITEM = "1132011501011507104" + ProjectsSettings.model_fields["project_approval_basic_code"].default
OTHER_ITEM = "11320115MB1234567X4320117010000"  # 开办餐饮店联合审批: joint too, not a project's


def _rule() -> EventPattern:
    pattern = sam_template()["Resources"]["ProjectCasesRule"]["Properties"]["EventPattern"]
    return EventPattern(json.dumps(pattern), pattern)


def _bus_event(event_type: str, item_code: str) -> Any:  # moto's EventMessageType, a TypedDict
    envelope = {
        "id": "01JDMX7Q4CTZNA0000000000AA",
        "type": event_type,
        "source": "cases",
        "data": {"item_code": item_code},
    }
    return {"source": "jszw.cases", "detail-type": event_type, "detail": envelope}


@pytest.mark.parametrize("event_type", sorted(CASE_EVENTS))
def test_a_project_approval_cases_events_reach_the_worker_and_other_cases_do_not(event_type: str) -> None:
    rule = _rule()
    assert rule.matches_event(_bus_event(event_type, APPROVAL_ITEM))
    assert not rule.matches_event(_bus_event(event_type, OTHER_ITEM))


def test_events_the_worker_does_not_handle_are_not_routed() -> None:
    rule = _rule()
    assert not rule.matches_event(_bus_event("case.fee_due", APPROVAL_ITEM))
    assert not rule.matches_event(_bus_event("case.pre_review_passed", APPROVAL_ITEM))
