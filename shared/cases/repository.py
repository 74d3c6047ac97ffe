"""CasesTable access: the only module that knows its keys and indexes.

| record              | pk                               | sk               | index keys (only while they apply) |
|---------------------|----------------------------------|------------------|------------------------------------|
| case 办件            | `CASE#<case_id>`                 | `CASE`           | gsi1, gsi2, gsi3 below             |
| application 申请内容  | `CASE#<case_id>`                 | `CASE#APPLICATION` | (past submission only, below)    |
| timeline entry 轨迹  | `CASE#<case_id>`                 | `TL#<seq:05d>`   |                                    |
| joint task 并联任务   | `CASE#<case_id>`                 | `TASK#<department>` | gsi2 (below), only while open   |
| submission key      | `CASE#<case_id>`                 | `IDEMP#<hash>`   | (TTL 24 h)                         |
| case-number counter | `CASENO#<region>#<yyyymmdd>#<s>` | `COUNTER`        | (TTL 3 days)                       |
| renewal guard 延续占用 | `RENEWS#<licence_id>`           | `GUARD`          | (while a renewal case holds it)    |
| reusable files 可复用材料 | `REUSE#<owner key>`         | `CASE#<case_id>` | (packed list, written at acceptance) |
| outbox              | `OUTBOX#<first event id>`        | `OUTBOX`         | (TTL 7 days; stream → relay)       |

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

Past submission (any state but draft and supplement, the two the applicant edits in), the
parts of a case fixed at submission — the item's material slots and form schema, the form
and the attached materials, two thirds of its bytes — live on the application item beside
it, written in the same transaction only when they changed (D-277): every later
transition rewrites a ~1 KB case instead of ~3.5 KB, twice (a transaction) and in gsi2. The
case names the application's hash (`application_sha`); one consistent Query
(`begins_with(sk, "CASE")`) reads both, and lists read the applications with their cases.

Both items keep as attributes of their own only their keys, index keys, `kind`, `state`, `version`
and the hashes (and, while in gsi2, `region_code` for the work queue's filter); the rest is one
`body`, zlib-compressed JSON (`stored`, D-320): DynamoDB bills a write on the whole item, and a
draft's edit then costs 2–3 units instead of 3–4, a decided case's transition 2 instead of 3.

A case's time limits are not indexed here: every transition publishes them
(`limit.set` / `limit.cleared`, shared/cases/limits.py) and the supervision
context keeps the due index and the warnings (D-116).

Every transition is one TransactWriteItems: the case (conditional on its
version and state), its timeline entries, its outbox events and, for
submissions, the Idempotency-Key record. A renewal case (延续) puts its
licence's guard when it is first submitted (conditional: no other case holds
it, else 409 `case.renewal_pending`) and deletes it when it leaves
`RENEWAL_HELD` (withdrawn, refused, denied, completed), in that transaction.
Acceptance (受理, by staff, 即办 or deemed) puts one reusable-materials item listing
the uploaded files of the case (packed, D-320) in the applicant's partition (`REUSE#`,
the owner key of gsi1: the person, or the enterprise), at most
`MAX_REUSABLE_PER_ACCEPTANCE` files, in the same transaction (D-212).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from shared.cases.config import cases_settings
from shared.cases.errors import CHANGED_CONCURRENTLY, RENEWAL_PENDING
from shared.cases.models import Case, JointTask, TaskState, TimelineEntry
from shared.cases.numbers import counter_key
from shared.cases.states import AWAITING_INTAKE, EDITABLE_STATES, RENEWAL_HELD, UNDER_REVIEW, CaseState
from shared.cases.storage import object_key
from shared.platform.aws import concurrently, dynamodb
from shared.platform.clock import iso, now
from shared.platform.config import province_settings
from shared.platform.dynamo import (
    Repository,
    Transaction,
    from_item,
    packed,
    query_page,
    shard_of,
    to_item,
    unpacked,
    unpacked_body,
)
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.platform.pagination import Page, decode_cursor, encode_cursor

CASE_SK = "CASE"
APPLICATION_SK = "CASE#APPLICATION"
TIMELINE_PREFIX = "TL#"
TASK_PREFIX = "TASK#"
IDEMPOTENCY_PREFIX = "IDEMP#"
INTAKE_SHARDS = 8
DUE_SHARDS = 16
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
COUNTER_TTL = dt.timedelta(days=3)
_QUERY_THREADS = 8
_BATCH = 50  # cases read per BatchGetItem after a keys-only index (with their applications: 100 keys)
_READ_ATTEMPTS = 3  # a Query may see one item of a transaction before the other: read again
_KNOWN_APPLICATIONS = 512  # cases whose stored application this process remembers (an LRU)
MAX_REUSABLE_PER_ACCEPTANCE = 40  # files listed per acceptance: its item stays a few KB


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def owner_key(subject_id: str, uscc: str | None) -> str:
    """The "my cases" partition: the enterprise's when filed for one, else the person's."""
    return f"APPLICANT#ENT#{uscc}" if uscc else f"APPLICANT#SUBJ#{subject_id}"


def _queue_pk(department_id: str, shard: int) -> str:
    return f"INTAKE#{department_id}#{shard:02d}"


def _due_pk(shard: int) -> str:
    return f"ART32#{shard:02d}"


def _task_pk(department_id: str) -> str:
    return f"JTASK#{department_id}"


def _extension_pk(region_code: str) -> str:
    return f"EXTREQ#{region_code[:4]}"


def city_prefixes() -> tuple[str, ...]:
    """Partitions of the supervisors' lists: the province's own items and its cities
    (PROVINCE_CODE and the division table; Jiangsu: 3200 and its 13 cities)."""
    return province_settings().province_cities


def case_record(case: Case) -> dict[str, Any]:
    """The case item: whole while the applicant edits it, without its application past submission
    (`split_application`)."""
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
    return record


def split_application(record: dict[str, Any]) -> dict[str, Any] | None:
    """Move a case record's application (the item's slots and form schema, the form, the
    materials) to an application item, in place, unless the case is editable (D-277); the
    case keeps the application's hash. None when it stays whole."""
    if CaseState(record["state"]) in EDITABLE_STATES:
        return None
    item = record["item"]
    parts = {
        "item_materials": item.pop("materials"),
        "form_schema": item.pop("form_schema"),
        "form": record.pop("form"),
        "materials": record.pop("materials"),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
    record["application_sha"] = digest
    return {"pk": record["pk"], "sk": APPLICATION_SK, "kind": "case_application", "sha": digest, **parts}


_PLAIN = frozenset(
    {"pk", "sk", "kind", "case_id", "state", "version", "application_sha", "sha"}
    | {f"gsi{n}{key}" for n in (1, 2, 3) for key in ("pk", "sk")}
)
"""What a case or application item keeps as attributes of its own: keys, index keys and what
conditions and `_remember` read. The rest is one packed `body` (D-320)."""


def stored(record: Mapping[str, Any]) -> dict[str, Any]:
    """A case or application item as written: its `_PLAIN` attributes, the rest packed into `body`
    (zlib-compressed JSON, D-320) — DynamoDB bills every write on the whole item, 1 KB a unit, and a
    case's JSON packs to about half; a case in gsi2 also keeps `region_code`, which the work queue
    filters on."""
    item = {k: v for k, v in record.items() if k in _PLAIN}
    if record.get("kind") == "case" and "gsi2pk" in record:
        item["region_code"] = record["item"]["region_code"]
    item["body"] = packed({k: v for k, v in record.items() if k not in _PLAIN})
    return item


def joined_case(item: Mapping[str, Any], application_item: Mapping[str, Any] | None) -> Case | None:
    """The case from its item and application item as read; None when the case names an application
    that is not the one read (written in one transaction, read in between: read again)."""
    record, application = unpacked_body(item), application_item and unpacked_body(application_item)
    digest = record.get("application_sha")
    if digest is None:
        return Case.model_validate(record)
    if application is None or application.get("sha") != digest:
        return None
    whole = {**record, "item": {**record["item"]}}
    whole["item"]["materials"] = application["item_materials"]
    whole["item"]["form_schema"] = application["form_schema"]
    whole["form"] = application["form"]
    whole["materials"] = application["materials"]
    return Case.model_validate(whole)


_KNOWN: OrderedDict[str, tuple[int, str]] = OrderedDict()
"""Case id → (version, application hash) this process last read or wrote: a transition that
leaves the application as stored writes the case alone. Unknown → the application is written
again (correct, only dearer)."""


def _remember(record: Mapping[str, Any]) -> None:
    case_id, digest = str(record["case_id"]), record.get("application_sha")
    _KNOWN.pop(case_id, None)
    if digest is not None:
        _KNOWN[case_id] = (int(record["version"]), str(digest))
        while len(_KNOWN) > _KNOWN_APPLICATIONS:
            _KNOWN.popitem(last=False)


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


def renewal_guard_key(licence_id: str) -> dict[str, str]:
    return {"pk": f"RENEWS#{licence_id}", "sk": "GUARD"}


def _renewal_guard_changes(case: Case, before: CaseState, transaction: Transaction) -> None:
    """A renewal case takes its licence's guard when it starts to hold it (the first
    submission) and gives it back when it stops (D-210); no other case may hold it."""
    if case.renews is None:
        return
    held_before, held_after = before in RENEWAL_HELD, case.state in RENEWAL_HELD
    if held_before == held_after:
        return
    key = renewal_guard_key(case.renews.licence_id)
    mine, case_id = "attribute_not_exists(pk) OR case_id = :case", expression_values(case=case.case_id)
    if held_after:
        guard = {**key, "kind": "renewal_guard", "case_id": case.case_id, "case_number": case.case_number}
        transaction.put(guard, condition=mine, values=case_id, on_conflict=Conflict(RENEWAL_PENDING))
    else:
        transaction.delete(key, condition=mine, values=case_id, on_conflict=Conflict(CHANGED_CONCURRENTLY))


def reusable_pk(subject_id: str, uscc: str | None) -> str:
    return f"REUSE#{owner_key(subject_id, uscc)}"


class ReusableRecord:
    """A file an accepted case of the applicant's holds, as the reuse list keeps it."""

    # a plain class: a frozen dataclass compiles its generated methods at import (~0.6 ms, D-317)
    __slots__ = (
        "case_id",
        "case_number",
        "content_type",
        "file_name",
        "format",
        "object_key",
        "sha256",
        "size_bytes",
        "slot_id",
        "uploaded_at",
    )

    def __init__(
        self,
        *,
        slot_id: str,
        sha256: str,
        file_name: str,
        content_type: str,
        format: str,
        size_bytes: int,
        uploaded_at: dt.datetime,
        case_id: str,
        case_number: str,
        object_key: str,
    ) -> None:
        self.slot_id = slot_id
        self.sha256 = sha256
        self.file_name = file_name
        self.content_type = content_type
        self.format = format
        self.size_bytes = size_bytes
        self.uploaded_at = uploaded_at
        self.case_id = case_id
        self.case_number = case_number
        self.object_key = object_key

    @classmethod
    def of(cls, item: dict[str, Any]) -> ReusableRecord:
        return cls(
            slot_id=str(item["slot_id"]),
            sha256=str(item["sha256"]),
            file_name=str(item["file_name"]),
            content_type=str(item["content_type"]),
            format=str(item["format"]),
            size_bytes=int(item["size_bytes"]),
            uploaded_at=dt.datetime.fromisoformat(str(item["uploaded_at"])),
            case_id=str(item["case_id"]),
            case_number=str(item["case_number"]),
            object_key=str(item["object_key"]),
        )


def _reusable_changes(case: Case, before: CaseState, transaction: Transaction) -> None:
    """On acceptance the case's uploaded files become reusable by the same applicant
    (D-212): one item per accepted case listing its files, packed (D-320: one write where
    an item per file cost one each, twice in the transaction). A file accepted again in a
    later case is listed there too; readers take the later acceptance's entry, which points
    at the newer copy (the upload time, and so the validity, stay)."""
    if case.state is not CaseState.ACCEPTED or before not in AWAITING_INTAKE:
        return
    files = {(m.slot_id, m.sha256): m for m in case.materials if m.licence is None and m.sha256}
    entries = [
        {
            "slot_id": slot_id,
            "sha256": sha256,
            "file_name": material.file_name,
            "content_type": material.content_type,
            "format": material.format,
            "size_bytes": material.size_bytes,
            "uploaded_at": material.uploaded_at.isoformat(),
            "case_id": case.case_id,
            "case_number": case.case_number,
            "object_key": object_key(case.case_id, material.material_id),
        }
        for (slot_id, sha256), material in list(files.items())[:MAX_REUSABLE_PER_ACCEPTANCE]
    ]
    if entries:
        transaction.put(
            {
                "pk": reusable_pk(case.applicant.subject_id, case.applicant.uscc),
                "sk": f"{CASE_SK}#{case.case_id}",
                "kind": "reusable_materials",
                "accepted_at": iso(now()),
                "files": packed(entries),
            }
        )


def _timeline_record(case_id: str, entry: TimelineEntry) -> dict[str, Any]:
    return {
        "pk": case_pk(case_id),
        "sk": f"{TIMELINE_PREFIX}{entry.seq:05d}",
        "kind": "timeline",
        **entry.model_dump(mode="json"),
    }


def idempotency_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}#{key}".encode()).hexdigest()


class IdempotencyRecord:
    """The first answer to a keyed request, stored with the change it made."""

    # a plain class: a frozen dataclass compiles its generated methods at import (~0.6 ms, D-317)
    __slots__ = ("key_hash", "payload_hash", "response")

    def __init__(self, key_hash: str, payload_hash: str, response: dict[str, Any]) -> None:
        self.key_hash = key_hash
        self.payload_hash = payload_hash
        self.response = response


class WorkQueuePage:
    __slots__ = ("cases", "next_after")

    def __init__(self, cases: list[Case], next_after: str | None) -> None:
        self.cases = cases
        self.next_after = next_after


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
        """The case with its application: one Query of the case's two items (`begins_with(sk, "CASE")`)."""
        for _ in range(_READ_ATTEMPTS):
            items = {
                str(item["sk"]): item
                for item in self.query_all(
                    KeyConditionExpression="pk = :pk AND begins_with(sk, :case)",
                    ExpressionAttributeValues=expression_values(pk=case_pk(case_id), case=CASE_SK),
                    ConsistentRead=consistent,
                )
            }
            record = items.get(CASE_SK)
            if record is None:
                return None
            case = joined_case(record, items.get(APPLICATION_SK))
            if case is not None:
                _remember(record)
                return case
            consistent = True
        raise Conflict(CHANGED_CONCURRENTLY)

    def create(self, case: Case, entry: TimelineEntry) -> None:
        """The new draft and its first timeline entry, at once."""
        transaction = self.transaction()
        record = case_record(case)
        application = split_application(record)
        transaction.put(stored(record), condition="attribute_not_exists(pk)")
        if application is not None:  # a case taken in at a hall starts submitted
            transaction.put(stored(application))
        transaction.put(_timeline_record(case.case_id, entry), condition="attribute_not_exists(pk)")
        transaction.commit()
        _remember(record)

    def save(self, case: Case, *, expected_version: int) -> None:
        """An edit that is not a transition (form, materials): one conditional PutItem of the
        whole case (it is editable, so its application is on it)."""
        record = case_record(case)
        if split_application(record) is not None:
            raise RuntimeError("save() is for editable cases; a submitted case changes by transition()")
        try:
            dynamodb().put_item(
                TableName=self.table,
                Item=to_item(stored(record)),
                ConditionExpression="version = :expected AND #state = :state",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=expression_values(expected=expected_version, state=case.state.value),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise Conflict(CHANGED_CONCURRENTLY) from exc
            raise
        _remember(record)

    def transition(
        self,
        case: Case,
        *,
        expected_version: int,
        expected_state: CaseState,
        entries: Sequence[TimelineEntry],
        events: Sequence[Envelope],
        idempotency: IdempotencyRecord | None = None,
    ) -> None:
        """Commit a state change: the case, its timeline entries, its events (and the
        Idempotency-Key record) in one TransactWriteItems, or nothing at all."""
        transaction = self.transaction()
        record = case_record(case)
        application = split_application(record)
        transaction.put(
            stored(record),
            condition="version = :expected AND #state = :state",
            names={"#state": "state"},
            values=expression_values(expected=expected_version, state=expected_state.value),
            on_conflict=Conflict(CHANGED_CONCURRENTLY),
        )
        if application is not None and _KNOWN.get(case.case_id) != (expected_version, application["sha"]):
            transaction.put(stored(application))  # new or changed (a submission), or not known to be stored
        _task_index_changes(case, transaction)
        _renewal_guard_changes(case, expected_state, transaction)
        _reusable_changes(case, expected_state, transaction)
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
        _remember(record)

    def reusable(self, subject_id: str, uscc: str | None, slot_id: str, sha256: str) -> ReusableRecord | None:
        """One of the applicant's reusable files (only ever looked up in their own partition)."""
        found = self.reusables(subject_id, uscc, consistent=True)
        return next((r for r in found if (r.slot_id, r.sha256) == (slot_id, sha256)), None)

    def reusables(self, subject_id: str, uscc: str | None, *, consistent: bool = False) -> list[ReusableRecord]:
        """Every reusable file of the applicant, each once (the latest acceptance's entry): one
        Query per 1 MB page (a person's accepted cases are a few items of a few hundred bytes)."""
        items = self.query_all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=expression_values(pk=reusable_pk(subject_id, uscc)),
            ConsistentRead=consistent,
        )
        latest: dict[tuple[str, str], ReusableRecord] = {}
        for item in sorted(items, key=lambda item: str(item["accepted_at"])):
            for entry in unpacked(item["files"]):
                record = ReusableRecord.of(entry)
                latest[(record.slot_id, record.sha256)] = record
        return list(latest.values())

    def renewal_holder(self, licence_id: str) -> tuple[str, str] | None:
        """(case id, case number) of the renewal case holding the licence, if any."""
        item = self.get_item(renewal_guard_key(licence_id), consistent=True)
        return (str(item["case_id"]), str(item["case_number"])) if item else None

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
        """The applicant's cases, newest first: one Query of gsi1's keys, one BatchGetItem of the cases."""
        keys, next_cursor = query_page(
            self.table, index="gsi1", partition=("gsi1pk", owner_key(subject_id, uscc)), limit=limit, cursor=cursor
        )
        return Page[Case](items=self._cases_of(keys), next_cursor=next_cursor)

    def _cases_of(self, keys: Sequence[Mapping[str, Any]]) -> list[Case]:
        """The cases an index that projects keys only found, in its order (D-262: every case write
        would otherwise rewrite the case in the index too; a list reads them back instead), with
        their applications in the same BatchGetItem."""
        wanted = [{"pk": k["pk"], "sk": sk} for k in keys for sk in (CASE_SK, APPLICATION_SK)]
        found = {(item["pk"], item["sk"]): item for item in self.get_items(wanted)}
        records = [found[(k["pk"], CASE_SK)] for k in keys if (k["pk"], CASE_SK) in found]
        return self._joined(records, {pk: item for (pk, sk), item in found.items() if sk == APPLICATION_SK})

    def _joined(
        self, records: Sequence[Mapping[str, Any]], applications: Mapping[str, Mapping[str, Any]] | None = None
    ) -> list[Case]:
        """Cases from their items, in order; the applications not given are read with one
        BatchGetItem, and a case whose application was read mid-change is read again."""
        if applications is None:
            split = [{"pk": r["pk"], "sk": APPLICATION_SK} for r in records if "application_sha" in r]
            applications = {str(item["pk"]): item for item in self.get_items(split)} if split else {}
        cases: list[Case] = []
        for record in records:
            case = joined_case(record, applications.get(str(record["pk"])))
            if case is None:
                case = self.get(str(record["case_id"]))
            if case is not None:
                cases.append(case)
        return cases

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
                "FilterExpression": "begins_with(#region, :prefix)",
                "ExpressionAttributeNames": {"#region": "region_code"},
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

        # the platform's concurrent calls: the local meter prices the shards' queries as waves, not a sum
        parts = concurrently([partial(one_shard, shard) for shard in range(INTAKE_SHARDS)], workers=_QUERY_THREADS)
        merged = [item for part in parts for item in part]
        merged.sort(key=lambda item: str(item["gsi2sk"]))
        page = merged[:limit]
        more = len(merged) > limit
        return WorkQueuePage(
            cases=self._joined(page),
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
        items, next_cursor = self.partitions_page(
            "gsi2", [_extension_pk(city) for city in city_prefixes], limit=limit, cursor=cursor
        )
        return Page[Case](items=self._joined(items), next_cursor=next_cursor)

    def due_for_deemed_acceptance(self, today: dt.date, shard: int) -> Iterator[Case]:
        """Cases of one shard whose Art. 32 day ended before `today` (gsi3 holds their keys, oldest
        first; the cases are read 100 at a time)."""
        keys = self.query_all(
            IndexName="gsi3",
            KeyConditionExpression="gsi3pk = :pk AND gsi3sk < :today",
            ExpressionAttributeValues=expression_values(pk=_due_pk(shard), today=today.isoformat()),
        )
        while batch := list(itertools.islice(keys, _BATCH)):
            yield from self._cases_of(batch)
