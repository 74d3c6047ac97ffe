"""The notifications context's shapes: inbox messages (站内消息)."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

MESSAGE_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # ULID (Crockford base32)


class Category(StrEnum):
    ACCOUNT = "account"  # 账号与安全
    AUTHORISATION = "authorisation"  # 企业授权
    CASE = "case"  # 办件进度 (later flows)
    LICENCE = "licence"  # 电子证照 (later flows)
    PAYMENT = "payment"  # 缴费 (later flows)
    RATING = "rating"  # 好差评: invitations, rectification answers
    SYSTEM = "system"  # 平台公告
    SUPERVISION = "supervision"  # 效能监察预警、督办
    HOTLINE = "hotline"  # 12345 工单
    APPOINTMENT = "appointment"  # 大厅预约: reminders, no-shows


class NewMessage(BaseModel):
    """What a flow asks to deliver. `dedupe_key` is the id of the event the message
    reports (a ULID): it becomes the message's id, so delivering the same event twice
    to one inbox stores one message, and messages sort by the time of their events."""

    model_config = ConfigDict(defer_build=True)

    category: Category
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=2000)
    link: str | None = Field(default=None, max_length=500, description="Portal path to open, e.g. /cases/...")
    dedupe_key: str = Field(pattern=MESSAGE_ID_PATTERN)


Inbox = tuple[str, NewMessage]
"""A message and the subject whose inbox it goes to."""


class Message(BaseModel):
    """A message in the user's inbox, newest first in lists."""

    model_config = ConfigDict(defer_build=True)

    message_id: str
    category: Category
    title: str
    body: str
    link: str | None = None
    created_at: datetime
    read_at: datetime | None = None


class UnreadCount(BaseModel):
    model_config = ConfigDict(defer_build=True)

    unread: int = Field(ge=0)
