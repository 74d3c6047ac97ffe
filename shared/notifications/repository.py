"""NotificationsTable access: the only module that knows its keys.

| record            | pk                     | sk                   | notes |
|-------------------|------------------------|----------------------|-------|
| message 消息       | `INBOX#<subject_id>`   | `MSG#<message_id>`   | its event's id (ULID): sk order = time |
| unread counter    | `INBOX#<subject_id>`   | `COUNTER`            | `unread` |

One partition per user: a list is one Query (newest first, ScanIndexForward
false), the unread count one GetItem, and no request can reach another
user's inbox because the subject id in every key comes from the caller's
principal. Delivery is idempotent by key: the message's id is the event's, so a
conditional PutItem stores it once, then an UpdateItem raises the counter (two
plain writes, a third of the units of a transaction with a guard item, D-195).
A worker stopped between the two leaves the unread count one short, never a
message twice; reading clamps the count at zero.
"""

from __future__ import annotations

from datetime import datetime

from shared.notifications.config import notifications_settings
from shared.notifications.models import Message
from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, to_item
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.pagination import Page

MESSAGE_PREFIX = "MSG#"
COUNTER_SK = "COUNTER"


def inbox_pk(subject_id: str) -> str:
    return f"INBOX#{subject_id}"


def message_key(subject_id: str, message_id: str) -> dict[str, str]:
    return {"pk": inbox_pk(subject_id), "sk": f"{MESSAGE_PREFIX}{message_id}"}


def counter_key(subject_id: str) -> dict[str, str]:
    return {"pk": inbox_pk(subject_id), "sk": COUNTER_SK}


class AlreadyDelivered(Exception):
    """The message (its event) was delivered to this inbox before."""


class NotificationsRepository(Repository):
    def configured_table(self) -> str:
        return notifications_settings().notifications_table

    def add(self, subject_id: str, message: Message) -> None:
        """Store the message unless its id is in the inbox already, then raise the unread count."""
        if not self.put_new({**message_key(subject_id, message.message_id), **message.model_dump(mode="json")}):
            raise AlreadyDelivered(message.message_id)
        dynamodb().update_item(
            TableName=self.table,
            Key=to_item(counter_key(subject_id)),
            UpdateExpression="ADD unread :one",
            ExpressionAttributeValues=expression_values(one=1),
        )

    def page(self, subject_id: str, *, limit: int, cursor: str | None) -> Page[Message]:
        items, next_cursor = self.query_page(
            index=None,
            partition=("pk", inbox_pk(subject_id)),
            sort_prefix=("sk", MESSAGE_PREFIX),
            limit=limit,
            cursor=cursor,
        )
        return Page[Message](items=[Message.model_validate(item) for item in items], next_cursor=next_cursor)

    def unread(self, subject_id: str) -> int:
        item = self.get_item(counter_key(subject_id))
        return max(0, int(item.get("unread", 0))) if item else 0

    def get(self, subject_id: str, message_id: str) -> Message | None:
        item = self.get_item(message_key(subject_id, message_id), consistent=True)
        return Message.model_validate(item) if item else None

    def mark_read(self, subject_id: str, message_id: str, read_at: datetime) -> bool:
        """Set read_at and lower the count; False when the message is missing or already read."""
        transaction = self.transaction()
        transaction.update(
            message_key(subject_id, message_id),
            "SET read_at = :read_at",
            condition="attribute_exists(pk) AND attribute_not_exists(read_at)",
            values=expression_values(read_at=read_at.isoformat()),
            on_conflict=Conflict("conflict"),
        )
        # The message's condition lets each message lower the count once.
        transaction.update(counter_key(subject_id), "ADD unread :minus_one", values=expression_values(minus_one=-1))
        try:
            transaction.commit()
        except Conflict:
            return False
        return True
