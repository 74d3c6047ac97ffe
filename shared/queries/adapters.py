"""The departments' systems behind one port (`DepartmentSystem.ask`), reached through the
province's data sharing platform over signed HTTPS with a timeout and a circuit breaker
(`shared.platform.partner_http`, as the real-name registries, D-236's partner style).

Wire format, pinned against the simulator infra/local/partners/department_queries.py:

    POST {DEPARTMENT_QUERY_URL}{kind.path}
    {"subject": {"type": "person", "id_number": "320102198803150213"}}
    or {"subject": {"type": "enterprise", "uscc": "91320102MA1XYZ1234"}}
    → 200 {...the department's record...}      → 404 {"code": "not_found"}: nothing held

Each kind has its own client, budget (`query_timeouts_s`) and breaker, so one department
down or slow costs the other kinds nothing; while its breaker is open a query fails fast.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol

from shared.platform.config import partner_settings, stage_settings
from shared.platform.partner_http import CircuitBreaker, PartnerClient, PartnerUnavailable, check_url, partner_secret
from shared.queries.config import department_query_settings, queries_settings
from shared.queries.kinds import KINDS, QueryKind


class DepartmentSystem(Protocol):
    def ask(self, kind: QueryKind, subject: dict[str, str]) -> dict[str, Any]:
        """The department's record for `subject` ({} when it holds none); raises
        `PartnerUnavailable` when the department cannot answer in time."""
        ...


class HttpsDepartments:
    def __init__(self, clients: dict[str, PartnerClient]) -> None:
        self._clients = clients

    def ask(self, kind: QueryKind, subject: dict[str, str]) -> dict[str, Any]:
        client = self._clients.get(kind.kind)
        if client is None:
            raise PartnerUnavailable("DEPARTMENT_QUERY_URL is not set")
        reply = client.call("POST", kind.path, {"subject": subject})
        if reply.status == 404:
            return {}
        if reply.status != 200:
            raise PartnerUnavailable(f"http_{reply.status}")
        return reply.body


@cache
def departments() -> DepartmentSystem:
    """One client per kind, built once per process (its breaker lives as long as the process)."""
    cfg, budgets, limits = department_query_settings(), queries_settings(), partner_settings()
    if not cfg.department_query_url:
        return HttpsDepartments({})
    base = check_url(cfg.department_query_url, stage=stage_settings().stage)
    return HttpsDepartments(
        {
            kind: PartnerClient(
                base,
                app_id=cfg.department_query_app_id,
                secret=lambda: partner_secret(cfg.department_query_secret_arn),
                timeout_s=budgets.budget_of(kind),
                breaker=CircuitBreaker(limits.partner_breaker_failures, limits.partner_breaker_open_s),
            )
            for kind in KINDS
        }
    )
