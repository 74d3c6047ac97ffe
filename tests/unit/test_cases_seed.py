"""The demo cases `make run` seeds (infra/seed/cases.py) are the ones the README
walk-through needs: an overdue case the supervision sweep turns red, a joint
case waiting in the lead department's work queue, a suspended one whose
deadlines move on resumption. Loading them twice changes nothing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.cases import DEMO_CASES, SUSPENDED_WORKING_DAYS, _started_on
from infra.seed.cases import load as load_cases
from infra.seed.identity import load as load_identity
from infra.seed.identity.people import COUNTY_SUPERVISOR, JIANGNING_MARKET, STAFF_IN_SCOPE, SUPERVISOR, DemoWorker
from infra.seed.items import new_item_bodies
from infra.seed.supervision import load as load_orders
from shared.cases.models import AcceptRequest, Case
from shared.cases.repository import APPLICATION_SK, joined_case
from shared.cases.service import cases_service
from shared.cases.states import CaseState
from shared.catalog.service import CatalogService
from shared.identity.service import identity_service
from shared.platform.clock import today_in_shanghai
from shared.platform.dynamo import from_item
from shared.platform.principal import Principal
from shared.supervision.service import supervision_service
from shared.supervision.warnings import WarningPolicy
from tests.unit.cases_fixtures import CASES_TABLE, CATALOG_TABLE, MATERIALS_BUCKET, table_arguments
from tests.unit.identity_fixtures import identity_cloud
from tests.unit.supervision_fixtures import SUPERVISION_TABLE, forget_supervision_caches, relay_limits

DEMO_ITEMS = {(demo.item_name, demo.region_code) for demo in DEMO_CASES}


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[dict[str, int], dict[str, int], int]]:
    extra = {
        "CASES_TABLE": CASES_TABLE,
        "CATALOG_TABLE": CATALOG_TABLE,
        "MATERIALS_BUCKET": MATERIALS_BUCKET,
        "SUPERVISION_TABLE": SUPERVISION_TABLE,
    }
    with identity_cloud(extra):
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**table_arguments("CasesTable", CASES_TABLE))
        dynamodb.create_table(**table_arguments("CatalogTable", CATALOG_TABLE))
        dynamodb.create_table(**table_arguments("SupervisionTable", SUPERVISION_TABLE))
        forget_supervision_caches()
        boto3.client("s3").create_bucket(
            Bucket=MATERIALS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        env = {name: os.environ[name] for name in os.environ if name.isupper()}
        bodies = [b for b in new_item_bodies() if (b["name"], b["region_code"]) in DEMO_ITEMS]
        load_catalog(CatalogService(), bodies)
        load_identity(env)
        first = load_cases(env)
        items_after_first = _item_count()
        second = load_cases(env)
        assert _item_count() == items_after_first  # nothing written the second time
        yield first, second, items_after_first


def _item_count() -> int:
    return int(boto3.client("dynamodb").scan(TableName=CASES_TABLE, Select="COUNT")["Count"])


def _cases() -> list[Case]:
    items = [from_item(i) for i in boto3.client("dynamodb").scan(TableName=CASES_TABLE)["Items"]]
    applications = {i["pk"]: i for i in items if i["sk"] == APPLICATION_SK}
    cases = [joined_case(i, applications.get(i["pk"])) for i in items if i["sk"] == "CASE"]
    return [case for case in cases if case is not None]


def _staff(worker: DemoWorker) -> Principal:
    subject = identity_service().repository.subject_for_login(worker.login)
    assert subject is not None
    return Principal(
        subject_id=subject,
        role=worker.role,
        department_id=worker.department_id or "",
        region_code=worker.region_code,
    )


def test_three_demo_cases_once_however_often_it_loads(seeded: tuple[dict[str, int], dict[str, int], int]) -> None:
    first, second, _ = seeded
    assert first == {"demo_cases_created": 3, "demo_cases_existing": 0}
    assert second == {"demo_cases_created": 0, "demo_cases_existing": 3}
    assert len(_cases()) == 3


def test_the_overdue_case_turns_red_when_the_sweep_runs(seeded: object) -> None:
    liu = _staff(STAFF_IN_SCOPE)
    [overdue] = [c for c in _cases() if c.item.region_code == "320102"]
    assert overdue.state is CaseState.ACCEPTED
    assert overdue.handler_subject_id == liu.subject_id
    assert overdue.deadlines is not None
    today = today_in_shanghai()
    assert overdue.deadlines.legal_due_on < today
    relay_limits()  # the seeded cases' limits reach supervision, as the bus would bring them
    result = supervision_service().warnings.sweep(today, WarningPolicy.configured(), correlation_id=None)
    assert f"cases:case:{overdue.case_id}:legal:red" in result.raised
    assert f"cases:case:{overdue.case_id}:promised:red" in result.raised
    supervisor = _staff(SUPERVISOR)
    found = (
        supervision_service()
        .warnings.list(supervisor, region_code=None, filters={"level": "red"}, limit=50, cursor=None)
        .items
    )
    assert {(w.subject_id, w.name) for w in found} >= {(overdue.case_id, "legal"), (overdue.case_id, "promised")}


def test_the_joint_case_waits_in_the_lead_departments_queue_and_opens_both_tasks(seeded: object) -> None:
    market = _staff(JIANGNING_MARKET)
    queue = cases_service().work_queue(market, limit=20, cursor=None)
    [waiting] = queue.items
    assert waiting.item_name == "开办餐饮店联合审批"
    accepted = cases_service().accept(market, waiting.case_id, AcceptRequest(), correlation_id=None)
    assert {t.department_id for t in accepted.joint_tasks} == {"320115-police", "320115-housing"}


def test_the_suspended_case_moves_its_deadlines_on_resumption(seeded: object) -> None:
    market = _staff(JIANGNING_MARKET)
    [suspended] = [c for c in _cases() if c.state is CaseState.SUSPENDED]
    assert suspended.deadlines is not None
    assert suspended.deadlines.suspended_since is not None
    assert suspended.deadlines.suspended_since < today_in_shanghai() - dt.timedelta(days=SUSPENDED_WORKING_DAYS - 1)
    resumed = cases_service().resume(market, suspended.case_id, AcceptRequest(), correlation_id=None)
    assert resumed.deadlines is not None
    # the README says 6 whatever day the demo runs (seeded relative to working days)
    assert resumed.deadlines.suspended_working_days == SUSPENDED_WORKING_DAYS
    assert f"顺延 {SUSPENDED_WORKING_DAYS} 个工作日" in (resumed.timeline[-1].reason or "")
    assert resumed.deadlines.legal_due_on > suspended.deadlines.legal_due_on
    assert resumed.deadlines.promised_due_on > suspended.deadlines.promised_due_on


@pytest.mark.parametrize(
    "today",
    [
        dt.date(2026, 12, 6),  # a Sunday (the day the README said 6 and the demo said 5)
        dt.date(2026, 12, 5),  # a Saturday
        dt.date(2026, 12, 8),  # a Tuesday
        dt.date(2026, 10, 3),  # National Day
        dt.date(2026, 10, 10),  # a Saturday worked in exchange (调休)
    ],
)
def test_the_suspended_demo_case_resumes_by_six_working_days_on_any_day(today: dt.date) -> None:
    from shared.workdays.rules import Calendar

    calendar = Calendar()
    [suspended] = [d for d in DEMO_CASES if d.suspend_reason is not None]
    day = _started_on(suspended, today, calendar)
    assert calendar.is_workday(day)  # staff suspended it on a working day
    assert calendar.working_days_between(day, today).working_days == SUSPENDED_WORKING_DAYS


def test_the_demo_order_was_left_unanswered_and_climbs_one_level_per_sweep(seeded: object) -> None:
    env = {name: os.environ[name] for name in os.environ if name.isupper()}
    assert load_orders(env) == {"demo_orders_created": 1, "demo_orders_existing": 0}
    assert load_orders(env) == {"demo_orders_created": 0, "demo_orders_existing": 1}
    [overdue] = [c for c in _cases() if c.item.region_code == "320102"]
    county = _staff(COUNTY_SUPERVISOR)
    [order] = (
        supervision_service()
        .orders.list_for_supervisor(county, region_code=None, state=None, limit=10, cursor=None)
        .items
    )
    assert (order.subject_id, order.level, order.state.value) == (overdue.case_id, "county", "open")
    assert order.due_on < today_in_shanghai()

    def fire() -> list[str]:
        return (
            supervision_service().sweep(today_in_shanghai(), WarningPolicy.configured(), correlation_id=None).escalated
        )

    assert fire() == [order.order_id]  # to 南京市
    assert supervision_service().repository.get_order(order.order_id).level == "city"  # type: ignore[union-attr]
    assert fire() == [order.order_id]  # its city limit ran out too: to 江苏省
    assert fire() == []  # the top: no level twice
    final = supervision_service().repository.get_order(order.order_id)
    assert final is not None
    assert (final.level, final.escalations) == ("province", ["3201", "32"])
