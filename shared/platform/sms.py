"""SMS delivery port (短信通道) and its adapters, shared by every context that texts
people (identity's one-time codes; notifications may add notices).

`SmsSender.send(phone, message)` hands one message to the channel or raises
`SmsUnavailable` (callers answer 503). The `SMS_CHANNEL` setting chooses:

- `outbox` (local cloud and test stages): each message becomes a JSON object
  in the SMS outbox bucket, `sms/<masked phone>/<time-ordered id>.json`,
  holding the masked number, the text and the time — never the full number.
  Read it with `python -m shared.notifications.sms_outbox <phone>`.
- `gateway`: the province's SMS gateway (政务短信平台) over HTTPS, requests
  signed with HMAC-SHA256 (`shared.platform.partner_http`), a timeout and a
  circuit breaker. Wire format (pinned by tests/unit/test_partner_contracts.py
  against the simulator infra/local/partners/sms_gateway.py):

      POST {SMS_GATEWAY_URL}/v1/sms/messages
      {"message_id": "<ulid>", "phone": "13800000001", "template": "otp.sign_in",
       "text": "…", "sign_name": "江苏政务服务"}
      → 202 {"message_id": "…", "status": "accepted"}
      → 4xx {"code": "…", "message": "…"}   (refused: bad number, blacklisted, …)

  The message id makes a retried send idempotent at the gateway.
Amazon SNS / End User Messaging SMS are not offered in the China regions this
platform targets, so there is no AWS messaging adapter (decision D-052).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from shared.platform.aws import client
from shared.platform.clock import iso, now
from shared.platform.config import partner_settings, sms_settings, stage_settings
from shared.platform.ids import new_id
from shared.platform.partner_http import CircuitBreaker, PartnerClient, PartnerUnavailable, check_url, partner_secret
from shared.platform.privacy import mask_phone

OUTBOX_PREFIX = "sms/"
GATEWAY_SEND_PATH = "/v1/sms/messages"
SIGN_NAME = "江苏政务服务"


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


def outbox_record(phone: str, template: str, text: str, sent_at: str) -> tuple[str, bytes]:
    """The outbox object (key, body) for one message: masked number only."""
    masked = mask_phone(phone)
    body = {"to": masked, "template": template, "text": text, "sent_at": sent_at}
    return outbox_key(masked, new_id()), json.dumps(body, ensure_ascii=False).encode()


class OutboxSms:
    """Writes messages to the SMS outbox bucket (local and test stages only)."""

    def __init__(self, bucket: str) -> None:
        self._bucket = bucket

    def send(self, phone: str, message: SmsMessage) -> None:
        if not self._bucket:
            raise SmsUnavailable("SMS_OUTBOX_BUCKET is not set")
        key, body = outbox_record(phone, message.template, message.text, iso(now()))
        client("s3").put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/json; charset=utf-8")


class GatewaySms:
    """The province's SMS gateway over signed HTTPS (None: not configured, every send is a 503)."""

    def __init__(self, partner: PartnerClient | None) -> None:
        self._partner = partner

    def send(self, phone: str, message: SmsMessage) -> None:
        if self._partner is None:
            raise SmsUnavailable("SMS_GATEWAY_URL is not set")
        payload = {
            "message_id": new_id(),
            "phone": phone,
            "template": message.template,
            "text": message.text,
            "sign_name": SIGN_NAME,
        }
        try:
            reply = self._partner.call("POST", GATEWAY_SEND_PATH, payload)
        except PartnerUnavailable as exc:
            raise SmsUnavailable(f"gateway unavailable: {exc.reason}") from exc
        if reply.status not in (200, 202):
            # the gateway's own refusal (e.g. a number on its blacklist): the code, never the number
            raise SmsUnavailable(f"gateway refused: {reply.body.get('code', reply.status)}")


@cache
def sms_sender() -> SmsSender:
    cfg = sms_settings()
    if cfg.sms_channel == "outbox":
        return OutboxSms(cfg.sms_outbox_bucket)
    if not cfg.sms_gateway_url:
        return GatewaySms(None)
    limits = partner_settings()
    partner = PartnerClient(
        check_url(cfg.sms_gateway_url, stage=stage_settings().stage),
        app_id=cfg.sms_gateway_app_id,
        secret=lambda: partner_secret(cfg.sms_gateway_secret_arn),
        timeout_s=limits.partner_timeout_s,
        breaker=CircuitBreaker(limits.partner_breaker_failures, limits.partner_breaker_open_s),
    )
    return GatewaySms(partner)
