"""The local courier simulator (infra/local/partners/courier.py) behaves like the
partner: one parcel per order number, the acceptance first, a realistic route,
jitter, duplicates and reordering — and every message maps to ours."""

from __future__ import annotations

import json
import time
from typing import Any

from infra.local.partners.courier import CourierSimulator
from shared.delivery.partner import to_update
from shared.delivery.states import ShipmentState


class FakeSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> dict[str, str]:  # noqa: N803 (boto3's names)
        self.sent.append(json.loads(MessageBody))
        return {"MessageId": str(len(self.sent))}


def _booking(order_no: str, address: str = "南京市江宁区天元中路 1 号 3 栋") -> dict[str, Any]:
    return {
        "msg_type": "ORDER_CREATE",
        "order_no": order_no,
        "biz_type": "GOV_RESULT",
        "sender": {"name": "南京市江宁区市场监督管理局", "address": "窗口", "area_code": "320115"},
        "receiver": {"name": "张伟", "phone": "13800000001", "address": address, "area_code": "320115"},
        "cargo": ["decision_document"],
        "created_at": "2026-09-21 10:00:00",
    }


def _run(simulator: CourierSimulator) -> FakeSqs:
    fake = FakeSqs()
    simulator.sqs = fake
    deadline = time.time() + 5
    while simulator.pending() and time.time() < deadline:
        with simulator._lock:
            ready = [simulator._queue.pop(0) for _ in range(len(simulator._queue))]
        for item in sorted(ready):
            simulator.send(item.body)
    return fake


def test_one_parcel_per_order_acceptance_first_then_a_journey_to_delivery() -> None:
    simulator = CourierSimulator(step_s=0, jitter_s=0, duplicates=0, reorder=0, seed=7)
    parcel = simulator.take(_booking("01JDQ9A0000000000000000S01"))
    assert parcel is not None
    assert simulator.take(_booking("01JDQ9A0000000000000000S01")) is None  # the same booking twice
    sent = _run(simulator).sent
    updates = [to_update(json.dumps(m, ensure_ascii=False)) for m in sent]
    assert updates[0].kind == "order_result"
    assert updates[0].waybill == parcel.mail_no
    assert [u.state for u in updates[1:]] == [
        ShipmentState.PICKED_UP,
        ShipmentState.IN_TRANSIT,
        ShipmentState.IN_TRANSIT,
        ShipmentState.OUT_FOR_DELIVERY,
        ShipmentState.DELIVERED,
    ]
    assert all(u.shipment_id == "01JDQ9A0000000000000000S01" for u in updates)
    assert updates[-1].proof_signer == "本*"


def test_a_counter_handover_is_accepted_and_waits_for_the_parcel() -> None:
    """窗口交寄: the courier answers with a waybill and collects nothing until the counter hands it over."""
    simulator = CourierSimulator(step_s=0, jitter_s=0, duplicates=0, reorder=0, seed=7)
    parcel = simulator.take(_booking("01JDQ9A0000000000000000S01", address="南京市江宁区天元中路 1 号（窗口交寄）"))
    assert parcel is not None
    updates = [to_update(json.dumps(m, ensure_ascii=False)) for m in _run(simulator).sent]
    assert [(u.kind, u.waybill) for u in updates] == [("order_result", parcel.mail_no)]


def test_a_refused_address_fails_twice_and_returns() -> None:
    simulator = CourierSimulator(step_s=0, jitter_s=0, duplicates=0, reorder=0, seed=7)
    simulator.take(_booking("01JDQ9A0000000000000000S02", address="南京市江宁区某路 1 号（拒收）"))
    states = [to_update(json.dumps(m, ensure_ascii=False)).state for m in _run(simulator).sent[1:]]
    assert states.count(ShipmentState.FAILED_ATTEMPT) == 2
    assert states[-1] is ShipmentState.RETURNED


def test_duplicates_and_reordering_happen_with_event_times_kept() -> None:
    simulator = CourierSimulator(step_s=1, jitter_s=0, duplicates=1.0, reorder=1.0, seed=3)
    simulator.take(_booking("01JDQ9A0000000000000000S03"))
    with simulator._lock:
        scheduled = sorted(simulator._queue)
    bodies = [json.loads(item.body) for item in scheduled]
    routes = [b for b in bodies if b["msg_type"] == "ROUTE"]
    assert len(bodies) == 12  # acceptance + 5 route events, each sent twice
    times = [b["op_time"] for b in routes]
    assert times != sorted(times)  # sent out of the order they happened
    assert len({json.dumps(b, sort_keys=True) for b in bodies}) == 6
