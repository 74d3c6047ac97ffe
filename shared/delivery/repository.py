"""DeliveryTable access: the only module that knows its keys and indexes.

| record                | pk                     | sk                 | index keys |
|-----------------------|------------------------|--------------------|------------|
| shipment 运单          | `SHIP#<shipment_id>`   | `SHIP`             | gsi1, gsi2 (once a waybill is known), gsi3 |
| tracking entry 轨迹    | `SHIP#<shipment_id>`   | `TRK#<fingerprint>` |           |
| one shipment per case and kind | `CASE#<case_id>` | `KIND#<kind>`   | (holds the sealed recipient, D-336) |
| outbox                | `OUTBOX#<first event id>`    | `OUTBOX`           | (TTL 7 days; stream → relay) |

Indexes:
- gsi1 "shipments of a case": `CASE#<case_id>` / `<created_at>#<shipment_id>` (a case has one or two).
- gsi2 "by waybill": `WAYBILL#<waybill>` / `SHIP` — how a partner status event finds its shipment
  (one Query of the key, one consistent GetItem of the shipment).
- gsi3 "shipments of a department": `DEPT#<department_id>` / `<created_at>#<shipment_id>`, newest
  first. One partition per department: a county department sends tens to hundreds of results a
  day, far below a partition's limits.

The indexes hold keys only (gsi3 also `state`, which its list filters on; D-278): every
tracking event rewrites the shipment, and whole-item projections wrote it into all three
indexes again. A list reads its shipments back with one BatchGetItem.

A tracking entry's key is the fingerprint of the partner's fact, written with
`attribute_not_exists`: a duplicate event is refused by the table itself and
changes nothing. The shipment is written with a condition on its version: in
the same transaction as the entry and its outbox events when the move publishes
events, otherwise before the entry, each with one conditional PutItem (D-322).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.delivery.config import delivery_settings
from shared.delivery.errors import CHANGED_CONCURRENTLY
from shared.delivery.models import Shipment, ShipmentKind, TrackingEntry
from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, from_item, to_item, unpacked_body, with_packed_body
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.platform.pagination import Page, decode_cursor, encode_cursor

SHIPMENT_SK = "SHIP"
TRACKING_PREFIX = "TRK#"


class DuplicateFact(Conflict):
    """The tracking entry exists: the same fact was applied before."""

    default_code = CHANGED_CONCURRENTLY


class StaleShipment(Conflict):
    """The shipment changed since it was read (its version moved)."""

    default_code = CHANGED_CONCURRENTLY


class ShipmentExists(Conflict):
    """The case already has a shipment of this kind."""

    default_code = CHANGED_CONCURRENTLY


def shipment_pk(shipment_id: str) -> str:
    return f"SHIP#{shipment_id}"


def case_shipments_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def waybill_pk(waybill: str) -> str:
    return f"WAYBILL#{waybill}"


def department_pk(department_id: str) -> str:
    return f"DEPT#{department_id}"


_PLAIN = frozenset(
    {"pk", "sk", "kind_of_record", "state", "version"} | {f"gsi{n}{k}" for n in (1, 2, 3) for k in ("pk", "sk")}
)
"""What a shipment item keeps as attributes of its own: keys, index keys, `state` (gsi3 holds it and
the department's list filters on it) and `version` (every write's condition). The rest is one packed
`body` (D-336)."""


def shipment_record(shipment: Shipment) -> dict[str, Any]:
    """The shipment item: packed, and without the sealed recipient unless it was stored on it before
    D-336 (new shipments keep it on their case marker, written once)."""
    record = shipment.model_dump(mode="json", exclude={"recipient_sealed"} if not shipment.recipient_sealed else None)
    created = f"{record['created_at']}#{shipment.shipment_id}"
    record |= {
        "pk": shipment_pk(shipment.shipment_id),
        "sk": SHIPMENT_SK,
        "kind_of_record": "shipment",
        "gsi1pk": case_shipments_pk(shipment.case_id),
        "gsi1sk": created,
        "gsi3pk": department_pk(shipment.department_id),
        "gsi3sk": created,
    }
    if shipment.waybill:
        record |= {"gsi2pk": waybill_pk(shipment.waybill), "gsi2sk": SHIPMENT_SK}
    return with_packed_body(record, _PLAIN)


def shipment_of(item: Mapping[str, Any]) -> Shipment:
    """The shipment an item holds, packed (D-336) or written before."""
    return Shipment.model_validate(unpacked_body(item))


def tracking_record(shipment_id: str, entry: TrackingEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json") | {
        "pk": shipment_pk(shipment_id),
        "sk": f"{TRACKING_PREFIX}{entry.fingerprint}",
        "kind_of_record": "tracking",
    }


class DeliveryRepository(Repository):
    def configured_table(self) -> str:
        return delivery_settings().delivery_table

    # --- writes ---------------------------------------------------------------------------

    def create(self, shipment: Shipment, entry: TrackingEntry, events: Sequence[Envelope]) -> None:
        """The new shipment, the case's one-per-kind marker, the first tracking entry and the
        events in one transaction; `ShipmentExists` when the case has one of this kind."""
        transaction = self.transaction()
        transaction.put(
            {
                "pk": case_shipments_pk(shipment.case_id),
                "sk": f"KIND#{shipment.kind.value}",
                "kind_of_record": "case_marker",
                "shipment_id": shipment.shipment_id,
                # written once, read by the booking alone: off the shipment that every fact rewrites (D-336)
                "recipient_sealed": shipment.recipient_sealed,
            },
            condition="attribute_not_exists(pk)",
            on_conflict=ShipmentExists(),
        )
        unsealed = shipment.model_copy(update={"recipient_sealed": ""})
        transaction.put(shipment_record(unsealed), condition="attribute_not_exists(pk)")
        transaction.put(tracking_record(shipment.shipment_id, entry), condition="attribute_not_exists(pk)")
        for event in events:
            transaction.emit(event)
        transaction.commit()

    def record(
        self,
        shipment_id: str,
        entry: TrackingEntry,
        *,
        changed: Shipment | None,
        expected_version: int | None,
        events: Sequence[Envelope] = (),
    ) -> None:
        """One fact: its tracking entry (refused as `DuplicateFact` when it exists) and, when it
        moves the shipment, the shipment (conditional on `expected_version`) and its events.

        A move that publishes events is one transaction with them (the platform's rule). A move
        that publishes nothing (picked up, in transit, out for delivery: most of a parcel's
        events) is the shipment's conditional PutItem, then the entry's conditional PutItem —
        each billed once, where a transaction bills both twice (D-322). The order makes a
        redelivery repair a worker stopped between the two: the shipment already holds the
        state, so the fact no longer moves it and only its entry is written."""
        moved = self.transaction()
        if changed is not None:
            moved.put(
                shipment_record(changed),
                condition="version = :expected",
                values=expression_values(expected=expected_version),
                on_conflict=StaleShipment(),
            )
        if not events:
            moved.commit()  # the shipment alone (a lone write: one PutItem), or nothing
            if not self.put_new(tracking_record(shipment_id, entry)):
                raise DuplicateFact()
            return
        moved.put(
            tracking_record(shipment_id, entry), condition="attribute_not_exists(pk)", on_conflict=DuplicateFact()
        )
        for event in events:
            moved.emit(event)
        moved.commit()

    # --- reads ----------------------------------------------------------------------------

    def get(self, shipment_id: str) -> Shipment | None:
        item = self.get_item({"pk": shipment_pk(shipment_id), "sk": SHIPMENT_SK}, consistent=True)
        return shipment_of(item) if item else None

    def recipient_sealed(self, shipment: Shipment) -> str:
        """The sealed recipient: on the case marker (D-336; one GetItem), or on a shipment stored before."""
        if shipment.recipient_sealed:
            return shipment.recipient_sealed
        marker = self.get_item({"pk": case_shipments_pk(shipment.case_id), "sk": f"KIND#{shipment.kind.value}"})
        return str((marker or {}).get("recipient_sealed") or "")

    def shipment_id_for_case(self, case_id: str, kind: ShipmentKind) -> str | None:
        item = self.get_item({"pk": case_shipments_pk(case_id), "sk": f"KIND#{kind.value}"}, consistent=True)
        return str(item["shipment_id"]) if item else None

    def by_waybill(self, waybill: str) -> Shipment | None:
        """The shipment a waybill belongs to: one Query of gsi2's key, one consistent GetItem."""
        response = dynamodb().query(
            TableName=self.table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :pk",
            ExpressionAttributeValues=expression_values(pk=waybill_pk(waybill)),
            Limit=1,
        )
        items = [from_item(item) for item in response.get("Items") or []]
        found = self.get_item({"pk": items[0]["pk"], "sk": items[0]["sk"]}, consistent=True) if items else None
        return shipment_of(found) if found else None

    def _shipments_of(self, keys: Sequence[dict[str, Any]]) -> list[Shipment]:
        """The shipments a keys-only index found, in its order (one BatchGetItem per 100)."""
        found = {item["pk"]: item for item in self.get_items([{"pk": k["pk"], "sk": k["sk"]} for k in keys])}
        return [shipment_of(found[k["pk"]]) for k in keys if k["pk"] in found]

    def tracking(self, shipment_id: str) -> list[TrackingEntry]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=expression_values(pk=shipment_pk(shipment_id), prefix=TRACKING_PREFIX),
            ConsistentRead=True,
        )
        return [TrackingEntry.model_validate(item) for item in items]

    def for_case(self, case_id: str) -> list[Shipment]:
        """A case's shipments, oldest first (gsi1; a case has one or two)."""
        response = dynamodb().query(
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=expression_values(pk=case_shipments_pk(case_id)),
        )
        return self._shipments_of([from_item(item) for item in response.get("Items", [])])

    def for_department(
        self, department_id: str, *, state: str | None, limit: int, cursor: str | None
    ) -> Page[Shipment]:
        """A department's shipments, newest first (gsi3), optionally of one state."""
        partition = department_pk(department_id)
        start = decode_cursor(cursor, must_match={"gsi3pk": partition})
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi3",
            "KeyConditionExpression": "gsi3pk = :pk",
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if state:
            arguments["FilterExpression"] = "#state = :state"
            arguments["ExpressionAttributeNames"] = {"#state": "state"}
            arguments["ExpressionAttributeValues"] = expression_values(pk=partition, state=state)
        else:
            arguments["ExpressionAttributeValues"] = expression_values(pk=partition)
        if start:
            arguments["ExclusiveStartKey"] = to_item(start)
        response = dynamodb().query(**arguments)
        last = response.get("LastEvaluatedKey")
        return Page[Shipment](
            items=self._shipments_of([from_item(item) for item in response.get("Items", [])]),
            next_cursor=encode_cursor(from_item(last)) if last else None,
        )
