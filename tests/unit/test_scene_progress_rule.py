"""The scene progress rule filters on content (D-279): the consumer is invoked only for
the events of cases a scene application opened, for every event that reports the
case's state, and never for another case's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from infra.template import sam_template
from shared.scenes.consumers import FOLLOWED


def _rule() -> EventPattern:
    pattern = sam_template()["Resources"]["SceneProgressRule"]["Properties"]["EventPattern"]
    return EventPattern(json.dumps(pattern), pattern)


def _bus_event(event_type: str, **data: Any) -> Any:  # moto's EventMessageType, a TypedDict
    envelope = {"id": "01JDMX7Q4CTZNA0000000000AA", "type": event_type, "source": "cases", "data": data}
    return {"source": "jszw.cases", "detail-type": event_type, "detail": envelope}


@pytest.mark.parametrize("event_type", FOLLOWED)
def test_a_scene_cases_events_reach_the_progress_view_and_other_cases_do_not(event_type: str) -> None:
    rule = _rule()
    assert rule.matches_event(_bus_event(event_type, case_id="C1", scene_application_id="01JDQ9A0000000000000000S01"))
    assert not rule.matches_event(_bus_event(event_type, case_id="C2", scene_application_id=None))
    assert not rule.matches_event(_bus_event(event_type, case_id="C3"))


def test_the_rule_names_exactly_the_case_moves() -> None:
    pattern = sam_template()["Resources"]["SceneProgressRule"]["Properties"]["EventPattern"]
    assert sorted(pattern["detail-type"]) == sorted(FOLLOWED)
    scene = "01JDQ9A0000000000000000S01"
    assert not _rule().matches_event(_bus_event("case.material_reused", case_id="C1", scene_application_id=scene))
