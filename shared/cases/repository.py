"""CasesTable access: the only module that knows its keys and indexes.

| record              | pk                               | sk               | index keys (only while they apply) |
|---------------------|----------------------------------|------------------|------------------------------------|
| case 办件            | `CASE#<case_id>`                 | `CASE`           | gsi1, gsi2, gsi3 below             |
| timeline entry 轨迹  | `CASE#<case_id>`                 | `TL#<seq:05d>`   |                                    |
| joint task 并联任务   | `CASE#<case_id>`                 | `TASK#<department>` | gsi2 (below), only while open   |
| submission key      | `CASE#<case_id>`                 | `IDEMP#<hash>`   | (TTL 24 h)                         |
| case-number counter | `CASENO#<region>#<yyyymmdd>#<s>` | `COUNTER`        | (TTL 3 days)                       |
| outbox              | `OUTBOX#<event id>`              | `OUTBOX`         | (TTL 7 days; stream → relay)       |

Indexes (all sort keys begin with an RFC 3339 UTC time or a date, so they sort by time):
- gsi1 "my cases": `APPLICANT#SUBJ#<subject>` or `APPLICANT#ENT#<uscc>` / `<created_at>#<case_id>`
  — one partition per applicant, newest first.
- gsi2 "work queue" (受理工作台): `INTAKE#<department>#<s>` / `<received_at>#<case_id>`,
  present only while the intake decision is pending. `s` is one of
  `INTAKE_SHARDS` shards by case id: a busy department's queue is spread over
  8 partitions and read by querying them in parallel and merging by time.
- gsi2 "joint tasks" (并联审批待办): a joint-task item per open task, `JTASK#<department>` /
  `<task due date>#<case_id>`, soonest due first. Written in the case's own transaction
  (`transition`): present while the task is open and the case under review, deleted
  when the co-department gives its opinion or the case closes. One item per task, not a
  key on the case, because a case has several co-departments and an item has one key per
  index; one partition per department (departments are county-level, task volumes small).
- gsi2 "pending extensions" (延期审批): `EXTREQ#<city4>` / `<requested_at>#<case_id>` on the
  case itself while an extension request waits for a supervisor (the case is past intake,
  so its gsi2 is free).
- gsi3 "Art. 32 due" (视为受理): `ART32#<s>` / `<due date>#<case_id>`, present
  only while the intake decision is pending; the sweep queries each of
  `DUE_SHARDS` shards for due dates before today — never a Scan.
- gsi3 "legal clock due" (效能监察): `DUE#<s>` / `<watch date>#<case_id>`, present
  only while the clock runs (accepted, in review; not while suspended, not
  once decided), and from an approval with a licence step until the licence is
  issued (the Art. 44 due date). The watch date is the earliest of the promised and legal due
  dates and the due dates of open joint tasks. The supervision sweep queries each shard for
  watch dates up to today + its yellow horizon — the due set, never a Scan.
  (A case is in at most one of the two gsi3 partitions: intake and review
  never overlap, so no new index is needed.)

| warning 预警          | `CASE#<case_id>`                 | `WARN#<target>#<kind>#<level>` | gsi1 (below)     |

Warnings use gsi1 `WARN#<city4>` / `<raised_at>#<case_id>#<target>#<level>`.

A warning's key is its identity (case, target = `case` or a co-department,
kind = `legal`, `promised` or `task`, level), written with `attribute_not_exists`, so a sweep run twice (or
re-run after an interruption) never writes one twice, and only while the
case is at the version the sweep read (a condition check on the case). A
warning is resolved in the transaction of the transition that meets its
limit (the case leaves review, or the joint task gets its opinion): it keeps
`resolved_at` and `resolution` and loses its gsi1 keys, so the supervisors'
list holds open warnings only. Supervisors list them, a page at a time,
from gsi1 by city partition (`<city4>` = the first four digits of the item's
region; a province supervisor reads every configured partition, 14 in Jiangsu).

Every transition is one TransactWriteItems: the case (conditional on its
version and state), its timeline entries, its outbox events and, for
submissions, the Idempotency-Key record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from shared.cases.config import cases_settings
from shared.cases.errors import CHANGED_CONCURRENTLY
from shared.cases.models import Case, JointTask, TaskState, TimelineEntry
from shared.cases.numbers import counter_key
from shared.cases.states import AWAITING_INTAKE, CLOCK_RUNNING, LICENCE_CLOCK, UNDER_REVIEW, CaseState
from shared.platform.aws import dynamodb
from shared.platform.clock import iso, now
from shared.platform.config import province_settings
from shared.platform.dynamo import Repository, Transaction, from_item, query_page, shard_of, to_item
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import BadRequest, Conflict
from shared.platform.events import Envelope
from shared.platform.pagination import Page, decode_cursor, encode_cursor

CASE_SK = "CASE"
TIMELINE_PREFIX = "TL#"
TASK_PREFIX = "TASK#"
IDEMPOTENCY_PREFIX = "IDEMP#"
INTAKE_SHARDS = 8
DUE_SHARDS = 16
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
COUNTER_TTL = dt.timedelta(days=3)
_QUERY_THREADS = 8


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def owner_key(subject_id: str, uscc: str | None) -> str:
    """The "my cases" partition: the enterprise's when filed for one, else the person's."""
    return f"APPLICANT#ENT#{uscc}" if uscc else f"APPLICANT#SUBJ#{subject_id}"


def _queue_pk(department_id: str, shard: int) -> str:
    return f"INTAKE#{department_id}#{shard:02d}"


def _due_pk(shard: int) -> str:
    return f"ART32#{shard:02d}"


def _clock_pk(shard: int) -> str:
    return f"DUE#{shard:02d}"


def _task_pk(department_id: str) -> str:
    return f"JTASK#{department_id}"


def _extension_pk(region_code: str) -> str:
    return f"EXTREQ#{region_code[:4]}"


def city_prefixes() -> tuple[str, ...]:
    """Partitions of the supervisors' lists: the province's own items and its cities
    (PROVINCE_CODE and the division table; Jiangsu: 3200 and its 13 cities)."""
    return province_settings().province_cities


def warnings_pk(region_code: str) -> str:
    return f"WARN#{region_code[:4]}"


def watch_on(case: Case) -> dt.date | None:
    """The day the sweep should first look at a case: the earliest running due date."""
    if case.state in LICENCE_CLOCK and case.licence_clock is not None:
        return case.licence_clock.due_on
    if case.state not in CLOCK_RUNNING or case.deadlines is None or case.deadlines.suspended_since is not None:
        return None
    dates = [case.deadlines.legal_due_on, case.deadlines.promised_due_on]
    dates.extend(task.due_on for task in case.joint_tasks if task.state is TaskState.OPEN)
    return min(dates)


def case_record(case: Case) -> dict[str, Any]:
    record: dict[str, Any] = {
        "pk": case_pk(case.case_id),
        "sk": CASE_SK,
        "kind": "case",
        **case.model_dump(mode="json"),
        "gsi1pk": owner_key(case.applicant.subject_id, case.applicant.uscc),
        "gsi1sk": f"{iso(case.created_at)}#{case.case_id}",
    }
    if case.state in AWAITING_INTAKE and case.received_at is not None:
        record["gsi2pk"] = _queue_pk(case.item.department_id, shard_of(case.case_id, INTAKE_SHARDS))
        record["gsi2sk"] = f"{iso(case.received_at)}#{case.case_id}"
        if case.intake_due_on is not None:
            record["gsi3pk"] = _due_pk(shard_of(case.case_id, DUE_SHARDS))
            record["gsi3sk"] = f"{case.intake_due_on.isoformat()}#{case.case_id}"
    if case.extension_request is not None and case.state in UNDER_REVIEW:
        record["gsi2pk"] = _extension_pk(case.item.region_code)
        record["gsi2sk"] = f"{iso(case.extension_request.requested_at)}#{case.case_id}"
    watch = watch_on(case)
    if watch is not None:
        record["gsi3pk"] = _clock_pk(shard_of(case.case_id, DUE_SHARDS))
        record["gsi3sk"] = f"{watch.isoformat()}#{case.case_id}"
    return record


def task_record(case: Case, task: JointTask) -> dict[str, Any]:
    """The work-list entry of one open joint task (gsi2, its department's partition)."""
    return {
        "pk": case_pk(case.case_id),
        "sk": f"{TASK_PREFIX}{task.department_id}",
        "kind": "joint_task",
        "case_id": case.case_id,
        "case_number": case.case_number,
        "case_state": case.state.value,
        "item_code": case.item.implementation_code,
        "item_name": case.item.name,
        "region_code": case.item.region_code,
        "lead_department_id": case.item.lead_department_id or case.item.department_id,
        "department_id": task.department_id,
        "opened_on": task.opened_on.isoformat(),
        "due_on": task.due_on.isoformat(),
        "limit_days": task.limit_days,
        "gsi2pk": _task_pk(task.department_id),
        "gsi2sk": f"{task.due_on.isoformat()}#{case.case_id}",
    }


def _task_index_changes(case: Case, transaction: Transaction) -> None:
    """Keep the joint-task work lists in step with the case, in its transaction: an
    open task of a case under review is listed; a decided task, or any task of a
    case that left review (withdrawn), is removed. Cases past review whose tasks
    were all closed already cost nothing more."""
    under_review = case.state in UNDER_REVIEW
    for task in case.joint_tasks:
        is_open = task.state is TaskState.OPEN
        if is_open and under_review:
            transaction.put(task_record(case, task))
        elif is_open or under_review:
            transaction.delete({"pk": case_pk(case.case_id), "sk": f"{TASK_PREFIX}{task.department_id}"})


def _timeline_record(case_id: str, entry: TimelineEntry) -> dict[str, Any]:
    return {
        "pk": case_pk(case_id),
        "sk": f"{TIMELINE_PREFIX}{entry.seq:05d}",
        "kind": "timeline",
        **entry.model_dump(mode="json"),
    }


def idempotency_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}#{key}".encode()).hexdigest()


@dataclass(frozen=True)
class IdempotencyRecord:
    """The first answer to a keyed request, stored with the change it made."""

    key_hash: str
    payload_hash: str
    response: dict[str, Any]


@dataclass(frozen=True)
class WorkQueuePage:
    cases: list[Case]
    next_after: str | None


class CasesRepository(Repository):
    def configured_table(self) -> str:
        return cases_settings().cases_table

    # --- case numbers -----------------------------------------------------------------

    def next_sequence(self, region_code: str, day: dt.date, shard: int) -> int:
        """Reserve the next number of one counter shard (one UpdateItem, ADD is atomic)."""
        expires = int((now() + COUNTER_TTL).timestamp())
        response = dynamodb().update_item(
            TableName=self.table,
            Key=to_item({"pk": counter_key(region_code, day, shard), "sk": "COUNTER"}),
            UpdateExpression="ADD seq :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues=expression_values(one=1, expires=expires),
            ReturnValues="UPDATED_NEW",
        )
        return int(from_item(response["Attributes"])["seq"])

    # --- cases ------------------------------------------------------------------------

    def get(self, case_id: str, *, consistent: bool = True) -> Case | None:
        response = dynamodb().get_item(
            TableName=self.table, Key=to_item({"pk": case_pk(case_id), "sk": CASE_SK}), ConsistentRead=consistent
        )
        item = response.get("Item")
        return Case.model_validate(from_item(item)) if item else None

    def create(self, case: Case, entry: TimelineEntry) -> None:
        """The new draft and its first timeline entry, at once."""
        transaction = self.transaction()
        transaction.put(case_record(case), condition="attribute_not_exists(pk)")
        transaction.put(_timeline_record(case.case_id, entry), condition="attribute_not_exists(pk)")
        transaction.commit()

    def save(self, case: Case, *, expected_version: int) -> None:
        """An edit that is not a transition (form, materials): one conditional PutItem."""
        try:
            dynamodb().put_item(
                TableName=self.table,
                Item=to_item(case_record(case)),
                ConditionExpression="version = :expected AND #state = :state",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=expression_values(expected=expected_version, state=case.state.value),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise Conflict(CHANGED_CONCURRENTLY) from exc
            raise

    def transition(
        self,
        case: Case,
        *,
        expected_version: int,
        expected_state: CaseState,
        entries: Sequence[TimelineEntry],
        events: Sequence[Envelope],
        idempotency: IdempotencyRecord | None = None,
        resolve_warnings: Mapping[str, str] | None = None,
    ) -> None:
        """Commit a state change: the case, its timeline entries, its events (and the
        Idempotency-Key record, and the resolution of warnings whose limit was met:
        target → resolution) in one TransactWriteItems, or nothing at all."""
        transaction = self.transaction()
        transaction.put(
            case_record(case),
            condition="version = :expected AND #state = :state",
            names={"#state": "state"},
            values=expression_values(expected=expected_version, state=expected_state.value),
            on_conflict=Conflict(CHANGED_CONCURRENTLY),
        )
        _task_index_changes(case, transaction)
        if resolve_warnings:
            self._resolve_warnings(case.case_id, resolve_warnings, transaction, case.updated_at)
        for entry in entries:
            transaction.put(
                _timeline_record(case.case_id, entry),
                condition="attribute_not_exists(pk)",
                on_conflict=Conflict(CHANGED_CONCURRENTLY),
            )
        for event in events:
            transaction.emit(event)
        if idempotency is not None:
            transaction.put(
                {
                    "pk": case_pk(case.case_id),
                    "sk": f"{IDEMPOTENCY_PREFIX}{idempotency.key_hash}",
                    "kind": "idempotency",
                    "payload_hash": idempotency.payload_hash,
                    "response": json.dumps(idempotency.response, ensure_ascii=False, default=str),
                    "expires_at": int((now() + IDEMPOTENCY_TTL).timestamp()),
                },
                condition="attribute_not_exists(pk)",
                on_conflict=Conflict(CHANGED_CONCURRENTLY),
            )
        transaction.commit()

    def get_idempotency(self, case_id: str, key_hash: str) -> IdempotencyRecord | None:
        response = dynamodb().get_item(
            TableName=self.table,
            Key=to_item({"pk": case_pk(case_id), "sk": f"{IDEMPOTENCY_PREFIX}{key_hash}"}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if not item:
            return None
        record = from_item(item)
        return IdempotencyRecord(key_hash, str(record["payload_hash"]), json.loads(record["response"]))

    def timeline(self, case_id: str) -> list[TimelineEntry]:
        """Every entry in order (one Query per 1 MB page; a timeline is a few KB)."""
        entries: list[TimelineEntry] = []
        for item in self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=expression_values(pk=case_pk(case_id), prefix=TIMELINE_PREFIX),
            ConsistentRead=True,
        ):
            entries.append(TimelineEntry.model_validate(item))
        return entries

    # --- lists --------------------------------------------------------------------------

    def list_for_owner(self, subject_id: str, uscc: str | None, *, limit: int, cursor: str | None) -> Page[Case]:
        """The applicant's cases, newest first (gsi1): one Query."""
        items, next_cursor = query_page(
            self.table, index="gsi1", partition=("gsi1pk", owner_key(subject_id, uscc)), limit=limit, cursor=cursor
        )
        return Page[Case](items=[Case.model_validate(item) for item in items], next_cursor=next_cursor)

    def work_queue(self, department_id: str, region_prefix: str, *, limit: int, after: str | None) -> WorkQueuePage:
        """The department's pending intake decisions, oldest first: the shards are
        queried in parallel (each for at most `limit`) and merged by receipt time.
        `after` is the sort key of the last case of the previous page."""

        def one_shard(shard: int) -> list[dict[str, Any]]:
            condition = "gsi2pk = :pk AND gsi2sk > :after"
            arguments: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": "gsi2",
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": expression_values(
                    # sort keys start with a year, so "0" sorts before every entry of a first page
                    pk=_queue_pk(department_id, shard),
                    after=after or "0",
                    prefix=region_prefix,
                ),
                "FilterExpression": "begins_with(#item.region_code, :prefix)",
                "ExpressionAttributeNames": {"#item": "item"},
                "Limit": limit,
            }
            found: list[dict[str, Any]] = []
            while len(found) < limit:
                response = dynamodb().query(**arguments)
                found.extend(from_item(item) for item in response.get("Items", []))
                last = response.get("LastEvaluatedKey")
                if not last:
                    break
                arguments["ExclusiveStartKey"] = last
            return found[:limit]

        with ThreadPoolExecutor(max_workers=min(_QUERY_THREADS, INTAKE_SHARDS)) as pool:
            merged = [item for part in pool.map(one_shard, range(INTAKE_SHARDS)) for item in part]
        merged.sort(key=lambda item: str(item["gsi2sk"]))
        page = merged[:limit]
        more = len(merged) > limit
        return WorkQueuePage(
            cases=[Case.model_validate(item) for item in page],
            next_after=str(page[-1]["gsi2sk"]) if more and page else None,
        )

    def open_tasks(self, department_id: str, *, limit: int, cursor: str | None) -> Page[dict[str, Any]]:
        """The department's open joint tasks, soonest due first (gsi2): one Query a page."""
        partition = _task_pk(department_id)
        start = decode_cursor(cursor, must_match={"gsi2pk": partition})
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi2",
            "KeyConditionExpression": "gsi2pk = :pk",
            "ExpressionAttributeValues": expression_values(pk=partition),
            "Limit": limit,
        }
        if start:
            arguments["ExclusiveStartKey"] = to_item(start)
        response = dynamodb().query(**arguments)
        items = [from_item(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return Page[dict[str, Any]](items=items, next_cursor=encode_cursor(from_item(last)) if last else None)

    def pending_extensions(self, city_prefixes: Sequence[str], *, limit: int, cursor: str | None) -> Page[Case]:
        """Cases whose extension request waits for a supervisor, oldest request first,
        city partition by city (gsi2)."""
        items, next_cursor = self._partitions_page(
            "gsi2", [_extension_pk(city) for city in city_prefixes], limit=limit, cursor=cursor
        )
        return Page[Case](items=[Case.model_validate(item) for item in items], next_cursor=next_cursor)

    def _partitions_page(
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
                "ExpressionAttributeValues": expression_values(pk=partition, **(filter_values or {})),
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

    def due_for_deemed_acceptance(self, today: dt.date, shard: int) -> Iterator[Case]:
        """Cases of one shard whose Art. 32 day ended before `today` (gsi3, oldest first)."""
        for item in self.query_all(
            IndexName="gsi3",
            KeyConditionExpression="gsi3pk = :pk AND gsi3sk < :today",
            ExpressionAttributeValues=expression_values(pk=_due_pk(shard), today=today.isoformat()),
        ):
            yield Case.model_validate(item)

    def watched_until(self, last_day: dt.date, shard: int) -> Iterator[Case]:
        """Running cases of one shard whose watch date is on or before `last_day` (gsi3)."""
        for item in self.query_all(
            IndexName="gsi3",
            KeyConditionExpression="gsi3pk = :pk AND gsi3sk < :end",
            ExpressionAttributeValues=expression_values(
                pk=_clock_pk(shard), end=(last_day + dt.timedelta(days=1)).isoformat()
            ),
        ):
            yield Case.model_validate(item)

    # --- warnings (效能监察预警) ----------------------------------------------------------

    def put_warning(self, warning: dict[str, Any], event: Envelope, *, case_version: int) -> bool:
        """Write a warning and its event once: False when it exists already, or when the
        case changed since the sweep read it (from an index: it may since have been
        decided, and its warnings resolved; the next run reads it again)."""
        record = {
            "pk": case_pk(str(warning["case_id"])),
            "sk": f"WARN#{warning['target']}#{warning['kind']}#{warning['level']}",
            "kind": "warning",  # the record's kind; the warning's own kind is kept as `warning_kind`
            **{k: v for k, v in warning.items() if k != "kind"},
            "warning_kind": warning["kind"],
            "gsi1pk": warnings_pk(str(warning["region_code"])),
            "gsi1sk": (
                f"{warning['raised_at']}#{warning['case_id']}#{warning['target']}#{warning['kind']}#{warning['level']}"
            ),
        }
        transaction = self.transaction()
        transaction.put(record, condition="attribute_not_exists(pk)", on_conflict=Conflict("warning_exists"))
        transaction.check(
            {"pk": record["pk"], "sk": CASE_SK},
            "version = :version",
            values=expression_values(version=case_version),
            on_conflict=Conflict("warning_exists"),
        )
        transaction.emit(event)
        try:
            transaction.commit()
        except Conflict as exc:
            if exc.code == "warning_exists":
                return False
            raise
        return True

    def existing_warnings(self, keys: Sequence[tuple[str, str, str, str]]) -> set[tuple[str, str, str, str]]:
        """Which of (case id, target, kind, level) are written already: BatchGetItem, 100 keys a call."""
        found: set[tuple[str, str, str, str]] = set()
        for start in range(0, len(keys), 100):
            wanted = [
                to_item({"pk": case_pk(case_id), "sk": f"WARN#{target}#{kind}#{level}"})
                for case_id, target, kind, level in keys[start : start + 100]
            ]
            request: dict[str, Any] = {self.table: {"Keys": wanted, "ProjectionExpression": "pk, sk"}}
            while request:
                response = dynamodb().batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    record = from_item(item)
                    _, target, kind, level = str(record["sk"]).split("#", 3)
                    found.add((str(record["pk"]).removeprefix("CASE#"), target, kind, level))
                request = response.get("UnprocessedKeys") or {}
        return found

    def warnings_page(
        self,
        city_prefixes: Sequence[str],
        *,
        region_prefix: str,
        department_id: str | None,
        level: str | None,
        kind: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page[dict[str, Any]]:
        """Open warnings of the city partitions (gsi1), newest first in each, narrowed by
        region prefix, department, level and kind; resolved ones left the index."""
        conditions = ["begins_with(region_code, :region)"]
        names: dict[str, str] = {}
        wanted: dict[str, Any] = {"region": region_prefix}
        for attribute, value in (("department_id", department_id), ("level", level), ("warning_kind", kind)):
            if value:
                conditions.append(f"#{attribute} = :{attribute}")
                names[f"#{attribute}"] = attribute
                wanted[attribute] = value
        items, next_cursor = self._partitions_page(
            "gsi1",
            [f"WARN#{city}" for city in city_prefixes],
            limit=limit,
            cursor=cursor,
            newest_first=True,
            filter_expression=" AND ".join(conditions),
            filter_names=names,
            filter_values=wanted,
        )
        plain = [
            {k: v for k, v in item.items() if not k.startswith(("gsi", "pk", "sk", "kind", "warning_kind"))}
            | {"kind": item.get("warning_kind", "legal")}
            for item in items
        ]
        return Page[dict[str, Any]](items=plain, next_cursor=next_cursor)

    def _resolve_warnings(
        self, case_id: str, resolutions: Mapping[str, str], transaction: Transaction, at: dt.datetime
    ) -> None:
        """Resolve the open warnings of the given targets (target → resolution) in the
        transition's transaction: they leave the supervisors' list (gsi1 keys removed)
        and keep `resolved_at` and `resolution`. One Query of the case's warnings."""
        for item in self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression="attribute_exists(gsi1pk)",
            ExpressionAttributeValues=expression_values(pk=case_pk(case_id), prefix="WARN#"),
            ConsistentRead=True,
        ):
            resolution = resolutions.get(str(item["target"]))
            if resolution is None:
                continue
            transaction.update(
                {"pk": item["pk"], "sk": item["sk"]},
                "SET resolved_at = :at, resolution = :resolution REMOVE gsi1pk, gsi1sk",
                values=expression_values(at=iso(at), resolution=resolution),
            )
