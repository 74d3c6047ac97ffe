"""The outbox: a change and its event commit together or not at all, and the
relay puts every event on the bus or makes the stream retry from it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from pydantic import BaseModel

from infra.local.metering import item_size
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.dynamo import Transaction, from_item, outbox_events, outbox_record, to_item, values
from shared.platform.errors import Conflict, ValidationFailed
from shared.platform.events import Envelope, parse_bus_message
from shared.platform.ids import new_id
from shared.platform.relay import relay_stream_records
from tests.support.schemas import register_for_test

TABLE = "outbox-test"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("EVENT_BUS_NAME", "bus")
    reset_settings()
    aws.reset_clients()
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield TABLE
    aws.reset_clients()
    reset_settings()


class _Happened(BaseModel):
    version: int
    note: str | None = None


@pytest.fixture(autouse=True)
def _test_event_type(monkeypatch: pytest.MonkeyPatch) -> None:
    # every event written to an outbox follows its registered schema (tests/conftest.py)
    register_for_test(monkeypatch, "outbox_test.happened", _Happened)


def _event(subject: str = "item-1", padding: str | None = None) -> Envelope:
    data: dict[str, Any] = {"version": 1} if padding is None else {"version": 1, "note": padding}
    return Envelope(type="outbox_test.happened", source="tests", subject=subject, data=data)


def _all_items() -> list[dict[str, Any]]:
    return [from_item(i) for i in aws.dynamodb().scan(TableName=TABLE)["Items"]]


def test_change_and_event_commit_together_in_one_call(table: str) -> None:
    # Given a new record and its event
    tx = Transaction(table).put({"pk": "A", "sk": "HEAD", "version": 1}, condition="attribute_not_exists(pk)")
    tx.emit(_event())
    # When the transaction commits
    with aws.count_calls() as calls:
        tx.commit()
    # Then one TransactWriteItems wrote both
    assert dict(calls) == {"dynamodb.TransactWriteItems": 1}
    kinds = sorted(i["sk"] for i in _all_items())
    assert kinds == ["HEAD", "OUTBOX"]
    outbox = next(i for i in _all_items() if i["sk"] == "OUTBOX")
    assert [Envelope.model_validate(e).subject for e in outbox_events(outbox)] == ["item-1"]
    assert outbox["expires_at"] > 0


def test_a_transaction_s_events_share_one_small_outbox_item_in_the_order_emitted(table: str) -> None:
    # Given a change with five events of ~500 bytes each, ids in them (a decision: the case's, a fee's, its limits')
    events = [_event(f"item-{n}", padding=" ".join(new_id() for _ in range(10))) for n in range(5)]
    tx = Transaction(table).put({"pk": "A", "sk": "HEAD", "version": 1})
    for event in events:
        tx.emit(event)
    # When it commits
    with aws.count_calls() as calls:
        tx.commit()
    # Then one transaction wrote the change and ONE outbox item, keyed by the first event (D-319)
    assert dict(calls) == {"dynamodb.TransactWriteItems": 1}
    [outbox] = [i for i in _all_items() if i["sk"] == "OUTBOX"]
    assert outbox["pk"] == f"OUTBOX#{events[0].id}"
    assert [Envelope.model_validate(e) for e in outbox_events(outbox)] == events
    # and it costs one write unit (1 KB) where five items of their own cost five
    raw = to_item(outbox_record(events))
    assert item_size(raw) <= 1024 < sum(len(e.to_json().encode()) for e in events) // 2


def test_a_failed_condition_writes_neither_and_raises_the_steps_own_error(table: str) -> None:
    Transaction(table).put({"pk": "A", "sk": "HEAD", "version": 1}).put({"pk": "B", "sk": "RULE"}).commit()
    tx = Transaction(table)
    tx.update(
        {"pk": "A", "sk": "HEAD"},
        "SET version = :next",
        condition="version = :expected",
        values=values(next=3, expected=2),
        on_conflict=Conflict("version_conflict"),
    )
    tx.check({"pk": "B", "sk": "RULE"}, "attribute_exists(pk)", on_conflict=ValidationFailed("never"))
    tx.emit(_event())
    with pytest.raises(Conflict) as refused:
        tx.commit()
    assert refused.value.code == "version_conflict"
    assert sorted(i["sk"] for i in _all_items()) == ["HEAD", "RULE"]
    assert next(i for i in _all_items() if i["sk"] == "HEAD")["version"] == 1


def test_a_guarded_commit_writes_the_guard_then_each_write_once_and_nothing_after_a_refused_guard(
    table: str,
) -> None:
    # Given a projection's head at revision 1, and its change: the head over revision 1, a counter ADD
    Transaction(table).put({"pk": "A", "sk": "HEAD", "rev": 1}).commit()

    def change() -> Transaction:
        tx = Transaction(table).put(
            {"pk": "A", "sk": "HEAD", "rev": 2},
            condition="rev = :rev",
            values=values(rev=1),
            on_conflict=Conflict("projection_moved"),
        )
        return tx.update({"pk": "ROW", "sk": "R"}, "ADD n :one", values=values(one=1))

    # When it commits guarded: one plain write each (D-281), no transaction
    with aws.count_calls() as calls:
        change().commit_guarded()
    assert dict(calls) == {"dynamodb.PutItem": 1, "dynamodb.UpdateItem": 1}
    # Then a second delivery of the same change is refused by the guard and adds nothing
    with pytest.raises(Conflict) as refused:
        change().commit_guarded()
    assert refused.value.code == "projection_moved"
    assert next(i for i in _all_items() if i["sk"] == "R")["n"] == 1


def test_a_lone_write_is_sent_as_one_conditional_write_with_the_same_error(table: str) -> None:
    def lone(version: int) -> Transaction:
        return Transaction(table).put(
            {"pk": "A", "sk": "HEAD", "version": version},
            condition="attribute_not_exists(pk) OR version < :v",
            values=values(v=version),
            on_conflict=Conflict("stale_limit"),
        )

    # a transaction of one write and no events is as atomic as the write alone: billed once, not twice
    with aws.count_calls() as calls:
        lone(2).commit()
    assert dict(calls) == {"dynamodb.PutItem": 1}
    with pytest.raises(Conflict) as refused:
        lone(1).commit()  # its condition refuses it with the step's own error, as in a transaction
    assert refused.value.code == "stale_limit"
    assert next(i for i in _all_items() if i["sk"] == "HEAD")["version"] == 2
    # with an event it stays one transaction (the write and its outbox item)
    with aws.count_calls() as calls:
        lone(3).emit(_event()).commit()
    assert dict(calls) == {"dynamodb.TransactWriteItems": 1}


def test_items_round_trip_with_numbers_lists_and_nested_maps() -> None:
    data = {"pk": "X", "n": 3, "price": 1.5, "tags": ["a", "b"], "nested": {"k": 0, "none": None}, "gone": None}
    assert from_item(to_item(data)) == {"pk": "X", "n": 3, "price": 1.5, "tags": ["a", "b"], "nested": {"k": 0}}


def _stream_record(sequence: str, *envelopes: Envelope, kind: str = "outbox") -> dict[str, Any]:
    """The stream record of an outbox item as Lambda delivers it: binary values in base64 text."""
    image = to_item(outbox_record(envelopes) | {"kind": kind})
    image["events"] = {"B": base64.b64encode(image["events"]["B"]).decode()}
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": sequence, "NewImage": image}}


def _stub_events() -> Stubber:
    aws.reset_clients()
    return Stubber(aws.events())


def test_relay_sends_in_chunks_of_ten_and_reports_nothing_when_all_went_out(table: str) -> None:
    records = [_stream_record(str(100 + n), _event(f"item-{n}")) for n in range(12)]
    records.append({"eventName": "REMOVE", "dynamodb": {"SequenceNumber": "999"}})
    stub = _stub_events()
    stub.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": str(n)} for n in range(10)]})
    stub.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "10"}, {"EventId": "11"}]})
    with stub:
        assert relay_stream_records(records) == {"batchItemFailures": []}
    stub.assert_no_pending_responses()


def test_relay_reports_the_first_failed_entry_so_the_stream_retries_from_it(table: str) -> None:
    records = [_stream_record(str(100 + n), _event(f"item-{n}")) for n in range(3)]
    stub = _stub_events()
    stub.add_response(
        "put_events",
        {
            "FailedEntryCount": 1,
            "Entries": [{"EventId": "0"}, {"ErrorCode": "InternalFailure", "ErrorMessage": "x"}, {"EventId": "2"}],
        },
    )
    with stub:
        assert relay_stream_records(records) == {"batchItemFailures": [{"itemIdentifier": "101"}]}


def test_relay_puts_each_event_of_one_outbox_item_and_retries_the_item_holding_the_first_failure(
    table: str,
) -> None:
    # Given two transactions' outbox items, of two events and of one
    first, second, third = _event("item-1"), _event("item-2"), _event("item-3")
    records = [_stream_record("101", first, second), _stream_record("102", third)]
    stub = _stub_events()
    entries = [e.bus_entry("bus") for e in (first, second, third)]
    stub.add_response(
        "put_events",
        {"FailedEntryCount": 1, "Entries": [{"EventId": "0"}, {"ErrorCode": "InternalFailure"}, {"EventId": "2"}]},
        {"Entries": entries},
    )
    # When the second event of the first item is refused
    with stub:
        # Then every event went out as its own entry, in order, and the stream resumes at the first item
        assert relay_stream_records(records) == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    stub.assert_no_pending_responses()


def test_relay_ignores_items_of_another_kind(table: str) -> None:
    stub = _stub_events()
    with stub:
        assert relay_stream_records([_stream_record("5", _event(), kind="case")]) == {"batchItemFailures": []}


def test_relay_reports_the_first_record_when_the_call_itself_fails(table: str) -> None:
    records = [_stream_record("7", _event()), _stream_record("8", _event())]
    stub = _stub_events()
    stub.add_client_error("put_events", service_error_code="ThrottlingException", http_status_code=400)
    with stub:
        assert relay_stream_records(records) == {"batchItemFailures": [{"itemIdentifier": "7"}]}


def test_bus_message_body_yields_the_envelope() -> None:
    envelope = _event("item-9")
    body = json.dumps(
        {
            "version": "0",
            "id": "e1",
            "detail-type": envelope.type,
            "source": "jszw.catalog",
            "detail": json.loads(envelope.to_json()),
        }
    )
    assert parse_bus_message(body) == envelope
