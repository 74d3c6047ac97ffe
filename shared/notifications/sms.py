"""SMS delivery port (短信通道) and its adapters.

The identity context sends one-time codes through `SmsSender.send`. Which
adapter runs is the `SMS_CHANNEL` setting:
- `outbox` (local cloud and test stages): each message becomes a JSON object
  in the SMS outbox bucket, `sms/<masked phone>/<time-ordered id>.json`,
  holding the masked number, the text and the time — never the full number.
  Read it with `python -m shared.notifications.sms_outbox <phone>`.
- `gateway`: the province's SMS gateway (短信平台). Not wired yet, so sending
  raises `SmsUnavailable` and the API answers 503 instead of pretending.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from shared.platform.aws import client
from shared.platform.clock import iso, now
from shared.platform.config import settings
from shared.platform.ids import new_id
from shared.platform.privacy import mask_phone

OUTBOX_PREFIX = "sms/"


class SmsUnavailable(Exception):
    """The message could not be handed to the SMS channel."""


@dataclass(frozen=True)
class SmsMessage:
    template: str  # e.g. "otp.sign_in": what kind of message (for the gateway's template id)
    text: str


class SmsSender(Protocol):
    def send(self, phone: str, message: SmsMessage) -> None: ...


def outbox_key(masked_phone: str, message_id: str) -> str:
    return f"{OUTBOX_PREFIX}{masked_phone}/{message_id}.json"


class OutboxSms:
    """Writes messages to the SMS outbox bucket (local and test stages only)."""

    def __init__(self, bucket: str) -> None:
        self._bucket = bucket

    def send(self, phone: str, message: SmsMessage) -> None:
        if not self._bucket:
            raise SmsUnavailable("SMS_OUTBOX_BUCKET is not set")
        masked = mask_phone(phone)
        body = {"to": masked, "template": message.template, "text": message.text, "sent_at": iso(now())}
        client("s3").put_object(
            Bucket=self._bucket,
            Key=outbox_key(masked, new_id()),
            Body=json.dumps(body, ensure_ascii=False).encode(),
            ContentType="application/json; charset=utf-8",
        )


class GatewaySms:
    """The production SMS gateway: not wired yet, so it refuses loudly."""

    def send(self, phone: str, message: SmsMessage) -> None:
        raise SmsUnavailable("SMS_CHANNEL=gateway has no adapter yet")


@cache
def sms_sender() -> SmsSender:
    cfg = settings()
    if cfg.sms_channel == "outbox":
        return OutboxSms(cfg.sms_outbox_bucket)
    return GatewaySms()
