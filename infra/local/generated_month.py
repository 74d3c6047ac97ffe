"""A generated month of cases across regions and departments, as the cases context would
report them in events, with each case's final record to recount from (issue 15's monitoring
tests, issue 16's reports).

`python -m infra.local.generated_month --cases 3000 --month 2026-11` feeds such a month to the
running local cloud's monitoring and analytics queues (10 messages a call, the bus-message shape
their rules deliver), so the monthly report (`make fire FN=ReportPublisherFunction`) has
thousands of cases to count (docs/performance.md). The departments are made-up ids in real
regions (320000 … 320505 and a township), so their rows stand apart from the seeded ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from shared.platform.events import Envelope
from shared.workdays.rules import Calendar

CALENDAR = Calendar()  # the packaged holiday arrangement (no operator-loaded years)
UTC = dt.UTC

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


def generate(
    count: int, seed: int = 2026, *, until: dt.date = TODAY, start: dt.date = MONTH_START, prefix: str = "C"
) -> list[GeneratedCase]:
    """`count` cases received from `start` to before `until`, each walked through a realistic
    life: supplement notices (a few twice), acceptance with promised and legal limits,
    review, suspension and resumption, decisions on time or late, completion, withdrawal."""
    rng = random.Random(seed)
    regions = list(DEPARTMENTS)
    cases = []
    for number in range(count):
        region = rng.choice(regions)
        department = rng.choice(list(DEPARTMENTS[region]))
        case = GeneratedCase(
            case_id=f"{prefix}{number:05d}",
            region_code=region,
            department_id=department,
            item_code=rng.choice(DEPARTMENTS[region][department]),
            intake_channel="hall" if rng.random() < 0.2 else "online",
            delivery_method=rng.choice(["courier", "electronic", "electronic", "pickup"]),
            received_on=start + dt.timedelta(days=rng.randrange((until - start).days)),
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


# --- feeding the local cloud --------------------------------------------------------------------

QUEUES = ("MonitoringQueue", "AnalyticsQueue")
"""The queues whose consumers count case events (the rest of the platform never hears these cases)."""


def bus_message(envelope: dict[str, Any]) -> str:
    """What an EventBridge rule puts on its target queue for one of our envelopes."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": envelope["type"],
            "source": "jszw." + envelope["source"],
            "account": "123456789012",
            "time": envelope["time"],
            "region": "cn-north-1",
            "resources": [],
            "detail": envelope,
        },
        ensure_ascii=False,
    )


def feed(sqs: Any, urls: list[str], envelopes: list[dict[str, Any]]) -> int:
    """Send every envelope to every queue, 10 a call; the number of calls."""
    calls = 0
    for url in urls:
        for first in range(0, len(envelopes), 10):
            entries = [
                {"Id": str(n), "MessageBody": bus_message(envelope)}
                for n, envelope in enumerate(envelopes[first : first + 10])
            ]
            answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
            if answer.get("Failed"):
                raise RuntimeError(f"not queued: {answer['Failed'][:1]}")
            calls += 1
    return calls


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(f"{month}-01")
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Feed a generated month of cases to the local cloud's counters.")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--month", required=True, help="YYYY-MM (a past month: the monthly report's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--api-url", default=None, help="the local cloud's API (default: JSZW_API_URL or :3000)")
    args = parser.parse_args(argv)
    import boto3

    from shared.platform.local_endpoints import api_url

    with urllib.request.urlopen(f"{api_url(url=args.api_url)}/_local/status", timeout=30) as answer:  # noqa: S310
        status = json.loads(answer.read())
    urls = [queue["url"] for queue in status["queues"] if queue["id"] in QUEUES]
    sqs = boto3.client(
        "sqs",
        endpoint_url=status["aws"],
        region_name="cn-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    start, following = month_bounds(args.month)
    cases = generate(args.cases, args.seed, start=start, until=following, prefix=f"G{args.month.replace('-', '')}-")
    envelopes = [event for case in cases for event in case.events]
    began = time.perf_counter()
    calls = feed(sqs, urls, envelopes)
    print(
        f"{len(cases)} cases, {len(envelopes)} events to {len(urls)} queues in {calls} calls "
        f"({time.perf_counter() - began:.1f} s); received by region: "
        + json.dumps({r: sum(1 for c in cases if c.region_code == r) for r in DEPARTMENTS}),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
