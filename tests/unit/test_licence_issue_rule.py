"""The licence issuer's bus rule filters on content (D-197): it receives every
`case.licence_due`, and a case's submission, decision, withdrawal or refusal only
when the case renews a licence — the issuer is not invoked (nor its queue billed)
for the events of the other cases, which it used to acknowledge unread."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from infra.template import sam_template

RENEWAL_ENDS = ["case.submitted", "case.decided", "case.withdrawn", "case.refused_at_intake"]


def _rule() -> EventPattern:
    pattern = sam_template()["Resources"]["LicenceIssueRule"]["Properties"]["EventPattern"]
    return EventPattern(json.dumps(pattern), pattern)


def _bus_event(event_type: str, **data: Any) -> Any:  # moto's EventMessageType, a TypedDict
    envelope = {"id": "01JDMX7Q4CTZNA0000000000AA", "type": event_type, "source": "cases", "data": data}
    return {"source": "jszw.cases", "detail-type": event_type, "detail": envelope}


@pytest.mark.parametrize("event_type", RENEWAL_ENDS)
def test_a_renewal_cases_events_reach_the_issuer_and_other_cases_do_not(event_type: str) -> None:
    rule = _rule()
    assert rule.matches_event(_bus_event(event_type, case_id="C1", renews_licence_id="01JDMX7Q4CLICENCE000000001"))
    assert not rule.matches_event(_bus_event(event_type, case_id="C2", renews_licence_id=None))
    assert not rule.matches_event(_bus_event(event_type, case_id="C3"))


def test_every_licence_due_reaches_the_issuer_and_nothing_else_does() -> None:
    rule = _rule()
    assert rule.matches_event(_bus_event("case.licence_due", case_id="C1", renews_licence_id=None))
    assert rule.matches_event(_bus_event("case.licence_due", case_id="C1"))
    assert not rule.matches_event(
        _bus_event("case.accepted", case_id="C1", renews_licence_id="01JDMX7Q4CLICENCE000000001")
    )
    other_context = _bus_event("case.licence_due", case_id="C1") | {"source": "jszw.payments"}
    assert not rule.matches_event(other_context)
