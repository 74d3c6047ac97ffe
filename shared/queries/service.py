"""The queries context's use cases: the catalogue, one query of the holder's own data
(cache, department, log), and the holder's query log."""

from __future__ import annotations

from functools import cache

from shared.platform.clock import now
from shared.platform.errors import Forbidden, NotFound
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.partner_http import PartnerUnavailable
from shared.platform.principal import Principal, Role
from shared.queries import errors, ports
from shared.queries.adapters import DepartmentSystem, departments
from shared.queries.config import queries_settings
from shared.queries.kinds import KINDS, QueryKind
from shared.queries.models import Outcome, QueryCatalogue, QueryKindView, QueryLogEntry, QueryResult
from shared.queries.repository import QueriesRepository, holder_partition


def _view(kind: QueryKind) -> QueryKindView:
    return QueryKindView(
        kind=kind.kind,
        name=kind.name,
        name_en=kind.name_en,
        department=kind.department,
        for_enterprises=kind.for_enterprises,
    )


class QueriesService:
    def __init__(self, repository: QueriesRepository, system: DepartmentSystem) -> None:
        self.repository = repository
        self.system = system

    def catalogue(self, principal: Principal) -> QueryCatalogue:
        enterprise = principal.role is Role.AGENT
        return QueryCatalogue(items=[_view(k) for k in KINDS.values() if k.for_enterprises or not enterprise])

    def _holder(self, principal: Principal, kind: QueryKind) -> str:
        """The holder's partition: the person, or the enterprise an agent acts for."""
        if principal.role is Role.AGENT and principal.acting_for:
            if not kind.for_enterprises:
                raise Forbidden(errors.NOT_FOR_SUBJECT)
            return holder_partition(principal.subject_id, principal.acting_for)
        if principal.role is not Role.CITIZEN:
            raise Forbidden()
        return holder_partition(principal.subject_id, None)

    def _subject(self, principal: Principal) -> dict[str, str]:
        """How the department knows the holder: the enterprise's USCC, or the person's ID number
        (real-name accounts only; unsealed only when the department is asked)."""
        if principal.role is Role.AGENT:
            return {"type": "enterprise", "uscc": principal.acting_for}
        person = ports.holders().person_holder(principal.subject_id)
        if person is None:
            raise Forbidden(errors.NOT_REAL_NAME)
        return {"type": "person", "id_number": person.id_number}

    def query(self, principal: Principal, kind_id: str) -> QueryResult:
        kind = KINDS.get(kind_id)
        if kind is None:
            raise NotFound(errors.UNKNOWN_KIND)
        holder = self._holder(principal, kind)
        at = now()
        hit = self.repository.cached(holder, kind.kind, at)
        if hit is not None:
            self._log(holder, principal, kind, "cached")
            return QueryResult(
                kind=kind.kind, department=kind.department, fetched_at=hit["fetched_at"], cached=True, data=hit["data"]
            )
        # a cached answer exists only for a holder the real-name check let through before
        subject = self._subject(principal)
        try:
            data = self.system.ask(kind, subject)
        except PartnerUnavailable as exc:
            self._log(holder, principal, kind, "unavailable")
            logger().warning("department query unavailable", extra={"kind": kind.kind, "reason": exc.reason})
            raise errors.DepartmentUnavailable(
                params={"retry_after": exc.retry_after}, headers={"Retry-After": str(exc.retry_after)}
            ) from exc
        ttl = queries_settings().query_cache_ttl_s
        if ttl:
            self.repository.remember(holder, kind.kind, data, at, ttl)
        self._log(holder, principal, kind, "answered")
        return QueryResult(kind=kind.kind, department=kind.department, fetched_at=at, cached=False, data=data)

    def _log(self, holder: str, principal: Principal, kind: QueryKind, outcome: Outcome) -> None:
        entry = QueryLogEntry(
            kind=kind.kind, name=kind.name, at=now(), by_subject_id=principal.subject_id, outcome=outcome
        )
        self.repository.log(holder, entry)

    def my_log(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[QueryLogEntry]:
        if principal.role is Role.AGENT and principal.acting_for:
            holder = holder_partition(principal.subject_id, principal.acting_for)
        elif principal.role is Role.CITIZEN:
            holder = holder_partition(principal.subject_id, None)
        else:
            raise Forbidden()
        items, next_cursor = self.repository.log_page(holder, limit=limit, cursor=cursor)
        return Page[QueryLogEntry](items=items, next_cursor=next_cursor)


@cache
def queries_service() -> QueriesService:
    return QueriesService(QueriesRepository(), departments())
