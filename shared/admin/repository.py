"""The only module that knows the Admin table's keys.

| item | pk | sk |
|---|---|---|
| audit chain head | `AUDIT` | `HEAD` (seq, hash) |
| one audit entry (hash-chained) | `AUDIT` | `E#<seq, 10 digits>` |
| an event already audited (duplicate guard) | `AUDITED#<event id>` | `AUDITED` |
| a claim task 认领任务 | `CLAIMS` | `<region_code>.<department_id>.<basic_code>` (= claim id) |
| outbox event | `OUTBOX#<first event id>` | `OUTBOX` (stream → relay) |

Append-only (D-292): every write here is a conditional Put — a new entry, the head
moved from the seq read, a claim opened once, a claim moved from the version read —
so the functions' roles and the table's resource policy deny UpdateItem and
DeleteItem outright. The claims sit in one partition ordered by division, so an
operator's list is one Query by its region prefix; claims are written a few hundred
at a time when the province publishes, far below a partition's write limit.
"""

from __future__ import annotations

import json
from typing import Any

from shared.admin.config import admin_settings
from shared.admin.errors import CLAIM_DONE
from shared.admin.models import AuditEntry, ClaimTask
from shared.platform.dynamo import Repository, values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.platform.hashchain import GENESIS_HASH, ChainCheck, check_chain
from shared.platform.pagination import Page

AUDIT = "AUDIT"
CLAIMS = "CLAIMS"
DUPLICATE = Conflict("admin.duplicate")
LOG_MOVED = Conflict("admin.log_moved")
CLAIM_EXISTS = Conflict("admin.claim_exists")
HASHED = ("seq", "event_id", "event_type", "occurred_at", "actor", "subject", "region_code", "data")


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """What an entry's hash covers: everything but the hashes themselves."""
    return entry.model_dump(mode="json", include=set(HASHED))


def _stored(entry: AuditEntry) -> dict[str, Any]:
    """The entry as stored: its data as the JSON text it was hashed from, so a null or a
    number inside it reads back exactly (DynamoDB drops nothing from a string)."""
    return {**entry.model_dump(mode="json", exclude={"data"}), "data_json": json.dumps(entry.data, sort_keys=True)}


def _entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry.model_validate({**item, "data": json.loads(item["data_json"])})


class AdminRepository(Repository):
    def configured_table(self) -> str:
        return admin_settings().admin_table

    # --- audit log -----------------------------------------------------------------------

    def audit_head(self) -> tuple[int, str]:
        item = self.get_item({"pk": AUDIT, "sk": "HEAD"}, consistent=True)
        return (int(item["seq"]), str(item["hash"])) if item else (0, GENESIS_HASH)

    def append(self, entry: AuditEntry, read_seq: int) -> None:
        """Add `entry` (seq read_seq + 1) after the head read. Raises `DUPLICATE` when its
        event is already in the chain, `LOG_MOVED` when another append came first."""
        head_condition = "attribute_not_exists(pk)" if read_seq == 0 else "seq = :seq"
        (
            self.transaction()
            .put(
                {"pk": f"AUDITED#{entry.event_id}", "sk": "AUDITED", "seq": entry.seq},
                condition="attribute_not_exists(pk)",
                on_conflict=DUPLICATE,
            )
            .put(
                {"pk": AUDIT, "sk": "HEAD", "seq": entry.seq, "hash": entry.hash},
                condition=head_condition,
                values=values(seq=read_seq) if read_seq else None,
                on_conflict=LOG_MOVED,
            )
            .put(
                {"pk": AUDIT, "sk": f"E#{entry.seq:010d}", **_stored(entry)},
                condition="attribute_not_exists(pk)",
                on_conflict=LOG_MOVED,
            )
            .commit()
        )

    def audit_page(self, *, limit: int, cursor: str | None) -> Page[AuditEntry]:
        rows, next_cursor = self.query_page(
            index=None, partition=("pk", AUDIT), limit=limit, cursor=cursor, sort_prefix=("sk", "E#")
        )
        return Page[AuditEntry](items=[_entry(r) for r in rows], next_cursor=next_cursor)

    def verify_audit(self) -> ChainCheck:
        _, head = self.audit_head()
        entries = [
            _entry(item)
            for item in self.query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
                ExpressionAttributeValues=values(pk=AUDIT, e="E#"),
                ConsistentRead=True,
            )
        ]
        return check_chain(
            entries,
            head,
            seq=lambda e: e.seq,
            prev_hash=lambda e: e.prev_hash,
            stored_hash=lambda e: e.hash,
            fields=entry_fields,
        )

    # --- claim tasks ---------------------------------------------------------------------

    @staticmethod
    def _claim_item(claim: ClaimTask) -> dict[str, Any]:
        return {"pk": CLAIMS, "sk": claim.claim_id, **claim.model_dump(mode="json")}

    def open_claim(self, claim: ClaimTask, limit_event: Envelope) -> bool:
        """Open the task with its `limit.set`; False when it was opened before (a redelivery)."""
        try:
            (
                self.transaction()
                .put(self._claim_item(claim), condition="attribute_not_exists(pk)", on_conflict=CLAIM_EXISTS)
                .emit(limit_event)
                .commit()
            )
        except Conflict as exc:
            if exc is CLAIM_EXISTS or exc.code == CLAIM_EXISTS.code:
                return False
            raise
        return True

    def get_claim(self, claim_id: str) -> ClaimTask | None:
        item = self.get_item({"pk": CLAIMS, "sk": claim_id}, consistent=True)
        return ClaimTask.model_validate(item) if item else None

    def claims(self, region_prefix: str, *, limit: int, cursor: str | None) -> Page[ClaimTask]:
        rows, next_cursor = self.query_page(
            index=None,
            partition=("pk", CLAIMS),
            limit=limit,
            cursor=cursor,
            newest_first=False,
            sort_prefix=("sk", region_prefix),
        )
        return Page[ClaimTask](items=[ClaimTask.model_validate(r) for r in rows], next_cursor=next_cursor)

    def save_claimed(self, claim: ClaimTask, *, read_version: int, events: list[Envelope]) -> None:
        transaction = self.transaction().put(
            self._claim_item(claim),
            condition="version = :v AND #status = :open",
            names={"#status": "status"},
            values=values(v=read_version, open="open"),
            on_conflict=Conflict(CLAIM_DONE),
        )
        for event in events:
            transaction.emit(event)
        transaction.commit()
