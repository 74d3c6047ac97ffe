"""DynamoDB item (de)serialisation and the transactional outbox.

A state change and the events describing it are written in one
`TransactWriteItems`: the record's write carries a condition on its version,
and one outbox item (`pk = OUTBOX#<first event id>`) holding every event of the
transaction, compressed, goes in the same transaction (D-319). The table's stream
feeds `outbox_relay`, which puts each event on the bus. So no change is ever
committed without its events, and no event is published for a change that did
not happen.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from shared.platform.aws import dynamodb
from shared.platform.clients import current_client
from shared.platform.clock import now
from shared.platform.errors import AppError, BadRequest, Conflict
from shared.platform.events import Envelope

OUTBOX_KIND = "outbox"
OUTBOX_RETENTION = timedelta(days=7)
_MAX_TRANSACTION_ITEMS = 100
_BATCH_GET_MAX = 100

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamo_value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_dynamo_value(v) for v in value]
    return value


def _from_dynamo_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo_value(v) for v in value]
    if isinstance(value, set):
        return {_from_dynamo_value(v) for v in value}
    return value


def to_item(data: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict (None values dropped) as a low-level DynamoDB item."""
    return {k: _serializer.serialize(_to_dynamo_value(v)) for k, v in data.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo_value(_deserializer.deserialize(v)) for k, v in item.items()}


def values(**named: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: values(v=1) -> {':v': {'N': '1'}}."""
    return {f":{k}": _serializer.serialize(_to_dynamo_value(v)) for k, v in named.items()}


def packed(value: Any) -> bytes:
    """`value` as compact JSON, zlib-compressed, for a binary attribute: DynamoDB bills an item by
    its stored bytes (1 KB a write unit), and JSON with repeated names and ids shrinks to a third
    to a half (D-319, D-320)."""
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), 9)


def unpacked(value: bytes | Binary | str) -> Any:
    """The value `packed` stored: bytes (or boto3's Binary) as read, or the base64 text a stream
    record carries binary values as."""
    # boto3's Binary defines __bytes__; its type stubs do not say so
    raw = base64.b64decode(value) if isinstance(value, str) else bytes(value)  # type: ignore[arg-type]
    return json.loads(zlib.decompress(raw))


PACKED_BODY = "body"


def with_packed_body(record: Mapping[str, Any], plain: Container[str]) -> dict[str, Any]:
    """`record` as an item: the attributes named in `plain` (keys, index keys, what conditions and
    filters read) as they are, the others that are not None as one packed `body` (D-320, D-336)."""
    item = {k: v for k, v in record.items() if k in plain}
    item[PACKED_BODY] = packed({k: v for k, v in record.items() if k not in plain and v is not None})
    return item


def unpacked_body(item: Mapping[str, Any]) -> dict[str, Any]:
    """The record `with_packed_body` stored, from the item as read (an attribute left out as None
    reads as absent); an item written before its table packed (no `body`) as it is."""
    if PACKED_BODY not in item:
        return dict(item)
    return {**{k: v for k, v in item.items() if k != PACKED_BODY}, **unpacked(item[PACKED_BODY])}


def outbox_record(envelopes: Sequence[Envelope]) -> dict[str, Any]:
    """The one outbox item of a transaction: its events in the order emitted, packed (D-319). A
    transaction bills each item twice at 1 KB a unit: one event an item cost 1–2 units, where the
    3–5 events of a decision pack into one of about 1 KB."""
    if not envelopes:
        raise ValueError("an outbox item holds at least one event")
    expires = now() + OUTBOX_RETENTION
    client = current_client()
    if client is not None:
        # every event of an HTTP write records its client (一端, D-273) without each context passing it
        envelopes = [e if e.client is not None else e.model_copy(update={"client": client}) for e in envelopes]
    return {
        "pk": f"OUTBOX#{envelopes[0].id}",
        "sk": "OUTBOX",
        "kind": OUTBOX_KIND,
        "events": packed([envelope.model_dump(mode="json") for envelope in envelopes]),
        "expires_at": int(expires.timestamp()),
    }


def outbox_events(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The envelopes (JSON objects, in the order emitted) of an outbox item as `from_item` gives it
    (or with `events` as a stream record's base64 text)."""
    return list(unpacked(item["events"]))


class _Step(NamedTuple):  # NamedTuples here: cheaper to create at cold start than dataclasses (D-337)
    operation: dict[str, Any]
    on_condition_failure: AppError


@dataclass
class Transaction:
    """Collects conditional writes and outbox events, then commits them at once.

    Each write names the error to raise when its own condition fails, so a
    refused transaction says precisely why (stale version, broken rule, ...).
    """

    table: str
    steps: list[_Step] = field(default_factory=list)
    events: list[Envelope] = field(default_factory=list)

    def put(
        self,
        item: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_conflict: AppError | None = None,
        table: str | None = None,
    ) -> Transaction:
        op: dict[str, Any] = {"TableName": table or self.table, "Item": to_item(item)}
        self._add("Put", op, condition, names, values, on_conflict)
        return self

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_conflict: AppError | None = None,
        table: str | None = None,
    ) -> Transaction:
        op: dict[str, Any] = {
            "TableName": table or self.table,
            "Key": to_item(key),
            "UpdateExpression": expression,
        }
        self._add("Update", op, condition, names, values, on_conflict)
        return self

    def delete(
        self,
        key: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_conflict: AppError | None = None,
        table: str | None = None,
    ) -> Transaction:
        op: dict[str, Any] = {"TableName": table or self.table, "Key": to_item(key)}
        self._add("Delete", op, condition, names, values, on_conflict)
        return self

    def check(
        self,
        key: Mapping[str, Any],
        condition: str,
        *,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_conflict: AppError | None = None,
        table: str | None = None,
    ) -> Transaction:
        op: dict[str, Any] = {"TableName": table or self.table, "Key": to_item(key)}
        self._add("ConditionCheck", op, condition, names, values, on_conflict)
        return self

    def emit(self, envelope: Envelope) -> Transaction:
        """Add `envelope` to the transaction's outbox item, written last at commit (D-319)."""
        self.events.append(envelope)
        return self

    def _operations(self) -> list[_Step]:
        """The steps, then the outbox item of the events emitted (keyed by the first event's id,
        which is unique: never overwrite)."""
        if not self.events:
            return list(self.steps)
        outbox = Transaction(self.table).put(outbox_record(self.events), condition="attribute_not_exists(pk)")
        return [*self.steps, *outbox.steps]

    def _add(
        self,
        kind: str,
        op: dict[str, Any],
        condition: str | None,
        names: Mapping[str, str] | None,
        values: Mapping[str, Any] | None,
        on_conflict: AppError | None,
    ) -> None:
        if condition:
            op["ConditionExpression"] = condition
        if names:
            op["ExpressionAttributeNames"] = dict(names)
        if values:
            op["ExpressionAttributeValues"] = dict(values)
        self.steps.append(_Step({kind: op}, on_conflict or Conflict("version_conflict")))

    def commit(self) -> None:
        steps = self._operations()
        if not steps:
            return
        if len(steps) == 1 and "ConditionCheck" not in steps[0].operation:
            # a lone write (no events: those add the outbox item) is atomic on its own: the single-item
            # call under the same condition, billed once where a transaction bills twice (D-322)
            self.commit_guarded()
            return
        if len(steps) > _MAX_TRANSACTION_ITEMS:
            raise ValueError("a DynamoDB transaction holds at most 100 items")
        try:
            dynamodb().transact_write_items(TransactItems=[s.operation for s in steps])  # type: ignore[misc]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            for step, reason in zip(steps, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    raise step.on_condition_failure from exc
            raise Conflict("version_conflict") from exc

    def commit_guarded(self) -> None:
        """The first write alone under its condition (the guard: a projection's revision), then
        the others one by one: each billed once, where a transaction bills twice (D-281). For
        projections whose guard makes a redelivery write nothing; not atomic — a failure after the
        guard leaves the rest unwritten, and a redelivery does not repair it."""
        operations = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}
        for index, step in enumerate(self._operations()):
            ((kind, operation),) = step.operation.items()
            if kind not in operations:
                raise ValueError(f"commit_guarded writes Put, Update and Delete, not {kind}")
            try:
                getattr(dynamodb(), operations[kind])(**operation)
            except ClientError as exc:
                refused = exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
                if index == 0 and refused:
                    raise step.on_condition_failure from exc
                raise


class QueryFilter(NamedTuple):
    """A FilterExpression narrowing a paged Query: its text, placeholder names and values
    (`values` keys without the colon, as `values()` takes them)."""

    expression: str
    names: Mapping[str, str]
    values: Mapping[str, Any]

    def fingerprint(self) -> str:
        """Binds a cursor to the filter that made it: the same key under another filter is another page."""
        raw = repr((self.expression, sorted(self.names.items()), sorted((k, str(v)) for k, v in self.values.items())))
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


# A filtered Query evaluates at least this many entries per call (DynamoDB's `Limit` counts what
# it reads, not what matches), and a page stops after this many calls even when it is short: the
# cursor then resumes after the last entry read, so nothing is skipped and a request's cost is bounded.
FILTERED_QUERY_BATCH = 100
FILTERED_QUERY_CALLS = 5
_FILTER_BINDING = "f"  # the cursor attribute that holds the filter's fingerprint


def query_page(
    table: str,
    *,
    index: str | None,
    partition: tuple[str, str],
    limit: int,
    cursor: str | None,
    newest_first: bool = True,
    sort_prefix: tuple[str, str] | None = None,
    where: QueryFilter | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of one partition (`partition` = (key attribute, value)) of an index, or
    of the table when `index` is None, optionally only the sort keys starting with
    `sort_prefix` = (sort key attribute, prefix): one Query, the items as plain dicts
    and the opaque cursor of the next page. A cursor made for another partition is
    refused (400 invalid_cursor).

    With a filter (`where`) the page reads on (batches of FILTERED_QUERY_BATCH, at most
    FILTERED_QUERY_CALLS Queries) until it holds `limit` matches or the partition ends,
    so a page may be short, even empty, while a `next_cursor` remains; its cursor is
    bound to the filter (another filter's cursor, or none's, is 400 invalid_cursor). A
    filtered index Query names its sort key through `sort_prefix` (a trimmed page's
    cursor is the key of its last item: the table's pk/sk and the index's keys)."""
    from shared.platform.pagination import decode_cursor, encode_cursor

    key_name, key_value = partition
    binding = where.fingerprint() if where else None
    start = decode_cursor(cursor, must_match={key_name: key_value, _FILTER_BINDING: binding})
    arguments: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": key_name},
        "ExpressionAttributeValues": values(pk=key_value),
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    if index:
        arguments["IndexName"] = index
    if sort_prefix:
        arguments["KeyConditionExpression"] += " AND begins_with(#sk, :prefix)"
        arguments["ExpressionAttributeNames"]["#sk"] = sort_prefix[0]
        arguments["ExpressionAttributeValues"] |= values(prefix=sort_prefix[1])
    if start:
        arguments["ExclusiveStartKey"] = to_item({k: v for k, v in start.items() if k != _FILTER_BINDING})
    if where is None:
        response = dynamodb().query(**arguments)
        last = response.get("LastEvaluatedKey")
        return [from_item(item) for item in response.get("Items", [])], encode_cursor(from_item(last)) if last else None
    if index and not sort_prefix:
        raise ValueError("a filtered index query names its sort key through sort_prefix")
    arguments["FilterExpression"] = where.expression
    arguments["ExpressionAttributeNames"] |= dict(where.names)
    arguments["ExpressionAttributeValues"] |= values(**where.values)
    found: list[dict[str, Any]] = []
    for _ in range(FILTERED_QUERY_CALLS):
        arguments["Limit"] = max(limit - len(found), FILTERED_QUERY_BATCH)
        response = dynamodb().query(**arguments)
        found.extend(from_item(item) for item in response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if len(found) > limit:  # more matched than fit: resume right after the last item shown
            found = found[:limit]
            names = dict.fromkeys(["pk", "sk", key_name, *([sort_prefix[0]] if sort_prefix else [])])
            tail = {name: found[-1][name] for name in names if name in found[-1]}
            return found, encode_cursor({**tail, _FILTER_BINDING: binding})
        if last is None:
            return found, None
        arguments["ExclusiveStartKey"] = last
        if len(found) == limit:
            break
    # full, or out of calls: resume after the last entry read (a short page says nothing about the rest)
    return found, encode_cursor({**from_item(arguments["ExclusiveStartKey"]), _FILTER_BINDING: binding})


def shard_of(key: str, shards: int) -> int:
    """A stable shard for a key (hash of it), so a record's index entries never move."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % shards


class Repository:
    """The DynamoDB scaffolding every context's repository shares: its table, reads
    by key (one or many), whole-partition queries, paged index reads and
    transactions with the outbox. A subclass keeps what is its own — keys, indexes,
    records — and names its table in `configured_table`; `table=` overrides it
    (tests, seeds). The name is read on use, so a cached repository follows the
    settings it was built under without holding a stale name."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table

    def configured_table(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} names no table")

    @property
    def table(self) -> str:
        name = self._table or self.configured_table()
        if not name:
            raise RuntimeError(f"{type(self).__name__}: its table name is not configured")
        return name

    def transaction(self) -> Transaction:
        return Transaction(self.table)

    def put_new(self, item: Mapping[str, Any]) -> bool:
        """Put `item` unless an item with its key exists (one conditional PutItem, half the
        write units of a transaction's put); False when it existed. For records whose key
        is their idempotency key, such as a message keyed by the event it reports."""
        try:
            dynamodb().put_item(
                TableName=self.table, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_item(self, key: Mapping[str, Any], *, consistent: bool = False) -> dict[str, Any] | None:
        response = dynamodb().get_item(TableName=self.table, Key=to_item(key), ConsistentRead=consistent)
        item = response.get("Item")
        return from_item(item) if item else None

    def get_items(
        self, keys: Sequence[Mapping[str, Any]], *, consistent: bool = False, projection: str | None = None
    ) -> list[dict[str, Any]]:
        """The items that exist among `keys`, in no particular order: BatchGetItem,
        100 keys a call, unprocessed keys asked again."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), _BATCH_GET_MAX):
            wanted: dict[str, Any] = {"Keys": [to_item(key) for key in keys[start : start + _BATCH_GET_MAX]]}
            if consistent:
                wanted["ConsistentRead"] = True
            if projection:
                wanted["ProjectionExpression"] = projection
            request: dict[str, Any] = {self.table: wanted}
            while request:
                response = dynamodb().batch_get_item(RequestItems=request)
                found.extend(from_item(item) for item in response.get("Responses", {}).get(self.table, []))
                request = dict(response.get("UnprocessedKeys") or {})
        return found

    def query_all(self, **arguments: Any) -> Iterator[dict[str, Any]]:
        """Every item a Query matches, page after page (`arguments` as for Query, without the table)."""
        request: dict[str, Any] = {"TableName": self.table, **arguments}
        while True:
            response = dynamodb().query(**request)
            for item in response.get("Items", []):
                yield from_item(item)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    def query_count(self, **arguments: Any) -> int:
        """How many items a Query matches after its filter (`Select: COUNT`, page after page):
        billed as the Query that reads them, without sending them back."""
        request: dict[str, Any] = {"TableName": self.table, **arguments, "Select": "COUNT"}
        total = 0
        while True:
            response = dynamodb().query(**request)
            total += int(response.get("Count", 0))
            last = response.get("LastEvaluatedKey")
            if not last:
                return total
            request["ExclusiveStartKey"] = last

    def query_page(
        self,
        *,
        index: str | None,
        partition: tuple[str, str],
        limit: int,
        cursor: str | None,
        newest_first: bool = True,
        sort_prefix: tuple[str, str] | None = None,
        where: QueryFilter | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of one partition of this table or one of its indexes (see `query_page`)."""
        return query_page(
            self.table,
            index=index,
            partition=partition,
            limit=limit,
            cursor=cursor,
            newest_first=newest_first,
            sort_prefix=sort_prefix,
            where=where,
        )

    def partitions_page(
        self,
        index: str,
        partitions: Sequence[str],
        *,
        limit: int,
        cursor: str | None,
        newest_first: bool = False,
        filter_expression: str | None = None,
        filter_names: dict[str, str] | None = None,
        filter_values: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page over several partitions of an index, partition by partition; the
        opaque cursor names the partition (`part`) and the key in it. A filter narrows
        what is returned (DynamoDB's `Limit` counts what is read, so this reads on until
        the page is full or the partitions end)."""
        from shared.platform.pagination import decode_cursor, encode_cursor

        pk_name = f"{index}pk"
        position = decode_cursor(cursor)
        parts = list(partitions)
        if position is not None:
            part = str(position.get("part", ""))
            if part not in parts:
                raise BadRequest("invalid_cursor")
            parts = parts[parts.index(part) :]
        found: list[dict[str, Any]] = []
        for number, partition in enumerate(parts):
            arguments: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": pk_name, **(filter_names or {})},
                "ExpressionAttributeValues": values(pk=partition, **(filter_values or {})),
                "ScanIndexForward": not newest_first,
            }
            if filter_expression:
                arguments["FilterExpression"] = filter_expression
            start = {k: v for k, v in (position or {}).items() if k != "part"} if number == 0 else {}
            if start:
                if start.get(pk_name) != partition:
                    raise BadRequest("invalid_cursor")
                arguments["ExclusiveStartKey"] = to_item(start)
            while True:
                arguments["Limit"] = limit - len(found)
                response = dynamodb().query(**arguments)
                found.extend(from_item(item) for item in response.get("Items", []))
                last = response.get("LastEvaluatedKey")
                if len(found) >= limit:
                    if last:
                        return found, encode_cursor({"part": partition, **from_item(last)})
                    following = parts[number + 1 :]
                    return found, encode_cursor({"part": following[0]}) if following else None
                if not last:
                    break
                arguments["ExclusiveStartKey"] = last
        return found, None
