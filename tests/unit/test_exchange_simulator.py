"""The local department system (infra/local/partners/department_system.py) and the
platform agree on the wire: its messages, signed by its own code, verify with the
platform's and follow the published schemas; it answers each case event once."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from infra.local.partners.department_system import KID, DepartmentSystemSimulator
from shared.exchange import events  # noqa: F401 (registers the department-system messages)
from shared.exchange.signing import verify
from shared.platform.schemas import problems


class _Queue:
    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> dict[str, Any]:  # noqa: N803 (boto3's names)
        self.bodies.append(MessageBody)
        return {}


def _event(event_type: str, **data: Any) -> dict[str, Any]:
    return {
        "detail-type": event_type,
        "detail": {"type": event_type, "data": {"case_id": "01JDQ90F3W7C8M2T6R4K9N5XZ1", **data}},
    }


def test_its_signed_steps_verify_with_the_platform_and_follow_their_schemas() -> None:
    simulator = DepartmentSystemSimulator(step_s=0)
    simulator.sqs = _Queue()
    key = load_pem_public_key(simulator.registry_entry()["keys"][KID].encode())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    for kind, body in (
        ("accepted", {"note": "受理"}),
        ("decided", {"outcome": "approved", "reason": "准予登记", "document_number": "苏税登字〔2026〕1号"}),
        ("completed", {}),
    ):
        simulator.send_step("01JDQ90F3W7C8M2T6R4K9N5XZ1", kind, body)
        sent = json.loads(simulator.sqs.bodies[-1])
        assert verify(key, sent, sent["signature"])
        assert problems(f"department_system.{kind}", 1, sent) == []


def test_it_answers_each_case_event_once_and_completes_only_an_approval() -> None:
    simulator = DepartmentSystemSimulator(step_s=3600)  # timers never fire here
    assert simulator.handle(_event("case.pre_review_passed")) == "accepted"
    assert simulator.handle(_event("case.pre_review_passed")) is None  # delivered twice: one step
    assert simulator.handle(_event("case.accepted")) == "decided"
    assert simulator.handle(_event("case.decided", outcome="denied")) is None
    assert simulator.handle(_event("case.submitted")) is None
    simulator.stop()
