"""The bodies and answers of particular delivery routes (D-338): a pickup's request, forwarding the
originals, a hall's handover and pickup, and the operators' list of the courier partner's dead
letters. Apart from `shared.delivery.models` (a shipment, its tracking and what every reader of it
sees) so that DeliveryApiFunction creates them with the first request of a route that names them,
not at its cold start; the routes and the service reach them through `lazy_module`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.delivery.models import _Shape


class HandoverRequest(BaseModel):
    """The result was handed to the courier at the counter (窗口交寄)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    note: str | None = Field(default=None, max_length=200)


class HallPickupRequest(BaseModel):
    """The applicant collects the result at the hall (大厅自取): the clerk types the pickup
    code the applicant was sent and the ID number from the ID card (or its reader)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    pickup_code: str = Field(pattern=r"^[0-9]{6}$")
    id_number: str = Field(min_length=15, max_length=20, description="Checked against the applicant's account.")


class PickupRequest(BaseModel):
    """Ask the courier to collect the application's paper materials (材料揽收) at the
    applicant's address and bring them to the department's counter."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    address: str = Field(min_length=5, max_length=200, description="Where the courier collects the materials.")
    region_code: str = Field(pattern=r"^[1-8][0-9]{5}$", description="County-level region of the address (GB/T 2260).")
    contact_name: str = Field(min_length=1, max_length=40, description="Who hands the materials over. Stored sealed.")
    contact_phone: str = Field(pattern=r"^1[3-9][0-9]{9}$", description="Their mobile. Stored sealed, shown masked.")


class OriginalsForwarding(BaseModel):
    """A hall sends the paper originals it took in to the competent department (异地可办, D-275):
    the courier collects them at the hall. The contact is the hall's clerk handing them over."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    contact_name: str = Field(min_length=1, max_length=40, description="Who hands the originals over. Stored sealed.")
    contact_phone: str = Field(pattern=r"^1[3-9][0-9]{9}$", description="Their mobile. Stored sealed, shown masked.")


class DeadLetter(_Shape):
    message_id: str
    failure_reason: str
    failed_at: str | None = None
    receive_count: int | None = None
    body: str = Field(description="The partner's message as parked (signer masked).")


class DeadLetterList(_Shape):
    items: list[DeadLetter]
    next_cursor: str | None = None
    queue: str = Field(description="The DLQ's logical id in template.yaml.")
    approximate_depth: int
    redrive: str = Field(description="How to replay the messages once the cause is fixed.")
