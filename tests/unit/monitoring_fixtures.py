"""Live monitoring test set-up: moto with the Supervision and Catalog tables (the
calendar), the monitoring worker fed as MonitoringQueue would, and a generator of
a realistic month of cases across regions and departments, as the cases context
would report them in events, with each case's final record to recount from.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.events import Envelope
from shared.supervision import monitoring_service
from shared.workdays import repository as workdays_repository
from shared.workdays.rules import Calendar
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import create_table_arguments

SUPERVISION_TABLE = "supervision-monitoring-test"
CATALOG_TABLE = "catalog-monitoring-test"
DLQ_NAME = "monitoring-dlq-test"
CALENDAR = Calendar()  # the packaged holiday arrangement (no operator-loaded years in these tests)
UTC = dt.UTC


def forget_caches() -> None:
    reset_settings()
    aws.reset_clients()
    workdays_repository.clear_cache()
    monitoring_service.monitoring.cache_clear()


@contextmanager
def monitoring_cloud() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        supervision = create_table_arguments("SupervisionTable", SUPERVISION_TABLE)
        # without the stream (it feeds the outbox relay; monitoring writes no events): moto copies a
        # table's whole stream on every transaction, which would make the month quadratic in time
        supervision.pop("StreamSpecification", None)
        dynamodb.create_table(**supervision)
        dynamodb.create_table(**create_table_arguments("CatalogTable", CATALOG_TABLE))
        dlq = boto3.client("sqs").create_queue(QueueName=DLQ_NAME)["QueueUrl"]
        for name, value in {
            "SUPERVISION_TABLE": SUPERVISION_TABLE,
            "CATALOG_TABLE": CATALOG_TABLE,
            "DLQ_URL": dlq,
            "MAX_RECEIVES": "3",
            "EVENT_BUS_NAME": "jszw-domain-test",
            "IDEMPOTENCY_TABLE": "unused",
        }.items():
            patch.setenv(name, value)
        forget_caches()
        try:
            yield
        finally:
            forget_caches()


def deliver(envelopes: list[dict[str, Any]], batch: int = 10) -> None:
    """Feed the monitoring worker as its queue would, in batches; every record must be
    applied (none failed, none parked in the DLQ)."""
    handler = load_function("monitoring_worker").handler
    for start in range(0, len(envelopes), batch):
        answer = handler(sqs_event(envelopes[start : start + batch], queue="MonitoringQueue"), FakeContext())
        assert answer == {"batchItemFailures": []}, answer
    sqs = boto3.client("sqs")
    parked = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName=DLQ_NAME)["QueueUrl"], MaxNumberOfMessages=10)
    assert not parked.get("Messages"), [m["MessageAttributes"] for m in parked["Messages"]]


# --- the generator ---------------------------------------------------------------------------

# region → its departments (id → items); a province, two cities, districts and a township
DEPARTMENTS: dict[str, dict[str, list[str]]] = {
    "320000": {"js-market": ["js-licence"], "js-tax": ["js-tax-reg"]},
    "320100": {"nj-police": ["nj-record", "nj-residence"], "nj-civil": ["nj-charity"]},
    "320102": {"xw-civil": ["xw-dibao", "xw-marriage"], "xw-market": ["xw-food"], "xw-housing": ["xw-rent"]},
    "320115": {"jn-market": ["jn-food", "jn-shop"], "jn-police": ["jn-id"]},
    "320115001": {"ds-centre": ["ds-elderly"]},
    "320500": {"sz-civil": ["sz-dibao"]},
    "320505": {"hq-market": ["hq-food"], "hq-civil": ["hq-dibao"]},
}
MONTH_START = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 27)


@dataclass
class GeneratedCase:
    """What the generator decided for one case: its record at the end, to recount from."""

    case_id: str
    region_code: str
    department_id: str
    item_code: str
    intake_channel: str
    delivery_method: str
    received_on: dt.date
    state: str = "submitted"
    notices: list[dt.date] = field(default_factory=list)
    started_on: dt.date | None = None
    promised_due_on: dt.date | None = None
    legal_due_on: dt.date | None = None
    suspended_working_days: int = 0
    decided_on: dt.date | None = None
    completed_on: dt.date | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def emit(self, event_type: str, on: dt.date, **data: Any) -> None:
        facts = {
            "case_id": self.case_id,
            "case_number": f"N-{self.case_id}",
            "version": len(self.events) + 1,
            "state": self.state,
            "item_code": self.item_code,
            "item_name": f"事项 {self.item_code}",
            "department_id": self.department_id,
            "region_code": self.region_code,
            "notify_subject_id": "subject",
            "intake_channel": self.intake_channel,
            "delivery_method": self.delivery_method,
        }
        moment = dt.datetime.combine(on, dt.time(1, 30), tzinfo=UTC)  # 09:30 in Shanghai
        envelope = Envelope(type=event_type, source="cases", subject=self.case_id, time=moment, data=facts | data)
        self.events.append(envelope.model_dump(mode="json"))

    def deadlines(self) -> dict[str, Any]:
        assert self.started_on
        assert self.promised_due_on
        assert self.legal_due_on
        return {
            "started_on": self.started_on.isoformat(),
            "promised_days": 0,
            "promised_due_on": self.promised_due_on.isoformat(),
            "legal_days": 20,
            "legal_due_on": self.legal_due_on.isoformat(),
            "provisional": False,
            "deemed": False,
            "suspended_working_days": self.suspended_working_days,
        }


def working_day_after(day: dt.date, days: int) -> dt.date:
    return CALENDAR.add_working_days(day, days).date if days else day


def generate(count: int, seed: int = 2026, *, until: dt.date = TODAY) -> list[GeneratedCase]:
    """`count` cases received over the month so far, each walked through a realistic
    life: supplement notices (a few twice), acceptance with promised and legal limits,
    review, suspension and resumption, decisions on time or late, completion, withdrawal."""
    rng = random.Random(seed)
    regions = list(DEPARTMENTS)
    cases = []
    for number in range(count):
        region = rng.choice(regions)
        department = rng.choice(list(DEPARTMENTS[region]))
        case = GeneratedCase(
            case_id=f"C{number:05d}",
            region_code=region,
            department_id=department,
            item_code=rng.choice(DEPARTMENTS[region][department]),
            intake_channel="hall" if rng.random() < 0.2 else "online",
            delivery_method=rng.choice(["courier", "electronic", "electronic", "pickup"]),
            received_on=MONTH_START + dt.timedelta(days=rng.randrange((until - MONTH_START).days)),
        )
        _walk(case, rng, until)
        cases.append(case)
    return cases


def _walk(case: GeneratedCase, rng: random.Random, until: dt.date) -> None:
    day = case.received_on
    received_at = dt.datetime.combine(day, dt.time(1, 0), tzinfo=UTC).isoformat()
    case.emit("case.submitted", day, round=1, received_at=received_at, intake_due_on=None)
    for round_number in (2, 3):
        if rng.random() > (0.25 if round_number == 2 else 0.3) or day >= until:
            break
        case.state = "supplement_required"
        case.notices.append(day)
        case.emit(
            "case.supplement_required", day, notice_id=f"{case.case_id}-n{round_number}", issued_by="system", items=[]
        )
        day = min(day + dt.timedelta(days=rng.randint(0, 2)), until)
        case.state = "submitted"
        case.emit("case.submitted", day, round=round_number, received_at=received_at, intake_due_on=None)
    if rng.random() < 0.06:
        case.state = "withdrawn"
        case.emit("case.withdrawn", day, reason="撤回")
        return
    if rng.random() < 0.1 or day >= until:
        return  # waiting for acceptance
    day = min(working_day_after(day, rng.randint(0, 1)), until)
    case.state = "accepted"
    case.started_on = day
    case.promised_due_on = working_day_after(day, rng.choice([3, 5, 10]))
    case.legal_due_on = working_day_after(day, 20)
    case.emit("case.accepted", day, deadlines=case.deadlines(), automatic=False)
    if rng.random() < 0.8:
        case.state = "in_review"
        case.emit("case.review_started", day)
    if rng.random() < 0.12:
        suspended_on = min(working_day_after(day, rng.randint(1, 3)), until)
        case.state = "suspended"
        case.emit("case.suspended", suspended_on, deadlines=case.deadlines())
        if rng.random() < 0.5:
            return  # still suspended
        resumed_on = min(working_day_after(suspended_on, rng.randint(1, 3)), until)
        spent = CALENDAR.working_days_between(suspended_on, resumed_on).working_days
        case.suspended_working_days += spent
        case.promised_due_on = working_day_after(case.promised_due_on, spent)
        case.legal_due_on = working_day_after(case.legal_due_on, spent)
        case.state = "in_review"
        case.emit("case.resumed", resumed_on, deadlines=case.deadlines())
        day = resumed_on
    if rng.random() < 0.3:
        return  # still in review
    decided_on = max(working_day_after(case.started_on, rng.randint(1, 14) + case.suspended_working_days), day)
    if decided_on > until:
        return
    case.state = rng.choice(["approved", "approved", "approved", "denied"])
    case.decided_on = decided_on
    case.emit(
        "case.decided",
        decided_on,
        decision_id="d",
        document_number="n",
        outcome=case.state,
        reason="r",
        document_key="k",
        document_sha256="s",
    )
    if rng.random() < 0.7:
        completed_on = min(working_day_after(decided_on, rng.randint(0, 2)), until)
        case.state = "completed"
        case.completed_on = completed_on
        case.emit("case.completed", completed_on)
