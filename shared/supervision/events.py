"""Events the supervision context publishes (source `jszw.supervision`), through
the outbox in the same transaction as the change they describe. It consumes
`limit.set` / `limit.cleared` from every context (shared/platform/limits.py).

| type                         | when                                              | consumers |
|------------------------------|---------------------------------------------------|-----------|
| `supervision.warning_raised` | sweep: yellow / red, once per limit and level     | notifications, monitoring |
| `supervision.warning_resolved` | the watcher recorded its limit cleared          | monitoring |
| `supervision.order_issued`   | a supervisor issued an order (督办单)               | notifications (handler) |
| `supervision.order_replied`  | the responsible department replied                 | notifications (issuer) |
| `supervision.order_escalated`| not satisfied, or unanswered in time: level above | notifications (handler) |
| `supervision.order_closed`   | closed as satisfied                                | notifications (handler) |
| `limit.set` / `limit.cleared`| an order's reply limit (context `supervision`)     | supervision (limits_watcher) |

Data never holds an ID number, a name or a phone (the limit's `label` is a case
or ticket number).
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from pydantic import BaseModel, ConfigDict

from shared.platform.events import make_envelope, register_event_type

SOURCE = "supervision"
WARNING_RAISED = "supervision.warning_raised"
WARNING_RESOLVED = "supervision.warning_resolved"
ORDER_ISSUED = "supervision.order_issued"
ORDER_REPLIED = "supervision.order_replied"
ORDER_ESCALATED = "supervision.order_escalated"
ORDER_CLOSED = "supervision.order_closed"


class WarningOf(BaseModel):
    """Which limit a warning is about (both warning events carry it)."""

    model_config = ConfigDict(defer_build=True)

    limit_id: str
    context: str
    subject_kind: str
    subject_id: str
    name: str
    label: str


class WarningRaisedData(WarningOf):
    """A warning (效能监察预警): once per limit and level. `handler_subject_id` is the staff
    member to tell; without one (not yet assigned) nobody's inbox gets it and the
    supervisors' list shows it."""

    title: str | None = None
    region_code: str
    department_id: str | None = None
    handler_subject_id: str | None = None
    level: str  # yellow | red
    due_on: dt.date
    used_days: int
    limit_days: int
    left_days: int


register_event_type(
    WARNING_RAISED,
    WarningRaisedData,
    "Supervision warning on any limit: yellow (nearly used) or red (overdue); the handler is told when assigned.",
)


class WarningResolvedData(WarningOf):
    """A warning left the open list: its limit was cleared (decided, answered, closed, …),
    in the watcher's transaction that recorded the limit cleared."""

    region_code: str
    department_id: str | None = None
    level: str  # yellow | red
    raised_on: dt.date
    resolution: str


register_event_type(
    WARNING_RESOLVED,
    WarningResolvedData,
    "A supervision warning was resolved: its limit was cleared (the subject was decided, answered or closed).",
)


class OrderFacts(BaseModel):
    """What every order event carries (never personal data: the label is a case or ticket number)."""

    model_config = ConfigDict(defer_build=True)

    order_id: str
    version: int
    state: str
    subject_kind: str
    subject_id: str
    label: str
    title: str | None = None
    region_code: str
    department_id: str | None = None
    handler_subject_id: str | None = None
    issued_by: str
    holder_prefix: str
    level: str
    due_on: dt.date
    note: str | None = None


register_event_type(ORDER_ISSUED, OrderFacts, "A supervision order (督办单) was issued; the department must reply.")
register_event_type(ORDER_REPLIED, OrderFacts, "The responsible department replied to a supervision order.")
register_event_type(
    ORDER_ESCALATED, OrderFacts, "A supervision order went to the level above (not satisfied, or unanswered in time)."
)
register_event_type(ORDER_CLOSED, OrderFacts, "A supervision order was closed as satisfied.")


# (event type, subject, data, correlation id) -> this context's envelope
envelope = partial(make_envelope, SOURCE)
