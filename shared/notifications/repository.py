"""NotificationsTable access: the only module that knows its keys.

| record            | pk                     | sk                   | notes |
|-------------------|------------------------|----------------------|-------|
| message 消息       | `INBOX#<subject_id>`   | `MSG#<message_id>`   | ULID ids: sk order = time order |
| unread counter    | `INBOX#<subject_id>`   | `COUNTER`            | `unread` |
| delivery guard    | `INBOX#<subject_id>`   | `DEDUPE#<key hash>`  | TTL 30 days |

One partition per user: a list is one Query (newest first, ScanIndexForward
false), the unread count one GetItem, and no request can reach another
user's inbox because the subject id in every key comes from the caller's
principal. A message and the counter change in one transaction, so the count
never drifts from the messages.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from shared.notifications.config import notifications_settings
from shared.notifications.models import Message
from shared.platform.dynamo import Repository
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.pagination import Page

MESSAGE_PREFIX = "MSG#"
COUNTER_SK = "COUNTER"
DEDUPE_RETENTION_S = 30 * 86_400


def inbox_pk(subject_id: str) -> str:
    return f"INBOX#{subject_id}"


def message_key(subject_id: str, message_id: str) -> dict[str, str]:
    return {"pk": inbox_pk(subject_id), "sk": f"{MESSAGE_PREFIX}{message_id}"}


def counter_key(subject_id: str) -> dict[str, str]:
    return {"pk": inbox_pk(subject_id), "sk": COUNTER_SK}


class AlreadyDelivered(Exception):
    """The dedupe key was delivered to this inbox before."""


class NotificationsRepository(Repository):
    def configured_table(self) -> str:
        return notifications_settings().notifications_table

    def add(self, subject_id: str, message: Message, dedupe_key: str) -> None:
        """Store the message, raise the unread count and remember the dedupe key — at once."""
        key_hash = hashlib.sha256(dedupe_key.encode()).hexdigest()
        created = int(message.created_at.timestamp())
        transaction = self.transaction()
        transaction.put(
            {"pk": inbox_pk(subject_id), "sk": f"DEDUPE#{key_hash}", "expires_at": created + DEDUPE_RETENTION_S},
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict("conflict"),
        )
        transaction.put(
            {**message_key(subject_id, message.message_id), **message.model_dump(mode="json")},
            condition="attribute_not_exists(pk)",
        )
        transaction.update(counter_key(subject_id), "ADD unread :one", values=expression_values(one=1))
        try:
            transaction.commit()
        except Conflict as exc:
            raise AlreadyDelivered(dedupe_key) from exc

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
