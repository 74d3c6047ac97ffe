"""Shipment states and the one transition table (运单状态).

    requested → accepted → picked_up → in_transit → out_for_delivery → delivered
                                                  ↘ failed_attempt ↗ (and back out for delivery)
                                                                   ↘ returned
    requested / accepted → cancelled
    ready_for_pickup → delivered (handed over at the hall against the pickup code and ID, D-219)

Partner status events arrive duplicated and in any order, so a shipment's
state is not "the last event received" but the greatest event seen, ordered
by `order_key`: first whether the state is terminal (delivered, returned,
cancelled: nothing moves a shipment out of one), then the event time, then
the state's rank (ties at the same second go to the later stage; the name
breaks the last ties, e.g. delivered and returned at one second). Taking a
maximum is commutative and idempotent, so any arrival order of the same set
of events, with any duplicates, ends in the same state — the property the
reliability test checks with 1,000 shuffled and duplicated events.

`TRANSITIONS` is the table the API and docs read; `moves_forward` is the
only rule the code applies.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class ShipmentState(StrEnum):
    REQUESTED = "requested"  # 已下单 (booking sent to the courier)
    ACCEPTED = "accepted"  # 已接单 (waybill number assigned)
    PICKED_UP = "picked_up"  # 已揽收 (at the counter or the applicant's door)
    IN_TRANSIT = "in_transit"  # 运输中
    OUT_FOR_DELIVERY = "out_for_delivery"  # 派送中
    READY_FOR_PICKUP = "ready_for_pickup"  # 待自取 (a result waiting at a hall for its pickup code, D-219)
    FAILED_ATTEMPT = "failed_attempt"  # 派送未成功 (will be retried)
    DELIVERED = "delivered"  # 已签收 (proof of delivery)
    RETURNED = "returned"  # 已退回 (back to the sender)
    CANCELLED = "cancelled"  # 已取消


RANK: dict[ShipmentState, int] = {
    ShipmentState.REQUESTED: 0,
    ShipmentState.ACCEPTED: 1,
    ShipmentState.PICKED_UP: 2,
    ShipmentState.IN_TRANSIT: 3,
    ShipmentState.OUT_FOR_DELIVERY: 4,
    ShipmentState.READY_FOR_PICKUP: 4,
    ShipmentState.FAILED_ATTEMPT: 5,
    ShipmentState.DELIVERED: 6,
    ShipmentState.RETURNED: 6,
    ShipmentState.CANCELLED: 6,
}
TERMINAL = frozenset({ShipmentState.DELIVERED, ShipmentState.RETURNED, ShipmentState.CANCELLED})

# The one transition table (what may follow what, when events arrive in order).
# Out-of-order events skip states (requested → delivered when the acceptance is late);
# `moves_forward` decides, and never leaves a terminal state.
TRANSITIONS: dict[ShipmentState, frozenset[ShipmentState]] = {
    ShipmentState.REQUESTED: frozenset(ShipmentState) - {ShipmentState.REQUESTED},
    ShipmentState.ACCEPTED: frozenset(ShipmentState) - {ShipmentState.REQUESTED, ShipmentState.ACCEPTED},
    ShipmentState.PICKED_UP: frozenset(
        {
            ShipmentState.IN_TRANSIT,
            ShipmentState.OUT_FOR_DELIVERY,
            ShipmentState.FAILED_ATTEMPT,
            ShipmentState.DELIVERED,
            ShipmentState.RETURNED,
        }
    ),
    ShipmentState.IN_TRANSIT: frozenset(
        {ShipmentState.OUT_FOR_DELIVERY, ShipmentState.FAILED_ATTEMPT, ShipmentState.DELIVERED, ShipmentState.RETURNED}
    ),
    ShipmentState.OUT_FOR_DELIVERY: frozenset(
        {ShipmentState.FAILED_ATTEMPT, ShipmentState.DELIVERED, ShipmentState.RETURNED, ShipmentState.IN_TRANSIT}
    ),
    ShipmentState.FAILED_ATTEMPT: frozenset(
        {ShipmentState.OUT_FOR_DELIVERY, ShipmentState.IN_TRANSIT, ShipmentState.DELIVERED, ShipmentState.RETURNED}
    ),
    ShipmentState.READY_FOR_PICKUP: frozenset({ShipmentState.DELIVERED, ShipmentState.RETURNED}),
    ShipmentState.DELIVERED: frozenset(),
    ShipmentState.RETURNED: frozenset(),
    ShipmentState.CANCELLED: frozenset(),
}

_KEY_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def order_key(state: ShipmentState, at: dt.datetime) -> str:
    """A string whose order is the events' order (terminal, then UTC time, then rank, then
    the state's name: two states never tie, so the maximum is the same in any order).
    Stored on the shipment, so the write can be conditional on it."""
    utc = at.astimezone(dt.UTC)
    return f"{int(state in TERMINAL)}#{utc.strftime(_KEY_TIME)}#{RANK[state]:02d}#{state.value}"


def moves_forward(current_key: str | None, state: ShipmentState, at: dt.datetime) -> bool:
    """True when an event of `state` at `at` is beyond the shipment's current one."""
    return current_key is None or order_key(state, at) > current_key


def is_terminal(state: ShipmentState) -> bool:
    return state in TERMINAL
