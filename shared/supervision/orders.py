"""Supervision orders (督办单, C20, section 四 of the seed; D-117).

A supervisor issues an order on a case, a joint task, a 12345 ticket or a
rectification of their region: the subject is checked against the limits the
watcher knows (its region; a subject whose limits are all cleared is closed:
409). The order has its own reply limit in working days, published through the
limits contract (context `supervision`, name `reply`, then `reply_city`,
`reply_province` after escalations) and written straight into the due index in
the order's own transaction. The responsible department's staff see it in their
work queue and message center and reply; a supervisor of the holding level
closes it as satisfied or escalates it. Unanswered past its limit, the sweep
escalates it to the supervisors of the level above (county → city → province),
once per level: the escalation clears the overdue limit in the same transaction,
and the next level's limit runs on from the missed due date (a sweep that was
late catches up one level per run, never the same level twice).
Every change is one conditional write (the order's version) with a
hash-chained timeline entry and its events.
"""

from __future__ import annotations

import datetime as dt

import shared.workdays.api as workdays
from shared.platform.clock import now, today_in_shanghai
from shared.platform.errors import Conflict, Forbidden, NotFound
from shared.platform.events import Envelope
from shared.platform.hashchain import GENESIS_HASH, check_chain, link_hash
from shared.platform.ids import new_id
from shared.platform.limits import LimitClearedData, LimitData, limit_cleared, limit_key, limit_set
from shared.platform.pagination import Page
from shared.platform.principal import Action, Principal, RecordScope, Role, decide, within_region
from shared.supervision import events
from shared.supervision.errors import NOT_THE_HOLDER, ORDER_NOT_FOUND, ORDER_NOT_OPEN, SUBJECT_CLOSED, SUBJECT_NOT_FOUND
from shared.supervision.models import (
    CloseOutcome,
    CloseRequest,
    LimitState,
    NewOrder,
    OrderAction,
    OrderDetail,
    OrderEntry,
    OrderReply,
    OrderReplyRequest,
    OrderState,
    SupervisionOrder,
)
from shared.supervision.repository import SupervisionRepository
from shared.supervision.warnings import cities_within, supervisor_prefix

CONTEXT = "supervision"
ORDER = "order"
SWEEP_ACTOR = "system:supervision_sweep"
LEVELS = {2: "province", 4: "city", 6: "county"}
STATE_NAMES = {OrderState.OPEN: "待回复", OrderState.REPLIED: "已回复", OrderState.CLOSED: "已办结"}


def level_of(prefix: str) -> str:
    return LEVELS.get(len(prefix), "county")


def parent_of(prefix: str) -> str | None:
    """The holders one level up: county `320102` → city `3201` → province `32` → none."""
    return {6: prefix[:4], 4: prefix[:2]}.get(len(prefix))


class Orders:
    def __init__(self, repository: SupervisionRepository) -> None:
        self.repository = repository

    # --- issuing and reading ----------------------------------------------------------------

    def issue(self, principal: Principal, new: NewOrder, *, correlation_id: str | None) -> OrderDetail:
        prefix = supervisor_prefix(principal)
        limits = self.repository.limits_of(new.subject_kind, new.subject_id)
        # a subject outside the region is as unknown as one that does not exist
        if not limits or not all(within_region(prefix, limit.region_code) for limit in limits if limit.region_code):
            raise NotFound(SUBJECT_NOT_FOUND)
        running = [limit for limit in limits if limit.state is not LimitState.CLEARED and limit.region_code]
        if not running:
            raise Conflict(SUBJECT_CLOSED)
        subject = min(running, key=lambda limit: limit.due_on or dt.date.max)  # the most pressing limit
        at = now().replace(microsecond=0)
        today = today_in_shanghai()
        order_id = new_id()
        name = "reply"
        entry = _entry(order_id, None, at, OrderAction.ISSUED, OrderState.OPEN, prefix, principal, new.reason)
        order = SupervisionOrder(
            order_id=order_id,
            version=1,
            state=OrderState.OPEN,
            subject_kind=new.subject_kind,
            subject_id=new.subject_id,
            label=subject.label,
            title=subject.title,
            region_code=subject.region_code,
            department_id=subject.department_id,
            handler_subject_id=subject.handler_subject_id,
            reason=new.reason,
            reply_days=new.reply_days,
            holder_prefix=prefix,
            level=level_of(prefix),
            reply_limit=name,
            started_on=today,
            due_on=workdays.deadline(today, new.reply_days).date,
            issued_by=principal.subject_id,
            issued_at=at,
            updated_at=at,
            timeline_length=1,
            timeline_head=entry.hash,
        )
        limit = _reply_limit(order)
        self.repository.write_order(
            order,
            entry,
            expected_version=None,
            limits=[limit],
            events=[
                _event(events.ORDER_ISSUED, order, new.reason, correlation_id),
                limit_set(limit, correlation_id=correlation_id),
            ],
        )
        return OrderDetail(**order.model_dump(), timeline=[entry], timeline_valid=True)

    def get(self, principal: Principal, order_id: str) -> OrderDetail:
        order = self._readable(principal, order_id)
        timeline = self.repository.order_timeline(order_id)
        check = check_chain(
            timeline,
            order.timeline_head,
            seq=lambda e: e.seq,
            prev_hash=lambda e: e.prev_hash,
            stored_hash=lambda e: e.hash,
            fields=lambda e: e.fields(order_id),
        )
        return OrderDetail(**order.model_dump(), timeline=timeline, timeline_valid=check.valid)

    def list_for_supervisor(
        self, principal: Principal, *, region_code: str | None, state: str | None, limit: int, cursor: str | None
    ) -> Page[SupervisionOrder]:
        prefix = supervisor_prefix(principal, region_code)
        return self.repository.orders_page(
            cities_within(prefix), region_prefix=prefix, state=state, limit=limit, cursor=cursor
        )

    def list_for_department(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[SupervisionOrder]:
        """Staff: their department's orders not yet closed (督办待办), newest first."""
        if principal.role is not Role.STAFF or not principal.department_id:
            raise Forbidden()
        return self.repository.department_orders(principal.department_id, limit=limit, cursor=cursor)

    # --- the department's reply, the supervisor's close ---------------------------------------

    def reply(
        self, principal: Principal, order_id: str, request: OrderReplyRequest, *, correlation_id: str | None
    ) -> OrderDetail:
        order = self._readable(principal, order_id)
        if principal.role is not Role.STAFF:
            raise Forbidden()
        _require(order, OrderState.OPEN)
        at = now().replace(microsecond=0)
        note = request.action_taken
        changed = order.model_copy(
            update={
                "state": OrderState.REPLIED,
                "reply": OrderReply(
                    action_taken=note, done_by=request.done_by, replied_by=principal.subject_id, replied_at=at
                ),
            }
        )
        return self._commit(
            order,
            changed,
            OrderAction.REPLIED,
            principal,
            note,
            at,
            cleared=[_cleared(order, "answered")],
            event_type=events.ORDER_REPLIED,
            correlation_id=correlation_id,
        )

    def close(
        self, principal: Principal, order_id: str, request: CloseRequest, *, correlation_id: str | None
    ) -> OrderDetail:
        order = self._readable(principal, order_id)
        prefix = supervisor_prefix(principal)
        if not order.holder_prefix.startswith(prefix):
            raise Forbidden(NOT_THE_HOLDER)
        at = now().replace(microsecond=0)
        if request.outcome is CloseOutcome.SATISFIED:
            _require(order, OrderState.REPLIED)
            changed = order.model_copy(
                update={
                    "state": OrderState.CLOSED,
                    "closed_note": request.note,
                    "closed_by": principal.subject_id,
                    "closed_at": at,
                }
            )
            return self._commit(
                order,
                changed,
                OrderAction.CLOSED,
                principal,
                request.note,
                at,
                event_type=events.ORDER_CLOSED,
                correlation_id=correlation_id,
            )
        if order.state is OrderState.CLOSED:
            _require(order, OrderState.OPEN)
        return self._escalate(
            order, principal, request.note, at, starts_on=today_in_shanghai(), correlation_id=correlation_id
        )

    def escalate_overdue(self, limit: LimitData, correlation_id: str | None) -> bool:
        """The sweep found an order's reply limit overdue: the level above holds it now, once
        per level (the overdue limit is cleared in the same transaction; a second sweep, or
        one that read the limit before this change, finds nothing to do)."""
        order = self.repository.get_order(limit.subject_id)
        if (
            order is None
            or order.state is not OrderState.OPEN
            or order.reply_limit != limit.name
            or parent_of(order.holder_prefix) is None
        ):
            return False
        at = now().replace(microsecond=0)
        note = f"逾期未回复，自动升级督办（{order.due_on.isoformat()} 到期）"
        try:
            # the next level's limit runs on from the missed due date: one schedule, however late the sweep
            self._escalate(order, None, note, at, starts_on=order.due_on, correlation_id=correlation_id)
        except Conflict:
            return False  # changed meanwhile (replied, escalated by hand): nothing to do
        return True

    # --- helpers ------------------------------------------------------------------------------

    def _escalate(
        self,
        order: SupervisionOrder,
        principal: Principal | None,
        note: str,
        at: dt.datetime,
        *,
        starts_on: dt.date,
        correlation_id: str | None,
    ) -> OrderDetail:
        """The level above holds the order, with a new reply limit from `starts_on`."""
        parent = parent_of(order.holder_prefix)
        if parent is None:
            raise Conflict(ORDER_NOT_OPEN, params={"state": order.state.value, "state_name": "省级督办"})
        name = f"reply_{level_of(parent)}"
        changed = order.model_copy(
            update={
                "state": OrderState.OPEN,
                "holder_prefix": parent,
                "level": level_of(parent),
                "reply_limit": name,
                "started_on": starts_on,
                "due_on": workdays.deadline(starts_on, order.reply_days).date,
                "escalations": [*order.escalations, parent],
            }
        )
        cleared = [_cleared(order, "escalated")] if order.state is OrderState.OPEN else []
        return self._commit(
            order,
            changed,
            OrderAction.ESCALATED,
            principal,
            note,
            at,
            cleared=cleared,
            starts_limit=True,
            event_type=events.ORDER_ESCALATED,
            correlation_id=correlation_id,
        )

    def _commit(
        self,
        before: SupervisionOrder,
        after: SupervisionOrder,
        action: OrderAction,
        principal: Principal | None,
        note: str,
        at: dt.datetime,
        *,
        event_type: str,
        correlation_id: str | None,
        cleared: list[LimitClearedData] | None = None,
        starts_limit: bool = False,
    ) -> OrderDetail:
        entry = _entry(before.order_id, before, at, action, after.state, after.holder_prefix, principal, note)
        final = after.model_copy(
            update={
                "version": before.version + 1,
                "updated_at": at,
                "timeline_length": entry.seq,
                "timeline_head": entry.hash,
            }
        )
        gone = [c.model_copy(update={"version": final.version}) for c in cleared or []]
        limits = [_reply_limit(final)] if starts_limit else []
        envelopes = [
            _event(event_type, final, note, correlation_id),
            *(limit_set(limit, correlation_id=correlation_id) for limit in limits),
            *(limit_cleared(c, correlation_id=correlation_id) for c in gone),
        ]
        self.repository.write_order(
            final, entry, expected_version=before.version, limits=limits, cleared=gone, events=envelopes
        )
        timeline = self.repository.order_timeline(before.order_id)
        return OrderDetail(**final.model_dump(), timeline=timeline, timeline_valid=True)

    def _readable(self, principal: Principal, order_id: str) -> SupervisionOrder:
        order = self.repository.get_order(order_id)
        if order is None:
            raise NotFound(ORDER_NOT_FOUND)
        scope = RecordScope(department_id=order.department_id or "", region_code=order.region_code)
        if decide(principal, scope, Action.READ).value != "allow":
            raise NotFound(ORDER_NOT_FOUND)
        return order


def _require(order: SupervisionOrder, state: OrderState) -> None:
    if order.state is not state:
        raise Conflict(ORDER_NOT_OPEN, params={"state": order.state.value, "state_name": STATE_NAMES[order.state]})


def _entry(
    order_id: str,
    before: SupervisionOrder | None,
    at: dt.datetime,
    action: OrderAction,
    state: OrderState,
    holder_prefix: str,
    principal: Principal | None,
    note: str | None,
) -> OrderEntry:
    prev_hash = before.timeline_head if before else GENESIS_HASH
    draft = OrderEntry(
        seq=(before.timeline_length if before else 0) + 1,
        at=at,
        action=action,
        state=state,
        holder_prefix=holder_prefix,
        actor_role=principal.role.value if principal else "system",
        actor=principal.subject_id if principal else SWEEP_ACTOR,
        note=note,
        prev_hash=prev_hash,
        hash="",
    )
    return draft.model_copy(update={"hash": link_hash(draft.fields(order_id), prev_hash)})


def _limit_ref(order: SupervisionOrder) -> dict[str, str]:
    """The order's running reply limit, as the limits contract names it."""
    return {
        "limit_id": limit_key(CONTEXT, ORDER, order.order_id, order.reply_limit),
        "context": CONTEXT,
        "subject_kind": ORDER,
        "subject_id": order.order_id,
        "name": order.reply_limit,
    }


def _reply_limit(order: SupervisionOrder) -> LimitData:
    return LimitData(
        **_limit_ref(order),
        version=order.version,
        label=order.label,
        title=order.title,
        region_code=order.region_code,
        department_id=order.department_id,
        handler_subject_id=order.handler_subject_id,
        started_on=order.started_on,
        due_on=order.due_on,
        limit_days=order.reply_days,
    )


def _cleared(order: SupervisionOrder, reason: str) -> LimitClearedData:
    return LimitClearedData(**_limit_ref(order), version=order.version + 1, reason=reason)


def _event(event_type: str, order: SupervisionOrder, note: str | None, correlation_id: str | None) -> Envelope:
    data = events.OrderFacts(
        **order.model_dump(include=set(events.OrderFacts.model_fields) - {"note", "state"}),
        state=order.state.value,
        note=note,
    )
    return events.envelope(event_type, order.order_id, data, correlation_id)
