"""The monitoring worker's handlers: every case event moves its case's track and the
counters (D-125); other facts that scorecards count come in as sources, by event
type (`shared.supervision.monitoring_sources`), each subject through its own track (D-128).

A new source (ratings, rectifications, supervision orders) plugs in by adding its
event type here with what it adds to a department's month, its counters in
`shared.supervision.scorecards`, and its type in the template's Monitoring rule.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

import shared.cases.events as case_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.supervision import monitoring as m
from shared.supervision.monitoring_service import monitoring
from shared.supervision.monitoring_sources import sources

monitoring_dispatcher: Dispatcher[None] = Dispatcher("monitoring_worker")

WITH_CLOCK = (case_events.ACCEPTED, case_events.SUSPENDED, case_events.RESUMED, case_events.EXTENDED)
# case events that carry nothing beyond the facts every case event has (state, version, …)
FACTS_ONLY = tuple(
    kind
    for kind in case_events.MOVES
    if kind not in {case_events.SUBMITTED, case_events.SUPPLEMENT_REQUIRED, *WITH_CLOCK}
)


def case_event(envelope: Envelope, data: case_events.CaseFacts, **extra: object) -> m.CaseEvent:
    return m.CaseEvent(
        event_type=envelope.type,
        time=envelope.time,
        case_id=data.case_id,
        version=data.version,
        state=data.state,
        region_code=data.region_code,
        department_id=data.department_id,
        item_code=data.item_code,
        item_name=data.item_name,
        intake_channel=data.intake_channel,
        delivery_method=data.delivery_method,
        **extra,  # type: ignore[arg-type]
    )


@monitoring_dispatcher.on(*FACTS_ONLY, data=case_events.CaseFacts)
def on_case_fact(data: case_events.CaseFacts, envelope: Envelope) -> None:
    monitoring().apply_case_event(case_event(envelope, data))


@monitoring_dispatcher.on(case_events.SUBMITTED, data=case_events.SubmittedData)
def on_submitted(data: case_events.SubmittedData, envelope: Envelope) -> None:
    monitoring().apply_case_event(case_event(envelope, data, round=data.round, received_at=data.received_at))


@monitoring_dispatcher.on(case_events.SUPPLEMENT_REQUIRED, data=case_events.SupplementRequiredData)
def on_supplement_required(data: case_events.SupplementRequiredData, envelope: Envelope) -> None:
    monitoring().apply_case_event(case_event(envelope, data, notice_id=data.notice_id))


@monitoring_dispatcher.on(*WITH_CLOCK, data=case_events.ClockData)
def on_clock(data: case_events.ClockData, envelope: Envelope) -> None:
    deadlines = data.deadlines.model_dump(mode="json")
    monitoring().apply_case_event(case_event(envelope, data, deadlines=deadlines))


# warnings, orders, ratings and rectifications (shared.supervision.monitoring_sources)
monitoring_dispatcher.include(sources)


def apply_batch(records: list[SQSRecord]) -> None:
    """A queue batch at once (D-208): every record's event merged into its track, then
    one read of the tracks, a write per track and one ADD per counter row (`Monitoring.batch`). Any failure
    raises, and the consumer applies the records one by one."""
    handle = monitoring_dispatcher.record_handler()
    with monitoring().batch():
        for record in records:
            handle(record)
