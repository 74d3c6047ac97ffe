"""The province tax department's own system (江苏省税务局 金税系统, partner
`js-tax-system`), played locally: a department system that handles its
department's cases itself and reports every step back, signed (issue 19).

- At bind time it makes its key pair and registers its public key: the
  functions that declare `DEPARTMENT_SYSTEMS` get the registry entry (department
  `320000-tax`, region `320000`, `kid` `tax-local`).
- It reads its outbound queue (`TaxSystemOutboundQueue`: the bus events of its
  department's cases, shared/exchange/messages.py) and answers on
  `DepartmentSystemInboundQueue`, each message an ES256 detached JWS over the
  canonical body, with a fresh message id and timestamp:
  `case.pre_review_passed` → 受理 (`accepted`); our `case.accepted` → 决定
  (`decided`, approved, with its document number); our `case.decided`
  (approved) → 办结 (`completed`). Each step is sent once per case, after
  `DEPARTMENT_SYSTEM_SIM_STEP_S` seconds (default 1).

`send(message)` signs and sends any message (a test's forged or stale one is
built by the test); it talks to the platform only through the two queues and
never imports its code (the signing is written here again from the spec).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import threading
import uuid
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from infra.local.partners.queue_reader import read_queue

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

log = logging.getLogger("infra.local.partners.department_system")

OUTBOUND_ID = "TaxSystemOutboundQueue"
INBOUND_ID = "DepartmentSystemInboundQueue"
PARTNER_ID = "js-tax-system"
DEPARTMENT_ID = "320000-tax"
KID = "tax-local"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def detached_jws(key: ec.EllipticCurvePrivateKey, kid: str, message: dict[str, Any]) -> str:
    """ES256 over `<b64 header>.<b64 canonical body>`, payload left out (RFC 7515 Appendix F)."""
    body = {k: v for k, v in message.items() if k != "signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header = _b64(json.dumps({"alg": "ES256", "kid": kid}, separators=(",", ":")).encode())
    r, s = decode_dss_signature(key.sign(f"{header}.{_b64(canonical)}".encode(), ec.ECDSA(hashes.SHA256())))
    return f"{header}..{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


class DepartmentSystemSimulator:
    name = "department_system"
    requires = (OUTBOUND_ID, INBOUND_ID)

    def __init__(self, *, step_s: float | None = None) -> None:
        self.step_s = step_s if step_s is not None else float(os.environ.get("DEPARTMENT_SYSTEM_SIM_STEP_S", "1"))
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.sqs: Any = None
        self.outbound_url = ""
        self.inbound_url = ""
        self.sent: dict[tuple[str, str], dict[str, Any]] = {}  # (case id, kind) -> the message
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._timers: list[threading.Timer] = []

    def registry_entry(self) -> dict[str, Any]:
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "partner_id": PARTNER_ID,
            "name": "江苏省税务局 金税系统（模拟）",
            "department_id": DEPARTMENT_ID,
            "region_code": "320000",
            "keys": {KID: pem.decode("ascii")},
        }

    def bind(self, cloud: LocalCloud) -> dict[str, str]:
        """Register the public key with the functions that read the department-system registry."""
        return {"DEPARTMENT_SYSTEMS": json.dumps([self.registry_entry()], ensure_ascii=False)}

    def start(self, cloud: LocalCloud) -> None:
        self.sqs = cloud.client("sqs")
        self.outbound_url = cloud.queue_url(OUTBOUND_ID)
        self.inbound_url = cloud.queue_url(INBOUND_ID)
        self._stop.clear()
        thread = threading.Thread(target=self._read, name="department-system", daemon=True)
        thread.start()
        self._threads.append(thread)
        log.info("department system simulator: reading %s, answering on %s", OUTBOUND_ID, INBOUND_ID)

    def stop(self) -> None:
        self._stop.set()
        for timer in self._timers:
            timer.cancel()
        for thread in self._threads:
            thread.join(3)
        self._threads.clear()

    def _read(self) -> None:
        read_queue(self.sqs, self.outbound_url, self._stop, self.handle, log=log, what="department system simulator")

    def handle(self, bus_event: dict[str, Any]) -> str | None:
        """The step this case event calls for, sent after the step delay (once per case and step)."""
        envelope = bus_event["detail"]
        data = envelope["data"]
        case_id = str(data["case_id"])
        kind, body = {
            "case.pre_review_passed": ("accepted", {"note": "金税系统：材料齐全，予以受理"}),
            "case.accepted": (
                "decided",
                {
                    "outcome": "approved",
                    "reason": "经审查，符合税务登记条件，准予登记",
                    "document_number": f"苏税登字〔{dt.date.today().year}〕{case_id[-6:]}号",
                },
            ),
            "case.decided": ("completed", {"note": "金税系统：已办结"}),
        }.get(envelope["type"], ("", {}))
        if not kind or (kind == "completed" and data.get("outcome") != "approved"):
            return None
        with self._lock:
            if (case_id, kind) in self.sent:
                return None  # an event delivered twice is one step
            self.sent[case_id, kind] = {}
        timer = threading.Timer(self.step_s, self.send_step, args=(case_id, kind, body))
        timer.daemon = True
        timer.start()
        self._timers.append(timer)
        return kind

    def send_step(self, case_id: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        message = {
            "partner": PARTNER_ID,
            "message_id": uuid.uuid4().hex,
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "schema_version": 1,
            "kind": kind,
            "case_id": case_id,
            "body": body,
        }
        signed = self.send(message)
        with self._lock:
            self.sent[case_id, kind] = signed
        log.info("department system simulator: %s sent for case %s", kind, case_id)
        return signed

    def send(self, message: dict[str, Any], *, sign: bool = True) -> dict[str, Any]:
        """Put `message` on the inbound queue, signed with the registered key unless `sign` is False."""
        signed = {**message, "signature": detached_jws(self.key, KID, message)} if sign else dict(message)
        self.sqs.send_message(QueueUrl=self.inbound_url, MessageBody=json.dumps(signed, ensure_ascii=False))
        return signed
