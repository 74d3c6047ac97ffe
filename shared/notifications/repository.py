"""NotificationsTable access: the only module that knows its keys.

| record            | pk                     | sk                   | notes |
|-------------------|------------------------|----------------------|-------|
| message 消息       | `INBOX#<subject_id>`   | `MSG#<message_id>`   | its event's id (ULID): sk order = time |

One partition per user: a list is one Query (newest first, ScanIndexForward
false), and no request can reach another user's inbox because the subject id
in every key comes from the caller's principal. Delivery is idempotent by key:
the message's id is the event's, so one conditional PutItem stores it once.
The unread count is counted, not kept (D-335): a `Select: COUNT` Query of the
partition's messages without `read_at`, so a delivery is one write and marking
read one conditional UpdateItem. Inboxes written before D-335 also hold a
`COUNTER` item (`unread`); nothing reads it any more.
"""

from __future__ import annotations

from datetime import datetime

from shared.notifications.config import notifications_settings
from shared.notifications.models import Message
from shared.platform.dynamo import Repository
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.pagination import Page

MESSAGE_PREFIX = "MSG#"


def inbox_pk(subject_id: str) -> str:
    return f"INBOX#{subject_id}"


def message_key(subject_id: str, message_id: str) -> dict[str, str]:
    return {"pk": inbox_pk(subject_id), "sk": f"{MESSAGE_PREFIX}{message_id}"}


class AlreadyDelivered(Exception):
    """The message (its event) was delivered to this inbox before."""


class NotificationsRepository(Repository):
    def configured_table(self) -> str:
        return notifications_settings().notifications_table

    def add(self, subject_id: str, message: Message) -> None:
        """Store the message unless its id is in the inbox already (one conditional PutItem)."""
        if not self.put_new({**message_key(subject_id, message.message_id), **message.model_dump(mode="json")}):
            raise AlreadyDelivered(message.message_id)

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
        """The messages without `read_at`, counted by DynamoDB (`Select: COUNT`): billed on the
        bytes of the inbox's messages, eventually consistent (0.5 read unit per 4 KB, ~8 messages)."""
        return self.query_count(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression="attribute_not_exists(read_at)",
            ExpressionAttributeValues=expression_values(pk=inbox_pk(subject_id), prefix=MESSAGE_PREFIX),
        )

    def get(self, subject_id: str, message_id: str) -> Message | None:
        item = self.get_item(message_key(subject_id, message_id), consistent=True)
        return Message.model_validate(item) if item else None

    def mark_read(self, subject_id: str, message_id: str, read_at: datetime) -> bool:
        """Set read_at once (a lone write: one conditional UpdateItem, D-322); False when the
        message is missing or already read."""
        transaction = self.transaction()
        transaction.update(
            message_key(subject_id, message_id),
            "SET read_at = :read_at",
            condition="attribute_exists(pk) AND attribute_not_exists(read_at)",
            values=expression_values(read_at=read_at.isoformat()),
            on_conflict=Conflict("conflict"),
        )
        try:
            transaction.commit()
        except Conflict:
            return False
        return True
