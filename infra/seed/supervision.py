"""The demo supervision order (本地演示督办单) for the README walk-through: 玄武区's
supervisor pressed the overdue 低保 case (infra/seed/cases.py) about three weeks
ago with a 3-working-day reply limit, and nobody answered. Its county, city and
province due dates have passed, so each firing of SupervisionSweepFunction moves
it one level up: 南京市 first, then 江苏省, then nothing more (the province is the
top; no level twice).

The order is issued through the supervision service under `frozen_at`, after
bringing the limits watcher up to date with the case's limits as the relay would
(a later delivery of the same versions changes nothing). Idempotent: a second
load finds the order (the supervisors' list of 320102) and writes nothing.
"""

from __future__ import annotations

import datetime as dt

from infra.seed.cases import OVERDUE, _citizen_subject, _existing, _forget_cached, _staff
from infra.seed.environment import seeding_environment
from infra.seed.identity.people import COUNTY_SUPERVISOR
from infra.seed.items import new_item_bodies
from shared.cases.limits import case_limits
from shared.cases.service import CasesService
from shared.identity.service import identity_service
from shared.platform.clock import SHANGHAI, frozen_at, today_in_shanghai
from shared.platform.principal import Principal, Role
from shared.supervision import service as supervision_service_module
from shared.supervision.models import NewOrder
from shared.supervision.service import SupervisionService
from shared.workdays.api import calendar

ORDER_REASON = "低保申请超期未办结，请说明原因并限期办理（演示）"
REPLY_DAYS = 3
ISSUED_WORKING_DAYS_AGO = 15


def load(env: dict[str, str]) -> dict[str, int]:
    """Load the demo order into the tables named by `env`; returns counts per kind."""
    with seeding_environment(env, forget=_forget):
        return load_orders(CasesService(), SupervisionService())


def load_orders(cases: CasesService, supervision: SupervisionService) -> dict[str, int]:
    """The same, through already configured services (tests pass theirs)."""
    identity = identity_service()
    supervisor = _staff(identity, COUNTY_SUPERVISOR)
    applicant = Principal(subject_id=_citizen_subject(identity, OVERDUE.applicant), role=Role.CITIZEN)
    code = next(
        str(b["implementation_code"])
        for b in new_item_bodies()
        if (b["name"], b["region_code"]) == (OVERDUE.item_name, OVERDUE.region_code)
    )
    case = _existing(cases, applicant, code)
    if case is None:
        raise LookupError("the overdue demo case is not seeded (load the demo cases first)")
    listed = supervision.orders.list_for_supervisor(supervisor, region_code=None, state=None, limit=100, cursor=None)
    if any(o.subject_id == case.case_id and o.issued_by == supervisor.subject_id for o in listed.items):
        return {"demo_orders_created": 0, "demo_orders_existing": 1}
    for limit in case_limits(case).values():
        supervision.watcher.set(limit)  # what the relay brings; the same version delivered later is ignored
    today = today_in_shanghai()
    days = calendar(range(today.year - 1, today.year + 1))
    day, counted = today, 0
    while counted < ISSUED_WORKING_DAYS_AGO or not days.is_workday(day):
        day -= dt.timedelta(days=1)
        counted += days.is_workday(day)
    with frozen_at(dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)):
        supervision.orders.issue(
            supervisor,
            NewOrder(subject_kind="case", subject_id=case.case_id, reason=ORDER_REASON, reply_days=REPLY_DAYS),
            correlation_id=None,
        )
    return {"demo_orders_created": 1, "demo_orders_existing": 0}


def _forget() -> None:
    _forget_cached()
    supervision_service_module.supervision_service.cache_clear()
