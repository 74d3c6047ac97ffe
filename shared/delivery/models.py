"""Shipments (运单), their tracking history (物流轨迹) and the API's shapes.

A shipment carries a case's result to the applicant (`result_delivery`) or
an application's paper materials to the department (`material_pickup`). The
recipient's name and phone are stored only sealed (KMS, purpose
`cases.delivery`, bound to the case id, exactly as the cases context sealed
them) and masked; the delivery context unseals them once, to book the
courier.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.delivery.states import RANK, ShipmentState

SHIPMENT_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"

STATE_NAMES: dict[ShipmentState, str] = {
    ShipmentState.REQUESTED: "已下单",
    ShipmentState.ACCEPTED: "已接单",
    ShipmentState.PICKED_UP: "已揽收",
    ShipmentState.IN_TRANSIT: "运输中",
    ShipmentState.OUT_FOR_DELIVERY: "派送中",
    ShipmentState.READY_FOR_PICKUP: "待自取",
    ShipmentState.FAILED_ATTEMPT: "派送未成功",
    ShipmentState.DELIVERED: "已签收",
    ShipmentState.RETURNED: "已退回",
    ShipmentState.CANCELLED: "已取消",
}


class ShipmentKind(StrEnum):
    RESULT_DELIVERY = "result_delivery"  # 结果寄递
    MATERIAL_PICKUP = "material_pickup"  # 材料揽收
    HALL_PICKUP = "hall_pickup"  # 大厅自取: the result waits at a hall for its pickup code (D-219)


class TrackingSource(StrEnum):
    PARTNER = "partner"  # the courier's status event
    COUNTER = "counter"  # department staff handed it to the courier at the counter
    PLATFORM = "platform"  # the platform (booking)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _one_offset(cls, value: Any) -> Any:
        """Every time in UTC, as the rest of the API shows it: the courier reports Beijing time
        (+08:00), and a tracking list once mixed `Z` and `+08:00`."""
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return value


class Place(_Shape):
    """One end of a shipment (寄件/收件地址)."""

    label: str = Field(description="Who is there, masked for people (张* 138****0001) or a department's name.")
    address: str
    region_code: str = Field(description="County-level region (GB/T 2260).")


class Proof(_Shape):
    """Proof of delivery (签收凭证)."""

    signer: str | None = Field(default=None, description="Who signed, masked.")
    url: str | None = Field(default=None, description="The courier's proof-of-delivery image.")
    at: dt.datetime


class Shipment(_Shape):
    """A shipment as stored (one item; the tracking entries are items beside it)."""

    shipment_id: str
    kind: ShipmentKind
    case_id: str
    case_number: str
    item_name: str
    department_id: str
    region_code: str  # the case's (its item's) region
    applicant_subject_id: str
    applicant_uscc: str | None = None
    handler_subject_id: str | None = None
    origin: Place
    destination: Place
    recipient_sealed: str = ""
    contents: list[str]
    licence_ids: list[str] = []
    state: ShipmentState
    state_at: dt.datetime
    state_key: str
    waybill: str | None = None
    carrier: str
    proof: Proof | None = None
    handed_over_by: str | None = None
    pickup_hall_id: str | None = None
    pickup_code_hash: str | None = None  # sha256 of shipment id and code; the code itself only reaches the applicant
    version: int = 1
    created_at: dt.datetime
    updated_at: dt.datetime


class TrackingEntry(_Shape):
    """One fact in the tracking history, as received (duplicates are not kept twice)."""

    at: dt.datetime
    state: ShipmentState
    source: TrackingSource
    partner_code: str = ""
    description: str = ""
    location: str = ""
    proof_signer: str | None = None
    proof_url: str | None = None
    received_at: dt.datetime
    fingerprint: str
    raw: str = ""


# --- API shapes ----------------------------------------------------------------------------


class TrackingView(_Shape):
    at: dt.datetime
    state: ShipmentState
    state_name: str
    source: TrackingSource
    description: str = ""
    location: str = ""
    proof_signer: str | None = None


class ShipmentSummary(_Shape):
    shipment_id: str
    kind: ShipmentKind
    case_id: str
    case_number: str
    item_name: str
    state: ShipmentState
    state_name: str
    state_at: dt.datetime
    waybill: str | None = None
    carrier: str
    destination: Place
    contents: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    pickup_hall_id: str | None = Field(default=None, description="大厅自取: the hall where the result waits.")
    needs_attention: bool = Field(description="Returned or cancelled: the department must act (重新寄递或通知领取).")


class ShipmentDetail(ShipmentSummary):
    origin: Place
    proof: Proof | None = None
    handed_over_by: str | None = None
    tracking: list[TrackingView] = Field(description="Every fact received, oldest first (物流轨迹).")


def summary(shipment: Shipment) -> ShipmentSummary:
    return ShipmentSummary(
        **shipment.model_dump(include=set(ShipmentSummary.model_fields) - {"state_name", "needs_attention"}),
        state_name=STATE_NAMES[shipment.state],
        needs_attention=shipment.state in {ShipmentState.RETURNED, ShipmentState.CANCELLED},
    )


def detail(shipment: Shipment, tracking: list[TrackingEntry]) -> ShipmentDetail:
    base = summary(shipment).model_dump()
    return ShipmentDetail(
        **base,
        origin=shipment.origin,
        proof=shipment.proof,
        handed_over_by=shipment.handed_over_by,
        tracking=[
            TrackingView(
                at=entry.at,
                state=entry.state,
                state_name=STATE_NAMES[entry.state],
                source=entry.source,
                description=entry.description,
                location=entry.location,
                proof_signer=entry.proof_signer,
            )
            for entry in sorted(tracking, key=lambda e: (e.at, RANK[e.state], e.received_at))
        ],
    )
