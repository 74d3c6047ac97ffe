"""What one invocation uses of the billed AWS services, for the cost model.

A worker process meters every invocation (infra/local/workers.py) and the
function's pool adds it up, so `LocalCloud.usage()` tells, per function,
how many times it ran, for how long, which AWS calls it made and what they
would be billed as. tests/perf/test_cost_model.py runs scripted cases and
prices the totals (docs/performance.md, "Cost per completed case").

DynamoDB on-demand bills request units by item size, which moto does not
report, so sizes are computed here from the items on the wire with
DynamoDB's published rules (attribute name + value bytes, numbers about half
their digits, 1 KB per write unit, 4 KB per read unit, eventually
consistent reads half a unit, transactions twice). An update is billed on the
size of the whole item, not of what it sets, and every write also writes the
item's entry in each global secondary index it appears in: so after each
successful write the meter reads the stored item back from the local cloud
(an unmetered GetItem beside the function's own calls) and the table's index
definitions (DescribeTable, once per table), and adds one write per index
entry at its projected size (`index_write_units`; standard writes, also inside
a transaction). Still low in two places: an update that shrinks an item is
sized after it, and an entry removed from an index (a key attribute removed or
changed, a deleted item) is not counted. These reads cost the local cloud a
GetItem per update, so they run only when `METER_STORED_ITEMS=1` is set for
the cloud (tests/perf/test_cost_model.py sets it); the meter's own time is
taken off the invocation's.

Lambda bills wall time, and local wall time is moto over loopback on a shared
2-core machine: under load it runs several times what a call takes on AWS. So
each invocation also gets a modelled duration (D-198): its CPU time, stretched
by the CPU share Lambda gives its memory size (one vCPU at 1,769 MB), plus a
nominal in-region latency per AWS call (`CALL_MS`). Calls a function makes at once
(`shared.platform.aws.concurrently`) are priced as waves on its threads, not as a sum (D-321). The cost model prices
compute on the modelled duration and prints the wall-time figure beside it.

Imports only the standard library: the worker imports it after the handler.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_WRITE_UNIT = 1024
_INDEXED_WRITES = frozenset({"PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems"})
_READ_UNIT = 4096
# Lambda's CPU grows with memory: one full vCPU at 1,769 MB, a proportional share below
FULL_VCPU_MB = 1769
# nominal in-region latency of one call, ms (p50 of small requests, rounded up: DynamoDB
# single-item calls take single-digit ms; transactions, S3 writes and PutEvents take longer)
CALL_MS = {
    "dynamodb": 10.0,
    "dynamodb.TransactWriteItems": 25.0,
    "s3": 30.0,
    "s3.PutObject": 50.0,
    "kms": 15.0,
    "events": 30.0,
    "sqs": 20.0,
    "secretsmanager": 30.0,
}
_OTHER_CALL_MS = 30.0
# Lambda's own lines per invocation (its "system logs"), which the local worker does not write; its short
# local REPORT line is not metered. Plain text (no LoggingConfig): START, END and a REPORT with Billed Duration,
# Max Memory Used and, with active tracing, the X-Ray ids (https://docs.aws.amazon.com/lambda/latest/dg/
# python-logging.html, "Log output"). JSON (`LoggingConfig.LogFormat: JSON`): the platform.start and
# platform.report records at INFO, platform.runtimeDone too at DEBUG, none at WARN, the system log level
# filtering them (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html; the
# records' shapes: the Telemetry API's event schema). Billed at these sample lines' sizes (D-324, D-333).
_REQUEST = "6d68ca91-49c9-448d-89b8-7ca3e6dc66aa"
_TRACE = {
    "spanId": "1a2b3c4d5e6f7a8b",
    "type": "X-Amzn-Trace-Id",
    "value": "Root=1-6571a2b3-4c5d6e7f8a9b0c1d2e3f4a5b;Parent=1a2b3c4d5e6f7a8b;Sampled=1",
}
_TEXT_LINES = (
    f"START RequestId: {_REQUEST} Version: $LATEST\n",
    f"END RequestId: {_REQUEST}\n",
    f"REPORT RequestId: {_REQUEST}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\t"
    "Max Memory Used: 98 MB\t\nXRAY TraceId: 1-6571a2b3-4c5d6e7f8a9b0c1d2e3f4a5b\tSegmentId: 1a2b3c4d5e6f7a8b\t"
    "Sampled: true\t\n",
)
_TIME = "2026-12-07T04:15:06.926Z"
_JSON_LINES = {  # level of each record: Lambda sends it when the system log level is at least that detailed
    "INFO": (
        {
            "time": _TIME,
            "type": "platform.start",
            "record": {"requestId": _REQUEST, "version": "$LATEST", "tracing": _TRACE},
        },
        {
            "time": _TIME,
            "type": "platform.report",
            "record": {
                "requestId": _REQUEST,
                "metrics": {"durationMs": 12.34, "billedDurationMs": 13, "memorySizeMB": 512, "maxMemoryUsedMB": 98},
                "tracing": _TRACE,
                "status": "success",
            },
        },
    ),
    "DEBUG": (
        {
            "time": _TIME,
            "type": "platform.runtimeDone",
            "record": {
                "requestId": _REQUEST,
                "status": "success",
                "tracing": _TRACE,
                "spans": [{"name": "responseLatency", "start": _TIME, "durationMs": 1.23}],
                "metrics": {"durationMs": 12.34, "producedBytes": 1234},
            },
        },
    ),
}
_SYSTEM_LEVELS = ("WARN", "INFO", "DEBUG")  # least detail first


def platform_log_bytes(log_format: str, system_log_level: str | None) -> int:
    """Bytes of Lambda's own lines an invocation writes to the log group, as LoggingConfig sets them
    (plain text writes all three lines; JSON filters its records by the system log level, INFO by default)."""
    if log_format != "JSON":
        return sum(len(line.encode()) for line in _TEXT_LINES)
    detail = _SYSTEM_LEVELS.index(system_log_level or "INFO")
    return sum(
        len(json.dumps(record, separators=(",", ":")).encode()) + 1
        for level, records in _JSON_LINES.items()
        if _SYSTEM_LEVELS.index(level) <= detail
        for record in records
    )


def call_ms(service: str, operation: str) -> float:
    return CALL_MS.get(f"{service}.{operation}", CALL_MS.get(service, _OTHER_CALL_MS))


def lanes_ms(waits: list[float], workers: int) -> float:
    """How long calls of these latencies take on `workers` threads: each next call (longest
    first) goes to the thread free soonest; the last thread to finish ends them all."""
    lanes = [0.0] * max(1, workers)
    for wait in sorted(waits, reverse=True):
        lanes[lanes.index(min(lanes))] += wait
    return max(lanes)


@dataclass
class Usage:
    """Billed quantities of one or many invocations."""

    invocations: int = 0
    billed_ms: int = 0  # Lambda rounds each invocation up to the millisecond (local wall time)
    gb_seconds: float = 0.0  # from the local wall time
    cpu_ms: float = 0.0  # the worker process's CPU time
    call_wait_ms: float = 0.0  # nominal latency of the AWS calls made (CALL_MS)
    model_gb_seconds: float = 0.0  # from the modelled duration: CPU at Lambda's share + call latency
    calls: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0  # DynamoDB RRU
    write_units: float = 0.0  # DynamoDB WRU, index writes included
    index_write_units: float = 0.0  # the part of write_units spent on global secondary indexes
    sqs_records: int = 0  # SQS messages handed to the function
    sqs_requests: int = 0  # what delivering them was billed: sends, receives, deletes (`sqs_delivery_requests`)
    idle_invocations: int = 0  # queue invocations that wrote nothing (no write call of any service)
    api_requests: int = 0  # API Gateway REST requests that reached the function
    log_bytes: int = 0  # what the function wrote to its log (CloudWatch Logs ingestion)
    bus_events: int = 0  # EventBridge entries put (billed per event)
    dynamodb_bytes_put: int = 0  # item bytes of Puts (a storage upper bound: TTL'd items expire)
    s3_bytes_put: int = 0  # object bytes written
    bytes_sent: int = 0  # request bodies of its AWS calls
    bytes_received: int = 0  # response bodies of its AWS calls
    # the meter's own reads (stored items, index definitions): taken off the invocation's times
    # by `finish`, never added up or sent (not part of what is billed)
    meter_cpu_ms: float = 0.0
    meter_ms: float = 0.0

    def add(self, other: Usage) -> None:
        self.invocations += other.invocations
        self.billed_ms += other.billed_ms
        self.gb_seconds += other.gb_seconds
        self.cpu_ms += other.cpu_ms
        self.call_wait_ms += other.call_wait_ms
        self.model_gb_seconds += other.model_gb_seconds
        self.calls.update(other.calls)
        self.read_units += other.read_units
        self.write_units += other.write_units
        self.index_write_units += other.index_write_units
        self.sqs_records += other.sqs_records
        self.sqs_requests += other.sqs_requests
        self.idle_invocations += other.idle_invocations
        self.api_requests += other.api_requests
        self.log_bytes += other.log_bytes
        self.bus_events += other.bus_events
        self.dynamodb_bytes_put += other.dynamodb_bytes_put
        self.s3_bytes_put += other.s3_bytes_put
        self.bytes_sent += other.bytes_sent
        self.bytes_received += other.bytes_received

    def minus(self, earlier: Usage) -> Usage:
        """What happened since `earlier` (a snapshot of the same counters)."""
        return Usage(
            invocations=self.invocations - earlier.invocations,
            billed_ms=self.billed_ms - earlier.billed_ms,
            gb_seconds=self.gb_seconds - earlier.gb_seconds,
            cpu_ms=self.cpu_ms - earlier.cpu_ms,
            call_wait_ms=self.call_wait_ms - earlier.call_wait_ms,
            model_gb_seconds=self.model_gb_seconds - earlier.model_gb_seconds,
            calls=Counter({k: v for k, v in (self.calls - earlier.calls).items() if v}),
            read_units=self.read_units - earlier.read_units,
            write_units=self.write_units - earlier.write_units,
            index_write_units=self.index_write_units - earlier.index_write_units,
            sqs_records=self.sqs_records - earlier.sqs_records,
            sqs_requests=self.sqs_requests - earlier.sqs_requests,
            idle_invocations=self.idle_invocations - earlier.idle_invocations,
            api_requests=self.api_requests - earlier.api_requests,
            log_bytes=self.log_bytes - earlier.log_bytes,
            bus_events=self.bus_events - earlier.bus_events,
            dynamodb_bytes_put=self.dynamodb_bytes_put - earlier.dynamodb_bytes_put,
            s3_bytes_put=self.s3_bytes_put - earlier.s3_bytes_put,
            bytes_sent=self.bytes_sent - earlier.bytes_sent,
            bytes_received=self.bytes_received - earlier.bytes_received,
        )

    def copy(self) -> Usage:
        made = Usage()
        made.add(self)
        return made

    def to_dict(self) -> dict[str, Any]:
        return {
            "invocations": self.invocations,
            "billed_ms": self.billed_ms,
            "gb_seconds": self.gb_seconds,
            "cpu_ms": self.cpu_ms,
            "call_wait_ms": self.call_wait_ms,
            "model_gb_seconds": self.model_gb_seconds,
            "calls": dict(self.calls),
            "read_units": self.read_units,
            "write_units": self.write_units,
            "index_write_units": self.index_write_units,
            "sqs_records": self.sqs_records,
            "sqs_requests": self.sqs_requests,
            "idle_invocations": self.idle_invocations,
            "api_requests": self.api_requests,
            "log_bytes": self.log_bytes,
            "bus_events": self.bus_events,
            "dynamodb_bytes_put": self.dynamodb_bytes_put,
            "s3_bytes_put": self.s3_bytes_put,
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Usage:
        values = dict(data)
        values["calls"] = Counter(values.get("calls") or {})
        return cls(**values)


# --- DynamoDB item sizes (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html)


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for one attribute value in wire form (`{"S": "…"}`)."""
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        digits = str(inner).lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner) if isinstance(inner, bytes | bytearray) else len(str(inner)) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: member}) for member in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(member) for member in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(member) for name, member in inner.items())
    return 0


def item_size(item: Mapping[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _write_units(size: int) -> float:
    return float(max(1, math.ceil(size / _WRITE_UNIT)))


def _read_units(size: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / _READ_UNIT))
    return float(units) if consistent else units / 2


def _update_size(update: Mapping[str, Any]) -> int:
    return item_size(update.get("Key")) + sum(
        value_size(v) for v in (update.get("ExpressionAttributeValues") or {}).values()
    )


def dynamodb_units(operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> tuple[float, float]:
    """(read units, write units) of one DynamoDB call."""
    consistent = bool(params.get("ConsistentRead"))
    if operation == "PutItem":
        return 0.0, _write_units(item_size(params.get("Item")))
    if operation == "UpdateItem":
        return 0.0, _write_units(_update_size(params))
    if operation == "DeleteItem":
        return 0.0, 1.0
    if operation == "BatchWriteItem":
        batch = [w for requests in (params.get("RequestItems") or {}).values() for w in requests]
        return 0.0, sum(_write_units(item_size((w.get("PutRequest") or {}).get("Item"))) for w in batch)
    if operation == "TransactWriteItems":
        reads = writes = 0.0
        for action in params.get("TransactItems") or []:
            if "Put" in action:
                writes += 2 * _write_units(item_size(action["Put"].get("Item")))
            elif "Update" in action:
                writes += 2 * _write_units(_update_size(action["Update"]))
            elif "Delete" in action:
                writes += 2.0
            elif "ConditionCheck" in action:
                reads += 2.0
        return reads, writes
    if operation == "GetItem":
        return _read_units(item_size(parsed.get("Item")), consistent=consistent), 0.0
    if operation == "BatchGetItem":
        found = [i for items in (parsed.get("Responses") or {}).values() for i in items]
        return sum(_read_units(item_size(i), consistent=consistent) for i in found) or 0.5, 0.0
    if operation == "TransactGetItems":
        found = [r.get("Item") for r in parsed.get("Responses") or []]
        return sum(2 * _read_units(item_size(i), consistent=True) for i in found), 0.0
    if operation in ("Query", "Scan"):
        size = sum(item_size(i) for i in parsed.get("Items") or [])
        return _read_units(size, consistent=consistent), 0.0
    return 0.0, 0.0


@dataclass(frozen=True)
class _Index:
    keys: tuple[str, ...]  # the index's own key attributes: an item without them is not in the index
    projected: tuple[str, ...] | None  # attributes an entry holds; None: every attribute (ALL)


class _Tables:
    """The local cloud's view of the tables, read beside the metered calls with a
    client of its own (not the platform's: nothing here is counted or observed)."""

    def __init__(self) -> None:
        self._client: Any = None
        self._indexes: dict[str, list[_Index]] = {}
        self._keys: dict[str, tuple[str, ...]] = {}

    def client(self) -> Any:
        return self._dynamodb()

    def _dynamodb(self) -> Any:
        if self._client is None:
            import boto3  # the handler has loaded it: the metered calls are made with it

            self._client = boto3.session.Session().client("dynamodb")
        return self._client

    def indexes(self, table: str) -> list[_Index]:
        if table not in self._indexes:
            described = self._dynamodb().describe_table(TableName=table)["Table"]
            base = tuple(k["AttributeName"] for k in described["KeySchema"])
            self._keys[table] = base
            found = []
            for index in described.get("GlobalSecondaryIndexes") or []:
                keys = tuple(k["AttributeName"] for k in index["KeySchema"])
                projection = index.get("Projection") or {}
                kind = projection.get("ProjectionType", "ALL")
                projected = (
                    None
                    if kind == "ALL"
                    else tuple(dict.fromkeys(base + keys + tuple(projection.get("NonKeyAttributes") or ())))
                )
                found.append(_Index(keys, projected))
            self._indexes[table] = found
        return self._indexes[table]

    def key_of(self, table: str, item: Mapping[str, Any]) -> dict[str, Any]:
        """The table's key attributes of `item`."""
        self.indexes(table)
        return {name: item[name] for name in self._keys[table] if name in item}

    def stored(self, table: str, key: Mapping[str, Any]) -> Mapping[str, Any] | None:
        found = self._dynamodb().get_item(TableName=table, Key=dict(key), ConsistentRead=True)
        return found.get("Item")


_TABLES = _Tables()


# What narrows a Query's or Scan's answer after DynamoDB has read the items: it bills the items read, not the
# ones returned ("A filter expression is applied after a Query finishes, but before the results are returned ...
# the Query consumes the same amount of read capacity, regardless of whether a filter expression is present";
# Select COUNT and a projection likewise: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
# Query.FilterExpression.html, .../Query.Other.html#Query.Count).
_NARROWING = ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet", "QueryFilter", "ScanFilter")


def evaluated_read_units(operation: str, params: Mapping[str, Any], tables: _Tables) -> float | None:
    """Read units of a filtered, projected or counting Query or Scan, from the items it read: the same call
    again without what narrows it (the same page: `Limit` and `ExclusiveStartKey` bound what DynamoDB reads
    before filtering). None when nothing narrows the call (its returned items are what it read)."""
    if operation not in ("Query", "Scan") or not any(name in params for name in _NARROWING):
        return None
    again = {name: value for name, value in params.items() if name not in _NARROWING}
    # DynamoDB refuses placeholders no expression uses: keep those of the key condition only (whole
    # tokens: `:g` must not pass for `:g2`)
    kept = set(re.findall(r"[#:][A-Za-z0-9_]+", str(params.get("KeyConditionExpression") or "")))
    for placeholders in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        used = {k: v for k, v in (params.get(placeholders) or {}).items() if k in kept}
        again.pop(placeholders, None)
        if used:
            again[placeholders] = used
    read = getattr(tables.client(), operation[0].lower() + operation[1:])(**again)
    size = sum(item_size(item) for item in read.get("Items") or [])
    return _read_units(size, consistent=bool(params.get("ConsistentRead")))


def _written_images(
    operation: str, params: Mapping[str, Any], tables: _Tables
) -> list[tuple[str, Mapping[str, Any], bool]]:
    """(table, stored item after the call, written in a transaction) of each item a write put or updated."""
    if operation == "PutItem":
        return [(str(params["TableName"]), params.get("Item") or {}, False)]
    if operation == "UpdateItem":
        item = tables.stored(str(params["TableName"]), params["Key"])
        return [(str(params["TableName"]), item, False)] if item else []
    if operation == "BatchWriteItem":
        return [
            (str(table), w["PutRequest"].get("Item") or {}, False)
            for table, requests in (params.get("RequestItems") or {}).items()
            for w in requests
            if "PutRequest" in w
        ]
    if operation == "TransactWriteItems":
        images: list[tuple[str, Mapping[str, Any], bool]] = []
        for action in params.get("TransactItems") or []:
            if "Put" in action:
                images.append((str(action["Put"]["TableName"]), action["Put"].get("Item") or {}, True))
            elif "Update" in action:
                item = tables.stored(str(action["Update"]["TableName"]), action["Update"]["Key"])
                if item:
                    images.append((str(action["Update"]["TableName"]), item, True))
        return images
    return []


Images = dict[tuple[str, str], Mapping[str, Any] | None]
"""Stored items by (table, key): what a write found before it (None: no item)."""


def _image_key(table: str, key: Mapping[str, Any]) -> tuple[str, str]:
    return table, repr(sorted(key.items()))


def written_keys(operation: str, params: Mapping[str, Any], tables: _Tables) -> list[tuple[str, dict[str, Any]]]:
    """(table, key) of each item a write call puts or updates."""
    if operation == "PutItem":
        return [(str(params["TableName"]), tables.key_of(str(params["TableName"]), params.get("Item") or {}))]
    if operation == "UpdateItem":
        return [(str(params["TableName"]), dict(params["Key"]))]
    if operation == "BatchWriteItem":
        return [
            (str(table), tables.key_of(str(table), w["PutRequest"].get("Item") or {}))
            for table, requests in (params.get("RequestItems") or {}).items()
            for w in requests
            if "PutRequest" in w
        ]
    if operation == "TransactWriteItems":
        found: list[tuple[str, dict[str, Any]]] = []
        for action in params.get("TransactItems") or []:
            if "Put" in action:
                table = str(action["Put"]["TableName"])
                found.append((table, tables.key_of(table, action["Put"].get("Item") or {})))
            elif "Update" in action:
                found.append((str(action["Update"]["TableName"]), dict(action["Update"]["Key"])))
        return found
    return []


def images_before(operation: str, params: Mapping[str, Any], tables: _Tables = _TABLES) -> Images:
    """The stored items a write is about to replace (read just before it is sent)."""
    return {_image_key(table, key): tables.stored(table, key) for table, key in written_keys(operation, params, tables)}


def _index_units(entry: _Index, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> float:
    """What one write costs in one index, by DynamoDB's rule for global secondary indexes
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes):
    an item entering the index is one write of its projection; a changed index key is two (the old
    entry deleted, the new one put); an item leaving it one (the delete); a write that changes
    neither the index keys nor a projected attribute writes nothing in the index."""

    def projected(item: Mapping[str, Any]) -> Mapping[str, Any]:
        return item if entry.projected is None else {k: item[k] for k in entry.projected if k in item}

    was = before is not None and all(k in before for k in entry.keys)
    now = all(k in after for k in entry.keys)
    if not now:
        return 1.0 if was else 0.0
    if not was or before is None:
        return _write_units(item_size(projected(after)))
    if any(before[k] != after[k] for k in entry.keys):
        return 1.0 + _write_units(item_size(projected(after)))
    return _write_units(item_size(projected(after))) if projected(before) != projected(after) else 0.0


def stored_write_units(
    operation: str,
    params: Mapping[str, Any],
    parsed: Mapping[str, Any],
    tables: _Tables = _TABLES,
    before: Images | None = None,
) -> tuple[float, float]:
    """(write units the wire sizes missed on updates, index write units) of a successful write:
    an update bills the whole item (twice in a transaction), and each index entry it puts, changes
    or removes is one more write (`_index_units`). Without `before` every index entry the item has
    is counted as written (an upper bound)."""
    if "Error" in parsed or operation not in ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems"):
        return 0.0, 0.0
    updates = {
        (str(a["Update"]["TableName"]), repr(sorted(a["Update"]["Key"].items()))): _write_units(
            _update_size(a["Update"])
        )
        for a in params.get("TransactItems") or []
        if "Update" in a
    }
    if operation == "UpdateItem":
        updates[(str(params["TableName"]), repr(sorted(params["Key"].items())))] = _write_units(_update_size(params))
    extra = index = 0.0
    for table, item, transactional in _written_images(operation, params, tables):
        key = (table, repr(sorted((k, item[k]) for k in _key_names(params, table) if k in item)))
        if key in updates:  # billed on the stored item, not on what was set
            extra += (2 if transactional else 1) * max(0.0, _write_units(item_size(item)) - updates[key])
        previous = (before or {}).get(_image_key(table, tables.key_of(table, item)))
        for entry in tables.indexes(table):
            if before is not None:
                index += _index_units(entry, previous, item)
            elif all(k in item for k in entry.keys):
                projected = item if entry.projected is None else {k: item[k] for k in entry.projected if k in item}
                index += _write_units(item_size(projected))
    return extra, index


def _key_names(params: Mapping[str, Any], table: str) -> list[str]:
    """The key attribute names an update in `params` used for `table`."""
    if "Key" in params:
        return list(params["Key"])
    for action in params.get("TransactItems") or []:
        update = action.get("Update")
        if update and update.get("TableName") == table:
            return list(update["Key"])
    return []


def put_bytes(operation: str, params: Mapping[str, Any]) -> int:
    """Item bytes a DynamoDB call puts (new items; updates change items already counted)."""
    if operation == "PutItem":
        return item_size(params.get("Item"))
    if operation == "TransactWriteItems":
        return sum(item_size(a["Put"].get("Item")) for a in params.get("TransactItems") or [] if "Put" in a)
    if operation == "BatchWriteItem":
        batch = [w for requests in (params.get("RequestItems") or {}).values() for w in requests]
        return sum(item_size((w.get("PutRequest") or {}).get("Item")) for w in batch)
    return 0


class Meter:
    """Collects the usage of one invocation (an `shared.platform.aws` call observer)."""

    def __init__(self, *, stored_items: bool | None = None) -> None:
        self.usage = Usage()
        self.stored_items = os.environ.get("METER_STORED_ITEMS") == "1" if stored_items is None else stored_items
        self._lock = threading.RLock()  # calls observed on several threads (`aws.concurrently`)
        self._section: tuple[int, list[float]] | None = None
        self._section_meter_ms: dict[int, float] = {}  # the meter's own wall time per thread in a section
        self._before = threading.local()  # the stored items the call in flight on a thread replaces

    @contextmanager
    def _own_time(self) -> Iterator[None]:
        """Time the meter's own reads, to take off the invocation's: CPU of this thread only (the
        worker measures the process's, every thread's, so thread times add up); wall time, which
        overlaps on threads at once, counts in a section only as its longest thread's share (at
        most what the section took longer: never more taken off than the meter added)."""
        begun, cpu_begun = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            wall, cpu = (time.perf_counter() - begun) * 1000, (time.thread_time() - cpu_begun) * 1000
            with self._lock:
                self.usage.meter_cpu_ms += cpu
                if self._section is None:
                    self.usage.meter_ms += wall
                else:
                    thread = threading.get_ident()
                    self._section_meter_ms[thread] = self._section_meter_ms.get(thread, 0.0) + wall

    def before(self, service: str, operation: str, params: Mapping[str, Any]) -> None:
        """Before a write is sent: read what it replaces, for its index writes (stored items only)."""
        self._before.images = None
        if not (self.stored_items and service == "dynamodb" and operation in _INDEXED_WRITES):
            return
        with self._own_time():
            self._before.images = images_before(operation, params)

    @contextmanager
    def concurrent(self, workers: int) -> Iterator[None]:
        """Calls made inside run on `workers` threads at once (`shared.platform.aws.concurrently`):
        their nominal latencies are priced as waves (`lanes_ms`), not one after the other."""
        with self._lock:
            outer, self._section = self._section, (workers, [])
            outer_meter, self._section_meter_ms = self._section_meter_ms, {}
        try:
            yield
        finally:
            with self._lock:
                _, waits = self._section or (workers, [])
                meter_ms = max(self._section_meter_ms.values(), default=0.0)
                self._section, self._section_meter_ms = outer, outer_meter
                self._wait(lanes_ms(waits, workers))
                if self._section is None:
                    self.usage.meter_ms += meter_ms

    def _wait(self, ms: float) -> None:
        if self._section is not None:
            self._section[1].append(ms)
        else:
            self.usage.call_wait_ms += ms

    def __call__(
        self,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        parsed: Mapping[str, Any],
        sent: int,
        received: int,
    ) -> None:
        missed = index = 0.0
        evaluated: float | None = None
        if service == "dynamodb" and self.stored_items:  # the meter's reads, outside the lock
            with self._own_time():
                missed, index = stored_write_units(
                    operation, params, parsed, before=getattr(self._before, "images", None)
                )
                if "Error" not in parsed:
                    evaluated = evaluated_read_units(operation, params, _TABLES)
            self._before.images = None
        with self._lock:
            self._add(service, operation, params, parsed, (sent, received), (missed, index), evaluated)

    def _add(
        self,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        parsed: Mapping[str, Any],
        wire: tuple[int, int],
        stored: tuple[float, float],
        evaluated_reads: float | None = None,
    ) -> None:
        (sent, received), (missed, index) = wire, stored
        self.usage.calls[f"{service}.{operation}"] += 1
        self._wait(call_ms(service, operation))
        self.usage.bytes_sent += sent
        self.usage.bytes_received += received
        if service == "dynamodb":
            reads, writes = dynamodb_units(operation, params, parsed)
            self.usage.read_units += reads if evaluated_reads is None else max(reads, evaluated_reads)
            self.usage.write_units += writes + missed + index
            self.usage.index_write_units += index
            self.usage.dynamodb_bytes_put += put_bytes(operation, params)
        elif service == "events" and operation == "PutEvents":
            self.usage.bus_events += len(params.get("Entries") or [])
        elif service == "s3" and operation == "PutObject":
            body = params.get("Body") or b""
            self.usage.s3_bytes_put += len(body) if isinstance(body, bytes | bytearray | str) else sent


# SQS bills every API action as one request per 64 KB chunk of its payload, and a batch action (up to 10
# messages) as one request (https://aws.amazon.com/sqs/pricing/, "API actions": "each 64 KB chunk of a
# payload is billed as 1 request"; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/
# sqs-batch-api-actions.html). Lambda's SQS poller receives up to 10 messages per ReceiveMessage, invokes the
# function once per batch and deletes what it processed
# (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html), with DeleteMessageBatch (10 entries a call).
SQS_CHUNK_BYTES = 64 * 1024
SQS_BATCH_ACTION_MAX = 10


def message_bytes(record: Mapping[str, Any]) -> int:
    """A delivered message's payload: its body and its attributes' names and values."""
    size = len(str(record.get("body") or "").encode())
    for name, value in (record.get("messageAttributes") or {}).items():
        if isinstance(value, Mapping):
            size += len(name.encode()) + len(str(value.get("dataType") or "").encode())
            size += len(str(value.get("stringValue") or value.get("binaryValue") or "").encode())
    return size


def receive_requests(calls: list[list[int]]) -> int:
    """ReceiveMessage requests billed for these calls (the message sizes each returned): one a call, per 64 KB
    chunk of what it carried."""
    return sum(max(1, math.ceil(sum(sizes) / SQS_CHUNK_BYTES)) for sizes in calls if sizes)


def sqs_delivery_requests(records: list[Mapping[str, Any]]) -> int:
    """SQS requests billed for handing one batch to a function: each message sent once (a message
    received before, `ApproximateReceiveCount` > 1, was sent for its first delivery), then one
    ReceiveMessage and one DeleteMessageBatch per 10 messages, each per 64 KB chunk of what it carried.
    A poller that gathers a batch over a window with more receives bills them itself (`extra_receive_requests`).
    Not included: a poller's empty receives (long polls of an idle queue), a fixed cost per queue."""
    sizes = [message_bytes(r) for r in records]
    first = [
        s
        for r, s in zip(records, sizes, strict=True)
        if int((r.get("attributes") or {}).get("ApproximateReceiveCount") or 1) <= 1
    ]
    sends = sum(max(1, math.ceil(s / SQS_CHUNK_BYTES)) for s in first)
    chunks = [sizes[start : start + SQS_BATCH_ACTION_MAX] for start in range(0, len(sizes), SQS_BATCH_ACTION_MAX)]
    deletes = len(chunks)  # receipt handles: well under 64 KB
    return sends + receive_requests(chunks) + deletes


def extra_receive_requests(calls: list[list[int]]) -> int:
    """The receives a poller made for one batch beyond the one per 10 messages `sqs_delivery_requests` bills:
    while a batching window is open, Lambda's poller keeps receiving what arrives, and each ReceiveMessage that
    returns messages is a billed request however few it returned (D-329). Given the sizes of what each of the
    batch's receives returned."""
    sizes = [size for returned in calls for size in returned]
    fewest = [sizes[start : start + SQS_BATCH_ACTION_MAX] for start in range(0, len(sizes), SQS_BATCH_ACTION_MAX)]
    return max(0, receive_requests(calls) - receive_requests(fewest))


def describe_event(event: Any, usage: Usage) -> None:
    """What the trigger itself bills: an API request, or SQS messages."""
    if not isinstance(event, Mapping):
        return
    if "httpMethod" in event and "requestContext" in event:
        usage.api_requests += 1
    records = event.get("Records")
    if isinstance(records, list):
        delivered = [r for r in records if isinstance(r, Mapping) and r.get("eventSource") == "aws:sqs"]
        usage.sqs_records += len(delivered)
        if delivered:
            usage.sqs_requests += sqs_delivery_requests(delivered)


# what an invocation that changes something calls at least once (reads, signing and logging do not count)
_WRITE_VERBS = ("Put", "Update", "Delete", "TransactWrite", "BatchWrite", "Send", "Copy", "Create", "Publish")


def wrote_something(usage: Usage) -> bool:
    return any(call.split(".", 1)[1].startswith(_WRITE_VERBS) for call in usage.calls)


@contextmanager
def metered(event: Any, memory_mb: int) -> Iterator[Usage]:
    """Meter one invocation: AWS calls made through `shared.platform.aws`, trigger, duration."""
    from shared.platform import aws  # the handler has imported it already

    meter = Meter()
    describe_event(event, meter.usage)
    with aws.observe_calls(meter):
        yield meter.usage


def finish(
    usage: Usage, duration_ms: float, cpu_ms: float, memory_mb: int, log_bytes: int, platform_bytes: int = 0
) -> None:
    """Close an invocation's usage: its times, and its log bytes (what the function wrote, plus Lambda's
    own lines, `platform_log_bytes`)."""
    duration_ms = max(0.0, duration_ms - usage.meter_ms)
    cpu_ms = max(0.0, cpu_ms - usage.meter_cpu_ms)
    billed = max(1, math.ceil(duration_ms))
    usage.invocations = 1
    usage.billed_ms = billed
    usage.gb_seconds = billed / 1000 * memory_mb / 1024
    usage.cpu_ms = cpu_ms
    modelled = max(1, math.ceil(cpu_ms * max(1.0, FULL_VCPU_MB / memory_mb) + usage.call_wait_ms))
    usage.model_gb_seconds = modelled / 1000 * memory_mb / 1024
    usage.log_bytes = log_bytes + platform_bytes
    # a queue consumer invoked for records it ignores: what a rule's content filter would have kept away
    usage.idle_invocations = 1 if usage.sqs_records and not wrote_something(usage) else 0
