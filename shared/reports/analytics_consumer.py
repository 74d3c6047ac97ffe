"""The analytics worker's handlers (D-267): every case event joins its case's timeline, and
what the case adds to the stay histograms and the load history moves with it.

A queue batch goes at once (`analytics_apply_batch`): one read of its cases' timelines and one
transaction per case; if anything fails, the consumer applies the records one by one
(each idempotent, so what the attempt wrote is not written twice).
"""

from __future__ import annotations

import datetime as dt

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

import shared.cases.events as case_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope, parse_bus_message
from shared.reports.analytics import CaseEvent
from shared.reports.analytics_service import analytics

analytics_dispatcher: Dispatcher[CaseEvent] = Dispatcher("analytics_worker")

# every case event that moves a case but the submission (its data carries the channel as well)
STATE_EVENTS = tuple(kind for kind in case_events.MOVES if kind != case_events.SUBMITTED)


def _event(envelope: Envelope, data: case_events.CaseFacts, received_at: dt.datetime | None = None) -> CaseEvent:
    return CaseEvent(
        case_id=data.case_id,
        version=data.version,
        state=data.state,
        time=envelope.time,
        region_code=data.region_code,
        department_id=data.department_id,
        item_code=data.item_code,
        item_name=data.item_name,
        received_at=received_at,
    )


@analytics_dispatcher.on(*STATE_EVENTS, data=case_events.CaseFacts)
def on_case_event(data: case_events.CaseFacts, envelope: Envelope) -> CaseEvent:
    return _event(envelope, data)


@analytics_dispatcher.on(case_events.SUBMITTED, data=case_events.SubmittedData)
def on_submitted(data: case_events.SubmittedData, envelope: Envelope) -> CaseEvent:
    return _event(envelope, data, data.received_at if data.round == 1 else None)


def analytics_apply_record(record: SQSRecord) -> None:
    analytics().apply([analytics_dispatcher.dispatch(parse_bus_message(record.body))])


def analytics_apply_batch(records: list[SQSRecord]) -> None:
    analytics().apply([analytics_dispatcher.dispatch(parse_bus_message(record.body)) for record in records])
