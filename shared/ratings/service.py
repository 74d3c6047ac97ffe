"""The ratings context's use cases (好差评).

- Invitations come from other contexts' facts (a completed, refused or withdrawn
  case; a closed 12345 ticket): one per target, written with `attribute_not_exists`,
  so a redelivered event invites nobody twice.
- A rating is one transaction: the one-per-person marker (a second rating is 409),
  the rating, its first revision (a fact), and for a 差评 the rectification order
  with its limits (`limit.set`) — the supervision context warns from those.
- A change is a second revision, once, within the change window; an appealed
  rating cannot be changed.
- Someone else's target, rating or order answers 404, exactly like one that does
  not exist (shared.platform.principal.decide).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from shared.platform.clock import SHANGHAI, now, today_in_shanghai
from shared.platform.errors import Conflict, Forbidden, NotFound
from shared.platform.events import Envelope
from shared.platform.ids import new_id
from shared.platform.limits import LimitClearedData, LimitData, limit_cleared, limit_key, limit_set
from shared.platform.pagination import Page
from shared.platform.principal import (
    APPLICANT_ROLES,
    Decision,
    Principal,
    RecordScope,
    Role,
    decide,
    within_region,
)
from shared.platform.public import lazy_module
from shared.ratings import events
from shared.ratings.config import ratings_settings
from shared.ratings.errors import (
    ALREADY_CHANGED,
    ALREADY_RATED,
    APPEAL_EXISTS,
    CHANGE_WINDOW_CLOSED,
    LINK_INVALID,
    NO_OPEN_APPEAL,
    NOT_CHANGEABLE,
    ORDER_NOT_FOUND,
    RATING_NOT_FOUND,
    STEP_NOT_ALLOWED,
    TARGET_NOT_FOUND,
)
from shared.ratings.models import (
    BAD_LEVELS,
    LEVEL_NAMES,
    REASON_NAMES,
    RECTIFICATION_STATE_NAMES,
    Appeal,
    AppealState,
    AppealView,
    Invitation,
    Level,
    Rating,
    RatingRevision,
    RatingView,
    Rectification,
    RectificationDecision,
    RectificationState,
    RectificationView,
    TargetKind,
    month_of,
    scrubbed,
)
from shared.ratings.repository import LEVEL_ATTRIBUTES, RatingsRepository, ScoreChange, counter_identity
from shared.workdays import api as workdays  # the calendar loads on its first use (D-315)

if TYPE_CHECKING:
    from shared.ratings import shapes
else:
    shapes = lazy_module("shared.ratings.shapes")  # with the first route that names a body or answer of it (D-338)

CONTEXT = "ratings"
LINK_RATER = "link"
"""The marker of the one rating a target may get through one-time links."""

EXCLUDED_ATTRIBUTE = "n_excluded"
ON_TIME_ATTRIBUTE = "n_rectified_on_time"
LATE_ATTRIBUTE = "n_rectified_late"

CLOSED_OUTCOMES = {
    "confirmed": "评价人确认满意",
    "supervisor_closed": "监督人员裁定办结",
    "answered": "已答复（评价人无账号）",
}


@dataclass(frozen=True)
class TargetFacts:
    """What an invitation needs from the finished case or closed ticket."""

    kind: TargetKind
    target_id: str
    label: str
    title: str
    department_id: str
    region_code: str
    rater_subject_id: str | None
    applicant_uscc: str | None
    outcome: str
    handler_subject_id: str | None = None
    hall_id: str | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _scope(invitation: Invitation) -> RecordScope:
    return RecordScope(
        applicant_subject_id=invitation.rater_subject_id or "",
        applicant_uscc=invitation.applicant_uscc or "",
        department_id=invitation.department_id,
        region_code=invitation.region_code,
        required_scope="cases" if invitation.applicant_uscc else "",
    )


def _department_scope(department_id: str, region_code: str) -> RecordScope:
    return RecordScope(department_id=department_id, region_code=region_code)


def _revision(rating: Rating, at: dt.datetime) -> RatingRevision:
    """The fact of the rating's current revision, as given at `at`."""
    return RatingRevision(
        rating_id=rating.rating_id,
        revision=rating.revision,
        level=rating.level,
        reasons=rating.reasons,
        text=rating.text,
        channel=rating.channel,
        at=at,
    )


def _rating_data(rating: Rating, *, previous: Level | None = None) -> events.RatingData:
    return events.RatingData(
        rating_id=rating.rating_id,
        target_kind=rating.target_kind.value,
        target_id=rating.target_id,
        label=rating.label,
        department_id=rating.department_id,
        region_code=rating.region_code,
        month=rating.month,
        level=rating.level.value,
        previous_level=previous.value if previous else None,
        revision=rating.revision,
        channel=rating.channel.value,
        bad=rating.level in BAD_LEVELS,
        excluded=rating.excluded,
        appeal_state=rating.appeal.state.value if rating.appeal else None,
        hall_id=rating.hall_id,
    )


def _order_data(order: Rectification) -> events.RectificationData:
    return events.RectificationData(
        order_id=order.order_id,
        rating_id=order.rating_id,
        label=order.label,
        title=order.title,
        department_id=order.department_id,
        region_code=order.region_code,
        state=order.state.value,
        version=order.version,
        visit_due_on=order.visit_due_on,
        answer_due_on=order.answer_due_on,
        answered_on_time=order.answered_on_time,
        notify_subject_id=order.rater_subject_id,
    )


def _limit_set(order: Rectification, name: str, *, started_on: dt.date, due_on: dt.date, days: int) -> Envelope:
    data = LimitData(
        limit_id=limit_key(CONTEXT, "rectification", order.order_id, name),
        context=CONTEXT,
        subject_kind="rectification",
        subject_id=order.order_id,
        name=name,
        version=order.version,
        label=f"整改单 {order.label}",
        title=order.title,
        region_code=order.region_code,
        department_id=order.department_id,
        started_on=started_on,
        due_on=due_on,
        limit_days=days,
    )
    return limit_set(data, correlation_id=order.rating_id)


def _limit_cleared(order: Rectification, name: str, reason: str) -> Envelope:
    data = LimitClearedData(
        limit_id=limit_key(CONTEXT, "rectification", order.order_id, name),
        context=CONTEXT,
        subject_kind="rectification",
        subject_id=order.order_id,
        name=name,
        version=order.version,
        reason=reason,
    )
    return limit_cleared(data, correlation_id=order.rating_id)


def counter_deltas(event_type: str, data: events.RatingData) -> dict[str, int]:
    """What one rating event adds to its department-month counters. Sums commute, so
    any order of delivery ends in the same counts."""
    deltas: Counter[str] = Counter()
    level = LEVEL_ATTRIBUTES[Level(data.level)]
    if event_type == events.GIVEN:
        deltas[level] += 1
    elif event_type == events.CHANGED:
        deltas[LEVEL_ATTRIBUTES[Level(data.previous_level or data.level)]] -= 1
        deltas[level] += 1
    elif event_type == events.EXCLUDED:
        deltas[level] -= 1
        deltas[EXCLUDED_ATTRIBUTE] += 1
    return dict(deltas)


def counts_from(record: dict[str, object]) -> shapes.DepartmentCounts:
    def number(name: str) -> int:
        value = record.get(name) or 0
        return int(value) if isinstance(value, int | float | str) else 0

    department_id, region_code, month = counter_identity(record)
    levels = {level: number(attribute) for level, attribute in LEVEL_ATTRIBUTES.items()}
    counted = sum(levels.values())
    good = counted - levels[Level.DISSATISFIED] - levels[Level.VERY_DISSATISFIED]
    return shapes.DepartmentCounts(
        department_id=department_id,
        region_code=region_code,
        month=month,
        levels=levels,
        excluded=number(EXCLUDED_ATTRIBUTE),
        rectified_on_time=number(ON_TIME_ATTRIBUTE),
        rectified_late=number(LATE_ATTRIBUTE),
        satisfaction_rate=round(good / counted, 4) if counted else None,
    )


class RatingsService:
    def __init__(self, repository: RatingsRepository | None = None) -> None:
        self.repository = repository or RatingsRepository()

    # --- invitations -----------------------------------------------------------------------

    def invite(self, target: TargetFacts, *, correlation_id: str | None) -> bool:
        """The target's invitation (once); False when it was invited before."""
        invitation = Invitation(
            target_kind=target.kind,
            target_id=target.target_id,
            label=target.label,
            title=target.title,
            department_id=target.department_id,
            region_code=target.region_code,
            rater_subject_id=target.rater_subject_id,
            applicant_uscc=target.applicant_uscc,
            handler_subject_id=target.handler_subject_id,
            hall_id=target.hall_id,
            outcome=target.outcome,
            invited_at=now(),
        )
        data = events.InvitedData(
            target_kind=target.kind.value,
            target_id=target.target_id,
            label=target.label,
            title=target.title,
            department_id=target.department_id,
            region_code=target.region_code,
            outcome=target.outcome,
            notify_subject_id=target.rater_subject_id,
        )
        subject = f"{target.kind.value}:{target.target_id}"
        return self.repository.invite(invitation, [events.envelope(events.INVITED, subject, data, correlation_id)])

    def my_invitations(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[shapes.InvitationView]:
        """The caller's invitations not rated yet (the user center's 待评价)."""
        found, next_cursor = self.repository.invitations_page(principal.subject_id, limit=limit, cursor=cursor)
        visible = [i for i in found if decide(principal, _scope(i)) is Decision.ALLOW]
        rated = self.repository.rated_markers(
            [(i.target_kind.value, i.target_id) for i in visible], principal.subject_id
        )
        items = [
            shapes.InvitationView.model_validate(i.model_dump())
            for i in visible
            if (i.target_kind.value, i.target_id) not in rated
        ]
        return Page[shapes.InvitationView](items=items, next_cursor=next_cursor)

    def issue_link(self, principal: Principal, kind: TargetKind, target_id: str) -> shapes.LinkIssued:
        """A one-time rating link for a hall visitor without an account (the counter prints
        or sends it). Only the token's hash is kept; a new link replaces an unused one."""
        invitation = self.repository.invitation(kind.value, target_id)
        scope = _department_scope(invitation.department_id, invitation.region_code) if invitation else None
        if invitation is None or scope is None or decide(principal, scope) is not Decision.ALLOW:
            raise NotFound(TARGET_NOT_FOUND)
        if self.repository.rater_marker(kind.value, target_id, LINK_RATER):
            raise Conflict(ALREADY_RATED)
        settings = ratings_settings()
        token = f"{kind.value}.{target_id}.{secrets.token_urlsafe(32)}"
        expires = now() + dt.timedelta(days=settings.rating_link_days)
        self.repository.set_link(invitation.model_copy(update={"link_hash": _hash(token), "link_expires_at": expires}))
        return shapes.LinkIssued(token=token, url=f"{settings.rating_link_base}?t={token}", expires_at=expires)

    # --- ratings ---------------------------------------------------------------------------

    def rate(self, principal: Principal, request: shapes.RateRequest, *, correlation_id: str | None) -> RatingView:
        invitation = self.repository.invitation(request.target_kind.value, request.target_id)
        if invitation is None or decide(principal, _scope(invitation)) is not Decision.ALLOW:
            raise NotFound(TARGET_NOT_FOUND)
        return self._first_rating(
            invitation,
            request,
            rater=principal.subject_id,
            rater_subject_id=principal.subject_id,
            link_hash=None,
            correlation_id=correlation_id,
        )

    def rate_by_link(self, request: shapes.LinkRateRequest, *, correlation_id: str | None) -> RatingView:
        """A rating with a one-time link: valid, unexpired, unused — else 404 (which of
        these is not said: the token is the only credential)."""
        kind, _, rest = request.token.partition(".")
        target_id, _, secret = rest.partition(".")
        invitation = (
            self.repository.invitation(kind, target_id) if kind in TargetKind and target_id and secret else None
        )
        presented = _hash(request.token)
        valid = (
            invitation is not None
            and invitation.link_hash is not None
            and hmac.compare_digest(invitation.link_hash, presented)
            and invitation.link_expires_at is not None
            and invitation.link_expires_at > now()
        )
        if not valid or invitation is None:
            raise NotFound(LINK_INVALID)
        return self._first_rating(
            invitation,
            request,
            rater=LINK_RATER,
            rater_subject_id=None,
            link_hash=presented,
            correlation_id=correlation_id,
        )

    def _first_rating(
        self,
        invitation: Invitation,
        request: shapes.RateRequest | shapes.LinkRateRequest,
        *,
        rater: str,
        rater_subject_id: str | None,
        link_hash: str | None,
        correlation_id: str | None,
    ) -> RatingView:
        given_at = now()
        rating = Rating(
            rating_id=new_id(),
            target_kind=invitation.target_kind,
            target_id=invitation.target_id,
            label=invitation.label,
            title=invitation.title,
            department_id=invitation.department_id,
            region_code=invitation.region_code,
            rater_subject_id=rater_subject_id,
            handler_subject_id=invitation.handler_subject_id,
            hall_id=invitation.hall_id,
            level=request.level,
            reasons=request.reasons,
            text=request.text,
            channel=request.channel,
            given_at=given_at,
            month=month_of(given_at),
        )
        order, order_events = self._order_for(rating, correlation_id)
        if order is not None:
            rating = rating.model_copy(update={"rectification_id": order.order_id})
        revision = _revision(rating, given_at)
        given = events.envelope(events.GIVEN, rating.rating_id, _rating_data(rating), correlation_id)
        self.repository.rate(
            rating, revision, rater=rater, link_hash=link_hash, order=order, events=[given, *order_events]
        )
        return self._view(rating, order)

    def change(
        self, principal: Principal, rating_id: str, request: shapes.ChangeRequest, *, correlation_id: str | None
    ) -> RatingView:
        rating = self._own_rating(principal, rating_id)
        days = ratings_settings().rating_change_days
        if rating.revision >= 2:
            raise Conflict(ALREADY_CHANGED)
        if now() > rating.given_at + dt.timedelta(days=days):
            raise Conflict(CHANGE_WINDOW_CLOSED, params={"days": days})
        if rating.appeal is not None or rating.excluded:
            raise Conflict(NOT_CHANGEABLE)
        changed_at = now()
        after = rating.model_copy(
            update={
                "level": request.level,
                "reasons": request.reasons,
                "text": request.text,
                "channel": request.channel,
                "revision": 2,
                "changed_at": changed_at,
                "version": rating.version + 1,
            }
        )
        order: Rectification | None = None
        order_events: list[Envelope] = []
        if rating.rectification_id is None:
            # a change to a 差评 opens the order; a change away from one leaves the order
            # running (the first rating was a 差评 and is verified all the same)
            order, order_events = self._order_for(after, correlation_id)
            if order is not None:
                after = after.model_copy(update={"rectification_id": order.order_id})
        revision = _revision(after, changed_at)
        changed = events.envelope(
            events.CHANGED, rating.rating_id, _rating_data(after, previous=rating.level), correlation_id
        )
        self.repository.save(
            rating=after,
            rating_version=rating.version,
            revision=revision,
            order=order,
            events=[changed, *order_events],
        )
        existing = self.repository.order(after.rectification_id) if after.rectification_id and not order else order
        return self._view(after, existing)

    def rating(self, principal: Principal, rating_id: str) -> RatingView:
        rating = self._readable_rating(principal, rating_id)
        order = self.repository.order(rating.rectification_id) if rating.rectification_id else None
        return self._view(rating, order, for_rater=principal.role in APPLICANT_ROLES)

    def my_ratings(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[RatingView]:
        """The user center's ratings with their outcome (appeal, rectification)."""
        found, next_cursor = self.repository.ratings_page(
            "gsi1", f"RATER#{principal.subject_id}", limit=limit, cursor=cursor
        )
        return self._views(found, next_cursor, for_rater=True)

    def ratings(
        self, principal: Principal, *, month: str | None, mine: bool = False, limit: int, cursor: str | None
    ) -> Page[RatingView]:
        """Staff: their department's ratings, newest first, or (`mine`) those of the cases and
        tickets they handled; supervisors: their region's ratings of a month (default this month)."""
        if mine and principal.role is Role.STAFF:
            found, next_cursor = self.repository.ratings_page(
                "gsi4", f"HANDLER#{principal.subject_id}", limit=limit, cursor=cursor
            )
        elif principal.role is Role.STAFF and principal.department_id:
            found, next_cursor = self.repository.ratings_page(
                "gsi2", f"DEPT#{principal.department_id}", limit=limit, cursor=cursor
            )
            found = [r for r in found if within_region(principal.region_prefix, r.region_code)]
        elif principal.role is Role.SUPERVISOR and principal.region_prefix:
            month = month or month_of(now())
            found, next_cursor = self.repository.ratings_page(
                "gsi3", f"MONTH#{month}", limit=limit, cursor=cursor, prefix=principal.region_prefix
            )
        else:
            raise Forbidden()
        return self._views(found, next_cursor, for_rater=False)

    # --- appeals ---------------------------------------------------------------------------

    def appeal(
        self, principal: Principal, rating_id: str, request: shapes.AppealRequest, *, correlation_id: str | None
    ) -> RatingView:
        """Only the handling department appeals (anyone else: 404); once per rating."""
        rating = self.repository.rating(rating_id)
        scope = _department_scope(rating.department_id, rating.region_code) if rating else None
        if rating is None or scope is None or decide(principal, scope) is not Decision.ALLOW:
            raise NotFound(RATING_NOT_FOUND)
        if rating.appeal is not None:
            raise Conflict(APPEAL_EXISTS)
        appeal = Appeal(
            state=AppealState.PENDING,
            reason=request.reason,
            evidence=request.evidence,
            filed_by=principal.subject_id,
            filed_at=now(),
        )
        after = rating.model_copy(update={"appeal": appeal, "version": rating.version + 1})
        appealed = events.envelope(events.APPEALED, rating_id, _rating_data(after), correlation_id)
        self.repository.save(rating=after, rating_version=rating.version, appeal_entry=(after, True), events=[appealed])
        return self._view(after, None)

    def pending_appeals(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[RatingView]:
        ids, next_cursor = self.repository.pending_appeals(principal.region_prefix, limit=limit, cursor=cursor)
        found = self.repository.ratings_by_id(ids)
        return self._views([found[i] for i in ids if i in found], next_cursor, for_rater=False)

    def decide_appeal(
        self, principal: Principal, rating_id: str, request: shapes.AppealDecisionRequest, *, correlation_id: str | None
    ) -> RatingView:
        """A supervisor of the rating's region decides; upheld takes the rating out of the
        scores (`rating.excluded`) and closes a running rectification order. Nothing is deleted."""
        rating = self.repository.rating(rating_id)
        if rating is None or not within_region(principal.region_prefix, rating.region_code):
            raise NotFound(RATING_NOT_FOUND)
        if rating.appeal is None or rating.appeal.state is not AppealState.PENDING:
            raise Conflict(NO_OPEN_APPEAL)
        upheld = request.outcome is AppealState.UPHELD
        decided = rating.appeal.model_copy(
            update={
                "state": request.outcome,
                "decided_by": principal.subject_id,
                "decided_at": now(),
                "decision_reason": request.reason,
            }
        )
        after = rating.model_copy(update={"appeal": decided, "excluded": upheld, "version": rating.version + 1})
        envelopes = [events.envelope(events.APPEAL_DECIDED, rating_id, _rating_data(after), correlation_id)]
        order_after: Rectification | None = None
        order_version: int | None = None
        if upheld:
            envelopes.append(events.envelope(events.EXCLUDED, rating_id, _rating_data(after), correlation_id))
            order = self.repository.order(rating.rectification_id) if rating.rectification_id else None
            if order is not None and order.state is not RectificationState.CLOSED:
                order_after = self._closed(order, "appeal_upheld", decision_reason=request.reason)
                order_version = order.version
                envelopes.extend(self._clear_running(order, order_after, "appeal_upheld"))
                envelopes.append(
                    events.envelope(events.CLOSED, order.order_id, _order_data(order_after), correlation_id)
                )
        self.repository.save(
            rating=after,
            rating_version=rating.version,
            order=order_after,
            order_version=order_version,
            appeal_entry=(after, False),
            events=envelopes,
        )
        return self._view(after, order_after)

    # --- rectification orders ----------------------------------------------------------------

    def _order_for(self, rating: Rating, correlation_id: str | None) -> tuple[Rectification | None, list[Envelope]]:
        """The order a 差评 opens, with its two limits published; (None, []) for other levels."""
        if rating.level not in BAD_LEVELS:
            return None, []
        settings = ratings_settings()
        opened_at = now()
        opened_on = opened_at.astimezone(SHANGHAI).date()
        order = Rectification(
            order_id=new_id(),
            rating_id=rating.rating_id,
            target_kind=rating.target_kind,
            target_id=rating.target_id,
            label=rating.label,
            title=rating.title,
            department_id=rating.department_id,
            region_code=rating.region_code,
            rater_subject_id=rating.rater_subject_id,
            level=rating.level,
            reasons=rating.reasons,
            rating_text=rating.text,
            month=rating.month,
            state=RectificationState.AWAITING_VISIT,
            opened_at=opened_at,
            opened_on=opened_on,
            visit_due_on=workdays.deadline(opened_on, settings.rectification_visit_days).date,
            answer_due_on=workdays.deadline(opened_on, settings.rectification_answer_days).date,
            answer_started_on=opened_on,
        )
        return order, [
            events.envelope(events.OPENED, order.order_id, _order_data(order), correlation_id),
            _limit_set(
                order, "visit", started_on=opened_on, due_on=order.visit_due_on, days=settings.rectification_visit_days
            ),
            _limit_set(
                order,
                "answer",
                started_on=opened_on,
                due_on=order.answer_due_on,
                days=settings.rectification_answer_days,
            ),
        ]

    def visit(
        self, principal: Principal, order_id: str, request: shapes.VisitRequest, *, correlation_id: str | None
    ) -> RectificationView:
        """回访核实: the department contacted the rater; the visit limit stops."""
        order = self._department_order(principal, order_id)
        self._expect(order, RectificationState.AWAITING_VISIT)
        after = order.model_copy(
            update={
                "state": RectificationState.VISITED,
                "visited_at": now(),
                "visit_note": request.note,
                "version": order.version + 1,
            }
        )
        envelopes = [
            events.envelope(events.VISITED, order_id, _order_data(after), correlation_id),
            _limit_cleared(after, "visit", "visited"),
        ]
        self.repository.save(order=after, order_version=order.version, events=envelopes)
        return self._order_view(after)

    def answer(
        self, principal: Principal, order_id: str, request: shapes.AnswerRequest, *, correlation_id: str | None
    ) -> RectificationView:
        """Rectified and answered; the answer limit stops. The first answer counts as on
        time or late in the department's public counts. A rater without an account (a
        link rating) cannot confirm: the order closes with the answer."""
        order = self._department_order(principal, order_id)
        self._expect(order, RectificationState.VISITED)
        answered_at = now()
        on_time = today_in_shanghai() <= order.answer_due_on
        no_account = order.rater_subject_id is None
        after = order.model_copy(
            update={
                "state": RectificationState.CLOSED if no_account else RectificationState.ANSWERED,
                "answered_at": answered_at,
                "measures": request.measures,
                "answer": request.answer,
                "publishable": request.publishable,
                "answered_on_time": on_time if order.answers == 0 else order.answered_on_time,
                "answers": order.answers + 1,
                "closed_at": answered_at if no_account else None,
                "closed_reason": "answered" if no_account else None,
                "version": order.version + 1,
            }
        )
        envelopes = [
            events.envelope(events.ANSWERED, order_id, _order_data(after), correlation_id),
            _limit_cleared(after, "answer", "answered"),
        ]
        if no_account:
            envelopes.append(events.envelope(events.CLOSED, order_id, _order_data(after), correlation_id))
        score = None
        if order.answers == 0:
            score = ScoreChange(
                order.department_id,
                order.region_code,
                order.month,
                {ON_TIME_ATTRIBUTE if on_time else LATE_ATTRIBUTE: 1},
            )
        self.repository.save(order=after, order_version=order.version, score=score, events=envelopes)
        return self._order_view(after)

    def confirm(
        self, principal: Principal, order_id: str, request: shapes.ConfirmationRequest, *, correlation_id: str | None
    ) -> RectificationView:
        """The rater accepts the answer (closed) or not (a supervisor decides)."""
        order = self.repository.order(order_id)
        if order is None or not order.rater_subject_id or order.rater_subject_id != principal.subject_id:
            raise NotFound(ORDER_NOT_FOUND)
        self._expect(order, RectificationState.ANSWERED)
        if request.confirmed:
            after = self._closed(order, "confirmed", comment=request.comment, confirmed=True)
            event_type = events.CLOSED
        else:
            after = order.model_copy(
                update={
                    "state": RectificationState.UNCONFIRMED,
                    "confirmed": False,
                    "rater_comment": request.comment,
                    "version": order.version + 1,
                }
            )
            event_type = events.UNCONFIRMED
        envelope = events.envelope(event_type, order_id, _order_data(after), correlation_id)
        self.repository.save(order=after, order_version=order.version, events=[envelope])
        return self._order_view(after)

    def decide_order(
        self,
        principal: Principal,
        order_id: str,
        request: shapes.RectificationDecisionRequest,
        *,
        correlation_id: str | None,
    ) -> RectificationView:
        """An unconfirmed answer: a supervisor of the region closes it (the answer stands)
        or sends it back (rectify again within a new answer limit)."""
        order = self.repository.order(order_id)
        if order is None or not within_region(principal.region_prefix, order.region_code):
            raise NotFound(ORDER_NOT_FOUND)
        self._expect(order, RectificationState.UNCONFIRMED)
        if request.outcome is RectificationDecision.CLOSE:
            after = self._closed(order, "supervisor_closed", decision_reason=request.reason)
            envelopes = [events.envelope(events.CLOSED, order_id, _order_data(after), correlation_id)]
        else:
            days = ratings_settings().rectification_answer_days
            today = today_in_shanghai()
            after = order.model_copy(
                update={
                    "state": RectificationState.VISITED,
                    "decision": RectificationDecision.REDO.value,
                    "decision_reason": request.reason,
                    "answer_started_on": today,
                    "answer_due_on": workdays.deadline(today, days).date,
                    "version": order.version + 1,
                }
            )
            envelopes = [
                events.envelope(events.VISITED, order_id, _order_data(after), correlation_id),
                _limit_set(after, "answer", started_on=today, due_on=after.answer_due_on, days=days),
            ]
        self.repository.save(order=after, order_version=order.version, events=envelopes)
        return self._order_view(after)

    def order(self, principal: Principal, order_id: str) -> RectificationView:
        order = self.repository.order(order_id)
        if order is None:
            raise NotFound(ORDER_NOT_FOUND)
        if principal.role in APPLICANT_ROLES:
            if order.rater_subject_id != principal.subject_id:
                raise NotFound(ORDER_NOT_FOUND)
        elif decide(principal, _department_scope(order.department_id, order.region_code)) is Decision.NOT_FOUND:
            raise NotFound(ORDER_NOT_FOUND)
        return self._order_view(order)

    def orders(
        self, principal: Principal, *, month: str | None, limit: int, cursor: str | None
    ) -> Page[RectificationView]:
        """Staff: their department's orders, newest first; supervisors: the region's of a month."""
        if principal.role is Role.STAFF and principal.department_id:
            found, next_cursor = self.repository.orders_page(
                "gsi2", f"DEPTRECT#{principal.department_id}", limit=limit, cursor=cursor
            )
            found = [o for o in found if within_region(principal.region_prefix, o.region_code)]
        elif principal.role is Role.SUPERVISOR and principal.region_prefix:
            found, next_cursor = self.repository.orders_page(
                "gsi3", f"RECTS#{month or month_of(now())}", limit=limit, cursor=cursor, prefix=principal.region_prefix
            )
        else:
            raise Forbidden()
        return Page[RectificationView](items=[self._order_view(o) for o in found], next_cursor=next_cursor)

    # --- public ------------------------------------------------------------------------------

    def exposure(self, *, limit: int, cursor: str | None) -> Page[shapes.ExposureEntry]:
        """曝光纠错: closed orders of 差评, newest first, with nothing that identifies a person."""
        found, next_cursor = self.repository.orders_page("gsi1", "EXPOSURE", limit=limit, cursor=cursor)
        return Page[shapes.ExposureEntry](items=[self._exposed(o) for o in found], next_cursor=next_cursor)

    def public_counts(
        self, month: str, *, region_prefix: str | None, limit: int, cursor: str | None
    ) -> shapes.CountsPage:
        records, next_cursor = self.repository.counters_page(
            month, region_prefix=region_prefix, limit=limit, cursor=cursor
        )
        return shapes.CountsPage(month=month, items=[counts_from(r) for r in records], next_cursor=next_cursor)

    # --- counters (the ratings_worker) -------------------------------------------------------

    def count(self, event_id: str, event_type: str, data: events.RatingData) -> bool:
        """Apply a rating event to the counters once; False for a redelivery."""
        deltas = counter_deltas(event_type, data)
        return self.repository.count(event_id, ScoreChange(data.department_id, data.region_code, data.month, deltas))

    # --- helpers -------------------------------------------------------------------------------

    def _own_rating(self, principal: Principal, rating_id: str) -> Rating:
        rating = self.repository.rating(rating_id)
        if rating is None or not rating.rater_subject_id or rating.rater_subject_id != principal.subject_id:
            raise NotFound(RATING_NOT_FOUND)
        return rating

    def _readable_rating(self, principal: Principal, rating_id: str) -> Rating:
        if principal.role in APPLICANT_ROLES:
            return self._own_rating(principal, rating_id)
        rating = self.repository.rating(rating_id)
        if rating is None or decide(principal, _department_scope(rating.department_id, rating.region_code)) is (
            Decision.NOT_FOUND
        ):
            raise NotFound(RATING_NOT_FOUND)
        return rating

    def _department_order(self, principal: Principal, order_id: str) -> Rectification:
        order = self.repository.order(order_id)
        scope = _department_scope(order.department_id, order.region_code) if order else None
        if order is None or scope is None or decide(principal, scope) is not Decision.ALLOW:
            raise NotFound(ORDER_NOT_FOUND)
        return order

    @staticmethod
    def _expect(order: Rectification, state: RectificationState) -> None:
        if order.state is not state:
            raise Conflict(STEP_NOT_ALLOWED, params={"state": RECTIFICATION_STATE_NAMES[order.state]})

    @staticmethod
    def _closed(
        order: Rectification,
        reason: str,
        *,
        comment: str | None = None,
        confirmed: bool | None = None,
        decision_reason: str | None = None,
    ) -> Rectification:
        update: dict[str, object] = {
            "state": RectificationState.CLOSED,
            "closed_at": now(),
            "closed_reason": reason,
            "version": order.version + 1,
        }
        if comment is not None:
            update["rater_comment"] = comment
        if confirmed is not None:
            update["confirmed"] = confirmed
        if decision_reason is not None:
            update["decision"] = reason
            update["decision_reason"] = decision_reason
        return order.model_copy(update=update)

    @staticmethod
    def _clear_running(before: Rectification, after: Rectification, reason: str) -> list[Envelope]:
        running = []
        if before.state is RectificationState.AWAITING_VISIT:
            running.append(_limit_cleared(after, "visit", reason))
        if before.state in (RectificationState.AWAITING_VISIT, RectificationState.VISITED):
            running.append(_limit_cleared(after, "answer", reason))
        return running

    def _views(self, ratings: list[Rating], next_cursor: str | None, *, for_rater: bool) -> Page[RatingView]:
        order_ids = [r.rectification_id for r in ratings if r.rectification_id]
        orders = self.repository.orders_by_id(order_ids) if order_ids else {}
        items = [self._view(r, orders.get(r.rectification_id or ""), for_rater=for_rater) for r in ratings]
        return Page[RatingView](items=items, next_cursor=next_cursor)

    @staticmethod
    def _view(rating: Rating, order: Rectification | None, *, for_rater: bool = True) -> RatingView:
        days = ratings_settings().rating_change_days
        until = rating.given_at + dt.timedelta(days=days)
        changeable = (
            for_rater
            and rating.rater_subject_id is not None
            and rating.revision == 1
            and rating.appeal is None
            and now() <= until
        )
        return RatingView(
            rating_id=rating.rating_id,
            target_kind=rating.target_kind,
            target_id=rating.target_id,
            label=rating.label,
            title=rating.title,
            department_id=rating.department_id,
            region_code=rating.region_code,
            level=rating.level,
            level_name=LEVEL_NAMES[rating.level],
            reasons=rating.reasons,
            text=rating.text,
            channel=rating.channel,
            given_at=rating.given_at,
            month=rating.month,
            revision=rating.revision,
            changeable_until=until if changeable else None,
            excluded=rating.excluded,
            appeal=AppealView.model_validate(rating.appeal.model_dump()) if rating.appeal else None,
            rectification_id=rating.rectification_id,
            rectification_state=order.state if order else None,
            hall_id=rating.hall_id,
        )

    @staticmethod
    def _order_view(order: Rectification) -> RectificationView:
        return RectificationView.model_validate(
            order.model_dump()
            | {"level_name": LEVEL_NAMES[order.level], "state_name": RECTIFICATION_STATE_NAMES[order.state]}
        )

    @staticmethod
    def _exposed(order: Rectification) -> shapes.ExposureEntry:
        return shapes.ExposureEntry(
            order_id=order.order_id,
            month=order.month,
            department_id=order.department_id,
            region_code=order.region_code,
            title=order.title,
            level_name=LEVEL_NAMES[order.level],
            reasons=[REASON_NAMES[r] for r in order.reasons],
            # free text is public only once staff marked it so (a name cannot be masked by rule)
            rating_text=scrubbed(order.rating_text) if order.publishable else None,
            measures=scrubbed(order.measures) if order.publishable else None,
            answer=scrubbed(order.answer) if order.publishable else None,
            answered_on_time=order.answered_on_time,
            outcome=CLOSED_OUTCOMES.get(order.closed_reason or "", "已办结"),
            closed_on=order.closed_at.astimezone(SHANGHAI).date() if order.closed_at else None,
        )


@cache
def ratings_service() -> RatingsService:
    return RatingsService()
