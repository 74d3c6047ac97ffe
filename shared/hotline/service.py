"""The 12345 closed loop: take a ticket in from any channel, answer a consultation from
the knowledge base or route the ticket by the rule table, let the department sign,
answer or return it, let the desk re-dispatch or name a co-handler, follow up with the
requester's rating, reopen once, escalate a second dissatisfaction, close.

Every step is one transaction (`HotlineRepository.save`): the ticket (conditional on
its version), its new timeline entries, its `ticket.*` events and the `limit.set` /
`limit.cleared` facts of the sign and answer limits (shared.platform.limits; the
supervision context watches them and raises the warnings — no sweep here).

Who may do what (record scope; anyone else gets 404 as for a ticket that does not exist):
- the requester (signed in) reads and rates their ticket;
- 12345 agents read tickets of their region, open tickets for callers, record ratings (回访);
- staff of the handling department read, sign, answer and return it; staff of a
  co-handling department read it; staff of the region's dispatch desk read it,
  re-dispatch it and name co-handlers;
- supervisors of the region read it and decide an escalated ticket.
A 举报's reporter is sealed: no view but the reporter's own and the agents' shows
the requester, and no event carries them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import shared.workdays.api as workdays
from shared.hotline import events as ticket_events
from shared.hotline import ports
from shared.hotline.config import attachment_settings, hotline_settings
from shared.hotline.errors import (
    ANSWER_ONLY_CONSULTATION,
    ATTACHMENT_NOT_ALLOWED,
    ATTACHMENT_NOT_UPLOADED,
    ATTACHMENT_TOO_LARGE,
    EMPTY_TEXT,
    FAQ_NOT_FOUND,
    FAQ_REVISION,
    KNOWLEDGE_ANSWER_UNKNOWN,
    NO_DESK,
    NOT_THE_DESK,
    RULE_NOT_FOUND,
    STEP_NOT_ALLOWED,
    TICKET_NOT_FOUND,
    TOO_MANY_ATTACHMENTS,
    TYPE_NOT_FOR_CHANNEL,
    UNKNOWN_CATEGORY,
    UNKNOWN_DEPARTMENT,
)
from shared.hotline.models import (
    ALLOWED_CONTENT_TYPES,
    Answer,
    Attachment,
    AttachmentView,
    DispatchDesk,
    FaqEntry,
    KnowledgeChoice,
    LimitState,
    LimitView,
    MatterCategory,
    RatingRecord,
    Requester,
    RequesterView,
    RoutingRule,
    Ticket,
    TicketContent,
    TicketSummary,
    TicketView,
    TimelineEntry,
    TimelineVerification,
    TimelineView,
    UploadForm,
)
from shared.hotline.repository import HotlineRepository
from shared.hotline.states import (
    ANONYMOUS_TYPES,
    CHANNEL_TYPES,
    OPEN_STATES,
    STATE_NAMES,
    STEP_FROM,
    STEP_NAMES,
    TYPE_NAMES,
    AnsweredBy,
    Channel,
    Closure,
    Rating,
    Step,
    TicketState,
    TicketType,
)
from shared.hotline.timeline import next_entry, verify
from shared.platform.clock import now as _now
from shared.platform.clock import today_in_shanghai
from shared.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shared.platform.events import Envelope
from shared.platform.ids import new_id
from shared.platform.limits import LimitClearedData, LimitData, limit_cleared, limit_key, limit_set
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import Principal, Role, region_prefix, within_region
from shared.platform.privacy import mask_phone
from shared.platform.public import lazy_module
from shared.platform.sealing import sealer

if TYPE_CHECKING:
    from shared.hotline import shapes
    from shared.platform import uploads
else:
    shapes = lazy_module("shared.hotline.shapes")  # with the first route that names a body or answer of it (D-338)
    uploads = lazy_module("shared.platform.uploads")  # with the first attachment (D-315)

CONTEXT = "hotline"
CONTACT_PURPOSE = "hotline.contact"
SYSTEM = "system"
REQUESTER = "requester"
_MAGIC = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


def now() -> dt.datetime:
    """The platform clock to the second: the API shows times without fractions."""
    return _now().replace(microsecond=0)


class TicketNotFound(NotFound):
    default_code = TICKET_NOT_FOUND


def department_region(department_id: str) -> str:
    """Department ids are `<division code>-<line>` (e.g. `320102-market`)."""
    return department_id.split("-", 1)[0]


def region_prefixes(region_code: str) -> list[str]:
    """Every prefix that covers a division, most specific first: `320102003` →
    `320102003`, `320102`, `3201`, `32`."""
    found: list[str] = []
    code = region_code
    for length in (12, 9, 6):
        if len(code) >= length:
            found.append(region_prefix(code[:length]))
    for prefix in (code[:4], code[:2]):
        found.append(prefix)
    return list(dict.fromkeys(p for p in found if p))


def _dedupe(subject_id: str, content: TicketContent) -> str:
    """The open-matter key: one requester, one category, one place."""
    place = "".join((content.location.address or "").split())
    raw = f"{subject_id}|{content.category_code}|{content.location.region_code}|{place}"
    return hashlib.sha256(raw.encode()).hexdigest()


def attachment_key(ticket_id: str, attachment_id: str) -> str:
    return f"hotline/{ticket_id}/{attachment_id}"


Actor = tuple[str, str]
"""(role, who) as the timeline names them: never a requester's identity."""
SYSTEM_ACTOR: Actor = (SYSTEM, SYSTEM)


def _by(principal: Principal) -> Actor:
    return principal.role.value, principal.subject_id


@dataclass
class _Step:
    """What one step writes: timeline entries and events, beside the changed ticket."""

    entries: list[TimelineEntry]
    events: list[Envelope]


CATEGORY_CACHE_S = 60.0
"""How long a warm function keeps the category table (an operator's change shows within this)."""


class HotlineService:
    def __init__(self, repository: HotlineRepository | None = None) -> None:
        self.repository = repository or HotlineRepository()
        self._category_cache: tuple[float, dict[str, MatterCategory]] | None = None

    # --- reference data --------------------------------------------------------------------

    def _categories(self) -> dict[str, MatterCategory]:
        """The category table, read at most once a minute per warm function."""
        cached = self._category_cache
        if cached is not None and time.monotonic() - cached[0] < CATEGORY_CACHE_S:
            return cached[1]
        found = {c.code: c for c in self.repository.categories()}
        self._category_cache = (time.monotonic(), found)
        return found

    def categories(self) -> shapes.CategoryList:
        table = self._categories()
        tops = sorted((c for c in table.values() if c.parent_code is None), key=lambda c: c.code)
        return shapes.CategoryList(
            items=[
                shapes.CategoryView(
                    code=top.code,
                    name=top.name,
                    children=[
                        shapes.CategoryView(code=c.code, name=c.name, parent_code=top.code)
                        for c in sorted(table.values(), key=lambda c: c.code)
                        if c.parent_code == top.code
                    ],
                )
                for top in tops
            ]
        )

    def put_category(self, principal: Principal, code: str, body: shapes.CategoryRequest) -> MatterCategory:
        table = self._categories()
        parent = code[:2] if len(code) == 4 else None
        if parent and parent not in table:
            raise ValidationFailed(UNKNOWN_CATEGORY, params={"category_code": parent})
        current = table.get(code)
        category = MatterCategory(
            code=code,
            name=body.name,
            version=current.version + 1 if current else 1,
            updated_at=now(),
            updated_by=principal.subject_id,
        )
        self.repository.put_category(category)
        self._category_cache = None
        return category

    def _require_category(self, code: str | None) -> None:
        if code and code not in self._categories():
            params = {"category_code": code}
            raise ValidationFailed(
                UNKNOWN_CATEGORY, params=params, errors=[FieldError("category_code", UNKNOWN_CATEGORY, params=params)]
            )

    # --- opening ---------------------------------------------------------------------------

    def open_signed_in(self, principal: Principal, body: shapes.NewTicket, *, correlation_id: str | None) -> TicketView:
        requester = Requester(subject_id=principal.subject_id)
        return self._open(
            body,
            body.channel,
            requester,
            actor_role=principal.role.value,
            declared=body.attachments,
            accepted=body.accepted_answer,
            correlation_id=correlation_id,
            viewer=principal,
        )

    def open_call(self, principal: Principal, body: shapes.CallTicket, *, correlation_id: str | None) -> TicketView:
        requester = Requester(anonymous=body.caller_phone is None)
        return self._open(
            body,
            body.channel,
            requester,
            actor_role=principal.role.value,
            actor=principal.subject_id,
            contact=body.caller_phone,
            accepted=body.accepted_answer,
            correlation_id=correlation_id,
            viewer=principal,
        )

    def open_anonymous(self, body: shapes.AnonymousTicket, *, correlation_id: str | None) -> TicketView:
        self._check_content(body, body.channel, anonymous=True)
        # the code is spent only for input that is otherwise valid: bad input writes nothing
        ports.contacts()(body.contact_phone, body.code)
        return self._open(
            body,
            body.channel,
            Requester(anonymous=True),
            actor_role="anonymous",
            contact=body.contact_phone,
            correlation_id=correlation_id,
            viewer=None,
        )

    def open_from_partner(
        self, body: TicketContent, *, partner_id: str, contact: str | None, correlation_id: str | None
    ) -> Ticket:
        """An Open311 partner's request (channel `open311`); the returned ticket is stored."""
        ticket, _ = self._take_in(
            body,
            Channel.OPEN311,
            Requester(anonymous=True),
            actor_role="open311_partner",
            actor=partner_id,
            contact=contact,
            declared=[],
            accepted=None,
            correlation_id=correlation_id,
        )
        return ticket

    def _check_content(
        self,
        content: TicketContent,
        channel: Channel,
        *,
        anonymous: bool = False,
        declared: Sequence[shapes.AttachmentDeclaration] = (),
        accepted: KnowledgeChoice | None = None,
    ) -> None:
        """Every input rule that needs no data (and the knowledge answer), before anything is written."""
        problems: list[FieldError] = []
        if not content.text.strip():
            problems.append(FieldError("text", EMPTY_TEXT))
        if content.category_code not in self._categories():
            problems.append(
                FieldError("category_code", UNKNOWN_CATEGORY, params={"category_code": content.category_code})
            )
        if problems:
            first = problems[0]
            raise ValidationFailed(first.code, params=dict(first.params), errors=problems)
        allowed = ANONYMOUS_TYPES if anonymous else CHANNEL_TYPES[channel]
        if content.type not in allowed:
            params = {"channel": "anonymous" if anonymous else channel.value, "ticket_type": TYPE_NAMES[content.type]}
            raise ValidationFailed(
                TYPE_NOT_FOR_CHANNEL, params=params, errors=[FieldError("type", TYPE_NOT_FOR_CHANNEL, params=params)]
            )
        self._check_attachments(declared)
        if accepted is not None:
            if content.type is not TicketType.CONSULTATION:
                raise ValidationFailed(
                    ANSWER_ONLY_CONSULTATION, errors=[FieldError("accepted_answer", ANSWER_ONLY_CONSULTATION)]
                )
            if self._knowledge_answer(accepted) is None:
                raise ValidationFailed(
                    KNOWLEDGE_ANSWER_UNKNOWN, errors=[FieldError("accepted_answer", KNOWLEDGE_ANSWER_UNKNOWN)]
                )

    @staticmethod
    def _check_attachments(declared: Sequence[shapes.AttachmentDeclaration]) -> None:
        cfg = hotline_settings()
        if len(declared) > cfg.max_attachments:
            raise ValidationFailed(TOO_MANY_ATTACHMENTS, params={"limit": cfg.max_attachments})
        for index, file in enumerate(declared):
            if file.size_bytes > cfg.max_attachment_bytes:
                params = {"limit": cfg.max_attachment_bytes}
                raise ValidationFailed(
                    ATTACHMENT_TOO_LARGE,
                    params=params,
                    errors=[FieldError(f"attachments.{index}.size_bytes", ATTACHMENT_TOO_LARGE, params=params)],
                )
            if file.content_type not in ALLOWED_CONTENT_TYPES:
                raise ValidationFailed(
                    ATTACHMENT_NOT_ALLOWED,
                    errors=[FieldError(f"attachments.{index}.content_type", ATTACHMENT_NOT_ALLOWED)],
                )

    def _open(
        self,
        content: TicketContent,
        channel: Channel,
        requester: Requester,
        *,
        actor_role: str,
        correlation_id: str | None,
        viewer: Principal | None,
        actor: str = REQUESTER,
        contact: str | None = None,
        declared: Sequence[shapes.AttachmentDeclaration] = (),
        accepted: KnowledgeChoice | None = None,
    ) -> TicketView:
        ticket, forms = self._take_in(
            content,
            channel,
            requester,
            actor_role=actor_role,
            actor=actor,
            contact=contact,
            declared=declared,
            accepted=accepted,
            correlation_id=correlation_id,
        )
        view = self._view(ticket, viewer, show_requester=True)
        return view.model_copy(update={"uploads": forms})

    def _take_in(
        self,
        content: TicketContent,
        channel: Channel,
        requester: Requester,
        *,
        actor_role: str,
        actor: str,
        contact: str | None,
        declared: Sequence[shapes.AttachmentDeclaration],
        accepted: KnowledgeChoice | None,
        correlation_id: str | None,
    ) -> tuple[Ticket, list[UploadForm]]:
        self._check_content(
            content, channel, anonymous=requester.anonymous and actor == REQUESTER, declared=declared, accepted=accepted
        )
        at = now()
        ticket_id = new_id()
        if contact:
            requester = requester.model_copy(
                update={
                    "contact_masked": mask_phone(contact),
                    "sealed_contact": sealer(CONTACT_PURPOSE).seal(ticket_id, {"phone": contact}),
                }
            )
        attachments = [Attachment(attachment_id=new_id(), part="request", **file.model_dump()) for file in declared]
        category = self._categories()[content.category_code]
        ticket = Ticket(
            ticket_id=ticket_id,
            number=f"12345{at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y%m%d}{secrets.randbelow(10**6):06d}",
            version=1,
            state=TicketState.DISPATCHED,
            type=content.type,
            channel=channel,
            category_code=category.code,
            category_name=category.name,
            text=content.text.strip(),
            location=content.location,
            link_case_id=content.link_case_id,
            link_item_code=content.link_item_code,
            link_notice_id=content.link_notice_id,
            requester=requester,
            opened_by_role=actor_role,
            attachments=attachments,
            created_at=at,
            updated_at=at,
        )
        step = _Step(entries=[], events=[])
        opened_state = TicketState.DISPATCHED
        marker: str | None = None
        if accepted is not None:
            ticket = ticket.model_copy(
                update={
                    "state": TicketState.CLOSED,
                    "answered_by": AnsweredBy.KNOWLEDGE_BASE,
                    "knowledge_answer": accepted,
                    "closure": Closure.KNOWLEDGE_BASE,
                }
            )
            opened_state = TicketState.CLOSED
        elif requester.subject_id and (existing := self._open_duplicate(requester.subject_id, content)) is not None:
            ticket = ticket.model_copy(update={"state": TicketState.LINKED, "duplicate_of": existing})
            opened_state = TicketState.LINKED
        else:
            if requester.subject_id:
                marker = _dedupe(requester.subject_id, content)
                ticket = ticket.model_copy(update={"dedupe_key": marker})
        self._append(ticket, step, Step.OPEN, None, (actor_role, actor))
        step.events.append(ticket_events.envelope(ticket_events.OPENED, ticket, correlation_id))
        if opened_state is TicketState.CLOSED:
            note = f"知识库答复（{accepted.source}:{accepted.id}）" if accepted else None
            self._append(ticket, step, Step.CLOSE, opened_state, SYSTEM_ACTOR, note=note)
            step.events.append(ticket_events.envelope(ticket_events.CLOSED, ticket, correlation_id))
        elif opened_state is TicketState.LINKED:
            self._append(ticket, step, Step.LINK, opened_state, SYSTEM_ACTOR, note=ticket.duplicate_of)
            step.events.append(ticket_events.envelope(ticket_events.LINKED, ticket, correlation_id))
        else:
            department_id, routed_by = self._route(ticket)
            ticket = self._dispatched(ticket, department_id, routed_by)
            self._append(ticket, step, Step.DISPATCH, opened_state, SYSTEM_ACTOR, note=routed_by)
            step.events.append(ticket_events.envelope(ticket_events.DISPATCHED, ticket, correlation_id))
            step.events.extend(self._limit_events(ticket, correlation_id))
        ticket = self._with_timeline(ticket, step)
        self.repository.save(
            ticket, expected_version=None, entries=step.entries, events=step.events, open_marker=marker
        )
        logger().info(
            "ticket opened",
            extra={
                "ticket_id": ticket.ticket_id,
                "channel": channel.value,
                "type": ticket.type.value,
                "state": ticket.state.value,
            },
        )
        return ticket, self._upload_forms(ticket, [a for a in attachments])

    def _open_duplicate(self, subject_id: str, content: TicketContent) -> str | None:
        existing_id = self.repository.open_ticket_for(_dedupe(subject_id, content))
        if existing_id is None:
            return None
        existing = self.repository.get(existing_id)
        return existing_id if existing is not None and existing.state in OPEN_STATES else None

    # --- routing ---------------------------------------------------------------------------

    def _route(self, ticket: Ticket) -> tuple[str, str]:
        """The department of the most specific rule — the longest region prefix, then the
        second-level category before its first level — else the region's dispatch desk."""
        code = ticket.category_code
        categories = [code] + ([code[:2]] if len(code) == 4 else [])
        prefixes = region_prefixes(ticket.location.region_code)
        rules, desks = self.repository.routing_candidates(categories, prefixes)
        if rules:
            best = max(rules, key=lambda r: (len(r.region_prefix), len(r.category_code)))
            return best.department_id, "rule"
        if desks:
            return max(desks, key=lambda d: len(d.region_prefix)).department_id, "desk"
        raise Conflict(NO_DESK)

    def _desk_for(self, ticket: Ticket) -> DispatchDesk | None:
        _, desks = self.repository.routing_candidates([], region_prefixes(ticket.location.region_code))
        return max(desks, key=lambda d: len(d.region_prefix)) if desks else None

    def _dispatched(self, ticket: Ticket, department_id: str, routed_by: str) -> Ticket:
        today = today_in_shanghai()
        cfg = hotline_settings()
        answer_days = cfg.answer_days_consultation if ticket.type is TicketType.CONSULTATION else cfg.answer_days_other
        calendar = self._calendar()
        limits = [
            LimitState(
                name="sign",
                started_on=today,
                due_on=calendar.add_working_days(today, cfg.sign_days).date,
                limit_days=cfg.sign_days,
            ),
            LimitState(
                name="answer",
                started_on=today,
                due_on=calendar.add_working_days(today, answer_days).date,
                limit_days=answer_days,
            ),
        ]
        return ticket.model_copy(
            update={
                "state": TicketState.DISPATCHED,
                "department_id": department_id,
                "department_region_code": department_region(department_id),
                "routed_by": routed_by,
                "handler_subject_id": None,
                "limits": limits,
            }
        )

    @staticmethod
    def _calendar() -> workdays.Calendar:
        return workdays.calendar()

    # --- limits ----------------------------------------------------------------------------

    def _limit_events(
        self, ticket: Ticket, correlation_id: str | None, names: Sequence[str] | None = None
    ) -> list[Envelope]:
        return [
            limit_set(
                LimitData(
                    limit_id=limit_key(CONTEXT, "ticket", ticket.ticket_id, limit.name),
                    context=CONTEXT,
                    subject_kind="ticket",
                    subject_id=ticket.ticket_id,
                    name=limit.name,
                    version=ticket.version,
                    label=ticket.number,
                    title=f"{TYPE_NAMES[ticket.type]}：{ticket.category_name}",
                    region_code=ticket.department_region_code or ticket.location.region_code,
                    department_id=ticket.department_id,
                    handler_subject_id=ticket.handler_subject_id,
                    started_on=limit.started_on,
                    due_on=limit.due_on,
                    limit_days=limit.limit_days,
                ),
                correlation_id=correlation_id,
            )
            for limit in ticket.limits
            if names is None or limit.name in names
        ]

    @staticmethod
    def _cleared(ticket: Ticket, names: Sequence[str], reason: str, correlation_id: str | None) -> list[Envelope]:
        return [
            limit_cleared(
                LimitClearedData(
                    limit_id=limit_key(CONTEXT, "ticket", ticket.ticket_id, name),
                    context=CONTEXT,
                    subject_kind="ticket",
                    subject_id=ticket.ticket_id,
                    name=name,
                    version=ticket.version,
                    reason=reason,
                ),
                correlation_id=correlation_id,
            )
            for name in names
        ]

    # --- timeline --------------------------------------------------------------------------

    @staticmethod
    def _append(
        ticket: Ticket,
        step: _Step,
        action: Step,
        from_state: TicketState | None,
        by: Actor,
        *,
        to_state: TicketState | None = None,
        note: str | None = None,
    ) -> None:
        """One timeline entry for `action` by `by`, chained after the step's last entry (or the
        ticket's head); the ticket's department and, unless given, its state are recorded."""
        previous = step.entries[-1] if step.entries else None
        step.entries.append(
            next_entry(
                ticket.ticket_id,
                previous_length=previous.seq if previous else ticket.timeline_length,
                previous_hash=previous.hash if previous else ticket.timeline_head,
                at=now(),
                step=action,
                from_state=from_state,
                to_state=to_state or ticket.state,
                actor_role=by[0],
                actor=by[1],
                department_id=ticket.department_id,
                note=note,
            )
        )

    @staticmethod
    def _with_timeline(ticket: Ticket, step: _Step) -> Ticket:
        last = step.entries[-1]
        return ticket.model_copy(update={"timeline_length": last.seq, "timeline_head": last.hash})

    # --- access ----------------------------------------------------------------------------

    def _load(self, ticket_id: str) -> Ticket:
        ticket = self.repository.get(ticket_id)
        if ticket is None:
            raise TicketNotFound()
        return ticket

    def _is_desk(self, principal: Principal, ticket: Ticket) -> bool:
        if principal.role is not Role.STAFF or not principal.department_id:
            return False
        desk = self._desk_for(ticket)
        return desk is not None and desk.department_id == principal.department_id

    @staticmethod
    def _is_requester(principal: Principal, ticket: Ticket) -> bool:
        return principal.role in (Role.CITIZEN, Role.AGENT) and principal.subject_id == ticket.requester.subject_id

    @staticmethod
    def _is_handler(principal: Principal, ticket: Ticket) -> bool:
        return (
            principal.role is Role.STAFF
            and bool(principal.department_id)
            and principal.department_id == ticket.department_id
            and within_region(principal.region_prefix, ticket.department_region_code or "")
        )

    def _readable(self, principal: Principal, ticket_id: str) -> Ticket:
        ticket = self._load(ticket_id)
        match principal.role:
            case Role.CITIZEN | Role.AGENT:
                allowed = self._is_requester(principal, ticket)
            case Role.HOTLINE_AGENT:
                allowed = within_region(principal.region_prefix, ticket.location.region_code)
            case Role.SUPERVISOR:
                allowed = within_region(
                    principal.region_prefix, ticket.department_region_code or ticket.location.region_code
                )
            case Role.STAFF:
                allowed = (
                    self._is_handler(principal, ticket)
                    or principal.department_id in ticket.co_departments
                    or self._is_desk(principal, ticket)
                )
            case _:
                allowed = False
        if not allowed:
            raise TicketNotFound()
        return ticket

    @staticmethod
    def _require_state(ticket: Ticket, step: Step) -> None:
        if ticket.state not in STEP_FROM[step]:
            raise Conflict(STEP_NOT_ALLOWED, params={"state": STATE_NAMES[ticket.state], "step": STEP_NAMES[step]})

    # --- views -----------------------------------------------------------------------------

    def _view(self, ticket: Ticket, viewer: Principal | None, *, show_requester: bool | None = None) -> TicketView:
        if show_requester is None:
            # the requester and the 12345 agents see who asked; departments and supervisors see the
            # matter only when it is a 举报, and never a subject id
            show_requester = viewer is not None and (
                self._is_requester(viewer, ticket)
                or viewer.role is Role.HOTLINE_AGENT
                or ticket.type is not TicketType.REPORT
            )
        requester = (
            RequesterView(
                anonymous=ticket.requester.anonymous,
                signed_in=ticket.requester.subject_id is not None,
                contact_masked=ticket.requester.contact_masked,
            )
            if show_requester
            else None
        )
        return TicketView(
            ticket_id=ticket.ticket_id,
            number=ticket.number,
            version=ticket.version,
            state=ticket.state,
            state_name=STATE_NAMES[ticket.state],
            type=ticket.type,
            type_name=TYPE_NAMES[ticket.type],
            channel=ticket.channel,
            category_code=ticket.category_code,
            category_name=ticket.category_name,
            text=ticket.text,
            location=ticket.location,
            link_case_id=ticket.link_case_id,
            link_item_code=ticket.link_item_code,
            link_notice_id=ticket.link_notice_id,
            requester=requester,
            department_id=ticket.department_id,
            co_departments=ticket.co_departments,
            attachments=[AttachmentView(**a.model_dump(exclude={"sha256"})) for a in ticket.attachments],
            answers=ticket.answers,
            answered_by=ticket.answered_by,
            ratings=ticket.ratings,
            reopened=ticket.reopened,
            closure=ticket.closure,
            duplicate_of=ticket.duplicate_of,
            limits=[LimitView(**limit.model_dump()) for limit in ticket.limits],
            rating_due_on=ticket.rating_due_on,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
        )

    @staticmethod
    def _summary(ticket: Ticket) -> TicketSummary:
        answer = next((limit for limit in ticket.limits if limit.name == "answer"), None)
        return TicketSummary(
            ticket_id=ticket.ticket_id,
            number=ticket.number,
            state=ticket.state,
            state_name=STATE_NAMES[ticket.state],
            type=ticket.type,
            category_name=ticket.category_name,
            region_code=ticket.location.region_code,
            department_id=ticket.department_id,
            created_at=ticket.created_at,
            due_on=answer.due_on if answer and ticket.state in OPEN_STATES else None,
        )

    def ticket(self, principal: Principal, ticket_id: str) -> TicketView:
        return self._view(self._readable(principal, ticket_id), principal)

    def timeline(self, principal: Principal, ticket_id: str) -> TimelineView:
        ticket = self._readable(principal, ticket_id)
        return TimelineView(ticket_id=ticket.ticket_id, entries=self.repository.timeline(ticket.ticket_id))

    def verify_timeline(self, principal: Principal, ticket_id: str) -> TimelineVerification:
        ticket = self._readable(principal, ticket_id)
        return verify(ticket.ticket_id, self.repository.timeline(ticket.ticket_id), ticket.timeline_head)

    def my_tickets(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[TicketSummary]:
        items, next_cursor = self.repository.page("gsi2", f"REQ#{principal.subject_id}", limit=limit, cursor=cursor)
        return Page[TicketSummary](items=[self._summary(t) for t in items], next_cursor=next_cursor)

    def department_tickets(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[TicketSummary]:
        if not principal.department_id:
            raise Forbidden()
        items, next_cursor = self.repository.page("gsi1", f"DEPT#{principal.department_id}", limit=limit, cursor=cursor)
        return Page[TicketSummary](items=[self._summary(t) for t in items], next_cursor=next_cursor)

    def escalated(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[TicketSummary]:
        items, next_cursor = self.repository.escalated(principal.region_prefix, limit=limit, cursor=cursor)
        return Page[TicketSummary](items=[self._summary(t) for t in items], next_cursor=next_cursor)

    # --- steps -----------------------------------------------------------------------------

    def _commit(
        self,
        before: Ticket,
        after: Ticket,
        step: _Step,
        *,
        close_marker: bool = False,
    ) -> Ticket:
        after = self._with_timeline(after, step).model_copy(update={"updated_at": now()})
        self.repository.save(
            after,
            expected_version=before.version,
            entries=step.entries,
            events=step.events,
            close_marker=before.dedupe_key if close_marker else None,
        )
        logger().info(
            "ticket step", extra={"ticket_id": after.ticket_id, "state": after.state.value, "version": after.version}
        )
        return after

    def _bumped(self, ticket: Ticket, **changes: Any) -> Ticket:
        return ticket.model_copy(update={"version": ticket.version + 1, **changes})

    def sign(
        self, principal: Principal, ticket_id: str, body: shapes.SignRequest, *, correlation_id: str | None
    ) -> TicketView:
        ticket = self._readable(principal, ticket_id)
        if not self._is_handler(principal, ticket):
            raise Forbidden()
        self._require_state(ticket, Step.SIGN)
        after = self._bumped(
            ticket,
            state=TicketState.SIGNED,
            handler_subject_id=principal.subject_id,
            limits=[limit for limit in ticket.limits if limit.name != "sign"],
        )
        step = _Step([], [])
        self._append(after, step, Step.SIGN, ticket.state, _by(principal), note=body.note)
        step.events += [ticket_events.envelope(ticket_events.SIGNED, after, correlation_id)]
        step.events += self._cleared(after, ["sign"], "signed", correlation_id)
        # the answer limit now has a handler to warn
        step.events += self._limit_events(after, correlation_id, ["answer"])
        return self._view(self._commit(ticket, after, step), principal)

    def answer(
        self, principal: Principal, ticket_id: str, body: shapes.AnswerRequest, *, correlation_id: str | None
    ) -> TicketView:
        ticket = self._readable(principal, ticket_id)
        if not self._is_handler(principal, ticket):
            raise Forbidden()
        self._require_state(ticket, Step.ANSWER)
        if not body.text.strip():
            raise ValidationFailed(EMPTY_TEXT, errors=[FieldError("text", EMPTY_TEXT)])
        self._check_attachments(body.attachments)
        at = now()
        new_files = [
            Attachment(attachment_id=new_id(), part="answer", **file.model_dump()) for file in body.attachments
        ]
        rating_days = hotline_settings().rating_days
        after = self._bumped(
            ticket,
            state=TicketState.ANSWERED,
            answered_by=AnsweredBy.DEPARTMENT,
            answers=[
                *ticket.answers,
                Answer(
                    text=body.text.strip(), at=at, by_department_id=principal.department_id, round=ticket.reopened + 1
                ),
            ],
            attachments=[*ticket.attachments, *new_files],
            limits=[],
            rating_due_on=self._calendar().add_working_days(today_in_shanghai(), rating_days).date,
        )
        step = _Step([], [])
        self._append(after, step, Step.ANSWER, ticket.state, _by(principal))
        step.events += [ticket_events.envelope(ticket_events.ANSWERED, after, correlation_id)]
        step.events += self._cleared(after, [limit.name for limit in ticket.limits], "answered", correlation_id)
        saved = self._commit(ticket, after, step)
        return self._view(saved, principal).model_copy(update={"uploads": self._upload_forms(saved, new_files)})

    def send_back(
        self, principal: Principal, ticket_id: str, body: shapes.ReasonRequest, *, correlation_id: str | None
    ) -> TicketView:
        """退单: the department says the ticket is not theirs; it goes to the region's desk."""
        ticket = self._readable(principal, ticket_id)
        if not self._is_handler(principal, ticket):
            raise Forbidden()
        self._require_state(ticket, Step.RETURN)
        desk = self._desk_for(ticket)
        if desk is None:
            raise Conflict(NO_DESK)
        after = self._bumped(
            ticket,
            state=TicketState.RETURNED,
            department_id=desk.department_id,
            department_region_code=department_region(desk.department_id),
            routed_by="desk",
            handler_subject_id=None,
            limits=[],
        )
        step = _Step([], [])
        self._append(ticket, step, Step.RETURN, ticket.state, _by(principal), to_state=after.state, note=body.reason)
        step.events += [ticket_events.envelope(ticket_events.RETURNED, after, correlation_id)]
        step.events += self._cleared(after, [limit.name for limit in ticket.limits], "returned", correlation_id)
        return self._view(self._commit(ticket, after, step), principal)

    def redispatch(
        self, principal: Principal, ticket_id: str, body: shapes.RedispatchRequest, *, correlation_id: str | None
    ) -> TicketView:
        """改派: the region's dispatch desk sends the ticket to another department; limits restart."""
        ticket = self._readable(principal, ticket_id)
        if not self._is_desk(principal, ticket):
            raise Forbidden(NOT_THE_DESK)
        self._require_state(ticket, Step.REDISPATCH)
        self._require_department(body.department_id)
        after = self._dispatched(self._bumped(ticket), body.department_id, "redispatch")
        step = _Step([], [])
        self._append(after, step, Step.REDISPATCH, ticket.state, _by(principal), note=body.reason)
        step.events += [ticket_events.envelope(ticket_events.DISPATCHED, after, correlation_id)]
        step.events += self._limit_events(after, correlation_id)
        return self._view(self._commit(ticket, after, step), principal)

    def co_handle(
        self, principal: Principal, ticket_id: str, body: shapes.CoHandleRequest, *, correlation_id: str | None
    ) -> TicketView:
        """协办: the desk names a department that helps (it may read the ticket)."""
        ticket = self._readable(principal, ticket_id)
        if not self._is_desk(principal, ticket):
            raise Forbidden(NOT_THE_DESK)
        self._require_state(ticket, Step.CO_HANDLE)
        self._require_department(body.department_id)
        if body.department_id in ticket.co_departments or body.department_id == ticket.department_id:
            return self._view(ticket, principal)
        after = self._bumped(ticket, co_departments=[*ticket.co_departments, body.department_id])
        step = _Step([], [])
        note = body.department_id + (f"：{body.note}" if body.note else "")
        self._append(after, step, Step.CO_HANDLE, ticket.state, _by(principal), note=note)
        return self._view(self._commit(ticket, after, step), principal)

    @staticmethod
    def _require_department(department_id: str) -> None:
        if ports.department_name()(department_id) is None:
            raise ValidationFailed(
                UNKNOWN_DEPARTMENT,
                params={"department_id": department_id},
                errors=[FieldError("department_id", UNKNOWN_DEPARTMENT, params={"department_id": department_id})],
            )

    def rate(
        self, principal: Principal, ticket_id: str, body: shapes.RatingRequest, *, correlation_id: str | None
    ) -> TicketView:
        """回访: the requester rates the answer (a 12345 agent records it for a caller)."""
        ticket = self._readable(principal, ticket_id)
        if not (self._is_requester(principal, ticket) or principal.role is Role.HOTLINE_AGENT):
            raise Forbidden()
        self._require_state(ticket, Step.RATE)
        at = now()
        by = "hotline_agent" if principal.role is Role.HOTLINE_AGENT else "requester"
        actor = principal.subject_id if by == "hotline_agent" else REQUESTER
        ratings = [*ticket.ratings, RatingRecord(rating=body.rating, at=at, round=ticket.reopened + 1, by=by)]
        step = _Step([], [])
        if body.rating is not Rating.DISSATISFIED:
            after = self._bumped(
                ticket,
                state=TicketState.CLOSED,
                ratings=ratings,
                closure=Closure(body.rating.value),
                rating_due_on=None,
            )
            self._append(after, step, Step.RATE, ticket.state, (by, actor), note=body.rating.value)
            step.events.append(ticket_events.envelope(ticket_events.CLOSED, after, correlation_id))
            return self._view(self._commit(ticket, after, step, close_marker=True), principal)
        if ticket.reopened == 0:
            after = self._reopened(self._bumped(ticket, ratings=ratings, rating_due_on=None))
            self._append(after, step, Step.RATE, ticket.state, (by, actor), note=body.rating.value)
            self._append(after, step, Step.REOPEN, after.state, SYSTEM_ACTOR, note=body.comment)
            step.events.append(ticket_events.envelope(ticket_events.REOPENED, after, correlation_id))
            step.events += self._limit_events(after, correlation_id)
            return self._view(self._commit(ticket, after, step), principal)
        after = self._bumped(ticket, state=TicketState.ESCALATED, ratings=ratings, rating_due_on=None)
        self._append(after, step, Step.RATE, ticket.state, (by, actor), note=body.rating.value)
        self._append(after, step, Step.ESCALATE, after.state, SYSTEM_ACTOR, note=body.comment)
        step.events.append(ticket_events.envelope(ticket_events.ESCALATED, after, correlation_id))
        return self._view(self._commit(ticket, after, step), principal)

    def _reopened(self, ticket: Ticket) -> Ticket:
        """Back to the same department with a new answer limit (重办)."""
        today = today_in_shanghai()
        days = hotline_settings().reopen_answer_days
        due = self._calendar().add_working_days(today, days).date
        return ticket.model_copy(
            update={
                "state": TicketState.REOPENED,
                "reopened": ticket.reopened + 1,
                "limits": [LimitState(name="answer", started_on=today, due_on=due, limit_days=days)],
            }
        )

    def decide(
        self, principal: Principal, ticket_id: str, body: shapes.DecisionRequest, *, correlation_id: str | None
    ) -> TicketView:
        """The supervisor's decision on a ticket rated dissatisfied twice: close, or redo."""
        ticket = self._readable(principal, ticket_id)
        if principal.role is not Role.SUPERVISOR:
            raise Forbidden()
        self._require_state(ticket, Step.DECIDE)
        step = _Step([], [])
        if body.outcome == "close":
            after = self._bumped(ticket, state=TicketState.CLOSED, closure=Closure.SUPERVISOR)
            self._append(after, step, Step.DECIDE, ticket.state, _by(principal), note=body.reason)
            step.events.append(ticket_events.envelope(ticket_events.CLOSED, after, correlation_id))
            return self._view(self._commit(ticket, after, step, close_marker=True), principal)
        after = self._reopened(self._bumped(ticket))
        self._append(after, step, Step.DECIDE, ticket.state, _by(principal), note=body.reason)
        step.events.append(ticket_events.envelope(ticket_events.REOPENED, after, correlation_id))
        step.events += self._limit_events(after, correlation_id)
        return self._view(self._commit(ticket, after, step), principal)

    def close_unrated(
        self, today: dt.date, *, correlation_id: str, keep_going: Callable[[], bool] = lambda: True
    ) -> dict[str, int]:
        """Close as `no_response` every answered ticket whose rating limit ended before today:
        reads only the due entries of the follow-up index, shard by shard (never a Scan).
        A ticket rated meanwhile fails its version condition and is left as rated."""
        read = closed = raced = 0
        for shard in range(self.repository.shards):
            if not keep_going():
                break
            for ticket in self.repository.due_for_closing(shard, today.isoformat()):
                read += 1
                if ticket.rating_due_on is None or ticket.rating_due_on >= today:
                    continue
                after = self._bumped(ticket, state=TicketState.CLOSED, closure=Closure.NO_RESPONSE, rating_due_on=None)
                step = _Step([], [])
                self._append(after, step, Step.CLOSE, ticket.state, SYSTEM_ACTOR, note=Closure.NO_RESPONSE.value)
                step.events.append(ticket_events.envelope(ticket_events.CLOSED, after, correlation_id))
                try:
                    self._commit(ticket, after, step, close_marker=True)
                    closed += 1
                except Conflict:
                    raced += 1
        return {"read": read, "closed": closed, "raced": raced}

    # --- attachments -----------------------------------------------------------------------

    def _upload_forms(self, ticket: Ticket, files: Sequence[Attachment]) -> list[UploadForm]:
        if not files:
            return []
        cfg = attachment_settings()
        forms = []
        for file in files:
            form = uploads.upload_form(
                cfg.hotline_attachments_bucket,
                attachment_key(ticket.ticket_id, file.attachment_id),
                content_type=file.content_type,
                size_bytes=file.size_bytes,
                metadata={"file-name": file.file_name, "sha256": file.sha256},
                expires_in_s=cfg.upload_url_ttl_s,
            )
            forms.append(UploadForm(attachment_id=file.attachment_id, url=form.url, fields=form.fields))
        return forms

    def confirm_attachment(self, principal: Principal, ticket_id: str, attachment_id: str) -> TicketView:
        ticket = self._readable(principal, ticket_id)
        file = next((a for a in ticket.attachments if a.attachment_id == attachment_id), None)
        if file is None:
            raise TicketNotFound()
        owner = self._is_requester(principal, ticket) if file.part == "request" else self._is_handler(principal, ticket)
        if not owner:
            raise Forbidden()
        if file.confirmed:
            return self._view(ticket, principal)
        stored = uploads.read_back(
            attachment_settings().hotline_attachments_bucket,
            attachment_key(ticket.ticket_id, file.attachment_id),
            max_bytes=hotline_settings().max_attachment_bytes,
        )
        fits = (
            stored is not None
            and stored.size_bytes == file.size_bytes
            and stored.sha256 == file.sha256
            and stored.head.startswith(_MAGIC[file.content_type])
        )
        if not fits:
            raise ValidationFailed(
                ATTACHMENT_NOT_UPLOADED, errors=[FieldError("attachment_id", ATTACHMENT_NOT_UPLOADED)]
            )
        attachments = [
            a.model_copy(update={"confirmed": True}) if a.attachment_id == attachment_id else a
            for a in ticket.attachments
        ]
        after = self._bumped(ticket, attachments=attachments, updated_at=now())
        self.repository.save(after, expected_version=ticket.version, entries=[], events=[])
        return self._view(after, principal)

    # --- knowledge base --------------------------------------------------------------------

    def _knowledge_answer(self, choice: KnowledgeChoice) -> shapes.KnowledgeAnswer | None:
        if choice.source == "faq":
            entry = self.repository.faq(choice.id)
            return self._faq_answer(entry) if entry else None
        guide = ports.guide()(choice.id)
        return self._guide_answer(guide) if guide else None

    @staticmethod
    def _faq_answer(entry: FaqEntry) -> shapes.KnowledgeAnswer:
        return shapes.KnowledgeAnswer(
            source=shapes.KnowledgeSource.FAQ,
            id=entry.faq_id,
            title=entry.question,
            answer=entry.answer,
            version=entry.version,
        )

    @staticmethod
    def _guide_answer(guide: ports.Guide) -> shapes.KnowledgeAnswer:
        return shapes.KnowledgeAnswer(
            source=shapes.KnowledgeSource.ITEM, id=guide.implementation_code, title=guide.name, answer=guide.summary
        )

    def knowledge(self, query: str, region_code: str | None, *, limit: int) -> shapes.KnowledgeAnswers:
        """FAQ entries whose question or keywords share terms with the question, then the
        catalogue's item guides that match it (both through one read each)."""
        text = "".join(query.split())
        scored = []
        for entry in self.repository.faqs():
            terms = [entry.question, *entry.keywords]
            score = sum(1 for keyword in entry.keywords if keyword and keyword in text)
            score += 2 if any(text and term and (text in term or term in text) for term in terms) else 0
            if score:
                scored.append((score, entry))
        answers = [self._faq_answer(e) for _, e in sorted(scored, key=lambda pair: -pair[0])][:limit]
        if len(answers) < limit and text:
            answers += [self._guide_answer(g) for g in ports.guides()(text, region_code, limit - len(answers))]
        return shapes.KnowledgeAnswers(items=answers)

    def save_faq(self, principal: Principal, faq_id: str | None, body: shapes.FaqRequest) -> FaqEntry:
        current = self.repository.faq(faq_id) if faq_id else None
        if faq_id and current is None:
            raise NotFound(FAQ_NOT_FOUND)
        version = current.version if current else 0
        if body.revision != version:
            raise Conflict(FAQ_REVISION, params={"version": version})
        self._require_category(body.category_code)
        entry = FaqEntry(
            faq_id=faq_id or new_id(),
            version=version + 1,
            question=body.question,
            answer=body.answer,
            keywords=body.keywords,
            category_code=body.category_code,
            updated_at=now(),
            updated_by=principal.subject_id,
        )
        self.repository.save_faq(entry)
        return entry

    def faq_versions(self, faq_id: str) -> shapes.FaqVersions:
        versions = self.repository.faq_versions(faq_id)
        if not versions:
            raise NotFound(FAQ_NOT_FOUND)
        return shapes.FaqVersions(items=versions)

    # --- routing table (operators) ---------------------------------------------------------

    def rules(self) -> shapes.RuleList:
        rules, _ = self.repository.routing_table()
        return shapes.RuleList(items=sorted(rules, key=lambda r: (r.category_code, r.region_prefix)))

    def put_rule(self, principal: Principal, body: shapes.RuleRequest) -> RoutingRule:
        self._require_category(body.category_code)
        self._require_department(body.department_id)
        rule = RoutingRule(**body.model_dump(), updated_at=now(), updated_by=principal.subject_id)
        self.repository.put_rule(rule)
        logger().info(
            "routing rule saved", extra={"category_code": rule.category_code, "region_prefix": rule.region_prefix}
        )
        return rule

    def delete_rule(self, category_code: str, region_prefix: str) -> None:
        if not self.repository.delete_rule(category_code, region_prefix):
            raise NotFound(RULE_NOT_FOUND)

    def desks(self) -> shapes.DeskList:
        _, desks = self.repository.routing_table()
        return shapes.DeskList(items=sorted(desks, key=lambda d: d.region_prefix))

    def put_desk(self, principal: Principal, region: str, body: shapes.DeskRequest) -> DispatchDesk:
        desk = DispatchDesk(
            region_prefix=region,
            department_id=body.department_id,
            name=body.name,
            updated_at=now(),
            updated_by=principal.subject_id,
        )
        self.repository.put_desk(desk)
        return desk

    # --- Open311 partners ------------------------------------------------------------------

    def register_partner(self, name: str) -> shapes.PartnerKey:
        api_key = secrets.token_urlsafe(24)
        partner_id = new_id()
        self.repository.put_partner(api_key, partner_id, name)
        return shapes.PartnerKey(partner_id=partner_id, name=name, api_key=api_key)

    def partner_for(self, api_key: str) -> str | None:
        found = self.repository.partner(api_key) if api_key else None
        return str(found["partner_id"]) if found else None


@cache
def hotline_service() -> HotlineService:
    return HotlineService()
