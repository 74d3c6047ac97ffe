"""The message center's rules (消息中心): deliver, list, count, mark read.

No boto3 here (storage is `NotificationsRepository`). Every method takes the
inbox owner's subject id from the caller's principal, so a user can only
ever reach their own messages; another user's message id is simply not
found (404, which does not reveal that it exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from shared.notifications.models import Message, NewMessage, UnreadCount
from shared.notifications.repository import AlreadyDelivered, NotificationsRepository
from shared.platform.clock import now
from shared.platform.errors import NotFound
from shared.platform.observability import logger
from shared.platform.pagination import Page


@dataclass
class InboxService:
    repository: NotificationsRepository

    def deliver(self, subject_id: str, new: NewMessage) -> Message | None:
        """Put a message in `subject_id`'s inbox (投递站内消息); None when its
        dedupe key was delivered before (a redelivered event)."""
        message = Message(
            message_id=new.dedupe_key,  # the event's id: the inbox keeps one message per event
            category=new.category,
            title=new.title,
            body=new.body,
            link=new.link,
            created_at=now(),
        )
        try:
            self.repository.add(subject_id, message)
        except AlreadyDelivered:
            logger().info("message already delivered", extra={"subject_id": subject_id})
            return None
        logger().info(
            "message delivered",
            extra={"subject_id": subject_id, "message_id": message.message_id, "category": message.category.value},
        )
        return message

    def messages(self, subject_id: str, *, limit: int, cursor: str | None) -> Page[Message]:
        return self.repository.page(subject_id, limit=limit, cursor=cursor)

    def unread_count(self, subject_id: str) -> UnreadCount:
        return UnreadCount(unread=self.repository.unread(subject_id))

    def mark_read(self, subject_id: str, message_id: str) -> Message:
        """Mark one of the owner's messages read (idempotent: reading twice is fine)."""
        self.repository.mark_read(subject_id, message_id, now())
        message = self.repository.get(subject_id, message_id)
        if message is None:
            raise NotFound()
        return message


@cache
def inbox_service() -> InboxService:
    return InboxService(NotificationsRepository())
