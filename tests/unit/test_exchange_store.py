"""The province's exchange store and the national push file (issue 19 acceptance 3,
汇聚): every region's case steps land once each, partitioned by day and region;
the day's push file has one valid 办件 record per case."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.template import sam_template
from shared.cases.events import ACCEPTED, COMPLETED, DECIDED, SUBMITTED
from shared.exchange.national import push_key, validation_problems
from shared.exchange.store import STORED_EVENTS, CaseRecord, Claim, StoreClaims, partition_prefix
from shared.platform import aws
from shared.platform.clock import SHANGHAI, frozen_at
from shared.platform.config import reset_settings
from shared.platform.events import Envelope
from shared.platform.schemas import envelope_problems
from tests.support.apigw import FakeContext
from tests.support.handlers import bus_message, load_function, sqs_batch
from tests.support.template_tables import create_table_arguments
from tests.unit.catalog_fixtures import sample_event

BUCKET = "jszw-exchange-test"
TABLE = "exchange-test"
DAY = dt.date(2026, 12, 4)
REGIONS = ("320102", "320104", "320205", "320506", "321302")
ENTERPRISE = "91320102MA1W8K0P4R"  # shape only; legal persons' USCCs are public


@pytest.fixture
def cloud() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXCHANGE_TABLE", TABLE)
        patch.setenv("EXCHANGE_BUCKET", BUCKET)
        patch.setenv("DLQ_URL", "")
        reset_settings()
        aws.reset_clients()
        with mock_aws():
            boto3.client("dynamodb").create_table(**create_table_arguments("ExchangeTable", TABLE))
            boto3.client("s3").create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
            )
            try:
                yield
            finally:
                reset_settings()
                aws.reset_clients()


def write(*bodies: str) -> dict[str, Any]:
    batch = sqs_batch(list(bodies), queue="ExchangeStoreQueue")
    result: dict[str, Any] = load_function("exchange_store_writer").handler(batch, FakeContext())
    return result


def stored(prefix: str = "case-records/") -> dict[str, list[dict[str, Any]]]:
    """Every object under `prefix` with its lines."""
    s3 = boto3.client("s3")
    found: dict[str, list[dict[str, Any]]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read().decode()
            found[entry["Key"]] = [json.loads(line) for line in body.splitlines()]
    return found


def lines() -> list[dict[str, Any]]:
    return [line for rows in stored().values() for line in rows]


# --- a generated day: cases of several regions, each submitted, accepted, decided, completed ---


def _facts(number: int, region: str, state: str, version: int) -> dict[str, Any]:
    legal = number % 3 == 0
    return {
        "case_id": f"01JDQ9A{number:019d}",
        "case_number": f"{region}20261204{number:08d}",
        "version": version,
        "state": state,
        "item_code": f"11{region}010102043T4000117004000",
        "item_name": "食品经营许可",
        "department_id": f"{region}-market",
        "region_code": region,
        "applicant_uscc": ENTERPRISE if legal else None,
        "notify_subject_id": f"01JDQ90F3W7C8M2T6R4K9N{number % 10000:04d}",
        "intake_channel": "online" if number % 4 else "hall",
        "delivery_method": "electronic",
    }


def case_day(cases: int, day: dt.date = DAY) -> list[Envelope]:
    """`cases` cases of one day across REGIONS, every step's event, as the cases context publishes them."""
    start = dt.datetime.combine(day, dt.time(8, 30), SHANGHAI)
    deadlines = {
        "started_on": day.isoformat(), "promised_days": 5, "promised_due_on": "2026-12-11", "legal_days": 20,
        "legal_due_on": "2027-01-04", "provisional": False, "deemed": False,
    }  # fmt: skip
    events: list[Envelope] = []
    for number in range(cases):
        region = REGIONS[number % len(REGIONS)]
        at = start + dt.timedelta(seconds=90 * number)
        case_id = _facts(number, region, "", 0)["case_id"]
        steps: list[tuple[str, str, dict[str, Any]]] = [
            (SUBMITTED, "submitted", {"round": 1, "received_at": at.isoformat(), "intake_due_on": "2026-12-09"}),
            (ACCEPTED, "accepted", {"deadlines": deadlines, "automatic": False, "handler_subject_id": "01STAFF"}),
            (DECIDED, "decided", {
                "decision_id": f"D{number}", "document_number": f"苏食许〔2026〕{number:04d}号", "outcome": "approved",
                "reason": "张三提交的材料齐全", "document_key": f"decisions/{case_id}.pdf", "document_sha256": "0" * 64,
            }),
            (COMPLETED, "completed", {}),
        ]  # fmt: skip
        for index, (event_type, state, data) in enumerate(steps):
            events.append(
                Envelope(
                    type=event_type,
                    source="cases",
                    subject=case_id,
                    time=at + dt.timedelta(minutes=20 * index),
                    data=_facts(number, region, state, index + 1) | data,
                )
            )
    return events


def deliver_in_batches(events: list[Envelope], size: int = 100) -> None:
    bodies = [bus_message(json.loads(e.to_json())) for e in events]
    for start in range(0, len(bodies), size):
        assert write(*bodies[start : start + size]) == {"batchItemFailures": []}


# --- the store ----------------------------------------------------------------------------


@pytest.mark.usefixtures("cloud")
class TestExchangeStore:
    def test_a_case_step_lands_in_its_day_and_region_without_personal_data(self) -> None:
        # When the sample submission (Xuanwu, 10:00 Beijing time on 21 September) is written
        assert write(sample_event("exchange_store_writer/sqs-case-submitted.json")["Records"][0]["body"]) == {
            "batchItemFailures": []
        }
        # Then one object in dt=2026-09-21/region=320102/ holds its one line
        (key, rows), *others = stored().items()
        assert not others
        assert key.startswith("case-records/dt=2026-09-21/region=320102/")
        assert key.endswith(".jsonl")
        assert len(rows) == 1
        row = rows[0]
        assert (row["case_number"], row["event_type"], row["round"]) == ("3201022026092107000001", SUBMITTED, 1)
        assert (row["applicant_kind"], row["applicant_uscc"]) == ("natural_person", None)
        # and nothing that points at the person: not their inbox subject, no handler
        assert "notify_subject_id" not in row
        assert "handler_subject_id" not in row
        assert set(row) == set(CaseRecord.model_fields)

    def test_the_day_is_beijing_time_not_utc(self) -> None:
        # A case submitted at 00:30 on 5 December in Nanjing is 16:30 UTC on the 4th
        event = case_day(1, dt.date(2026, 12, 5))[0].model_copy(
            update={"time": dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC)}
        )
        deliver_in_batches([event])
        assert [k.split("/")[1] for k in stored()] == ["dt=2026-12-05"]

    def test_a_redelivered_event_is_not_stored_twice(self) -> None:
        events = case_day(10)
        bodies = [bus_message(json.loads(e.to_json())) for e in events]
        # Given the first 30 events written
        write(*bodies[:30])
        # When SQS delivers 10 of them again, alone and then mixed with the 10 new ones
        write(*bodies[20:30])
        write(*bodies[20:40])
        # Then every event is in the store exactly once
        counts = Counter(row["event_id"] for row in lines())
        assert len(counts) == 40
        assert set(counts.values()) == {1}

    def test_a_batch_costs_one_claim_read_one_claim_write_and_one_object_per_partition(self) -> None:
        events = case_day(25)  # 100 events over 5 regions, one day
        bodies = [bus_message(json.loads(e.to_json())) for e in events]
        with aws.count_calls() as lone:
            write(bodies[0])  # a batch of one: its claim is one conditional PutItem, not a transaction
        assert lone == Counter({"dynamodb.BatchGetItem": 1, "dynamodb.PutItem": 1, "s3.PutObject": 1})
        with aws.count_calls() as calls:
            write(*bodies[1:])
        assert calls == Counter(
            {"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1, "s3.PutObject": len(REGIONS)}
        )
        assert len(stored()) == len(REGIONS) + 1

    def test_a_claim_whose_object_never_came_is_taken_over_after_its_lease(self) -> None:
        # Given an event claimed by a writer that stopped before its PutObject
        event = case_day(1)[0]
        moment = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
        with frozen_at(moment):
            StoreClaims().claim([Claim(event.id, "case-records/dt=2026-12-04/region=320102/lost.jsonl", moment)], {})
        body = bus_message(json.loads(event.to_json()))
        # When it is delivered again within the lease: not written (the writer may still be at it), retried
        with frozen_at(moment + dt.timedelta(seconds=60)):
            assert len(write(body)["batchItemFailures"]) == 1
        assert lines() == []
        # After the lease it is written, once
        with frozen_at(moment + dt.timedelta(seconds=121)):
            assert write(body) == {"batchItemFailures": []}
            assert write(body) == {"batchItemFailures": []}
        assert [row["event_id"] for row in lines()] == [event.id]

    def test_the_rule_routes_what_the_writer_stores(self) -> None:
        pattern = sam_template()["Resources"]["ExchangeStoreRule"]["Properties"]["EventPattern"]
        assert set(pattern["detail-type"]) == set(STORED_EVENTS)
        assert pattern["source"] == ["jszw.cases"]


# --- acceptance 3: a day of generated cases, the store, the push file -------------------------


@pytest.mark.usefixtures("cloud")
def test_a_day_of_cases_lands_partitioned_and_its_push_file_validates() -> None:
    cases = 200
    events = case_day(cases)
    assert not envelope_problems(json.loads(events[2].to_json()))  # the generator writes real events
    # Given the day's 800 events delivered in batches of 100, a fifth of them twice, in another order
    again = random.Random(19).sample(events, len(events) // 5)
    deliver_in_batches(events + again)

    # Then the store holds one line per event, under dt=2026-12-04/region=<the case's region>/
    objects = stored()
    assert {k.rsplit("/", 1)[0] + "/" for k in objects} == {partition_prefix(DAY, r) for r in REGIONS}
    rows = [row for rows in objects.values() for row in rows]
    assert len(rows) == len(events) == len({row["event_id"] for row in rows})
    for key, partition_rows in objects.items():
        assert {f"region={row['region_code']}" for row in partition_rows} == {key.split("/")[2]}
    # and the record counts equal the cases: 200 cases, each submitted once and completed once
    assert len({row["case_id"] for row in rows}) == cases
    by_type = Counter(row["event_type"] for row in rows)
    assert by_type[SUBMITTED] == by_type[COMPLETED] == cases

    # When the push runs at 02:00 the next day
    push = load_function("national_push")
    with frozen_at(dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.UTC)):
        summary = push.handler(sample_event("national_push/scheduled-daily.json"), FakeContext())
    # Then the file has one 办件 record per case, and it follows its published schema
    assert summary == {"day": "2026-12-04", "records": cases, "steps": len(events)}
    document = json.loads(boto3.client("s3").get_object(Bucket=BUCKET, Key=push_key(DAY))["Body"].read())
    assert validation_problems(document) == []
    assert (document["day"], document["record_count"], len(document["records"])) == ("2026-12-04", cases, cases)
    record = next(r for r in document["records"] if r["case_number"] == "3201022026120400000000")
    assert [s["step_name"] for s in record["steps"]] == ["申请", "受理", "决定", "办结"]
    assert record["accepted_at"].endswith("+08:00")
    assert record["outcome"] == "approved"
    assert record["department_uscc"] == record["item_code"][:18]
    assert (record["applicant_kind"], record["applicant_uscc"]) == ("legal_person", ENTERPRISE)
    # and nothing the staff wrote (a name in a decision's reasons) left the cases context
    assert "张三" not in json.dumps(document, ensure_ascii=False)


def test_the_push_schema_refuses_a_record_without_its_case_number() -> None:
    from shared.exchange.national import build

    rows = [
        CaseRecord.model_validate(
            {
                "event_id": "01JDQ9A0000000000000000E01", "event_type": SUBMITTED,
                "occurred_at": "2026-12-04T02:00:00Z", "case_id": "C1", "case_number": "320102202612040001",
                "case_version": 1, "state": "submitted", "item_code": "11320102010102043T4000117004000",
                "item_name": "食品经营许可", "department_id": "320102-market", "region_code": "320102",
                "applicant_kind": "natural_person", "applicant_uscc": None, "intake_channel": "online",
                "delivery_method": "electronic", "round": 1, "received_at": "2026-12-04T02:00:00Z",
            }
        )
    ]  # fmt: skip
    document = build(DAY, "320000", rows, generated_at=dt.datetime(2026, 12, 4, 18, tzinfo=dt.UTC)).model_dump(
        mode="json"
    )
    assert validation_problems(document) == []
    del document["records"][0]["case_number"]
    document["records"][0]["applicant_uscc"] = "3201021990****1234"  # a masked ID number where a USCC goes
    found = validation_problems(document)
    assert any("case_number" in p for p in found)
    assert any(p.startswith("records/0/applicant_uscc") for p in found)
