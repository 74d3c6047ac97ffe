"""The cost model's metering (infra/local/metering.py): DynamoDB request units
from item sizes by DynamoDB's published rules, and every AWS call a handler
makes seen once, without changing the call."""

from __future__ import annotations

import io
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import metering
from shared.platform import aws


def test_item_sizes_follow_dynamodbs_rules() -> None:
    # names count, strings are UTF-8 bytes, numbers about half their digits + 1
    assert metering.item_size({"pk": {"S": "CASE#1"}}) == 2 + 6
    assert metering.item_size({"名": {"S": "张伟"}}) == 3 + 6
    assert metering.value_size({"N": "123456"}) == 4
    assert metering.value_size({"BOOL": True}) == 1
    assert metering.value_size({"M": {"a": {"S": "x"}}}) == 3 + 1 + 1 + 1


def test_writes_and_reads_are_billed_by_size_and_transactions_twice() -> None:
    small = {"pk": {"S": "x"}}
    big = {"pk": {"S": "x"}, "body": {"S": "y" * 3000}}
    assert metering.dynamodb_units("PutItem", {"Item": small}, {}) == (0.0, 1.0)
    assert metering.dynamodb_units("PutItem", {"Item": big}, {}) == (0.0, 3.0)
    assert metering.dynamodb_units(
        "TransactWriteItems", {"TransactItems": [{"Put": {"Item": small}}, {"Put": {"Item": big}}]}, {}
    ) == (0.0, 8.0)
    # eventually consistent reads: half a unit per 4 KB, at least half a unit even when nothing is found
    assert metering.dynamodb_units("GetItem", {}, {}) == (0.5, 0.0)
    assert metering.dynamodb_units("GetItem", {"ConsistentRead": True}, {"Item": big}) == (1.0, 0.0)
    items = [{"pk": {"S": "x"}, "body": {"S": "y" * 3000}}] * 3  # ~9 KB → 3 units → 1.5 eventually consistent
    assert metering.dynamodb_units("Query", {}, {"Items": items}) == (1.5, 0.0)


@pytest.fixture
def cloud() -> Iterator[None]:
    with mock_aws():
        aws.reset_clients()
        boto3.client("dynamodb").create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("s3").create_bucket(
            Bucket="metering-test", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        yield None
        aws.reset_clients()


@pytest.mark.usefixtures("cloud")
def test_an_invocation_is_metered_call_by_call() -> None:
    event = {"Records": [{"eventSource": "aws:sqs", "body": "{}"}, {"eventSource": "aws:sqs", "body": "{}"}]}
    with metering.metered(event, 1024) as usage:
        aws.dynamodb().put_item(TableName="t", Item={"pk": {"S": "a"}, "v": {"S": "z" * 2000}})
        aws.dynamodb().get_item(TableName="t", Key={"pk": {"S": "a"}})
        aws.s3().put_object(Bucket="metering-test", Key="k", Body=io.BytesIO(b"0123456789"))
    metering.finish(usage, 12.3, 4.0, 1024, log_bytes=500, platform_bytes=357)
    assert usage.calls == {"dynamodb.PutItem": 1, "dynamodb.GetItem": 1, "s3.PutObject": 1}
    assert (usage.write_units, usage.read_units) == (2.0, 0.5)
    assert usage.sqs_records == 2
    # the log: what the function wrote, plus Lambda's own lines (as LoggingConfig sets them, D-333)
    assert (usage.invocations, usage.billed_ms) == (1, 13)
    assert usage.log_bytes == 500 + 357
    assert usage.gb_seconds == pytest.approx(0.013)
    # modelled (D-198): 4 ms of CPU at 1,024 MB's share of a vCPU, plus the calls' nominal latency
    assert usage.call_wait_ms == 10 + 10 + 50
    assert usage.model_gb_seconds == pytest.approx(math.ceil(4.0 * 1769 / 1024 + 70) / 1000)
    assert usage.bytes_sent > 2000
    assert usage.bytes_received > 2000
    # outside the block nothing is observed, and the object was written whole
    aws.dynamodb().get_item(TableName="t", Key={"pk": {"S": "a"}})
    assert usage.calls["dynamodb.GetItem"] == 1
    assert aws.s3().get_object(Bucket="metering-test", Key="k")["Body"].read() == b"0123456789"


def _sqs(body_bytes: int, receive_count: int = 1) -> dict[str, object]:
    return {
        "eventSource": "aws:sqs",
        "body": "x" * body_bytes,
        "attributes": {"ApproximateReceiveCount": str(receive_count)},
    }


def test_a_batch_is_billed_a_send_per_message_and_a_receive_and_delete_per_ten() -> None:
    # one 3 KB event: sent, received, deleted
    assert metering.sqs_delivery_requests([_sqs(3000)]) == 3
    # ten events in one batch: ten sends, one ReceiveMessage, one DeleteMessageBatch (not 30 requests)
    assert metering.sqs_delivery_requests([_sqs(3000)] * 10) == 12
    # twelve: two receives and two deletes (10 messages a call at most)
    assert metering.sqs_delivery_requests([_sqs(3000)] * 12) == 16
    # payload over 64 KB is billed per 64 KB chunk: a 100 KB message is two sends and a two-chunk receive
    assert metering.sqs_delivery_requests([_sqs(100 * 1024)]) == 2 + 2 + 1
    # a redelivered message was sent once, for its first delivery
    assert metering.sqs_delivery_requests([_sqs(3000, receive_count=2)]) == 2


def test_a_batch_gathered_over_a_window_bills_each_receive_that_returned_messages() -> None:
    # three messages that came in three receives while the window was open: two receives more than the one
    # the batch's ten-message rule bills
    assert metering.extra_receive_requests([[3000], [3000], [3000]]) == 2
    # twelve that came ten and two: exactly the rule's two receives, nothing more
    assert metering.extra_receive_requests([[3000] * 10, [3000] * 2]) == 0
    # one receive of a whole batch: nothing more
    assert metering.extra_receive_requests([[3000] * 4]) == 0


def _poller(sqs: Any, url: str, window_s: float, invoked: list[int], billed: list[int]) -> Any:
    from infra.local.model import EventSource
    from infra.local.pollers import Activity, SqsPoller
    from infra.local.workers import Invocation

    def invoke(function_id: str, event: Any) -> Invocation:
        invoked.append(len(event["Records"]))
        return Invocation(function_id, "r1")

    source = EventSource("Fn", "Q", "SQS", {"BatchSize": 10, "MaximumBatchingWindowInSeconds": window_s}, {})
    return SqsPoller(
        source,
        queue_url=url,
        queue_arn="arn:aws:sqs:cn-north-1:123456789012:q",
        sqs=sqs,
        invoke=invoke,
        activity=Activity(),
        region="cn-north-1",
        retry_delay_s=0,
        max_window_s=window_s,
        bill=lambda function_id, requests: billed.append(requests),
    )


@mock_aws
def test_a_local_poller_hands_records_in_flight_over_in_one_batch_and_bills_its_further_receives() -> None:
    sqs = boto3.client("sqs", region_name="cn-north-1")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    invoked: list[int] = []
    billed: list[int] = []
    # twelve records waiting: a full batch of ten in one receive (nothing billed beyond the meter's rule), then two
    for n in range(12):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
    poller = _poller(sqs, url, 0.05, invoked, billed)
    poller._step()
    poller._step()
    assert invoked == [10, 2]
    assert billed == []
    # one record, then two more while the window is open: one invocation for the three, and every receive that
    # returned something past the first is billed to the function
    sqs.send_message(QueueUrl=url, MessageBody="first")
    later = threading.Timer(0.1, lambda: [sqs.send_message(QueueUrl=url, MessageBody=f"later{n}") for n in range(2)])
    later.start()
    _poller(sqs, url, 0.4, invoked, billed)._step()
    later.join()
    assert invoked[2:] == [3]
    assert billed in ([1], [2])  # the two late ones came in one receive or in two


def test_the_cost_model_shares_a_groups_bill_among_its_cases() -> None:
    from tests.perf import prices
    from tests.perf.test_cost_model import Run, priced

    # one batch of eight cases' records: one invocation and one receive and delete, billed once for the group
    batch = metering.Usage(invocations=1, sqs_requests=8 + 1 + 1, api_requests=8)
    group, alone = Run("x", cases=8, usage={"F": batch}), Run("x", cases=1, usage={"F": batch})
    assert priced(group)["Lambda requests"] == pytest.approx(prices.LAMBDA_REQUEST / 8)
    assert priced(group)["SQS"] == pytest.approx(10 / 8 * prices.SQS_REQUEST)
    assert priced(group)["API Gateway"] == pytest.approx(prices.API_GATEWAY_REST_REQUEST)
    assert priced(alone)["SQS"] == pytest.approx(10 * prices.SQS_REQUEST)


def test_a_queue_invocation_that_writes_nothing_is_counted_idle() -> None:
    event = {"Records": [_sqs(100)]}
    reads_only, writes = metering.Usage(), metering.Usage()
    metering.describe_event(event, reads_only)
    metering.describe_event(event, writes)
    reads_only.calls["dynamodb.GetItem"] += 1
    writes.calls.update({"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1})
    for usage in (reads_only, writes):
        metering.finish(usage, 5.0, 1.0, 512, log_bytes=0)
    assert (reads_only.idle_invocations, writes.idle_invocations) == (1, 0)
    assert reads_only.sqs_requests == 3
    api = metering.Usage()
    metering.describe_event({"httpMethod": "GET", "requestContext": {}}, api)
    metering.finish(api, 5.0, 1.0, 512, log_bytes=0)
    assert (api.api_requests, api.idle_invocations, api.sqs_requests) == (1, 0, 0)


def test_usage_adds_up_and_subtracts_for_a_runs_share() -> None:
    first = metering.Usage(invocations=2, billed_ms=10, read_units=1.0)
    first.calls["dynamodb.Query"] = 2
    later = first.copy()
    later.add(metering.Usage.from_dict({"invocations": 1, "billed_ms": 5, "calls": {"dynamodb.Query": 1}}))
    share = later.minus(first)
    assert (share.invocations, share.billed_ms, dict(share.calls)) == (1, 5, {"dynamodb.Query": 1})


def test_the_modelled_duration_gives_a_small_function_its_share_of_a_vcpu() -> None:
    # the same 100 ms of CPU takes 3.5 times longer at 512 MB, so it costs the same GB-s as at 1,769 MB
    small, full = metering.Usage(), metering.Usage()
    metering.finish(small, 900.0, 100.0, 512, log_bytes=0)
    metering.finish(full, 900.0, 100.0, 1769, log_bytes=0)
    assert small.model_gb_seconds == pytest.approx(0.346 * 0.5, abs=0.001)
    assert small.model_gb_seconds == pytest.approx(full.model_gb_seconds, rel=0.01)
    assert small.gb_seconds == pytest.approx(0.45)  # the wall-time figure stays beside it


@pytest.fixture
def indexed() -> Iterator[None]:
    """A table with two indexes: `all` projects whole items, `keys` only the keys."""
    with mock_aws():
        aws.reset_clients()
        metering._TABLES.__init__()  # type: ignore[misc]  # forget index definitions and the client of another mock
        boto3.client("dynamodb").create_table(
            TableName="ix",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g1", "AttributeType": "S"},
                {"AttributeName": "g2", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "all",
                    "KeySchema": [{"AttributeName": "g1", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "keys",
                    "KeySchema": [{"AttributeName": "g2", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield None
        aws.reset_clients()
        metering._TABLES.__init__()  # type: ignore[misc]


@pytest.mark.usefixtures("indexed")
def test_index_entries_and_whole_items_are_billed_when_stored_items_are_metered() -> None:
    big = "z" * 2500  # a ~2.5 KB item: 3 write units wherever it is written whole
    with metering.metered({}, 1024) as usage:
        meter_on = metering.Meter(stored_items=True)
        with aws.observe_calls(meter_on):
            # in both indexes: 3 (table) + 3 (the whole item in `all`) + 1 (its keys in `keys`)
            aws.dynamodb().put_item(
                TableName="ix", Item={"pk": {"S": "a"}, "g1": {"S": "x"}, "g2": {"S": "y"}, "v": {"S": big}}
            )
            # an update that sets one small attribute still rewrites the 2.5 KB item, and its entry in
            # `all` (a projected attribute changed), not the one in `keys` (neither its key nor what it holds)
            aws.dynamodb().update_item(
                TableName="ix",
                Key={"pk": {"S": "a"}},
                UpdateExpression="SET n = :n",
                ExpressionAttributeValues={":n": {"N": "1"}},
            )
            # in a transaction the table's write counts twice, the index entries it changes once
            aws.dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": "ix",
                            "Key": {"pk": {"S": "a"}},
                            "UpdateExpression": "SET n = :n",
                            "ExpressionAttributeValues": {":n": {"N": "2"}},
                        }
                    },
                    {"Put": {"TableName": "ix", "Item": {"pk": {"S": "b"}, "v": {"S": "small"}}}},
                ]
            )
    on = meter_on.usage
    assert on.index_write_units == (3 + 1) + 3 + 3
    assert on.write_units == (3 + 4) + (3 + 3) + (2 * 3 + 3 + 2 * 1)
    # the default meter (every other local run) sizes what is on the wire and reads nothing back
    assert usage.index_write_units == 0
    assert usage.write_units == 3 + 1 + (2 * 1 + 2 * 1)
    assert usage.calls == {"dynamodb.PutItem": 1, "dynamodb.UpdateItem": 1, "dynamodb.TransactWriteItems": 1}


@pytest.mark.usefixtures("cloud")
def test_calls_made_at_once_are_modelled_as_waves_not_one_after_the_other() -> None:
    def put(n: int) -> None:
        aws.dynamodb().put_item(TableName="t", Item={"pk": {"S": f"k{n}"}})

    with metering.metered({}, 1024) as usage:
        aws.concurrently([lambda n=n: put(n) for n in range(12)], workers=8)  # type: ignore[misc]
        put(99)  # and one more after them, in sequence
    # 12 PutItems on 8 threads: two waves of the nominal 10 ms, then 10 ms more; every call counted
    assert usage.calls == {"dynamodb.PutItem": 13}
    assert usage.call_wait_ms == 10 + 10 + 10
    assert usage.write_units == 13
    assert metering.lanes_ms([25.0, 10.0, 10.0, 10.0], 2) == 30.0
    # the meter's own reads on those threads overlap: what it takes off the invocation's times for them
    # stays within what the calls took (were the threads' times summed, a short invocation would cost 0)
    reading = metering.Meter(stored_items=True)
    begun, cpu_begun = time.perf_counter(), time.process_time()
    with aws.observe_calls(reading):
        aws.concurrently([lambda n=n: put(n) for n in range(24)], workers=8)  # type: ignore[misc]
    took, cpu = (time.perf_counter() - begun) * 1000, (time.process_time() - cpu_begun) * 1000
    assert 0 < reading.usage.meter_ms <= took
    assert 0 < reading.usage.meter_cpu_ms <= cpu


def test_the_first_failure_of_calls_made_at_once_is_raised_after_all_have_run() -> None:
    ran: list[int] = []

    def call(n: int) -> int:
        ran.append(n)
        if n == 1:
            raise ValueError("one failed")
        return n

    with pytest.raises(ValueError, match="one failed"):
        aws.concurrently([lambda n=n: call(n) for n in range(5)], workers=3)  # type: ignore[misc]
    assert sorted(ran) == [0, 1, 2, 3, 4]
    assert aws.concurrently([lambda n=n: n * 2 for n in range(5)], workers=3) == [0, 2, 4, 6, 8]  # type: ignore[misc]


@pytest.mark.usefixtures("indexed")
def test_an_index_is_billed_only_for_the_entries_a_write_puts_changes_or_removes() -> None:
    item = {"pk": {"S": "a"}, "g1": {"S": "x"}, "g2": {"S": "y"}, "v": {"S": "small"}}
    aws.dynamodb().put_item(TableName="ix", Item=item)
    meter = metering.Meter(stored_items=True)

    def index_units(write: Callable[[], Any]) -> float:
        before = meter.usage.index_write_units
        with aws.observe_calls(meter):
            write()
        return meter.usage.index_write_units - before

    put = aws.dynamodb().put_item
    assert index_units(lambda: put(TableName="ix", Item=item)) == 0  # the same item again: no entry changes
    # g2 moves: its entry in `keys` is deleted and put again (2); `all` holds g2 too (1)
    assert index_units(lambda: put(TableName="ix", Item=item | {"g2": {"S": "z"}})) == 2 + 1
    # g1 removed: the entry leaves `all` (1); `keys` is untouched
    moved = {k: v for k, v in item.items() if k != "g1"} | {"g2": {"S": "z"}}
    assert index_units(lambda: put(TableName="ix", Item=moved)) == 1
    # a new attribute on an item now in `keys` only, which does not project it: nothing
    assert index_units(lambda: put(TableName="ix", Item=moved | {"n": {"N": "1"}})) == 0


@pytest.mark.usefixtures("indexed")
def test_a_filtered_counted_or_projected_query_is_billed_on_the_items_it_read() -> None:
    for n in range(3):  # three ~3 KB items in the `all` index: 9 KB read, 3 units, half of that eventually consistent
        aws.dynamodb().put_item(TableName="ix", Item={"pk": {"S": f"p{n}"}, "g1": {"S": "x"}, "v": {"S": "z" * 3000}})
    key = {"IndexName": "all", "KeyConditionExpression": "g1 = :gk", "ExpressionAttributeValues": {":gk": {"S": "x"}}}
    narrowed: list[dict[str, Any]] = [
        # a filter that keeps nothing: its placeholders (`:g` a prefix of the key's `:gk`) must not reach the
        # meter's unfiltered read, which DynamoDB would refuse
        {
            **key,
            "FilterExpression": "#v = :g",
            "ExpressionAttributeNames": {"#v": "v"},
            "ExpressionAttributeValues": {":gk": {"S": "x"}, ":g": {"S": "-"}},
        },
        {**key, "Select": "COUNT"},
        {**key, "ProjectionExpression": "pk"},
    ]
    for params in narrowed:
        meter = metering.Meter(stored_items=True)
        with aws.observe_calls(meter):
            aws.dynamodb().query(TableName="ix", **params)
        assert meter.usage.read_units == 1.5, params
        # the default meter (no stored reads) sees only what came back: the least a read bills
        wire = metering.Meter(stored_items=False)
        with aws.observe_calls(wire):
            aws.dynamodb().query(TableName="ix", **params)
        assert wire.usage.read_units == 0.5
    # a Scan's page with a Limit: only the items it read before the filter
    meter = metering.Meter(stored_items=True)
    with aws.observe_calls(meter):
        aws.dynamodb().scan(TableName="ix", Limit=1, Select="COUNT")
    assert meter.usage.read_units == 0.5


def test_the_meters_unnarrowed_read_keeps_only_the_key_conditions_placeholders() -> None:
    sent: dict[str, Any] = {}

    class Recording:
        def query(self, **params: Any) -> dict[str, Any]:
            sent.update(params)
            return {"Items": []}

    tables = metering._Tables()
    tables._client = Recording()
    params = {
        "TableName": "ix",
        "KeyConditionExpression": "#k = :gk",
        "FilterExpression": "#v = :g",
        "ExpressionAttributeNames": {"#k": "g1", "#v": "v"},
        "ExpressionAttributeValues": {":gk": {"S": "x"}, ":g": {"S": "-"}},
    }
    assert metering.evaluated_read_units("Query", params, tables) == 0.5
    # DynamoDB refuses a placeholder no expression uses; `:g` is a prefix of `:gk`, not a use of it
    assert sent == {
        "TableName": "ix",
        "KeyConditionExpression": "#k = :gk",
        "ExpressionAttributeNames": {"#k": "g1"},
        "ExpressionAttributeValues": {":gk": {"S": "x"}},
    }
