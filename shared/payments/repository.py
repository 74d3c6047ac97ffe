"""PaymentsTable access: the only module that knows its keys and indexes.

| record                     | pk                                  | sk       | index keys (only while they apply) |
|----------------------------|-------------------------------------|----------|------------------------------------|
| order 缴费订单               | `ORDER#<order_id>`                  | `ORDER`  | gsi1 payer, gsi2 case, gsi3 expiry |
| one order per case + stage | `CASEFEE#<case_id>#<stage>`         | `GUARD`  |                                    |
| notice number 缴款码         | `NOTICE#<notice_number>`            | `NOTICE` |                                    |
| channel transaction        | `TXN#<channel>#<txn_id>`            | `TXN`    | gsi3 pay day (successes)           |
| exception 支付异常           | `PAYEXC#<exception_id>`             | `PAYEXC` | gsi1 `PAYEXC`                      |
| outbox                     | `OUTBOX#<first event id>`           | `OUTBOX` | (TTL 7 days; stream → relay)       |

Indexes:
- gsi1 "my payment orders": `PAYER#SUBJ#<subject>` or `PAYER#ENT#<uscc>` / `<created_at>#<order_id>`,
  newest first; and the operators' exception list `PAYEXC` / `<recorded_at>#<id>` (exceptions
  are rare by nature: one partition).
- gsi2 "orders of a case": `CASE#<case_id>` / `<stage>#<order_id>` (cancel on withdrawal).
- gsi3 "expiry" (过期): `EXPIRY#<s>` / `<expires_at>#<order_id>`, only while the order is
  open (created, paying, failed), 8 shards by order id; the sweep queries each shard for
  expiry times before now — never a Scan.
- gsi3 "pay day" (对账): `TXNDAY#<channel>#<yyyymmdd>#<s>` / `<occurred_at>#<txn_id>` on the
  transaction record of every success we received (Asia/Shanghai day, 8 shards), so
  reconciliation reads one day's successes without a Scan.

The channel transaction id is a key, not an index: the transaction record is
written with `attribute_not_exists` in the same transaction as the order
change it causes, so a callback delivered twice (HTTP and queue, or a retry)
changes the order once (D-035).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from shared.payments.config import payments_settings
from shared.payments.errors import CHANGED_CONCURRENTLY
from shared.payments.models import Order, PaymentException, TransactionRecord
from shared.payments.states import OPEN_STATES, OrderState
from shared.platform.aws import dynamodb
from shared.platform.clock import SHANGHAI, iso
from shared.platform.dynamo import Repository, from_item, shard_of
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.platform.pagination import Page

ORDER_SK = "ORDER"
EXPIRY_SHARDS = 8
DAY_SHARDS = 8
EXCEPTIONS_PK = "PAYEXC"


class OrderExists(Conflict):
    """The case already has an order for this stage."""

    def __init__(self) -> None:
        super().__init__("conflict")


class NoticeNumberTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("conflict")


class TransactionSeen(Conflict):
    """The channel transaction was recorded already (a duplicate callback)."""

    def __init__(self) -> None:
        super().__init__("conflict")


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def payer_key(subject_id: str, uscc: str | None) -> str:
    return f"PAYER#ENT#{uscc}" if uscc else f"PAYER#SUBJ#{subject_id}"


def _guard_pk(case_id: str, stage: str) -> str:
    return f"CASEFEE#{case_id}#{stage}"


def _txn_key(channel: str, txn_id: str) -> dict[str, str]:
    return {"pk": f"TXN#{channel}#{txn_id}", "sk": "TXN"}


def expiry_pk(shard: int) -> str:
    return f"EXPIRY#{shard:02d}"


def day_pk(channel: str, day: dt.date, shard: int) -> str:
    return f"TXNDAY#{channel}#{day:%Y%m%d}#{shard:02d}"


def _order_item(order: Order) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": order_pk(order.order_id),
        "sk": ORDER_SK,
        "kind": "order",
        **order.model_dump(mode="json"),
        "gsi1pk": payer_key(order.payer_subject_id, order.payer_uscc),
        "gsi1sk": f"{iso(order.created_at)}#{order.order_id}",
        "gsi2pk": f"CASE#{order.case_id}",
        "gsi2sk": f"{order.stage.value}#{order.order_id}",
    }
    if order.state in OPEN_STATES:
        item["gsi3pk"] = expiry_pk(shard_of(order.order_id, EXPIRY_SHARDS))
        item["gsi3sk"] = f"{iso(order.expires_at)}#{order.order_id}"
    return item


def _order_of(item: dict[str, Any]) -> Order:
    return Order.model_validate(item)


def transaction_item(record: TransactionRecord) -> dict[str, Any]:
    item: dict[str, Any] = {**_txn_key(record.channel, record.txn_id), "kind": "txn", **record.model_dump(mode="json")}
    if record.outcome.value == "success":
        day = record.occurred_at.astimezone(SHANGHAI).date()
        item["gsi3pk"] = day_pk(record.channel, day, shard_of(record.txn_id, DAY_SHARDS))
        item["gsi3sk"] = f"{iso(record.occurred_at)}#{record.txn_id}"
    return item


def exception_item(found: PaymentException) -> dict[str, Any]:
    return {
        "pk": f"PAYEXC#{found.exception_id}",
        "sk": "PAYEXC",
        "kind": "exception",
        **found.model_dump(mode="json"),
        "gsi1pk": EXCEPTIONS_PK,
        "gsi1sk": f"{iso(found.recorded_at)}#{found.exception_id}",
    }


class PaymentsRepository(Repository):
    def configured_table(self) -> str:
        return payments_settings().payments_table

    # --- reads ---------------------------------------------------------------------------

    def get(self, order_id: str) -> Order | None:
        item = self.get_item({"pk": order_pk(order_id), "sk": ORDER_SK}, consistent=True)
        return _order_of(item) if item else None

    def get_with_transaction(
        self, order_id: str, channel: str, txn_id: str
    ) -> tuple[Order | None, TransactionRecord | None]:
        """The order and the channel transaction's record, in one BatchGetItem."""
        keys = [{"pk": order_pk(order_id), "sk": ORDER_SK}, _txn_key(channel, txn_id)]
        items = self.get_items(keys, consistent=True)
        order = next((_order_of(i) for i in items if i.get("kind") == "order"), None)
        txn = next((TransactionRecord.model_validate(i) for i in items if i.get("kind") == "txn"), None)
        return order, txn

    def order_for_case_stage(self, case_id: str, stage: str) -> Order | None:
        guard = self.get_item({"pk": _guard_pk(case_id, stage), "sk": "GUARD"}, consistent=True)
        return self.get(str(guard["order_id"])) if guard else None

    def orders_of_case(self, case_id: str) -> list[Order]:
        items = self.query_all(
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :pk",
            ExpressionAttributeValues=expression_values(pk=f"CASE#{case_id}"),
        )
        return [_order_of(item) for item in items]

    def list_for_payer(self, key: str, limit: int, cursor: str | None) -> Page[Order]:
        items, next_cursor = self.query_page(index="gsi1", partition=("gsi1pk", key), limit=limit, cursor=cursor)
        return Page[Order](items=[_order_of(item) for item in items], next_cursor=next_cursor)

    def list_exceptions(self, limit: int, cursor: str | None) -> Page[PaymentException]:
        items, next_cursor = self.query_page(
            index="gsi1", partition=("gsi1pk", EXCEPTIONS_PK), limit=limit, cursor=cursor
        )
        return Page[PaymentException](
            items=[PaymentException.model_validate(item) for item in items], next_cursor=next_cursor
        )

    def due_for_expiry(self, shard: int, before: dt.datetime, limit: int = 100) -> list[Order]:
        """Open orders in one expiry shard whose expiry time is before `before`, oldest first.
        The index projects whole orders (it may lag a write: callers write conditionally)."""
        found: list[Order] = []
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi3",
            "KeyConditionExpression": "gsi3pk = :pk AND gsi3sk < :before",
            "ExpressionAttributeValues": expression_values(pk=expiry_pk(shard), before=iso(before)),
            "Limit": limit,
        }
        while True:
            answer = dynamodb().query(**arguments)
            found.extend(_order_of(from_item(i)) for i in answer.get("Items", []))
            last = answer.get("LastEvaluatedKey")
            if not last or len(found) >= limit:
                return found[:limit]
            arguments["ExclusiveStartKey"] = last

    def successes_on(self, channel: str, day: dt.date) -> list[TransactionRecord]:
        """Every success we received from `channel` on `day` (Asia/Shanghai), all shards."""
        records: list[TransactionRecord] = []
        for shard in range(DAY_SHARDS):
            items = self.query_all(
                IndexName="gsi3",
                KeyConditionExpression="gsi3pk = :pk",
                ExpressionAttributeValues=expression_values(pk=day_pk(channel, day, shard)),
            )
            records.extend(TransactionRecord.model_validate(item) for item in items)
        return records

    # --- writes --------------------------------------------------------------------------

    def create(self, order: Order, events: Sequence[Envelope]) -> None:
        """The order with its case+stage guard and notice-number claim, in one transaction.
        Raises OrderExists (a redelivered fee_due) or NoticeNumberTaken (draw again)."""
        tx = self.transaction()
        tx.put(
            {"pk": _guard_pk(order.case_id, order.stage.value), "sk": "GUARD", "order_id": order.order_id},
            condition="attribute_not_exists(pk)",
            on_conflict=OrderExists(),
        )
        tx.put(
            {"pk": f"NOTICE#{order.notice_number}", "sk": "NOTICE", "order_id": order.order_id},
            condition="attribute_not_exists(pk)",
            on_conflict=NoticeNumberTaken(),
        )
        tx.put(_order_item(order), condition="attribute_not_exists(pk)", on_conflict=OrderExists())
        for envelope in events:
            tx.emit(envelope)
        tx.commit()

    def reissue(self, expired: Order, replaced: Order, fresh: Order, events: Sequence[Envelope]) -> None:
        """A fresh order for an expired one: the case+stage guard moves to it (conditional on
        still naming the expired one), its notice number is claimed, the expired order records
        its successor; one transaction. Raises OrderExists when another reissue won."""
        tx = self.transaction()
        tx.put(
            {"pk": _guard_pk(fresh.case_id, fresh.stage.value), "sk": "GUARD", "order_id": fresh.order_id},
            condition="order_id = :old",
            values=expression_values(old=expired.order_id),
            on_conflict=OrderExists(),
        )
        tx.put(
            {"pk": f"NOTICE#{fresh.notice_number}", "sk": "NOTICE", "order_id": fresh.order_id},
            condition="attribute_not_exists(pk)",
            on_conflict=NoticeNumberTaken(),
        )
        tx.put(_order_item(fresh), condition="attribute_not_exists(pk)", on_conflict=OrderExists())
        tx.put(
            _order_item(replaced),
            condition="#v = :v AND #s = :s",
            names={"#v": "version", "#s": "state"},
            values=expression_values(v=expired.version, s=expired.state.value),
            on_conflict=OrderExists(),
        )
        for envelope in events:
            tx.emit(envelope)
        tx.commit()

    def save(
        self,
        order: Order,
        *,
        expected_version: int,
        expected_state: OrderState,
        events: Sequence[Envelope] = (),
        transaction: TransactionRecord | None = None,
        exception: PaymentException | None = None,
    ) -> None:
        """The order as changed (conditional on the version and state it was read at), with
        the channel transaction record (never twice), an exception and events: one transaction."""
        tx = self.transaction()
        if transaction is not None:
            tx.put(transaction_item(transaction), condition="attribute_not_exists(pk)", on_conflict=TransactionSeen())
        tx.put(
            _order_item(order),
            condition="#v = :v AND #s = :s",
            names={"#v": "version", "#s": "state"},
            values=expression_values(v=expected_version, s=expected_state.value),
            on_conflict=Conflict(CHANGED_CONCURRENTLY),
        )
        if exception is not None:
            tx.put(exception_item(exception), condition="attribute_not_exists(pk)")
        for envelope in events:
            tx.emit(envelope)
        tx.commit()

    def record_unapplied(self, transaction: TransactionRecord, exception: PaymentException | None) -> None:
        """A transaction that changes no order (and maybe an exception), never twice."""
        tx = self.transaction()
        tx.put(transaction_item(transaction), condition="attribute_not_exists(pk)", on_conflict=TransactionSeen())
        if exception is not None:
            tx.put(exception_item(exception), condition="attribute_not_exists(pk)")
        tx.commit()
