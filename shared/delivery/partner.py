"""The courier partner's messages and their ONE mapping to ours (物流信息数据交换接口).

The partner (a postal/courier company serving the province's government
services, 政务专递) speaks its own schema on two queues:

- partner-outbound (`CourierOutboundQueue`, we write, it reads): `ORDER_CREATE`,
  a booking with sender, receiver (in clear: the courier needs them) and cargo;
- partner-inbound (`CourierInboundQueue`, it writes, `courier_events` reads):
  `ORDER_RESULT` (our order accepted, with its waybill `mail_no`, or rejected)
  and `ROUTE` (a status event on a waybill: `op_code`, `op_time` in Beijing
  time without an offset, `city`/`site`, `signer` + `pod_url` for the proof
  of delivery, and usually our `order_no` echoed back, which lets an event
  that overtook the acceptance find its shipment).

Everything partner-specific — field names, status codes, time format — is in
this module; the rest of the context sees `PartnerUpdate`. A message we cannot
map (unknown `msg_type` or `op_code`, bad time) raises `UnmappableMessage`,
which the consumer parks in the DLQ with its reason; after the mapping is
fixed, `make redrive QUEUE=CourierInboundQueue` replays it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.delivery.states import ShipmentState

PARTNER_NAME = "jszw-courier"
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
_PARTNER_TIME = "%Y-%m-%d %H:%M:%S"

# The partner's route codes → our states, with the partner's own wording kept for display.
STATUS_CODES: dict[str, ShipmentState] = {
    "10": ShipmentState.PICKED_UP,  # 已收寄
    "20": ShipmentState.IN_TRANSIT,  # 离开处理中心
    "21": ShipmentState.IN_TRANSIT,  # 到达处理中心
    "30": ShipmentState.OUT_FOR_DELIVERY,  # 安排投递
    "40": ShipmentState.DELIVERED,  # 已妥投
    "41": ShipmentState.FAILED_ATTEMPT,  # 未妥投
    "50": ShipmentState.RETURNED,  # 已退回寄件人
    "60": ShipmentState.CANCELLED,  # 已撤单
}
BIZ_TYPES = {"result_delivery": "GOV_RESULT", "material_pickup": "GOV_MATERIAL_PICKUP"}


class UnmappableMessage(ValueError):
    """A partner message we cannot turn into ours (the reason goes to the DLQ)."""


# --- the partner's schema ------------------------------------------------------------------


class _Partner(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class PartnerContact(_Partner):
    name: str
    phone: str = ""
    address: str
    area_code: str = Field(description="GB/T 2260 county code of the address")


class OrderCreate(_Partner):
    """What we send: one booking (下单)."""

    msg_type: Literal["ORDER_CREATE"] = "ORDER_CREATE"
    order_no: str  # our shipment id
    biz_type: str
    sender: PartnerContact
    receiver: PartnerContact
    cargo: list[str]
    remark: str = ""
    created_at: str


class OrderResult(_Partner):
    msg_type: Literal["ORDER_RESULT"]
    order_no: str
    result: Literal["ACCEPTED", "REJECTED"]
    mail_no: str = ""
    reason: str = ""
    op_time: str


class RouteEvent(_Partner):
    msg_type: Literal["ROUTE"]
    mail_no: str
    order_no: str = ""  # our order number, when the partner echoes it (it usually does)
    op_code: str
    op_name: str = ""
    op_time: str
    city: str = ""
    site: str = ""
    signer: str = ""
    pod_url: str = ""


# --- ours ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerUpdate:
    """A partner message as the delivery context understands it."""

    kind: Literal["order_result", "status"]
    state: ShipmentState
    at: dt.datetime
    fingerprint: str  # the same fact sent twice has the same fingerprint
    shipment_id: str | None = None  # order results name our order
    waybill: str | None = None  # status events name the waybill
    partner_code: str = ""
    description: str = ""
    location: str = ""
    proof_signer: str | None = None  # masked
    proof_url: str | None = None
    raw: str = ""  # the partner's message as received, kept for audit


def partner_time(text: str) -> dt.datetime:
    """`2026-09-21 10:15:00` (Beijing, no offset) → an aware datetime; ISO 8601 with an offset is accepted too."""
    try:
        if "T" in text:
            moment = dt.datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)
        return dt.datetime.strptime(text, _PARTNER_TIME).replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise UnmappableMessage(f"bad op_time {text!r}") from exc


def format_partner_time(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).strftime(_PARTNER_TIME)


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _mask_signer(signer: str) -> str | None:
    if not signer:
        return None
    return signer[:1] + "*" * max(len(signer) - 1, 1)


def to_update(body: str | Mapping[str, Any]) -> PartnerUpdate:
    """THE mapping: one partner message → a `PartnerUpdate` (or UnmappableMessage)."""
    try:
        raw = json.loads(body) if isinstance(body, str) else dict(body)
    except ValueError as exc:
        raise UnmappableMessage("not JSON") from exc
    if not isinstance(raw, dict):
        raise UnmappableMessage("not a JSON object")
    # kept for audit without the signer's name in clear (PIPL): the masked form only
    kept = {**raw, "signer": _mask_signer(str(raw["signer"]))} if raw.get("signer") else raw
    text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    kind = raw.get("msg_type")
    try:
        if kind == "ORDER_RESULT":
            result = OrderResult.model_validate(raw)
            at = partner_time(result.op_time)
            if result.result == "ACCEPTED":
                if not result.mail_no:
                    raise UnmappableMessage("ORDER_RESULT ACCEPTED without mail_no")
                state, description = ShipmentState.ACCEPTED, f"快递公司已接单，运单号 {result.mail_no}"
            else:
                state, description = ShipmentState.CANCELLED, f"快递公司拒绝接单：{result.reason or '未说明原因'}"
            return PartnerUpdate(
                kind="order_result",
                state=state,
                at=at,
                fingerprint=_fingerprint("ORDER_RESULT", result.order_no, result.result, result.mail_no),
                shipment_id=result.order_no,
                waybill=result.mail_no or None,
                partner_code=result.result,
                description=description,
                raw=text,
            )
        if kind == "ROUTE":
            route = RouteEvent.model_validate(raw)
            state_for = STATUS_CODES.get(route.op_code)
            if state_for is None:
                raise UnmappableMessage(f"unknown status op_code {route.op_code!r} for waybill {route.mail_no}")
            at = partner_time(route.op_time)
            location = " ".join(part for part in (route.city, route.site) if part)
            return PartnerUpdate(
                kind="status",
                state=state_for,
                at=at,
                fingerprint=_fingerprint("ROUTE", route.mail_no, route.op_code, at.isoformat(), location),
                waybill=route.mail_no,
                shipment_id=route.order_no or None,
                partner_code=route.op_code,
                description=route.op_name,
                location=location,
                proof_signer=_mask_signer(route.signer) if state_for is ShipmentState.DELIVERED else None,
                proof_url=route.pod_url or None,
                raw=text,
            )
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise UnmappableMessage(f"{kind} message with missing or bad fields: {fields}") from None
    raise UnmappableMessage(f"unknown msg_type {kind!r}")
