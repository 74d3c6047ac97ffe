"""A generated month of cases and 12345 tickets across regions and departments, as the cases
and hotline contexts would report them in events, with each one's final record to recount from
(issue 15's monitoring tests, issue 16's reports).

`python -m infra.local.generated_month --cases 3000 --tickets 1000 --month 2026-11 --report`
loads such a month into the running local cloud's counters and analytics store, then fires the
monthly report's schedule and checks what it published (D-284, docs/performance.md). The events
go to the consumers that count them — the functions behind the Monitoring and Analytics rules,
which `deliveries` reads from the template — as SQS batches of the shape those rules' queues
deliver (`load`), invoked directly in batches of a hundred through the local cloud's
`/_local/functions/<id>/invoke`: the consumers' own code path, without 1,700 queue round trips
of ten. The departments are made-up ids in real regions (320000 … 320505 and a township), so
their rows stand apart from the seeded ones and their figures can be recounted exactly.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
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


@dataclass
class GeneratedTicket:
    """A 12345 ticket as the generator walked it: its record at the end, to recount from."""

    ticket_id: str
    region_code: str
    department_id: str | None
    opened_on: dt.date
    version: int = 1
    state: str = "dispatched"
    answered_on: dt.date | None = None
    closed_on: dt.date | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def emit(self, event_type: str, on: dt.date) -> None:
        facts = {
            "ticket_id": self.ticket_id,
            "number": f"12345-{self.ticket_id}",
            "version": self.version,
            "opened_at": dt.datetime.combine(self.opened_on, dt.time(1, 0), tzinfo=UTC).isoformat(),
            "type": "consultation",
            "channel": "phone",
            "category_code": "01",
            "title": "咨询：政务服务",
            "region_code": self.region_code,
            "state": self.state,
            "department_id": self.department_id,
            "department_region_code": self.region_code if self.department_id else None,
            "answered_by": "department" if self.answered_on else None,
        }
        moment = dt.datetime.combine(on, dt.time(2, 0), tzinfo=UTC)  # 10:00 in Shanghai
        envelope = Envelope(type=event_type, source="hotline", subject=self.ticket_id, time=moment, data=facts)
        self.events.append(envelope.model_dump(mode="json"))


def generate_tickets(
    count: int, seed: int = 12345, *, until: dt.date = TODAY, start: dt.date = MONTH_START, prefix: str = "T"
) -> list[GeneratedTicket]:
    """`count` tickets taken in from `start` to before `until`: a sixth closed at once from the
    knowledge base (no department), the rest dispatched to a department of their region,
    most answered within 1–5 working days and most of those closed a few days later."""
    rng = random.Random(seed)
    regions = list(DEPARTMENTS)
    tickets = []
    for number in range(count):
        region = rng.choice(regions)
        opened_on = start + dt.timedelta(days=rng.randrange((until - start).days))
        if rng.random() < 1 / 6:
            ticket = GeneratedTicket(f"{prefix}{number:05d}", region, None, opened_on, state="closed")
            ticket.emit("ticket.opened", opened_on)
            ticket.emit("ticket.closed", opened_on)
            ticket.closed_on = opened_on
            tickets.append(ticket)
            continue
        ticket = GeneratedTicket(f"{prefix}{number:05d}", region, None, opened_on)
        ticket.emit("ticket.opened", opened_on)  # before routing, as the hotline tells it
        ticket.department_id = rng.choice(list(DEPARTMENTS[region]))
        ticket.emit("ticket.dispatched", opened_on)  # one save with the opening: the same version
        answered_on = working_day_after(opened_on, rng.randint(1, 5))
        if rng.random() < 0.85 and answered_on < until:
            ticket.version, ticket.state, ticket.answered_on = ticket.version + 2, "answered", answered_on
            ticket.emit("ticket.answered", answered_on)
            closed_on = answered_on + dt.timedelta(days=rng.randint(0, 4))
            if rng.random() < 0.7 and closed_on < until:
                ticket.version, ticket.state, ticket.closed_on = ticket.version + 1, "closed", closed_on
                ticket.emit("ticket.closed", closed_on)
        tickets.append(ticket)
    return tickets


# --- loading a month into the local cloud's consumers ------------------------------------------

CONSUMERS = {"MonitoringWorkerFunction": "MonitoringRule", "AnalyticsWorkerFunction": "AnalyticsRule"}
"""The functions that count these events (live counters, the analytics store) and the rules
that feed their queues."""
BATCH = 100
"""Records per invocation: a BatchGetItem reads up to 100 tracks, and one batch of a hundred
stays well inside the workers' 30 s timeout on a busy machine."""

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]
"""Invoke a function (logical id) with an event and return its result."""


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


def sqs_event(envelopes: list[dict[str, Any]], queue: str) -> dict[str, Any]:
    """The batch a rule-fed queue hands its function: one record per envelope."""
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "generated",
                "body": bus_message(envelope),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws-cn:sqs:cn-north-1:123456789012:{queue}",
                "awsRegion": "cn-north-1",
            }
            for envelope in envelopes
        ]
    }


def deliveries(envelopes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per consumer, the envelopes its rule lets through (its sources and types, from the template)."""
    from infra.template import sam_template

    resources = sam_template()["Resources"]
    found: dict[str, list[dict[str, Any]]] = {}
    for function, rule in CONSUMERS.items():
        pattern = resources[rule]["Properties"]["EventPattern"]
        found[function] = [
            e for e in envelopes if "jszw." + e["source"] in pattern["source"] and e["type"] in pattern["detail-type"]
        ]
    return found


def load(
    invoke: Invoke, by_function: dict[str, list[dict[str, Any]]], batch: int = BATCH, *, side_by_side: bool = True
) -> dict[str, int]:
    """Invoke each consumer with its envelopes in batches (in order: a case's or a ticket's events
    mostly in one batch), the two consumers side by side; records reported failed are sent again,
    a batch that failed as a whole again in halves, three attempts at most (applying is
    idempotent, so what a failed attempt wrote is not counted twice). The invocations per function."""

    def one(function: str) -> int:
        envelopes = by_function[function]
        queue = CONSUMERS[function].removesuffix("Rule") + "Queue"
        calls = 0
        # (records, attempt): a batch the function failed on as a whole (an error, a timeout on a
        # busy machine) is retried in halves, as Lambda's retries would redeliver it
        pending = [(envelopes[first : first + batch], 1) for first in range(0, len(envelopes), batch)]
        while pending:
            records, attempt = pending.pop(0)
            event = sqs_event(records, queue)
            calls += 1
            try:
                answer = invoke(function, event)
            except RuntimeError:
                if attempt == 3:
                    raise
                half = max(len(records) // 2, 1)
                pending[:0] = [(records[:half], attempt + 1), (records[half:], attempt + 1)][: 1 + (len(records) > 1)]
                continue
            failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
            again = [e for e, r in zip(records, event["Records"], strict=True) if r["messageId"] in failed]
            if again and attempt == 3:
                raise RuntimeError(f"{function}: {len(again)} records failed three times")
            if again:
                pending.insert(0, (again, attempt + 1))
        return calls

    if not side_by_side:  # in one process (the tests' moto): one consumer after the other
        return {function: one(function) for function in by_function}
    with ThreadPoolExecutor(max_workers=len(by_function)) as pool:
        return dict(zip(by_function, pool.map(one, by_function), strict=True))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(f"{month}-01")
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def month_of(month: str, seed: int, cases: int, tickets: int) -> tuple[list[GeneratedCase], list[GeneratedTicket]]:
    """The month's generated cases and tickets (ids prefixed with the month: months do not collide)."""
    start, following = month_bounds(month)
    tag = month.replace("-", "")
    return (
        generate(cases, seed, start=start, until=following, prefix=f"G{tag}-"),
        generate_tickets(tickets, seed, start=start, until=following, prefix=f"T{tag}-"),
    )


def envelopes_of(cases: list[GeneratedCase], tickets: list[GeneratedTicket]) -> list[dict[str, Any]]:
    return [event for case in cases for event in case.events] + [e for ticket in tickets for e in ticket.events]


# --- what the published reports must show --------------------------------------------------------


def expected(
    cases: list[GeneratedCase], tickets: list[GeneratedTicket], month: str
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per region, per generated department: the figures its row of the report must show,
    recounted from the records (the generated departments exist only here, so exactly)."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for region, departments in DEPARTMENTS.items():
        for department in departments:
            mine = [c for c in cases if c.department_id == department and c.received_on.isoformat()[:7] == month]
            held = [t for t in tickets if t.department_id == department and t.opened_on.isoformat()[:7] == month]
            answered = [t for t in tickets if t.department_id == department and t.answered_on]
            answered = [t for t in answered if t.answered_on and t.answered_on.isoformat()[:7] == month]
            days = [
                CALENDAR.working_days_between(t.opened_on, t.answered_on).working_days
                for t in answered
                if t.answered_on
            ]
            visit_once = [c for c in mine if (c.intake_channel == "hall") != (c.delivery_method == "pickup")]
            rows.setdefault(region, {})[department] = {
                "received": len(mine),
                "completed": sum(
                    1
                    for c in cases
                    if c.department_id == department and c.completed_on and c.completed_on.isoformat()[:7] == month
                ),
                "visit_once_share": round(len(visit_once) / len(mine), 4) if mine else None,
                "tickets_received": len(held),
                "average_ticket_answer_working_days": round(sum(days) / len(days), 2) if days else None,
            }
    return rows


def check_reports(
    read: Callable[[str], bytes | None], month: str, wanted: dict[str, dict[str, dict[str, Any]]]
) -> list[str]:
    """What is wrong with the published reports of the month (nothing: an empty list): each
    generated department's row shows its recount, and in every region's files the JSON, CSV,
    HTML and PDF show the same numbers (`agreement`)."""
    from shared.reports import store
    from shared.reports.models import Report

    problems: list[str] = []
    for region, departments in wanted.items():
        if len(region) != 6:
            continue  # townships have no report
        found = read(store.report_key(month, region, "report.json"))
        if found is None:
            problems.append(f"{region}: no report")
            continue
        report = Report.model_validate_json(found)
        shown = {row.code: row for row in report.departments}
        for department, figures in departments.items():
            row = shown.get(department)
            got = {key: getattr(row, key) for key in figures} if row else None
            if any(figures.values()) and got != figures:
                problems.append(f"{region} {department}: report {got}, recount {figures}")
        files = {name: read(store.report_key(month, region, name)) or b"" for name in store.FILES}
        problems += [f"{region}: {problem}" for problem in agreement(files)]
    return problems


def agreement(files: Mapping[str, bytes]) -> list[str]:
    """What differs between a report's formats (nothing: an empty list): every dataset's CSV is its
    JSON written by `number()`, the page's table shows the same cells (— for empty), and each row's
    numbers stand in order on one line of the PDF's text layer (read with poppler's `pdftotext`).
    The local cloud's monthly run and the tests check with it alike."""
    from shared.reports.formats import number
    from shared.reports.models import DATASETS

    problems: list[str] = []
    page = _Cells()
    page.feed(files["report.html"].decode())
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=files["report.pdf"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for dataset in DATASETS:
        from_json = json.loads(files[f"{dataset}.json"])["rows"]
        table = list(csv.reader(io.StringIO(files[f"{dataset}.csv"].decode("utf-8-sig"))))
        from_csv = table[1:]
        if [[number(value) for value in row.values()] for row in from_json] != from_csv:
            problems.append(f"{dataset}: the CSV is not the JSON")
        if [row for row in page.tables.get(dataset, []) if row] != [[cell or "—" for cell in row] for row in from_csv]:
            problems.append(f"{dataset}: the page's table is not the CSV")
        for row in from_csv:
            numbers = [cell for cell in row if re.fullmatch(r"-?[0-9.]+", cell)]
            if numbers and not re.search(r"\s[^\n]*?".join(re.escape(n) for n in numbers), pdf_text):
                problems.append(f"{dataset}: the PDF has no line with {row[0]}'s numbers {numbers}")
    return problems


class _Cells(HTMLParser):
    """The cells of each `<table data-dataset>` of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = self.tables.setdefault(str(dict(attrs).get("data-dataset")), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self._table[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _local_invoke(api: str) -> Invoke:
    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the local cloud
            f"{api}/_local/functions/{function}/invoke", data=json.dumps(event).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
            outcome = json.loads(answer.read())
        if not outcome["ok"]:
            raise RuntimeError(f"{function} failed: {outcome['error']}")
        return dict(outcome["result"])

    return invoke


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load a generated month into the local cloud's counters.")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--month", required=True, help="YYYY-MM (a past month: the monthly report's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--report", action="store_true", help="then fire the monthly report and check it")
    parser.add_argument("--api-url", default=None, help="the local cloud's API (default: JSZW_API_URL or :3000)")
    args = parser.parse_args(argv)

    from shared.platform.local_endpoints import api_url

    api = api_url(url=args.api_url)
    cases, tickets = month_of(args.month, args.seed, args.cases, args.tickets)
    by_function = deliveries(envelopes_of(cases, tickets))
    began = time.perf_counter()
    calls = load(_local_invoke(api), by_function, args.batch)
    loaded = time.perf_counter() - began
    print(
        f"{len(cases)} cases, {len(tickets)} tickets: "
        + ", ".join(f"{fn} {len(by_function[fn])} events in {calls[fn]} invocations" for fn in by_function)
        + f" ({loaded:.1f} s)",
        file=sys.stderr,
    )
    if not args.report:
        return 0
    return _report(api, args.month, cases, tickets)


def _report(api: str, month: str, cases: list[GeneratedCase], tickets: list[GeneratedTicket]) -> int:
    """Fire the monthly report's schedule (it reports last month: `month` must be last month) and check it."""
    import boto3

    from shared.platform.clock import previous_month

    if month != previous_month():
        print(f"the schedule reports {previous_month()}, not {month}: not fired", file=sys.stderr)
        return 2
    began = time.perf_counter()
    request = urllib.request.Request(f"{api}/_local/schedules/ReportPublisherFunction/fire", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=900) as answer:  # noqa: S310
        outcome = json.loads(answer.read())
    if not outcome["ok"]:
        print(f"report_publisher failed: {outcome['error']}", file=sys.stderr)
        return 1
    regions = outcome["result"]["regions"]
    print(f"report_publisher: {len(regions)} regions in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    with urllib.request.urlopen(f"{api}/_local/status", timeout=30) as answer:  # noqa: S310
        status = json.loads(answer.read())
    s3 = boto3.client(
        "s3",
        endpoint_url=status["aws"],
        region_name="cn-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    bucket = next(b["name"] for b in status["buckets"] if b["id"] == "OpenDataBucket")

    def read(key: str) -> bytes | None:
        try:
            return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except s3.exceptions.NoSuchKey:
            return None

    problems = check_reports(read, month, expected(cases, tickets, month))
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"checked {len(regions)} reports: {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
