"""Events the ratings context publishes (source `jszw.ratings`), through the outbox
in the same transaction as the change they describe.

| type                         | when                                              | consumers |
|------------------------------|---------------------------------------------------|-----------|
| `rating.invited`             | a finished case or closed ticket may be rated     | notifications (the rater) |
| `rating.given`               | a rating was given (revision 1)                   | ratings_worker (score counters) |
| `rating.changed`             | the rater changed it (once, within the window)    | ratings_worker (score counters) |
| `rating.appealed`            | the handling department appealed it (申诉)          | — (supervisors list it) |
| `rating.appeal_decided`      | a supervisor upheld or dismissed the appeal       | — |
| `rating.excluded`            | an upheld appeal took it out of the scores        | ratings_worker (score counters) |
| `rectification.opened`       | a 差评 opened a rectification order (整改单)          | — (the department's list) |
| `rectification.visited`      | the department contacted the rater (回访核实)         | — |
| `rectification.answered`     | rectified and answered; the rater may confirm     | notifications (the rater) |
| `rectification.unconfirmed`  | the rater does not accept the answer              | — (supervisors list it) |
| `rectification.closed`       | confirmed, decided by a supervisor, or appeal upheld | — |

The rectification's limits (`visit`, `answer`) travel as `limit.set` /
`limit.cleared` (shared.platform.limits) in the same transactions; the
supervision context raises the warnings. `subject` is the rating or order id.
Data never holds a rater's name, phone or ID number; `notify_subject_id` is the
inbox to notify (absent for a rating given with a one-time link).
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from pydantic import BaseModel, ConfigDict

from shared.platform.events import make_envelope, register_event_type

SOURCE = "ratings"
INVITED = "rating.invited"
GIVEN = "rating.given"
CHANGED = "rating.changed"
APPEALED = "rating.appealed"
APPEAL_DECIDED = "rating.appeal_decided"
EXCLUDED = "rating.excluded"
OPENED = "rectification.opened"
VISITED = "rectification.visited"
ANSWERED = "rectification.answered"
UNCONFIRMED = "rectification.unconfirmed"
CLOSED = "rectification.closed"


class InvitedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    target_kind: str
    target_id: str
    label: str
    title: str
    department_id: str
    region_code: str
    outcome: str
    notify_subject_id: str | None = None


class RatingData(BaseModel):
    """What every rating event carries: enough to keep the counters without a read."""

    model_config = ConfigDict(defer_build=True)

    rating_id: str
    target_kind: str
    target_id: str
    label: str
    department_id: str
    region_code: str
    month: str
    level: str
    previous_level: str | None = None
    revision: int
    channel: str
    bad: bool
    excluded: bool = False
    appeal_state: str | None = None
    hall_id: str | None = None  # the hall that took the case in: halls can keep their own scores


class RectificationData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    order_id: str
    rating_id: str
    label: str
    title: str
    department_id: str
    region_code: str
    state: str
    version: int
    visit_due_on: dt.date
    answer_due_on: dt.date
    answered_on_time: bool | None = None
    notify_subject_id: str | None = None


register_event_type(INVITED, InvitedData, "A finished case or closed ticket may be rated (好差评邀请).")
register_event_type(GIVEN, RatingData, "A rating was given (five levels; 一事一评).")
register_event_type(CHANGED, RatingData, "The rater changed a rating (once, within the change window).")
register_event_type(APPEALED, RatingData, "The handling department appealed a rating (申诉).")
register_event_type(APPEAL_DECIDED, RatingData, "A supervisor upheld or dismissed an appeal.")
register_event_type(EXCLUDED, RatingData, "An upheld appeal took a rating out of the scores (it stays on record).")
register_event_type(OPENED, RectificationData, "A 差评 opened a rectification order (整改单) for the department.")
register_event_type(VISITED, RectificationData, "The department contacted the rater and verified (回访核实).")
register_event_type(ANSWERED, RectificationData, "The department rectified and answered; the rater may confirm.")
register_event_type(UNCONFIRMED, RectificationData, "The rater did not accept the answer; a supervisor decides.")
register_event_type(CLOSED, RectificationData, "The rectification order was closed (confirmed, decided or appealed).")


# (event type, subject, data, correlation id) -> this context's envelope
envelope = partial(make_envelope, SOURCE)
