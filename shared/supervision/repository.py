"""SupervisionTable access: the only module that knows its keys and indexes.

| record            | pk                   | sk        | index keys (only while they apply) |
|-------------------|----------------------|-----------|------------------------------------|
| limit 时限         | `LIMIT#<limit_id>`   | `LIMIT`   | gsi1 while running; gsi3 always    |
| outbox            | `OUTBOX#<event id>`  | `OUTBOX`  | (TTL 7 days; stream → relay)       |

Indexes:
- gsi1 "due" (效能监察): `DUE#<s>` / `<due_on>#<limit_id>`, present only while the
  limit runs (not paused, not cleared). `s` is one of `DUE_SHARDS` shards by limit id;
  the warning sweep queries each shard for due dates up to today + its horizon — the
  due set, never a Scan.
- gsi3 "limits of a subject": `SUBJ#<subject_kind>#<subject_id>` / `<context>#<name>`,
  kept when cleared: what a supervision order checks its subject against (region,
  still open?).

A limit is written only when its `version` is newer than the stored one
(`attribute_not_exists(pk) OR version < :v`), so duplicates and late deliveries
of older states change nothing, whatever their order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.platform.clock import iso
from shared.platform.dynamo import Repository, Transaction, shard_of
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.limits import LimitClearedData, LimitData, LimitRef
from shared.supervision.config import supervision_settings
from shared.supervision.models import LimitState, WatchedLimit

LIMIT_SK = "LIMIT"
DUE_SHARDS = 16
_STALE = "supervision.limit_stale"  # internal: the stored limit is as new or newer
_NEWER = "attribute_not_exists(pk) OR #version < :version"


def limit_pk(limit_id: str) -> str:
    return f"LIMIT#{limit_id}"


def due_pk(shard: int) -> str:
    return f"DUE#{shard:02d}"


def subject_pk(subject_kind: str, subject_id: str) -> str:
    return f"SUBJ#{subject_kind}#{subject_id}"


def _subject_keys(ref: LimitRef) -> dict[str, str]:
    return {"gsi3pk": subject_pk(ref.subject_kind, ref.subject_id), "gsi3sk": f"{ref.context}#{ref.name}"}


class SupervisionRepository(Repository):
    def configured_table(self) -> str:
        return supervision_settings().supervision_table

    # --- limits -----------------------------------------------------------------------------

    def record_limit(self, data: LimitData, at: dt.datetime, transaction: Transaction | None = None) -> bool:
        """Keep `data` as the limit's newest state: False when the stored one is as new."""
        state = LimitState.PAUSED if data.paused else LimitState.RUNNING
        record: dict[str, Any] = {
            "pk": limit_pk(data.limit_id),
            "sk": LIMIT_SK,
            "kind": "limit",
            **data.model_dump(mode="json", exclude={"paused"}),
            "state": state.value,
            "updated_at": iso(at),
            **_subject_keys(data),
        }
        if state is LimitState.RUNNING:
            record["gsi1pk"] = due_pk(shard_of(data.limit_id, DUE_SHARDS))
            record["gsi1sk"] = f"{data.due_on.isoformat()}#{data.limit_id}"
        writes = transaction or self.transaction()
        writes.put(
            record,
            condition=_NEWER,
            names={"#version": "version"},
            values=expression_values(version=data.version),
            on_conflict=Conflict(_STALE),
        )
        return self._commit(writes) if transaction is None else True

    def clear_limit(self, data: LimitClearedData, at: dt.datetime, transaction: Transaction | None = None) -> bool:
        """Mark the limit cleared (it leaves the due index): False when the stored one is as new."""
        writes = transaction or self.transaction()
        writes.update(
            {"pk": limit_pk(data.limit_id), "sk": LIMIT_SK},
            "SET #kind = :kind, limit_id = :limit_id, #context = :context, subject_kind = :subject_kind, "
            "subject_id = :subject_id, #name = :name, #version = :version, #state = :state, "
            "cleared_reason = :reason, updated_at = :at, gsi3pk = :gsi3pk, gsi3sk = :gsi3sk "
            "REMOVE gsi1pk, gsi1sk",
            condition=_NEWER,
            names={"#kind": "kind", "#context": "context", "#name": "name", "#version": "version", "#state": "state"},
            values=expression_values(
                kind="limit",
                limit_id=data.limit_id,
                context=data.context,
                subject_kind=data.subject_kind,
                subject_id=data.subject_id,
                name=data.name,
                version=data.version,
                state=LimitState.CLEARED.value,
                reason=data.reason,
                at=iso(at),
                **_subject_keys(data),
            ),
            on_conflict=Conflict(_STALE),
        )
        return self._commit(writes) if transaction is None else True

    def _commit(self, transaction: Transaction) -> bool:
        try:
            transaction.commit()
        except Conflict as exc:
            if exc.code == _STALE:
                return False
            raise
        return True

    def get_limit(self, limit_id: str, *, consistent: bool = False) -> WatchedLimit | None:
        item = self.get_item({"pk": limit_pk(limit_id), "sk": LIMIT_SK}, consistent=consistent)
        return WatchedLimit.model_validate(item) if item else None

    def limits_of(self, subject_kind: str, subject_id: str) -> list[WatchedLimit]:
        """Every limit supervision knows of a subject, cleared ones too (gsi3: one Query)."""
        return [
            WatchedLimit.model_validate(item)
            for item in self.query_all(
                IndexName="gsi3",
                KeyConditionExpression="gsi3pk = :pk",
                ExpressionAttributeValues=expression_values(pk=subject_pk(subject_kind, subject_id)),
            )
        ]

    def due_until(self, last_day: dt.date, shard: int) -> list[LimitData]:
        """Running limits of one shard due on or before `last_day` (gsi1)."""
        return [
            WatchedLimit.model_validate(item).as_data()
            for item in self.query_all(
                IndexName="gsi1",
                KeyConditionExpression="gsi1pk = :pk AND gsi1sk < :end",
                ExpressionAttributeValues=expression_values(
                    pk=due_pk(shard), end=(last_day + dt.timedelta(days=1)).isoformat()
                ),
            )
        ]
