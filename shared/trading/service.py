"""Publishing notices, registering interest, candidates and results (公共资源交易, C25).

A trading centre is an operator of a region (`Role.OPERATOR` with its region code): it
publishes only for notices located in its region (403 `trading.out_of_region`). Every
legal minimum period (config.PERIOD_RULES) is checked with the platform calendar and a
short one refused naming the rule and its source (422 `trading.period_too_short`). Every
bidder, candidate and winner is checked against the credit lists (the `credit` port): a
listed party is flagged on the notice with `trading.party_flagged` for the supervisor,
and cannot be named winner (409 `trading.listed_party` naming the lists).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cache

from shared.platform.clock import now, today_in_shanghai
from shared.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shared.platform.events import Envelope
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.partner_http import PartnerUnavailable
from shared.platform.principal import Principal, region_prefix
from shared.trading import events, open_data, ports
from shared.trading.config import DayKind
from shared.trading.errors import (
    AGENT_REQUIRED,
    BAD_QUERY,
    BIDDING_CLOSED,
    COMPLAINT_PENDING,
    DATES_OUT_OF_ORDER,
    LISTED_PARTY,
    LISTING_REQUIRED,
    NOT_A_CANDIDATE,
    NOTICE_NOT_FOUND,
    OUT_OF_REGION,
    PERIOD_TOO_SHORT,
    PUBLICITY_RUNNING,
    WRONG_STAGE,
    CreditUnavailable,
)
from shared.trading.models import Candidates, Complaint, Flag, NewNotice, Notice, NoticeKind, Result, Stage
from shared.trading.periods import Shortfall, shortfalls
from shared.trading.repository import TradingRepository, folded
from shared.workdays import api as workdays

MAX_QUERY = 40  # characters of a keyword search, after folding (D-306)

UNITS = {DayKind.CALENDAR: ("日", "calendar days"), DayKind.WORKING: ("个工作日", "working days")}


def _refused(found: list[Shortfall]) -> ValidationFailed:
    first = found[0]
    params = _params(first)
    errors = [FieldError(s.rule.end_field, PERIOD_TOO_SHORT, params=_params(s)) for s in found]
    return ValidationFailed(PERIOD_TOO_SHORT, params=params, errors=errors)


def _params(shortfall: Shortfall) -> dict[str, object]:
    unit, unit_en = UNITS[shortfall.rule.day_kind]
    return {
        "rule_id": shortfall.rule.rule_id,
        "title": shortfall.rule.title,
        "source": shortfall.rule.source,
        "min_days": shortfall.rule.min_days,
        "days": shortfall.days,
        "unit": unit,
        "unit_en": unit_en,
        "earliest_end": shortfall.earliest_end.isoformat(),
    }


def _facts(notice: Notice) -> events.NoticeFacts:
    return events.NoticeFacts(
        notice_id=notice.notice_id,
        kind=notice.kind.value,
        title=notice.title,
        region_code=notice.region_code,
        stage=notice.stage.value,
        bid_deadline=notice.bid_deadline.isoformat(),
        winner_uscc=notice.winner_uscc,
    )


def search_term(q: str | None) -> str | None:
    """The keyword of a public list's `q`, folded as the stored search text is; None for no
    search. 422 `trading.bad_query` for control or format characters, nothing but white space,
    or more than MAX_QUERY characters."""
    if q is None:
        return None
    term = folded(q)
    if not 1 <= len(term) <= MAX_QUERY or any(unicodedata.category(c) in ("Cc", "Cf") for c in q.strip()):
        params = {"max_length": MAX_QUERY}
        raise ValidationFailed(BAD_QUERY, params=params, errors=[FieldError("q", BAD_QUERY, params=params)])
    return term


def _listings(uscc: str) -> list[str]:
    """The credit lists `uscc` is on; 503 with Retry-After when the platform cannot say."""
    try:
        return ports.credit().listings(uscc)
    except PartnerUnavailable as exc:
        logger().warning("credit platform unavailable", extra={"reason": exc.reason})
        raise CreditUnavailable(
            params={"retry_after": exc.retry_after}, headers={"Retry-After": str(exc.retry_after)}
        ) from exc


class TradingService:
    def __init__(self, repository: TradingRepository | None = None) -> None:
        self.repository = repository or TradingRepository()

    @staticmethod
    def _in_region(principal: Principal, region_code: str) -> None:
        if not principal.region_code or not region_code.startswith(principal.region_prefix):
            raise Forbidden(OUT_OF_REGION)

    def publish(self, principal: Principal, new: NewNotice, correlation_id: str | None) -> Notice:
        self._in_region(principal, new.region_code)
        today = today_in_shanghai()
        if new.kind is NoticeKind.LAND_TRANSFER and new.listing_from is None:
            raise ValidationFailed(errors=[FieldError("listing_from", LISTING_REQUIRED)])
        starts = [new.documents_from, *([new.listing_from] if new.listing_from else [])]
        if new.documents_from < today or any(start >= new.bid_deadline for start in starts):
            raise ValidationFailed(errors=[FieldError("bid_deadline", DATES_OUT_OF_ORDER)])
        dates: dict[str, dt.date | None] = {
            "published_on": today,
            "documents_from": new.documents_from,
            "listing_from": new.listing_from,
            "bid_deadline": new.bid_deadline,
        }
        found = shortfalls(new.kind.value, dates, workdays.calendar())
        if found:
            raise _refused(found)
        notice = Notice(
            notice_id=new_id(),
            **new.model_dump(),
            published_on=today,
            published_by=principal.subject_id,
            published_at=now(),
        )
        event = events.envelope(events.NOTICE_PUBLISHED, _facts(notice), correlation_id)
        return self.repository.save(notice, expected_version=None, events=[event])

    def notice(self, notice_id: str) -> Notice:
        found = self.repository.notice(notice_id)
        if found is None:
            raise NotFound(NOTICE_NOT_FOUND)
        return found

    def _managed(self, principal: Principal, notice_id: str) -> Notice:
        notice = self.notice(notice_id)
        self._in_region(principal, notice.region_code)
        return notice

    def _flags(
        self, notice: Notice, parties: list[str], correlation_id: str | None
    ) -> tuple[list[Flag], list[Envelope]]:
        """New flags for the listed `parties` (once per party and stage) and their events."""
        known = {(flag.uscc, flag.stage) for flag in notice.flags}
        flags: list[Flag] = []
        happened: list[Envelope] = []
        for uscc in parties:
            lists = _listings(uscc)
            if lists and (uscc, notice.stage.value) not in known:
                flags.append(Flag(uscc=uscc, lists=lists, at=now(), stage=notice.stage.value))
                data = events.FlagFacts(
                    **_facts(notice).model_dump(), uscc=uscc, lists=lists, flagged_at_stage=notice.stage.value
                )
                happened.append(events.envelope(events.PARTY_FLAGGED, data, correlation_id))
        return flags, happened

    def register_interest(self, principal: Principal, notice_id: str, correlation_id: str | None) -> Notice:
        notice = self.notice(notice_id)  # a missing notice is 404 for every caller (D-067)
        if not principal.acting_for:
            raise Forbidden(AGENT_REQUIRED)
        if notice.stage is not Stage.OPEN or today_in_shanghai() > notice.bid_deadline:
            raise Conflict(BIDDING_CLOSED)
        if principal.acting_for in notice.bidders:
            return notice  # registered already: the same answer again
        flags, happened = self._flags(notice, [principal.acting_for], correlation_id)
        after = notice.model_copy(
            update={"bidders": [*notice.bidders, principal.acting_for], "flags": [*notice.flags, *flags]}
        )
        return self.repository.save(after, expected_version=notice.version, events=happened)

    def publish_candidates(
        self, principal: Principal, notice_id: str, request: Candidates, correlation_id: str | None
    ) -> Notice:
        notice = self._managed(principal, notice_id)
        if notice.stage is not Stage.OPEN:
            raise Conflict(WRONG_STAGE, params={"stage": notice.stage.value})
        today = today_in_shanghai()
        dates: dict[str, dt.date | None] = {
            "candidates_published_on": today,
            "publicity_until": request.publicity_until,
        }
        found = shortfalls(notice.kind.value, dates, workdays.calendar())
        if found:
            raise _refused(found)
        moved = notice.model_copy(update={"stage": Stage.CANDIDATES})
        flags, happened = self._flags(moved, request.candidates, correlation_id)
        after = moved.model_copy(
            update={
                "candidates": request.candidates,
                "candidates_published_on": today,
                "publicity_until": request.publicity_until,
                "flags": [*notice.flags, *flags],
            }
        )
        happened.insert(0, events.envelope(events.CANDIDATES_PUBLISHED, _facts(after), correlation_id))
        return self.repository.save(after, expected_version=request.version or notice.version, events=happened)

    def publish_result(
        self, principal: Principal, notice_id: str, request: Result, correlation_id: str | None
    ) -> Notice:
        notice = self._managed(principal, notice_id)
        if notice.stage is not Stage.CANDIDATES:
            raise Conflict(WRONG_STAGE, params={"stage": notice.stage.value})
        if request.winner_uscc not in notice.candidates:
            raise ValidationFailed(errors=[FieldError("winner_uscc", NOT_A_CANDIDATE)])
        # the credit lists first: a listed party is never named, whatever the dates
        lists = _listings(request.winner_uscc)
        if lists:
            raise Conflict(LISTED_PARTY, params={"uscc": request.winner_uscc, "lists": "、".join(lists)})
        if notice.publicity_until is not None and today_in_shanghai() <= notice.publicity_until:
            raise Conflict(PUBLICITY_RUNNING, params={"publicity_until": notice.publicity_until.isoformat()})
        pending = [c.number for c in notice.complaints if not c.answered]
        if pending:  # 招标投标法实施条例 第五十四条: 作出答复前，应当暂停招标投标活动
            raise Conflict(COMPLAINT_PENDING, params={"numbers": "、".join(pending)})
        after = notice.model_copy(
            update={"stage": Stage.AWARDED, "winner_uscc": request.winner_uscc, "awarded_at": now()}
        )
        event = events.envelope(events.RESULT_PUBLISHED, _facts(after), correlation_id)
        saved = self.repository.save(after, expected_version=request.version or notice.version, events=[event])
        self.publish_open_data(open_data.city_of(saved.region_code))
        return saved

    def follow_complaint(self, notice_id: str, complaint: Complaint) -> bool:
        """A 12345 ticket naming `notice_id` was opened, answered or closed (trading_worker, D-312).
        Idempotent and order-proof: a complaint is added once and only ever moves to answered;
        a ticket naming no notice of ours is ignored. True when something was written."""
        notice = self.repository.notice(notice_id)
        if notice is None:
            return False
        known = {c.ticket_id: c for c in notice.complaints}
        before = known.get(complaint.ticket_id)
        if before is not None and (before.answered or not complaint.answered):
            return False
        merged = complaint if before is None else before.model_copy(update={"answered": True})
        known[complaint.ticket_id] = merged
        after = notice.model_copy(update={"complaints": list(known.values())})
        self.repository.save(after, expected_version=notice.version, events=[])
        return True

    def publish_open_data(self, city: str) -> None:
        """Rewrite the city's results files from the table. After the result's transaction: a
        failed write is logged and the next result of the city (or a rebuild) makes them true."""
        try:
            results: list[Notice] = []
            cursor: str | None = None
            while True:
                page, cursor = self.repository.results(city[:4], limit=100, cursor=cursor)
                results += page
                if cursor is None:
                    break
            open_data.write_city(city, results, now())
        except Exception:
            logger().exception("trading open data not written", extra={"city": city})

    def public(
        self, region_code: str, *, kind: NoticeKind | None, q: str | None = None, limit: int, cursor: str | None
    ) -> Page[Notice]:
        found, following = self.repository.public(
            region_prefix(region_code),
            kind=kind.value if kind else None,
            term=search_term(q),
            limit=limit,
            cursor=cursor,
        )
        return Page(items=found, next_cursor=following)

    def results(self, region_code: str, *, q: str | None = None, limit: int, cursor: str | None) -> Page[Notice]:
        found, following = self.repository.results(
            region_prefix(region_code), term=search_term(q), limit=limit, cursor=cursor
        )
        return Page(items=found, next_cursor=following)


@cache
def trading_service() -> TradingService:
    return TradingService()
