"""Time limits as facts: the one contract between a context that runs a limit and
supervision, which watches every limit with one clock and one warning mechanism.

Cases, joint tasks, 12345 tickets, rectification orders, supervision orders and
item claims all have limits in working days. The context that owns the subject
publishes the limit's current state as an event, through its outbox in the same
transaction as the change that moved it:

- `limit.set` — a limit started, moved (resume, extension, reopen) or stopped
  (`paused`: a suspension, no warnings while paused). It carries the whole
  current state, not a delta, so a consumer keeps the newest `version` and
  ignores older deliveries; duplicates and any order are harmless.
- `limit.cleared` — the limit no longer runs (the subject was decided, answered,
  closed, withdrawn). A later `limit.set` with a higher version starts it again
  (a reopened ticket).
- `limits.changed` — several limits one transaction moved (a case's legal and
  promised limits start together; an approval clears them and starts the licence
  limit): the same `limit.set` and `limit.cleared` data in one event, each entry
  with its own version, so it is watched exactly as the single events would be
  (D-340). `limit_changes(...)` picks the single event or this one.

The supervision context keeps a due index of the limits it is told about and
raises yellow and red warnings from them; the owning context never sweeps its
own table for warnings. The event `source` is the owning context.

`limit_id` is stable for a (context, subject, name): `limit_key(...)` builds it.
`version` must grow with every change of the limit; the subject's own version
(a case's or ticket's optimistic-lock counter) is the natural choice.
Data never holds an ID number, a name or a phone (privacy: the supervisor's
list shows `label`, e.g. the case number).
"""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.events import Envelope, make_envelope, register_event_type

LIMIT_SET = "limit.set"
LIMIT_CLEARED = "limit.cleared"
LIMITS_CHANGED = "limits.changed"


def limit_key(context: str, subject_kind: str, subject_id: str, name: str) -> str:
    """The stable id of one limit: `cases:case:<case_id>:legal`."""
    return f"{context}:{subject_kind}:{subject_id}:{name}"


class LimitRef(BaseModel):
    """Which limit, and which state of it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    limit_id: str = Field(description="Stable id: `<context>:<subject_kind>:<subject_id>:<name>`.")
    context: str = Field(description="The owning context (also the event source), e.g. `cases`, `hotline`.")
    subject_kind: str = Field(description="`case`, `joint_task`, `ticket`, `rectification`, `order`, `claim`, …")
    subject_id: str
    name: str = Field(description="Which limit of the subject: `legal`, `promised`, `sign`, `answer`, `reply`, …")
    version: int = Field(ge=0, description="Grows with every change; older deliveries are ignored.")


class LimitData(LimitRef):
    """The whole current state of a running (or paused) limit."""

    label: str = Field(description="What a supervisor reads: the case or ticket number. Never personal data.")
    title: str | None = Field(
        default=None, description="What the subject is about (the item's name, a ticket's category); optional."
    )
    region_code: str = Field(description="The region of the responsible department (supervisors see by prefix).")
    department_id: str | None = None
    handler_subject_id: str | None = Field(default=None, description="The staff member to warn, when assigned.")
    started_on: dt.date = Field(description="First day counted (the limit runs in working days from here).")
    due_on: dt.date = Field(description="Last working day within the limit.")
    limit_days: int = Field(ge=0, le=3650, description="The limit in working days.")
    paused: bool = Field(default=False, description="The clock is stopped (中止): no warnings while paused.")
    paused_days: int = Field(default=0, ge=0, description="Working days not counted so far (suspensions).")


class LimitClearedData(LimitRef):
    """The limit no longer runs."""

    reason: str = Field(description="Why: `decided`, `answered`, `closed`, `withdrawn`, …")


class LimitsChangedData(BaseModel):
    """Several limits moved by one transaction of their owner (D-340)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    limits_set: list[LimitData] = Field(default=[], description="Each as its own `limit.set` would carry it.")
    limits_cleared: list[LimitClearedData] = Field(
        default=[], description="Each as its own `limit.cleared` would carry it."
    )


register_event_type(
    LIMIT_SET, LimitData, "A time limit started, moved or paused; supervision watches it (one clock for all)."
)
register_event_type(LIMIT_CLEARED, LimitClearedData, "A time limit no longer runs (the subject was dealt with).")
register_event_type(
    LIMITS_CHANGED,
    LimitsChangedData,
    "Several time limits moved in one change of their subject: `limit.set` and `limit.cleared` data in one event.",
)


def limit_set(data: LimitData, *, correlation_id: str | None) -> Envelope:
    """The `limit.set` envelope, to emit in the transaction that moved the limit."""
    return make_envelope(data.context, LIMIT_SET, data.subject_id, data, correlation_id)


def limit_cleared(data: LimitClearedData, *, correlation_id: str | None) -> Envelope:
    """The `limit.cleared` envelope, to emit in the transaction that ended the limit."""
    return make_envelope(data.context, LIMIT_CLEARED, data.subject_id, data, correlation_id)


def limit_changes(
    context: str,
    subject_id: str,
    limits_set: list[LimitData],
    limits_cleared: list[LimitClearedData],
    *,
    correlation_id: str | None,
) -> list[Envelope]:
    """The events for the limits one transaction moved: none, the lone `limit.set` or
    `limit.cleared`, or one `limits.changed` for several (one bus event and one queue
    record instead of one each, D-340)."""
    if len(limits_set) + len(limits_cleared) <= 1:
        return [
            *(limit_set(data, correlation_id=correlation_id) for data in limits_set),
            *(limit_cleared(data, correlation_id=correlation_id) for data in limits_cleared),
        ]
    data = LimitsChangedData(limits_set=limits_set, limits_cleared=limits_cleared)
    return [make_envelope(context, LIMITS_CHANGED, subject_id, data, correlation_id)]
