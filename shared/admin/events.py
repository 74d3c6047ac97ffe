"""Events the admin context publishes (source `jszw.admin`), listed in docs/events.md.

Besides these, every claim task's limit goes out as `limit.set` / `limit.cleared`
(shared.platform.limits) for supervision to watch.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from pydantic import BaseModel, ConfigDict

from shared.platform.events import make_envelope, register_event_type

SOURCE = "admin"
CLAIM_CLAIMED = "admin.claim_claimed"


class ClaimClaimedData(BaseModel):
    """A department claimed a basic item by creating its implementation (事项认领)."""

    model_config = ConfigDict(defer_build=True)

    claim_id: str
    basic_code: str
    region_code: str
    department_id: str
    implementation_code: str
    due_on: date
    late: bool
    by: str


register_event_type(
    CLAIM_CLAIMED,
    ClaimClaimedData,
    "A city or county department claimed a basic item the province published, creating its implementation (事项认领).",
)


# (event type, subject, data, correlation id) -> this context's envelope
envelope = partial(make_envelope, SOURCE)
