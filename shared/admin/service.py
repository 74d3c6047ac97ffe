"""The management platform's rules (D-290, D-292): the admin audit log and item claims.

Audit: every administrative action is a domain event its owning context emitted in the
transaction that made the change (identity: workforce accounts; catalogue: items, caps,
synonyms, scenes; admin: claims). `record` appends it to ONE hash-chained log: a duplicate
delivery finds its event id guarded and changes nothing; two appends racing for the same
position lose one, which re-reads the head and tries again. Nothing is ever updated or
deleted; `verify` recomputes the chain from its first entry.

Claims (事项认领): when the province publishes its implementation of a basic item (exercise
level 2), every city and county department of the same line of work (条线, the catalogue's
`sector`) that does not publish an implementation of it yet gets one claim task, with a
limit in working days (configuration) published through `shared.platform.limits` for
supervision to warn on. The department's operator claims it by creating the implementation
through the catalogue (its rules, 三级四同 among them); the task closes with `limit.cleared`
and `admin.claim_claimed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from shared.admin import events, ports
from shared.admin.config import claim_settings
from shared.admin.errors import CLAIM_DONE, CLAIM_MISMATCH, CLAIM_NOT_FOUND
from shared.admin.models import AuditCheck, AuditEntry, ClaimTask
from shared.admin.repository import DUPLICATE, LOG_MOVED, AdminRepository, entry_fields
from shared.catalog import api as catalog  # the code tables load on a claim's first use (D-315)
from shared.platform.clock import now, today_in_shanghai
from shared.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.platform.events import Envelope
from shared.platform.hashchain import link_hash
from shared.platform.limits import LimitClearedData, LimitData, limit_cleared, limit_key, limit_set
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import Principal, operator_may_manage
from shared.workdays import api as workdays

APPEND_ATTEMPTS = 20
"""Appends racing for the chain's head: each loser re-reads it (admin actions are rare)."""
ACTOR_FIELDS = ("by", "updated_by", "set_by", "removed_by")
PROVINCE_EXERCISE_LEVEL = 2
CLAIMING_LEVELS = frozenset({"city", "county"})
CLAIM = "claim"


def _limit_ref(claim_id: str) -> dict[str, str]:
    """Which limit a claim task runs (`admin:claim:<claim id>:claim`)."""
    return {
        "limit_id": limit_key(events.SOURCE, CLAIM, claim_id, CLAIM),
        "context": events.SOURCE,
        "subject_kind": CLAIM,
        "subject_id": claim_id,
        "name": CLAIM,
    }


def _actor(data: dict[str, Any]) -> str | None:
    return next((str(data[field]) for field in ACTOR_FIELDS if data.get(field)), None)


@dataclass
class AdminService:
    repository: AdminRepository

    # --- audit log -----------------------------------------------------------------------

    def record(self, envelope: Envelope) -> bool:
        """Append the event to the audit chain; False when it is there already."""
        for _ in range(APPEND_ATTEMPTS):
            seq, head = self.repository.audit_head()
            entry = AuditEntry(
                seq=seq + 1,
                event_id=envelope.id,
                event_type=envelope.type,
                occurred_at=envelope.time,
                actor=_actor(envelope.data),
                subject=envelope.subject,
                region_code=envelope.data.get("region_code"),
                data=envelope.data,
                prev_hash=head,
                hash="",
            )
            entry = entry.model_copy(update={"hash": link_hash(entry_fields(entry), head)})
            try:
                self.repository.append(entry, seq)
                return True
            except Conflict as exc:
                if exc is DUPLICATE:
                    return False
                if exc is not LOG_MOVED:
                    raise
        raise Conflict(LOG_MOVED.code)  # the consumer retries the message later

    def audit(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[AuditEntry]:
        """Newest first. The province's operators read every entry; others those of their area."""
        page = self.repository.audit_page(limit=limit, cursor=cursor)
        if len(principal.region_prefix) <= 2:
            return page
        visible = [e for e in page.items if e.region_code and operator_may_manage(principal, e.region_code)]
        return Page[AuditEntry](items=visible, next_cursor=page.next_cursor)

    def verify(self) -> AuditCheck:
        check = self.repository.verify_audit()
        return AuditCheck(valid=check.valid, length=check.length, head=check.head, broken_at=check.broken_at)

    # --- claims --------------------------------------------------------------------------

    def open_claims(self, published: Any, *, correlation_id: str | None) -> int:
        """One claim task per concerned city or county department for a province publication
        (`catalog.item_published` data); the number opened now (0 for a redelivery)."""
        if published.exercise_level != PROVINCE_EXERCISE_LEVEL:
            return 0
        everyone = ports.departments()(published.region_code[:2])
        publisher = next((d for d in everyone if d.id == published.department_id), None)
        if publisher is None or not publisher.sector:
            logger().warning(
                "no line of work for the publishing department", extra={"department": published.department_id}
            )
            return 0
        candidates = [d for d in everyone if d.level in CLAIMING_LEVELS and d.sector == publisher.sector]
        # a department that publishes its implementation already has nothing to claim
        done = ports.implemented()(published.basic_code, [d.id for d in candidates])
        concerned = [d for d in candidates if d.id not in done]
        settings = claim_settings()
        today = today_in_shanghai()
        due_on = workdays.deadline(today, settings.claim_limit_days).date
        opened = 0
        for department in concerned:
            claim = ClaimTask(
                claim_id=f"{department.region_code}.{department.id}.{published.basic_code}",
                basic_code=published.basic_code,
                item_name=published.name,
                item_type=published.item_type,
                province_implementation_code=published.implementation_code,
                region_code=department.region_code,
                department_id=department.id,
                department_name=department.name,
                status="open",
                opened_on=today,
                due_on=due_on,
                limit_days=settings.claim_limit_days,
                implementation_code=catalog.implementation_code_for(
                    department.uscc, department.region_code, published.basic_code
                ),
            )
            limit = LimitData(
                **_limit_ref(claim.claim_id),
                version=claim.version,
                label=f"认领 {claim.basic_code}",
                title=claim.item_name,
                region_code=claim.region_code,
                department_id=claim.department_id,
                started_on=today,
                due_on=due_on,
                limit_days=claim.limit_days,
            )
            opened += self.repository.open_claim(claim, limit_set(limit, correlation_id=correlation_id))
        logger().info(
            "claim tasks opened",
            extra={"basic_code": published.basic_code, "opened": opened, "concerned": len(concerned)},
        )
        return opened

    def claims(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[ClaimTask]:
        return self.repository.claims(principal.region_prefix, limit=limit, cursor=cursor)

    def _claim_in_scope(self, principal: Principal, claim_id: str) -> ClaimTask:
        claim = self.repository.get_claim(claim_id)
        if claim is None or not operator_may_manage(principal, claim.region_code):
            raise NotFound(CLAIM_NOT_FOUND)
        return claim

    def get_claim(self, principal: Principal, claim_id: str) -> ClaimTask:
        return self._claim_in_scope(principal, claim_id)

    def claim(self, principal: Principal, claim_id: str, new: Any, *, correlation_id: str | None) -> ClaimTask:
        """Claim the task by creating the department's implementation (the catalogue checks it)."""
        claim = self._claim_in_scope(principal, claim_id)
        if claim.status != "open":
            raise Conflict(CLAIM_DONE)
        wrong = [
            FieldError(field=field, code=CLAIM_MISMATCH, params={"expected": expected})
            for field, expected in (
                ("implementation_code", claim.implementation_code),
                ("basic_code", claim.basic_code),
                ("department_id", claim.department_id),
                ("region_code", claim.region_code),
            )
            if getattr(new, field) != expected
        ]
        if wrong:
            raise ValidationFailed(CLAIM_MISMATCH, errors=wrong)
        code = ports.items()(new, actor=principal.subject_id)
        moment = now()
        claimed = claim.model_copy(
            update={
                "status": "claimed",
                "claimed_at": moment,
                "claimed_by": principal.subject_id,
                "version": claim.version + 1,
            }
        )
        cleared = LimitClearedData(
            **_limit_ref(claim.claim_id),
            version=claimed.version,
            reason="claimed",
        )
        done = events.ClaimClaimedData(
            claim_id=claim.claim_id,
            basic_code=claim.basic_code,
            region_code=claim.region_code,
            department_id=claim.department_id,
            implementation_code=code,
            due_on=claim.due_on,
            late=today_in_shanghai() > claim.due_on,
            by=principal.subject_id,
        )
        self.repository.save_claimed(
            claimed,
            read_version=claim.version,
            events=[
                limit_cleared(cleared, correlation_id=correlation_id),
                events.envelope(events.CLAIM_CLAIMED, claim.claim_id, done, correlation_id),
            ],
        )
        return claimed


@cache
def admin_service() -> AdminService:
    return AdminService(AdminRepository())
