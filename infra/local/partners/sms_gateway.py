"""The province's SMS gateway (政务短信平台), played locally.

`POST /v1/sms/messages` with a signed JSON body
`{"message_id", "phone", "template", "text", "sign_name"}` → 202
`{"message_id", "status": "accepted"}`; a bad number → 400
`{"code": "invalid_phone"}`; a message id seen before → 202 again without a
second message (idempotent retries). The "phone" it delivers to is the
SMS outbox bucket (`sms/<masked phone>/<id>.json`, masked number only), so
`python -m shared.notifications.sms_outbox` and the tests read codes the same
way whichever channel the identity function uses.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infra.local.partners.signed_http import Reply, SignedJsonServer

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

PORT = 3300
SECRET_ID = "SmsGatewaySecret"  # noqa: S105 (a logical id, not a secret)
BUCKET_ID = "SmsOutboxBucket"
SEND_PATH = "/v1/sms/messages"
PHONE = re.compile(r"^1[3-9][0-9]{9}$")


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


@dataclass
class SmsGatewaySimulator(SignedJsonServer):
    name: str = "sms_gateway"
    requires: tuple[str, ...] = (SECRET_ID, BUCKET_ID)
    bucket: str = ""
    s3: Any = None
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- the partner protocol (infra.local.partners.Partner) -------------------------------

    def bind(self, cloud: LocalCloud) -> dict[str, str]:
        """Serve before the functions start; their SMS_GATEWAY_URL points here."""
        secret = cloud.client("secretsmanager").get_secret_value(SecretId=cloud.ref(SECRET_ID))
        self.secret = str(secret["SecretString"]).encode()
        self.bucket = str(cloud.ref(BUCKET_ID))
        self.s3 = cloud.client("s3")
        return {"SMS_GATEWAY_URL": self.serve(cloud.host, PORT if cloud.api_port else 0)}

    def start(self, cloud: LocalCloud) -> None:
        """Everything happened in bind()."""

    # --- the gateway ---------------------------------------------------------------------

    def answer(self, method: str, path: str, body: dict[str, Any] | None) -> Reply:
        if method != "POST" or path != SEND_PATH:
            return Reply(404, {"code": "not_found", "message": "no such endpoint"})
        fields = ("message_id", "phone", "template", "text", "sign_name")
        if body is None or any(not isinstance(body.get(f), str) or not body.get(f) for f in fields):
            return Reply(400, {"code": "invalid_request", "message": f"required: {', '.join(fields)}"})
        if not PHONE.match(body["phone"]):
            return Reply(400, {"code": "invalid_phone", "message": "not a mainland mobile number"})
        message_id = body["message_id"]
        if message_id not in self.delivered:
            record = {
                "to": masked(body["phone"]),
                "template": body["template"],
                "text": body["text"],
                "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            self.delivered[message_id] = record
            if self.s3 is not None and self.bucket:
                key = f"sms/{record['to']}/{message_id}.json"  # the platform's ids are time-ordered
                self.s3.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=json.dumps(record, ensure_ascii=False).encode(),
                    ContentType="application/json; charset=utf-8",
                )
        return Reply(202, {"message_id": message_id, "status": "accepted"})
