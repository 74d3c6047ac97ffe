"""SupervisionTable access for limits, warnings and orders (monitoring and scorecard
records — `MON#…`, `MONCASE#…`, `MONSUBJ#…`, `SCRULE`, `SCORECARD#…` — are
`shared/supervision/monitoring_store.py`'s; no key prefix is shared).

| record            | pk                   | sk        | index keys (only while they apply) |
|-------------------|----------------------|-----------|------------------------------------|
| limit 时限         | `LIMIT#<limit_id>`   | `LIMIT`   | gsi1 while running; gsi3 always    |
| warning 预警       | `LIMIT#<limit_id>`   | `WARN#<level>` | gsi2 while open               |
| order 督办单        | `ORDER#<order_id>`   | `ORDER`   | gsi2 always; gsi3 until closed     |
| order timeline     | `ORDER#<order_id>`   | `TL#<seq:05d>` |                               |
| outbox            | `OUTBOX#<first event id>`  | `OUTBOX`  | (TTL 7 days; stream → relay)       |

Indexes:
- gsi1 "due" (效能监察): `DUE#<s>` / `<due_on>#<limit_id>`, present only while the
  limit runs (not paused, not cleared). `s` is one of `DUE_SHARDS` shards by limit id;
  the warning sweep queries each shard for due dates up to today + its horizon — the
  due set, never a Scan.
- gsi2 "open warnings" (supervisors' list): `WARN#<city4>` / `<raised_at>#<limit_id>#<level>`,
  one partition per city of the province (`<city4>` = the first four digits of the
  limit's region; the province's own divisions are `<pp>00`), newest first. A warning
  leaves it (keeps `resolved_at`, `resolution`) in the transaction that records its
  limit cleared.
- gsi2 "orders of a city" (supervisors' list): `ORDER#<city4>` / `<issued_at>#<order_id>`.
- gsi3 "orders of a department" (its work queue): `DEPTORDER#<department_id>` /
  `<issued_at>#<order_id>`, until the order is closed.
- gsi3 "limits of a subject": `SUBJ#<subject_kind>#<subject_id>` / `<context>#<name>`,
  kept when cleared: what a supervision order checks its subject against (region,
  still open?).
- gsi3 holds keys only (D-336): clearing a limit or editing an order changes no entry
  there; its two readers fetch the items with one BatchGetItem.

A limit is written only when its `version` is newer than the stored one
(`attribute_not_exists(pk) OR version < :v`), so duplicates and late deliveries
of older states change nothing, whatever their order. A warning's key is its
identity (limit, level), written with `attribute_not_exists` and only while the
limit is at the version the sweep read: a sweep run twice or cut short never
writes one twice, nor one for a limit that moved on meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from shared.platform.clock import iso
from shared.platform.dynamo import Repository, Transaction, shard_of
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.platform.limits import LimitClearedData, LimitData, LimitRef
from shared.platform.pagination import Page
from shared.supervision import events
from shared.supervision.config import supervision_settings
from shared.supervision.errors import ORDER_CHANGED
from shared.supervision.models import (
    LimitState,
    OrderEntry,
    OrderState,
    SupervisionOrder,
    WarningView,
    WatchedLimit,
)

LIMIT_SK = "LIMIT"
ORDER_SK = "ORDER"
TIMELINE_PREFIX = "TL#"
WARNING_PREFIX = "WARN#"
DUE_SHARDS = 16
_STALE = "supervision.limit_stale"  # internal: the stored limit is as new or newer
_NEWER = "attribute_not_exists(pk) OR #version < :version"


def limit_pk(limit_id: str) -> str:
    return f"LIMIT#{limit_id}"


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def due_pk(shard: int) -> str:
    return f"DUE#{shard:02d}"


def subject_pk(subject_kind: str, subject_id: str) -> str:
    return f"SUBJ#{subject_kind}#{subject_id}"


def warnings_pk(region_code: str) -> str:
    return f"WARN#{region_code[:4]}"


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
        self._resolve_warnings(data.limit_id, data.reason, at, writes)
        return self._commit(writes) if transaction is None else True

    def _resolve_warnings(self, limit_id: str, resolution: str, at: dt.datetime, transaction: Transaction) -> None:
        """The limit's open warnings leave the supervisors' list (gsi2 keys removed), keeping
        `resolved_at` and `resolution`, each with its `supervision.warning_resolved` (monitoring
        counts open warnings from them). One Query of the limit's warnings."""
        for item in self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression="attribute_exists(gsi2pk)",
            ExpressionAttributeValues=expression_values(pk=limit_pk(limit_id), prefix=WARNING_PREFIX),
            ConsistentRead=True,
        ):
            transaction.update(
                {"pk": item["pk"], "sk": item["sk"]},
                "SET resolved_at = :at, resolution = :resolution REMOVE gsi2pk, gsi2sk",
                values=expression_values(at=iso(at), resolution=resolution),
            )
            resolved = events.WarningResolvedData.model_validate({**item, "resolution": resolution})
            transaction.emit(events.envelope(events.WARNING_RESOLVED, resolved.subject_id, resolved, None))

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
        """Every limit supervision knows of a subject, cleared ones too: the keys from gsi3 (one
        Query; the index holds keys only, D-336), the limits with one BatchGetItem."""
        keys = [
            {"pk": item["pk"], "sk": item["sk"]}
            for item in self.query_all(
                IndexName="gsi3",
                KeyConditionExpression="gsi3pk = :pk",
                ExpressionAttributeValues=expression_values(pk=subject_pk(subject_kind, subject_id)),
            )
        ]
        found = sorted(self.get_items(keys), key=lambda item: str(item["gsi3sk"]))
        return [WatchedLimit.model_validate(item) for item in found]

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

    # --- warnings (效能监察预警) ------------------------------------------------------------

    def put_warning(self, warning: WarningView, event: Envelope, *, limit_version: int) -> bool:
        """Write a warning and its event once: False when it exists already, or when the
        limit changed since the sweep read it (from an index: it may since have been
        cleared or moved; the next run reads it again)."""
        record = {
            "pk": limit_pk(warning.limit_id),
            "sk": f"{WARNING_PREFIX}{warning.level.value}",
            "kind": "warning",
            **warning.model_dump(mode="json"),
            "gsi2pk": warnings_pk(warning.region_code),
            "gsi2sk": f"{iso(warning.raised_at)}#{warning.limit_id}#{warning.level.value}",
        }
        transaction = self.transaction()
        transaction.put(record, condition="attribute_not_exists(pk)", on_conflict=Conflict(_STALE))
        transaction.check(
            {"pk": record["pk"], "sk": LIMIT_SK},
            "#version = :version",
            names={"#version": "version"},
            values=expression_values(version=limit_version),
            on_conflict=Conflict(_STALE),
        )
        transaction.emit(event)
        return self._commit(transaction)

    def existing_warnings(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of (limit id, level) are written already: BatchGetItem, 100 keys a call."""
        found = self.get_items(
            [{"pk": limit_pk(limit_id), "sk": f"{WARNING_PREFIX}{level}"} for limit_id, level in keys],
            projection="pk, sk",
        )
        return {
            (str(item["pk"]).removeprefix("LIMIT#"), str(item["sk"]).removeprefix(WARNING_PREFIX)) for item in found
        }

    def warnings_of(self, limit_id: str) -> list[dict[str, Any]]:
        """A limit's warnings as stored, resolved or not (one Query)."""
        return list(
            self.query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues=expression_values(pk=limit_pk(limit_id), prefix=WARNING_PREFIX),
            )
        )

    def warnings_page(
        self,
        city_prefixes: Sequence[str],
        *,
        region_prefix: str,
        filters: dict[str, str],
        limit: int,
        cursor: str | None,
    ) -> Page[WarningView]:
        """Open warnings of the city partitions (gsi2), newest first in each, narrowed by
        region prefix and exact `filters` (attribute → value); resolved ones left the index."""
        items, next_cursor = self._region_page("WARN", city_prefixes, region_prefix, filters, limit, cursor)
        return Page[WarningView](items=[WarningView.model_validate(item) for item in items], next_cursor=next_cursor)

    # --- supervision orders (督办单) ----------------------------------------------------------

    def order_record(self, order: SupervisionOrder) -> dict[str, Any]:
        record: dict[str, Any] = {
            "pk": order_pk(order.order_id),
            "sk": ORDER_SK,
            "kind": "order",
            **order.model_dump(mode="json"),
            "gsi2pk": f"ORDER#{order.region_code[:4]}",
            "gsi2sk": f"{iso(order.issued_at)}#{order.order_id}",
        }
        if order.state is not OrderState.CLOSED and order.department_id:
            record["gsi3pk"] = f"DEPTORDER#{order.department_id}"
            record["gsi3sk"] = f"{iso(order.issued_at)}#{order.order_id}"
        return record

    def write_order(
        self,
        order: SupervisionOrder,
        entry: OrderEntry,
        *,
        expected_version: int | None,
        limits: Sequence[LimitData] = (),
        cleared: Sequence[LimitClearedData] = (),
        events: Sequence[Envelope] = (),
    ) -> None:
        """The order (new, or at `expected_version`), its timeline entry, its reply limit as
        supervision watches it (set / cleared directly: the same table) and its events, in one
        TransactWriteItems; a concurrent change is 409 `supervision.order_changed_concurrently`."""
        transaction = self.transaction()
        if expected_version is None:
            transaction.put(self.order_record(order), condition="attribute_not_exists(pk)")
        else:
            transaction.put(
                self.order_record(order),
                condition="#version = :expected",
                names={"#version": "version"},
                values=expression_values(expected=expected_version),
                on_conflict=Conflict(ORDER_CHANGED),
            )
        transaction.put(
            {
                "pk": order_pk(order.order_id),
                "sk": f"{TIMELINE_PREFIX}{entry.seq:05d}",
                "kind": "order_entry",
                **entry.model_dump(mode="json"),
            },
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict(ORDER_CHANGED),
        )
        at = order.updated_at
        for limit in limits:
            self.record_limit(limit, at, transaction)
        for gone in cleared:
            self.clear_limit(gone, at, transaction)
        for event in events:
            transaction.emit(event)
        transaction.commit()

    def get_order(self, order_id: str) -> SupervisionOrder | None:
        item = self.get_item({"pk": order_pk(order_id), "sk": ORDER_SK}, consistent=True)
        return SupervisionOrder.model_validate(item) if item else None

    def order_timeline(self, order_id: str) -> list[OrderEntry]:
        return [
            OrderEntry.model_validate(item)
            for item in self.query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues=expression_values(pk=order_pk(order_id), prefix=TIMELINE_PREFIX),
                ConsistentRead=True,
            )
        ]

    def orders_page(
        self, city_prefixes: Sequence[str], *, region_prefix: str, state: str | None, limit: int, cursor: str | None
    ) -> Page[SupervisionOrder]:
        """Orders of the city partitions (gsi2), newest first, within the region prefix."""
        filters = {"state": state} if state else {}
        items, next_cursor = self._region_page("ORDER", city_prefixes, region_prefix, filters, limit, cursor)
        return Page[SupervisionOrder](
            items=[SupervisionOrder.model_validate(item) for item in items], next_cursor=next_cursor
        )

    def department_orders(self, department_id: str, *, limit: int, cursor: str | None) -> Page[SupervisionOrder]:
        """The department's orders not yet closed, newest first: a page of keys from gsi3 (keys
        only, D-336), the orders with one BatchGetItem, in the page's order. An order closed since
        the index was read (it left the index meanwhile) is left out."""
        partition = f"DEPTORDER#{department_id}"
        entries, next_cursor = self.query_page(
            index="gsi3", partition=("gsi3pk", partition), limit=limit, cursor=cursor
        )
        found = {
            str(item["pk"]): item
            for item in self.get_items([{"pk": entry["pk"], "sk": entry["sk"]} for entry in entries])
            if item.get("gsi3pk") == partition
        }
        orders = [SupervisionOrder.model_validate(found[str(e["pk"])]) for e in entries if str(e["pk"]) in found]
        return Page[SupervisionOrder](items=orders, next_cursor=next_cursor)

    def _region_page(
        self,
        kind: str,
        city_prefixes: Sequence[str],
        region_prefix: str,
        filters: dict[str, str],
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the `<kind>#<city4>` partitions of gsi2, newest first, within the region
        prefix and matching `filters` exactly (attribute → value)."""
        conditions = ["begins_with(region_code, :region)"]
        names: dict[str, str] = {}
        wanted: dict[str, Any] = {"region": region_prefix}
        for number, (attribute, value) in enumerate(sorted(filters.items())):
            conditions.append(f"#f{number} = :f{number}")
            names[f"#f{number}"] = attribute
            wanted[f"f{number}"] = value
        return self.partitions_page(
            "gsi2",
            [f"{kind}#{city}" for city in city_prefixes],
            limit=limit,
            cursor=cursor,
            newest_first=True,
            filter_expression=" AND ".join(conditions),
            filter_names=names,
            filter_values=wanted,
        )
