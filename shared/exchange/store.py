"""The province's exchange store (汇聚, issue 19, D-296): every region's case
records, as JSON Lines in S3, partitioned Hive-style by day and region so
operators query them with Athena through the Glue table in the template.

    s3://<ExchangeBucket>/case-records/dt=2026-12-04/region=320102/<batch id>.jsonl

`dt` is the event's day in Asia/Shanghai, `region` the case's division
(its item's). One line is one step of one case (`CaseRecord`): submitted,
accepted, refused, withdrawn, suspended, resumed, extended, decided,
completed — what the national 办件 record is built from (shared/exchange/national.py).
No name, ID number, phone, address or free text leaves the cases context
here: an applicant is its kind, plus the USCC when it is a legal person
(public in the national enterprise register); a decision is its outcome and
document number, not the reasons staff wrote.

Exactly once, though SQS and the bus deliver at least once (D-297): before
an object is written, each record's event id is *claimed* in the Exchange
table (`AGG#<event id>`, naming the object it goes to, with the time) in one
transaction; a record is in the store when its claim exists and the object
it names does. A redelivered event whose object exists is skipped; one whose
object is missing (the writer stopped between the claim and the PutObject)
is claimed again for a new object once the claim is older than the lease
(the function's timeout), never while another invocation may still be
writing it. Calls per batch: one BatchGetItem, one TransactWriteItems (a PutItem
for a batch of one new record), one PutObject per partition in the batch (HeadObject
only for redeliveries).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from shared.cases.events import (
    ACCEPTED,
    COMPLETED,
    DECIDED,
    EXTENDED,
    REFUSED_AT_INTAKE,
    RESUMED,
    REVIEW_STARTED,
    SUBMITTED,
    SUSPENDED,
    WITHDRAWN,
    AcceptedData,
    CaseFacts,
    ClockData,
    ClosedData,
    DecidedData,
    SubmittedData,
)
from shared.exchange import errors
from shared.exchange.config import exchange_settings, exchange_store_settings
from shared.platform.aws import s3
from shared.platform.clock import SHANGHAI, iso, now
from shared.platform.dispatch import Dispatcher
from shared.platform.dynamo import Repository, values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope, parse_bus_message

PREFIX = "case-records"
CLAIMED_ELSEWHERE = Conflict(errors.STORE_CLAIMED)
_CLAIM_DAYS = 30
"""A claim outlives every redelivery: SQS keeps a message 4 days, the bus retries for 24 hours."""


class CaseRecord(BaseModel):
    """One line of the exchange store: one step of one case (办件过程信息)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    event_id: str = Field(description="The case event's id (ULID): the record's identity.")
    event_type: str
    occurred_at: dt.datetime
    case_id: str
    case_number: str = Field(description="办件编号 (申办流水号).")
    case_version: int
    state: str
    item_code: str = Field(description="实施编码 of the item (31 characters).")
    item_name: str
    department_id: str
    region_code: str
    applicant_kind: Literal["natural_person", "legal_person"]
    applicant_uscc: str | None = Field(description="Legal persons only (public); nothing identifies a person.")
    intake_channel: str | None
    delivery_method: str | None
    round: int | None = Field(default=None, description="1 for an application, 2+ for a supplement.")
    received_at: dt.datetime | None = None
    promised_due_on: dt.date | None = None
    legal_due_on: dt.date | None = None
    outcome: str | None = Field(default=None, description="approved | denied (decided only).")
    document_number: str | None = Field(default=None, description="The decision document's 文号 (decided only).")


STORED_EVENTS = (SUBMITTED, ACCEPTED, REFUSED_AT_INTAKE, WITHDRAWN, REVIEW_STARTED, SUSPENDED, RESUMED,
                 EXTENDED, DECIDED, COMPLETED)  # fmt: skip
"""What ExchangeStoreRule routes to the writer (tests compare them with the template)."""

records: Dispatcher[CaseRecord] = Dispatcher("exchange_store_writer")


def _record(facts: CaseFacts, envelope: Envelope, **step: Any) -> CaseRecord:
    return CaseRecord(
        event_id=envelope.id,
        event_type=envelope.type,
        occurred_at=envelope.time,
        case_id=facts.case_id,
        case_number=facts.case_number,
        case_version=facts.version,
        state=facts.state,
        item_code=facts.item_code,
        item_name=facts.item_name,
        department_id=facts.department_id,
        region_code=facts.region_code,
        applicant_kind="legal_person" if facts.applicant_uscc else "natural_person",
        applicant_uscc=facts.applicant_uscc,
        intake_channel=facts.intake_channel,
        delivery_method=facts.delivery_method,
        **step,
    )


@records.on(SUBMITTED, data=SubmittedData)
def _submitted(data: SubmittedData, envelope: Envelope) -> CaseRecord:
    return _record(data, envelope, round=data.round, received_at=data.received_at)


@records.on(ACCEPTED, data=AcceptedData)
def _accepted(data: AcceptedData, envelope: Envelope) -> CaseRecord:
    deadlines = data.deadlines
    return _record(data, envelope, promised_due_on=deadlines.promised_due_on, legal_due_on=deadlines.legal_due_on)


@records.on(SUSPENDED, RESUMED, EXTENDED, data=ClockData)
def _clock(data: ClockData, envelope: Envelope) -> CaseRecord:
    deadlines = data.deadlines
    return _record(data, envelope, promised_due_on=deadlines.promised_due_on, legal_due_on=deadlines.legal_due_on)


@records.on(REFUSED_AT_INTAKE, WITHDRAWN, data=ClosedData)
def _closed(data: ClosedData, envelope: Envelope) -> CaseRecord:
    return _record(data, envelope)  # the reason is free text: it stays with the case


@records.on(DECIDED, data=DecidedData)
def _decided(data: DecidedData, envelope: Envelope) -> CaseRecord:
    return _record(data, envelope, outcome=data.outcome, document_number=data.document_number)


@records.on(REVIEW_STARTED, COMPLETED, data=CaseFacts)
def _step(data: CaseFacts, envelope: Envelope) -> CaseRecord:
    return _record(data, envelope)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def partition_prefix(day: dt.date, region_code: str | None = None) -> str:
    """`case-records/dt=<day>/` or, with a region, `…/region=<code>/` (Hive-style)."""
    prefix = f"{PREFIX}/dt={day.isoformat()}/"
    return f"{prefix}region={region_code}/" if region_code else prefix


def partition_of(record: CaseRecord) -> str:
    return partition_prefix(local_day(record.occurred_at), record.region_code)


def object_key(partition: str, event_ids: Iterable[str]) -> str:
    """The object a batch writes to a partition: named by what it holds, so two batches never share one."""
    digest = hashlib.sha256("\n".join(sorted(event_ids)).encode()).hexdigest()[:32]
    return f"{partition}{digest}.jsonl"


def to_line(record: CaseRecord) -> str:
    return record.model_dump_json(exclude_none=False)


@dataclass(frozen=True)
class Claim:
    event_id: str
    object_key: str
    claimed_at: dt.datetime


class StoreClaims(Repository):
    """The claims in the Exchange table: `AGG#<event id>` / `AGG` -> object key, claimed at."""

    def configured_table(self) -> str:
        return exchange_settings().exchange_table

    def claims(self, event_ids: Sequence[str]) -> dict[str, Claim]:
        found = self.get_items([{"pk": f"AGG#{e}", "sk": "AGG"} for e in event_ids], consistent=True)
        return {
            item["event_id"]: Claim(item["event_id"], item["object_key"], dt.datetime.fromisoformat(item["claimed_at"]))
            for item in found
        }

    def claim(self, claims: Sequence[Claim], previous: dict[str, Claim]) -> None:
        """Claim every event for its object at once; `previous` are the expired claims taken over
        (conditional on still naming the object that never came). Raises CLAIMED_ELSEWHERE. A lone
        claim is one conditional PutItem: a one-item transaction would bill it twice (D-281)."""
        expires_at = int((now() + dt.timedelta(days=_CLAIM_DAYS)).timestamp())
        for start in range(0, len(claims), 100):
            transaction = self.transaction()
            for claim in claims[start : start + 100]:
                item = {
                    "pk": f"AGG#{claim.event_id}",
                    "sk": "AGG",
                    "event_id": claim.event_id,
                    "object_key": claim.object_key,
                    "claimed_at": iso(claim.claimed_at),
                    "expires_at": expires_at,
                }
                old = previous.get(claim.event_id)
                if old is None:
                    transaction.put(item, condition="attribute_not_exists(pk)", on_conflict=CLAIMED_ELSEWHERE)
                else:
                    transaction.put(
                        item,
                        condition="object_key = :old",
                        values=values(old=old.object_key),
                        on_conflict=CLAIMED_ELSEWHERE,
                    )
            if len(transaction.steps) == 1:
                transaction.commit_guarded()
            else:
                transaction.commit()


class ExchangeStore:
    def __init__(self, claims: StoreClaims | None = None, bucket: str | None = None) -> None:
        self.claims = claims or StoreClaims()
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        return self._bucket or exchange_store_settings().exchange_bucket

    def _exists(self, key: str) -> bool:
        try:
            s3().head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def write(self, batch: Sequence[CaseRecord]) -> int:
        """Store the records not stored yet, one object per partition; the number written.
        Raises CLAIMED_ELSEWHERE when another invocation holds a live claim on one of them
        (SQS delivers it again after the visibility timeout)."""
        unique = {r.event_id: r for r in batch}
        known = self.claims.claims(list(unique))
        lease = dt.timedelta(seconds=exchange_store_settings().claim_lease_s)
        moment = now()
        present: dict[str, bool] = {}
        fresh: list[CaseRecord] = []
        taken_over: dict[str, Claim] = {}
        for event_id, record in unique.items():
            claim = known.get(event_id)
            if claim is None:
                fresh.append(record)
                continue
            if claim.object_key not in present:
                present[claim.object_key] = self._exists(claim.object_key)
            if present[claim.object_key]:
                continue  # stored already: a redelivery
            if moment - claim.claimed_at < lease:
                raise CLAIMED_ELSEWHERE
            taken_over[event_id] = claim
            fresh.append(record)
        by_partition: dict[str, list[CaseRecord]] = defaultdict(list)
        for record in fresh:
            by_partition[partition_of(record)].append(record)
        keys = {p: object_key(p, (r.event_id for r in rs)) for p, rs in by_partition.items()}
        self.claims.claim(
            [Claim(r.event_id, keys[p], moment) for p, rs in by_partition.items() for r in rs], taken_over
        )
        for partition, rows in by_partition.items():
            body = "".join(to_line(r) + "\n" for r in sorted(rows, key=lambda r: (r.occurred_at, r.event_id)))
            s3().put_object(
                Bucket=self.bucket,
                Key=keys[partition],
                Body=body.encode("utf-8"),
                ContentType="application/x-ndjson; charset=utf-8",
            )
        return len(fresh)

    def read_day(self, day: dt.date) -> Iterator[CaseRecord]:
        """Every record of `day`, every region: one ListObjectsV2 page per 1,000 objects, one GetObject each."""
        paginator = s3().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=partition_prefix(day)):
            for entry in page.get("Contents", []):
                body = s3().get_object(Bucket=self.bucket, Key=entry["Key"])["Body"].read().decode("utf-8")
                for line in body.splitlines():
                    if line.strip():
                        yield CaseRecord.model_validate_json(line)


def store_batch(batch: Sequence[SQSRecord]) -> None:
    """The writer's whole batch (consumer `whole_batch`): every record in one claim and one object
    per partition. Any failure makes the consumer store the records one by one (`store_one`)."""
    ExchangeStore().write([records.dispatch(parse_bus_message(r.body)) for r in batch])


def store_one(record: SQSRecord) -> None:
    ExchangeStore().write([records.dispatch(parse_bus_message(record.body))])
