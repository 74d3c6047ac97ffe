"""Event source mappings, played locally: SQS and DynamoDB stream pollers.

Lambda's pollers are not created in moto (moto would run functions in
Docker), so these threads do their job: read in batches, filter, invoke the
function and act on its answer as Lambda does (partial batch responses,
retries, dead-letter queues, on-failure destinations).

Local difference, on purpose: a failed SQS message would become visible
again after the queue's VisibilityTimeout (60 s for OpenDataQueue); here its
visibility is set to `retry_delay_s` (default 1 s) so retries and the move to
the DLQ after maxReceiveCount happen in seconds. Moto moves a message to the
DLQ on the receive after its maxReceiveCount-th failure, as SQS does.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.local.filters import matches_any, parse_filters, sqs_filter_document
from infra.local.metering import extra_receive_requests, message_bytes
from infra.local.model import EventSource
from infra.local.workers import Invocation

log = logging.getLogger("infra.local")

LONG_POLL_S = 20
Invoke = Callable[[str, Any], Invocation]
SendFailure = Callable[[str, dict[str, Any]], None]
# (function id, SQS requests): what a poller's own calls bill beyond what the function's meter counts
Bill = Callable[[str, int], None]


# A batching window gathers records before an invocation; AWS may hold them up to 300 s. Locally a window holds
# the poller "at work", so a walk-through's wait for quiet would wait it out: windows are capped (the batch is
# still gathered; only the wait is shorter). The local window is min(the template's, the cap): 1 s for the tests
# and `make run`, which is every prompt consumer's own window (D-328), so a follower's longer window in production
# (monitoring 10 s, analytics 60 s, the exchange store 300 s, D-296) slows no walk-through; the cost model raises
# the cap (LocalCloud(max_batching_window_s=…)) to let the followers' batches gather as they do at volume (D-329).
LOCAL_MAX_BATCHING_WINDOW_S = 1.0


def batching_window(props: dict[str, Any], cap_s: float = LOCAL_MAX_BATCHING_WINDOW_S) -> float:
    """The event source's MaximumBatchingWindowInSeconds, capped for the local cloud."""
    return min(float(props.get("MaximumBatchingWindowInSeconds", 0)), cap_s)


class Activity:
    """Counts work in progress so `wait_idle` can tell quiet from between-steps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self.busy = 0
        self._who: dict[str, int] = {}

    @contextmanager
    def working(self, who: str = "a function") -> Iterator[None]:
        with self._lock:
            self.busy += 1
            self.generation += 1
            self._who[who] = self._who.get(who, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self.busy -= 1
                self.generation += 1
                self._who[who] -= 1
                if not self._who[who]:
                    del self._who[who]

    def working_on(self) -> list[str]:
        """Who is at work now: what `wait_idle` names when it gives up (a hung invocation, a slow poller)."""
        with self._lock:
            return sorted(self._who)

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.generation, self.busy


@dataclass
class PollerStats:
    batches: int = 0
    records: int = 0
    failures: int = 0
    filtered_out: int = 0
    sent_to_destination: int = 0
    last_error: str = ""


def _response_failures(result: Any, known: set[str]) -> set[str] | None:
    """Failed item ids from a partial batch response; None means 'whole batch failed'."""
    if result is None:
        return set()
    if not isinstance(result, dict):
        return None
    items = result.get("batchItemFailures")
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    failed: set[str] = set()
    for item in items:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in known:
            return None
        failed.add(identifier)
    return failed


class _Poller:
    """Thread plumbing shared by the pollers."""

    name = "poller"

    def __init__(self, source: EventSource, *, invoke: Invoke, activity: Activity, region: str) -> None:
        self.source = source
        self.props = source.properties
        self.function_id = source.function_id
        self.invoke = invoke
        self.activity = activity
        self.region = region
        self.enabled = bool(self.props.get("Enabled", True))
        self.filters = parse_filters(self.props.get("FilterCriteria"))
        self.stats = PollerStats()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.enabled:
            return
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-{self.function_id}", daemon=True)
        self._thread.start()

    def signal_stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def nudge(self) -> None:
        """Poll now instead of after the idle back-off (new work is likely)."""
        self._wake.set()

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception as exc:
                if self._stop.is_set():
                    return
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("%s for %s failed; retrying", self.name, self.function_id)
                self._stop.wait(1.0)

    def _step(self) -> None:
        raise NotImplementedError


class SqsPoller(_Poller):
    """An SQS event source: batches, batching window, filters, partial batch responses."""

    name = "sqs"

    def __init__(
        self,
        source: EventSource,
        *,
        queue_url: str,
        queue_arn: str,
        sqs: Any,
        invoke: Invoke,
        activity: Activity,
        region: str,
        retry_delay_s: int,
        max_window_s: float = LOCAL_MAX_BATCHING_WINDOW_S,
        bill: Bill | None = None,
    ) -> None:
        super().__init__(source, invoke=invoke, activity=activity, region=region)
        self.bill = bill
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.sqs = sqs
        self.retry_delay_s = retry_delay_s
        self.batch_size = int(self.props.get("BatchSize", 10))
        self.window_s = batching_window(self.props, max_window_s)
        self.report_failures = "ReportBatchItemFailures" in (self.props.get("FunctionResponseTypes") or [])

    def _receive(self, count: int, wait_s: int) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(10, count)),
            WaitTimeSeconds=wait_s,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages") or [])

    def _step(self) -> None:
        # long polling as Lambda's pollers do (20 s): moto answers as soon as a message arrives, and an
        # idle queue costs one request per 20 s instead of one per second (D-190)
        messages = self._receive(self.batch_size, LONG_POLL_S)
        if not messages:
            return
        with self.activity.working(self.function_id):
            calls = [list(messages)]  # what each receive returned: each is a billed request (the meter's rule, D-329)
            deadline = time.monotonic() + self.window_s
            while len(messages) < self.batch_size and not self._stop.is_set():
                more = self._receive(self.batch_size - len(messages), 0)
                messages.extend(more)
                if more:
                    calls.append(more)
                if not more and time.monotonic() >= deadline:
                    break
                if not more:
                    self._stop.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            self._process(messages)
            if self.bill is not None and len(calls) > 1:
                sizes = [[message_bytes(self.record(m)) for m in returned] for returned in calls]
                self.bill(self.function_id, extra_receive_requests(sizes))

    def record(self, message: dict[str, Any]) -> dict[str, Any]:
        """An SQS message in the shape Lambda delivers it."""
        attributes = {}
        for name, value in (message.get("MessageAttributes") or {}).items():
            converted: dict[str, Any] = {
                "stringListValues": list(value.get("StringListValues") or []),
                "binaryListValues": [base64.b64encode(v).decode() for v in value.get("BinaryListValues") or []],
                "dataType": value.get("DataType", "String"),
            }
            if "StringValue" in value:
                converted["stringValue"] = value["StringValue"]
            if "BinaryValue" in value:
                converted["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
            attributes[name] = converted
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": dict(message.get("Attributes") or {}),
            "messageAttributes": attributes,
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }
        if message.get("MD5OfMessageAttributes"):
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record

    def _process(self, messages: list[dict[str, Any]]) -> None:
        records = [self.record(m) for m in messages]
        if self.filters:
            dropped = [r for r in records if not matches_any(self.filters, sqs_filter_document(r))]
            if dropped:  # Lambda deletes SQS messages that do not match the filters
                self.stats.filtered_out += len(dropped)
                self._delete(dropped)
                records = [r for r in records if r not in dropped]
        if not records:
            return
        self.stats.batches += 1
        self.stats.records += len(records)
        invocation = self.invoke(self.function_id, {"Records": records})
        ids = {r["messageId"] for r in records}
        failed: set[str] | None = None
        if invocation.ok:
            failed = _response_failures(invocation.result, ids) if self.report_failures else set()
            if failed is None:
                log.warning("%s returned an invalid batch response; the whole batch is retried", self.function_id)
        else:
            self.stats.last_error = f"{invocation.error and invocation.error.get('errorType')}"
        if failed is None:
            failed = ids
        self.stats.failures += len(failed)
        self._delete([r for r in records if r["messageId"] not in failed])
        self._retry_later([r for r in records if r["messageId"] in failed])

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )

    def _retry_later(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": r["receiptHandle"], "VisibilityTimeout": self.retry_delay_s}
                    for i, r in enumerate(chunk)
                ],
            )

    def pending(self) -> int:
        """Messages visible, in flight or delayed on the queue."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())


class EventBridgeTargetPoller(SqsPoller):
    """An `EventBridgeRule`/`CloudWatchEvent` function event: the rule targets a private
    queue and each event invokes the function asynchronously (2 retries, then dropped
    with a log line, as Lambda's default async configuration does)."""

    name = "events"
    max_attempts = 3

    def _process(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.stats.batches += 1
            self.stats.records += 1
            try:
                event = json.loads(message.get("Body") or "null")
            except ValueError:
                event = message.get("Body")
            invocation = self.invoke(self.function_id, event)
            receive_count = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
            record = {"receiptHandle": message["ReceiptHandle"]}
            if invocation.ok or receive_count >= self.max_attempts:
                if not invocation.ok:
                    self.stats.failures += 1
                    log.error("%s: event dropped after %d attempts", self.function_id, receive_count)
                self._delete([record])
            else:
                self._retry_later([record])


class StreamPoller(_Poller):
    """A DynamoDB stream event source: batches per shard, filters, partial batch
    responses (retry from the failed sequence number), bisect on error, retries,
    then the on-failure destination."""

    name = "stream"

    def __init__(
        self,
        source: EventSource,
        *,
        stream_arn: str,
        function_arn: str,
        streams: Any,
        send_failure: SendFailure,
        invoke: Invoke,
        activity: Activity,
        region: str,
        retry_delay_s: float,
        idle_poll_s: float = 1.0,
        max_window_s: float = LOCAL_MAX_BATCHING_WINDOW_S,
    ) -> None:
        super().__init__(source, invoke=invoke, activity=activity, region=region)
        self.stream_arn = stream_arn
        # arn:aws:dynamodb:region:account:table/NAME/stream/LABEL
        self.table_name = stream_arn.split(":table/", 1)[-1].split("/stream/", 1)[0]
        self.function_arn = function_arn
        self.streams = streams
        self.send_failure = send_failure
        self.retry_delay_s = retry_delay_s
        self.idle_poll_s = idle_poll_s
        self.batch_size = int(self.props.get("BatchSize", 100))
        self.window_s = batching_window(self.props, max_window_s)
        self.max_retries = int(self.props.get("MaximumRetryAttempts", -1))
        self.bisect = bool(self.props.get("BisectBatchOnFunctionError", False))
        self.report_failures = "ReportBatchItemFailures" in (self.props.get("FunctionResponseTypes") or [])
        destination = ((self.props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        self.on_failure: str | None = str(destination) if destination else None
        self.shard_id = ""
        # Where to read next: ("TRIM_HORIZON", None), ("AT_SEQUENCE_NUMBER", n) or
        # ("AFTER_SEQUENCE_NUMBER", n). A fresh iterator is asked for on every read:
        # moto ties iterators to table objects, which can be replaced.
        self._position: tuple[str, str | None] = ("TRIM_HORIZON", None)
        self._limit = self.batch_size
        self._failing_seq = ""
        self._attempts = 0
        self._idle_s = 0.05

    def start(self) -> None:
        if self.enabled:
            shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
            self.shard_id = shards[0]["ShardId"]  # moto keeps one shard per table
            if str(self.props.get("StartingPosition", "LATEST")) == "LATEST":
                self._skip_to_latest()
        super().start()

    def _skip_to_latest(self) -> None:
        while True:
            records = self._read(1000)
            if not records:
                return
            self._position = ("AFTER_SEQUENCE_NUMBER", records[-1]["dynamodb"]["SequenceNumber"])

    def _read(self, limit: int) -> list[dict[str, Any]]:
        kind, sequence = self._position
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": self.shard_id, "ShardIteratorType": kind}
        if sequence is not None:
            kwargs["SequenceNumber"] = sequence
        iterator = self.streams.get_shard_iterator(**kwargs)["ShardIterator"]
        response = self.streams.get_records(ShardIterator=iterator, Limit=max(1, min(limit, 1000)))
        return list(response.get("Records") or [])

    def pending(self) -> int:
        """Records after the poller's position (0 when the stream is drained)."""
        if not self.enabled or not self.shard_id:
            return 0
        return len(self._read(1))

    def _step(self) -> None:
        raw = self._read(self._limit)
        if not raw:
            self._sleep(self._idle_s)
            self._idle_s = min(self.idle_poll_s, self._idle_s * 2)
            return
        self._idle_s = 0.05
        with self.activity.working(self.function_id):
            deadline = time.monotonic() + self.window_s
            while len(raw) < self._limit and time.monotonic() < deadline and not self._stop.is_set():
                self._stop.wait(min(0.1, deadline - time.monotonic()))
                start = self._position
                self._position = ("AFTER_SEQUENCE_NUMBER", raw[-1]["dynamodb"]["SequenceNumber"])
                raw.extend(self._read(self._limit - len(raw)))
                self._position = start
            self._process(raw)

    def record(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A stream record in the shape Lambda delivers it."""
        dynamodb = dict(raw.get("dynamodb") or {})
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = float(int(created.timestamp()))
        for key in ("Keys", "NewImage", "OldImage"):
            if key in dynamodb:
                dynamodb[key] = _encode_binary(dynamodb[key])
        record = {
            "eventID": raw.get("eventID"),
            "eventName": raw.get("eventName"),
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": dynamodb,
            "eventSourceARN": self.stream_arn,
        }
        if raw.get("userIdentity"):
            record["userIdentity"] = raw["userIdentity"]
        return record

    def _process(self, raw: list[dict[str, Any]]) -> None:
        after_batch = ("AFTER_SEQUENCE_NUMBER", raw[-1]["dynamodb"]["SequenceNumber"])
        records = [self.record(r) for r in raw]
        matching = [r for r in records if matches_any(self.filters, r)]
        self.stats.filtered_out += len(records) - len(matching)
        if not matching:
            self._advance(after_batch)
            return
        self.stats.batches += 1
        self.stats.records += len(matching)
        invocation = self.invoke(self.function_id, {"Records": matching})
        sequences = [r["dynamodb"]["SequenceNumber"] for r in matching]
        failed: set[str] | None = set()
        if not invocation.ok:
            failed = None
            self.stats.last_error = str((invocation.error or {}).get("errorType"))
        elif self.report_failures:
            failed = _response_failures(invocation.result, set(sequences))
        if failed is not None and not failed:
            self._advance(after_batch)
            return
        self.stats.failures += 1
        if failed is None and self.bisect and len(raw) > 1:
            # split and retry the first half; halves do not count as retries (as on AWS)
            self._limit = max(1, len(raw) // 2)
            return
        first_failed = min(failed, key=int) if failed else sequences[0]
        self._attempts = self._attempts + 1 if first_failed == self._failing_seq else 1
        self._failing_seq = first_failed
        if 0 <= self.max_retries < self._attempts:
            remaining = [r for r in matching if int(r["dynamodb"]["SequenceNumber"]) >= int(first_failed)]
            self._give_up(remaining, invocation)
            self._advance(after_batch)
            return
        if failed:  # partial failure: resume at the first failed record
            self._position = ("AT_SEQUENCE_NUMBER", first_failed)
        self._stop.wait(self.retry_delay_s)

    def _advance(self, position: tuple[str, str | None]) -> None:
        self._position = position
        self._limit = self.batch_size
        self._attempts = 0
        self._failing_seq = ""

    def _give_up(self, records: list[dict[str, Any]], invocation: Invocation) -> None:
        log.error("%s: %d stream record(s) dropped after %d attempts", self.function_id, len(records), self._attempts)
        if not self.on_failure or not records:
            return
        arrivals = [r["dynamodb"].get("ApproximateCreationDateTime") for r in records]
        document = {
            "requestContext": {
                "requestId": invocation.request_id,
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self._attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled" if not invocation.ok else "",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(arrivals[0]),
                "approximateArrivalOfLastRecord": _iso(arrivals[-1]),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        self.send_failure(self.on_failure, document)
        self.stats.sent_to_destination += 1


def _iso(epoch: Any) -> str:
    if not isinstance(epoch, int | float):
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _encode_binary(value: Any) -> Any:
    """Lambda events carry DynamoDB binary values as base64 text; boto3 decoded them."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _encode_binary(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode_binary(v) for v in value]
    if isinstance(value, set):
        return [_encode_binary(v) for v in value]
    return value
