"""The message center: delivery (idempotent), the inbox routes for the caller
only (newest first, paged, unread count, mark read; another user's message is
404), and the notifications_worker turning identity events into messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import AGENT, CITIZEN_A, CITIZEN_B, DEMO_ENTERPRISE
from shared.identity import events as identity_events
from shared.identity.protection import HashPurpose
from shared.identity.service import identity_service
from shared.notifications.consumers import HANDLED_EVENT_TYPES, message_for
from shared.notifications.models import Category, NewMessage
from shared.notifications.service import inbox_service
from shared.platform.aws import count_calls
from shared.platform.clock import frozen_at, now
from shared.platform.config import reset_settings
from shared.platform.consumer import UnexpectedEvent
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.events import Envelope
from shared.platform.ids import new_id
from shared.platform.principal import Principal, Role
from tests.support.api import invoke
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.identity_fixtures import (
    IDENTITY_TABLE,
    NOTIFICATIONS_TABLE,
    api_event,
    identity_cloud,
    request_code,
)

A = Principal(subject_id="01JDMX7Q4CTZNA0000000000AA", role=Role.CITIZEN)
B = Principal(subject_id="01JDMX7Q4CTZNB0000000000BB", role=Role.CITIZEN)


@pytest.fixture
def cloud() -> Iterator[None]:
    with identity_cloud():
        yield


def note(n: int, dedupe: str | None = None) -> NewMessage:
    # a message's key is the id of the event it reports: a ULID of the (frozen) time
    return NewMessage(category=Category.SYSTEM, title=f"消息 {n}", body=f"第 {n} 条", dedupe_key=dedupe or new_id())


def deliver_many(subject: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        with frozen_at(now() + timedelta(seconds=n)):
            message = inbox_service().deliver(subject, note(n))
        assert message is not None
        ids.append(message.message_id)
    return ids


def listing(principal: Principal | None, query: dict[str, str] | None = None) -> Any:
    return invoke(api_event("messages-list", principal=principal, query=query or {}))


def unread(principal: Principal) -> int:
    reply = invoke(api_event("messages-unread-count", principal=principal))
    assert reply.status == 200
    return int(reply.body["unread"])


def mark_read(principal: Principal | None, message_id: str) -> Any:
    return invoke(api_event("message-read", principal=principal, path_params={"message_id": message_id}))


def test_the_inbox_lists_newest_first_in_pages(cloud: None) -> None:
    ids = deliver_many(A.subject_id, 5)
    first = listing(A, {"limit": "3"})
    assert first.status == 200
    assert [m["message_id"] for m in first.body["items"]] == ids[::-1][:3]
    assert first.body["next_cursor"]
    second = listing(A, {"limit": "3", "cursor": first.body["next_cursor"]})
    assert [m["message_id"] for m in second.body["items"]] == ids[::-1][3:]
    assert all(m["read_at"] is None for m in first.body["items"])


def test_unread_count_and_mark_read(cloud: None) -> None:
    ids = deliver_many(A.subject_id, 3)
    assert unread(A) == 3
    reply = mark_read(A, ids[0])
    assert reply.status == 200
    assert reply.body["read_at"] is not None
    assert unread(A) == 2
    # marking again changes nothing
    again = mark_read(A, ids[0])
    assert again.status == 200
    assert again.body["read_at"] == reply.body["read_at"]
    assert unread(A) == 2


def test_citizen_b_cannot_read_or_mark_a_s_message(cloud: None) -> None:
    [message_id] = deliver_many(A.subject_id, 1)
    assert listing(B).body["items"] == []
    assert unread(B) == 0
    reply = mark_read(B, message_id)
    assert reply.status == 404
    assert reply.body["code"] == "not_found"
    # and A's message is still unread
    assert unread(A) == 1


def test_an_unknown_message_is_404_and_a_malformed_id_422(cloud: None) -> None:
    assert mark_read(A, "01JDMX7Q4MESSAGE0000000010").status == 404
    assert mark_read(A, "not-a-message-id").status == 422


def test_the_inbox_needs_a_signed_in_caller(cloud: None) -> None:
    assert listing(None).status == 401
    assert invoke(api_event("messages-unread-count", principal=None)).status == 401
    assert mark_read(None, "01JDMX7Q4MESSAGE0000000010").status == 401


def test_a_cursor_of_another_inbox_is_refused(cloud: None) -> None:
    deliver_many(A.subject_id, 3)
    cursor = listing(A, {"limit": "1"}).body["next_cursor"]
    reply = listing(B, {"cursor": cursor})
    assert reply.status == 400
    assert reply.body["code"] == "invalid_cursor"


def test_delivery_is_idempotent_per_dedupe_key(cloud: None) -> None:
    event_id = new_id()
    assert inbox_service().deliver(A.subject_id, note(1, event_id)) is not None
    assert inbox_service().deliver(A.subject_id, note(2, event_id)) is None
    assert inbox_service().deliver(B.subject_id, note(3, event_id)) is not None
    assert unread(A) == 1
    assert len(listing(A).body["items"]) == 1


def test_a_delivery_is_one_write_and_a_repeat_one_refused_put(cloud: None) -> None:
    # D-335: no counter to raise — the message is keyed by its event and the count is counted
    event_id = new_id()
    with count_calls() as first:
        assert inbox_service().deliver(A.subject_id, note(1, event_id)) is not None
    with count_calls() as again:
        assert inbox_service().deliver(A.subject_id, note(1, event_id)) is None
    assert first == {"dynamodb.PutItem": 1}
    assert again == {"dynamodb.PutItem": 1}
    assert [m["message_id"] for m in listing(A).body["items"]] == [event_id]
    assert unread(A) == 1


def test_marking_read_is_one_conditional_update_and_the_count_one_query(cloud: None) -> None:
    ids = deliver_many(A.subject_id, 4)
    with count_calls() as marking:
        assert mark_read(A, ids[1]).status == 200
    with count_calls() as again:
        assert mark_read(A, ids[1]).status == 200
    with count_calls() as counting:
        assert unread(A) == 3
    # the write, then the message read back for the reply; a repeat is refused by its condition
    assert marking == {"dynamodb.UpdateItem": 1, "dynamodb.GetItem": 1}
    assert again == {"dynamodb.UpdateItem": 1, "dynamodb.GetItem": 1}
    assert counting == {"dynamodb.Query": 1}


def test_the_count_reads_the_messages_themselves(cloud: None) -> None:
    # an inbox written before D-335 keeps its stale counter item: the badge no longer trusts it,
    # nor can a worker stopped mid-delivery leave it one short
    boto3.client("dynamodb").put_item(
        TableName=NOTIFICATIONS_TABLE,
        Item={"pk": {"S": f"INBOX#{A.subject_id}"}, "sk": {"S": "COUNTER"}, "unread": {"N": "7"}},
    )
    ids = deliver_many(A.subject_id, 2)
    assert unread(A) == 2
    mark_read(A, ids[0])
    assert unread(A) == 1
    assert [m["message_id"] for m in listing(A).body["items"]] == ids[::-1]


# --- events → messages -----------------------------------------------------------------------


def bus_record(envelope: Envelope, message_id: str = "m-1") -> dict[str, Any]:
    body = {
        "version": "0",
        "id": "bus-" + envelope.id,
        "source": "jszw." + envelope.source,
        "detail-type": envelope.type,
        "detail": json.loads(envelope.to_json()),
    }
    return {
        "messageId": message_id,
        "receiptHandle": "r",
        "body": json.dumps(body, ensure_ascii=False),
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws-cn:sqs:cn-north-1:123456789012:notifications",
        "awsRegion": "cn-north-1",
    }


def test_every_identity_event_the_rule_routes_has_a_message() -> None:
    from infra.template import sam_template

    pattern = sam_template()["Resources"]["NotificationsRule"]["Properties"]["EventPattern"]
    assert set(pattern["detail-type"]) == set(HANDLED_EVENT_TYPES)
    with pytest.raises(UnexpectedEvent):
        message_for(Envelope(type="catalog.item_published", source="catalog", subject="x"))


def test_the_worker_turns_the_outbox_events_into_messages(cloud: None) -> None:
    load_identity(identity_service())
    # Given the seed's agent authorisation and a new registration left events in the outbox
    code = request_code("13800000009", "register")
    registered = invoke(
        api_event(
            "register",
            body={"id_number": "320113199506200572", "name": "赵磊", "phone": "13800000009", "code": code},
            headers={"Idempotency-Key": None},
        )
    )
    items = boto3.client("dynamodb").scan(TableName=IDENTITY_TABLE)["Items"]
    envelopes = [
        Envelope.model_validate(e)
        for i in items
        if i["pk"]["S"].startswith("OUTBOX#")
        for e in outbox_events(from_item(i))
    ]
    records = [bus_record(e, f"m-{n}") for n, e in enumerate(envelopes)]
    # When the worker gets them (twice: SQS may deliver again)
    for _ in range(2):
        result = load_function("notifications_worker").handler({"Records": records}, FakeContext())
        assert result == {"batchItemFailures": []}
    # Then the new citizen has a welcome and the agent an authorisation notice, once each
    welcome = listing(Principal(subject_id=registered.body["subject_id"], role=Role.CITIZEN)).body["items"]
    assert [m["title"] for m in welcome] == ["欢迎使用江苏政务服务"]
    service = identity_service()
    agent_subject = service.repository.subject_for_id_number(
        service.hasher.digest(HashPurpose.ID_NUMBER, AGENT.person.id_number)
    )
    notices = listing(Principal(subject_id=agent_subject or "", role=Role.CITIZEN)).body["items"]
    assert len(notices) == 1
    assert DEMO_ENTERPRISE.uscc in notices[0]["body"]
    assert notices[0]["category"] == "authorisation"


def test_a_bad_record_fails_alone(cloud: None) -> None:
    good = Envelope(
        type=identity_events.ACCOUNT_REGISTERED,
        source="identity",
        subject=A.subject_id,
        data={"subject_id": A.subject_id, "role": "citizen"},
    )
    unknown = Envelope(type="catalog.item_published", source="catalog", subject="x")
    broken = {**bus_record(good, "m-broken"), "body": "{not json"}
    result = load_function("notifications_worker").handler(
        {"Records": [bus_record(good, "m-good"), bus_record(unknown, "m-unknown"), broken]}, FakeContext()
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-unknown"}, {"itemIdentifier": "m-broken"}]}
    assert unread(A) == 1


def test_with_its_dlq_an_unroutable_event_is_parked_at_once_with_the_reason(
    cloud: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="notifications-dlq-test")["QueueUrl"]
    monkeypatch.setenv("DLQ_URL", dlq)
    reset_settings()
    try:
        unknown = Envelope(type="catalog.item_published", source="catalog", subject="x")
        broken = {**bus_record(unknown, "m-broken"), "body": "{not json"}
        result = load_function("notifications_worker").handler(
            {"Records": [bus_record(unknown, "m-unknown"), broken]}, FakeContext()
        )
        # a routing mistake cannot succeed on retry: parked now; an unreadable body is retried first
        assert result == {"batchItemFailures": [{"itemIdentifier": "m-broken"}]}
        parked = sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"])["Messages"]
        assert [m["MessageAttributes"]["failure_reason"]["StringValue"] for m in parked] == [
            "UnexpectedEvent: catalog.item_published"
        ]
    finally:
        monkeypatch.delenv("DLQ_URL")
        reset_settings()


def test_the_seed_leaves_citizen_a_a_welcome_message(cloud: None) -> None:
    load_identity(identity_service())
    load_identity(identity_service())
    service = identity_service()
    subject_a = service.repository.subject_for_phone(service.hasher.digest(HashPurpose.PHONE, CITIZEN_A.phone))
    subject_b = service.repository.subject_for_phone(service.hasher.digest(HashPurpose.PHONE, CITIZEN_B.phone))
    assert subject_a
    assert subject_b
    assert unread(Principal(subject_id=subject_a, role=Role.CITIZEN)) == 1  # once, though seeded twice
    assert unread(Principal(subject_id=subject_b, role=Role.CITIZEN)) == 0


def test_the_sample_event_delivers_a_welcome(cloud: None) -> None:
    # Given the SQS event sample (events/notifications_worker/sqs-account-registered.json)
    sample_path = (
        Path(__file__).resolve().parents[2] / "events" / "notifications_worker" / "sqs-account-registered.json"
    )
    event = json.loads(sample_path.read_text(encoding="utf-8"))
    # When the worker handles it
    result = load_function("notifications_worker").handler(event, FakeContext())
    # Then the subject it names has one unread welcome
    assert result == {"batchItemFailures": []}
    assert unread(Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5CA1", role=Role.CITIZEN)) == 1
