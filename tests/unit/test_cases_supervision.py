"""Supervision sweeps (C26): yellow and red warnings, once per level, sent to
the responsible staff and listed for supervisors of the region."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Any

import pytest

from infra.template import ROOT
from shared.cases.service import cases_service
from shared.cases.supervision import Supervision, WarningPolicy
from shared.notifications.consumers import message_for
from shared.platform.clock import frozen_at
from shared.platform.dynamo import from_item
from shared.platform.events import Envelope
from shared.workdays.rules import Calendar
from tests.support.api import call
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    NANJING_SUPERVISOR,
    SUZHOU_SUPERVISOR,
    XUANWU_CIVIL,
    LongRunningContext,
    cases_cloud,
    complete_subsistence_case,
    outbox,
    run_pre_review,
    submit,
    table_snapshot,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
START = dt.date(2026, 9, 21)
CAL = Calendar()
# 低保 in Xuanwu: legal limit 30 working days (due 2026-11-09), yellow at 80 % = 24 days used;
# promised limit 20 working days, yellow with 3 days left (17 used)
PROMISED_YELLOW_DAY = CAL.add_working_days(START, 17).date
YELLOW_DAY = CAL.add_working_days(START, 25).date
RED_DAY = CAL.add_working_days(START, 31).date


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)


@cache
def sweep() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "supervision_sweep_app", ROOT / "functions" / "supervision_sweep" / "app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_sweep() -> dict[str, Any]:
    result: dict[str, Any] = sweep().handler({}, LongRunningContext())
    return result


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with cases_cloud():
        yield


@pytest.fixture(autouse=True)
def fresh(cloud: None) -> None:
    return None


def accepted_case() -> str:
    with frozen_at(MONDAY):
        case_id = complete_subsistence_case()
        assert submit(case_id).status == 200
        run_pre_review(case_id)
        assert call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL).status == 200
    return case_id


def warnings_of(case_id: str, kind: str = "legal") -> list[tuple[str, str]]:
    return sorted(
        (e["data"]["target"], e["data"]["level"])
        for e in outbox("case.deadline_warning", case_id)
        if e["data"]["kind"] == kind
    )


class TestSweep:
    def test_yellow_then_red_each_once_and_sent_to_the_responsible_staff(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(START + dt.timedelta(days=7))):
            run_sweep()
        assert warnings_of(case_id) == []
        with frozen_at(_at(YELLOW_DAY)):
            first = run_sweep()
            second = run_sweep()
        assert f"{case_id}:case:legal:yellow" in first["raised"]
        assert not [r for r in second["raised"] if r.startswith(case_id)]
        assert warnings_of(case_id) == [("case", "yellow")]
        with frozen_at(_at(RED_DAY)):
            run_sweep()
            run_sweep()
        assert warnings_of(case_id) == [("case", "red"), ("case", "yellow")]
        red = next(e for e in outbox("case.deadline_warning", case_id) if e["data"]["level"] == "red")
        owner, message = message_for(Envelope.model_validate(red))
        assert owner == XUANWU_CIVIL["sub"]
        assert "红牌" in message.title

    def test_the_promised_limit_warns_first_and_on_its_own_account(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(PROMISED_YELLOW_DAY)):
            run_sweep()
            run_sweep()
        assert warnings_of(case_id, "promised") == [("case", "yellow")]
        assert warnings_of(case_id, "legal") == []
        with frozen_at(_at(YELLOW_DAY)):
            run_sweep()
        # past the promise (20 days) while the legal limit (30) is only nearly used
        assert warnings_of(case_id, "promised") == [("case", "red"), ("case", "yellow")]
        assert warnings_of(case_id, "legal") == [("case", "yellow")]
        listed = call("GET", "/v1/supervision/warnings", NANJING_SUPERVISOR, query={"kind": "promised"}).body
        mine = [w for w in listed["items"] if w["case_id"] == case_id]
        assert sorted((w["kind"], w["level"]) for w in mine) == [("promised", "red"), ("promised", "yellow")]
        promised_red = next(w for w in mine if w["level"] == "red")
        assert promised_red["limit_days"] == 20
        assert promised_red["due_on"] == CAL.add_working_days(START, 20).date.isoformat()

    def test_an_interrupted_sweep_run_again_makes_no_duplicates(self) -> None:
        cases = [accepted_case() for _ in range(3)]
        calls = iter([True, False])
        with frozen_at(_at(RED_DAY)):
            cut = cases_service().sweep_deadlines(
                RED_DAY, WarningPolicy.configured(), correlation_id=None, keep_going=lambda: next(calls, False)
            )
            assert cut.finished is False
            run_sweep()
            run_sweep()
        for case_id in cases:
            assert warnings_of(case_id) == [("case", "red"), ("case", "yellow")]
            assert warnings_of(case_id, "promised") == [("case", "red"), ("case", "yellow")]

    def test_a_suspended_clock_raises_nothing(self) -> None:
        case_id = accepted_case()
        with frozen_at(MONDAY):
            reply = call(
                "POST",
                f"/v1/cases/{case_id}/suspend",
                XUANWU_CIVIL,
                body={"kind": "inspection", "reason": "现场检验", "expected_working_days": 40},
            )
            assert reply.status == 200
        with frozen_at(_at(RED_DAY)):
            run_sweep()
        assert warnings_of(case_id) == []


def listed(who: dict[str, str] = NANJING_SUPERVISOR, **query: Any) -> list[dict[str, Any]]:
    """Every open warning the supervisor sees, page after page."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = call("GET", "/v1/supervision/warnings", who, query=query | ({"cursor": cursor} if cursor else {}))
        assert page.status == 200, page.body
        found.extend(page.body["items"])
        cursor = page.body["next_cursor"]
        if cursor is None:
            return found


class TestSupervisorList:
    def test_supervisors_see_warnings_of_their_region(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(RED_DAY)):
            run_sweep()
        mine = [w for w in listed() if w["case_id"] == case_id]
        assert sorted((w["kind"], w["level"]) for w in mine) == [
            ("legal", "red"),
            ("legal", "yellow"),
            ("promised", "red"),
            ("promised", "yellow"),
        ]
        assert {w["level"] for w in listed(level="red")} == {"red"}
        assert listed(department_id="320102-police") == []
        assert any(w["case_id"] == case_id for w in listed(region_code="320102"))
        assert listed(SUZHOU_SUPERVISOR) == []
        outside = call("GET", "/v1/supervision/warnings", NANJING_SUPERVISOR, query={"region_code": "320500"})
        assert outside.status == 403
        assert call("GET", "/v1/supervision/warnings", XUANWU_CIVIL).status == 403
        assert call("GET", "/v1/supervision/warnings", CITIZEN_A).status == 403

    def test_the_list_is_paged_with_an_opaque_cursor(self) -> None:
        cases = [accepted_case() for _ in range(3)]
        with frozen_at(_at(RED_DAY)):
            run_sweep()
        everything = listed()
        ours = {(w["case_id"], w["kind"], w["level"]) for w in everything if w["case_id"] in cases}
        assert len(ours) == 12
        first = call("GET", "/v1/supervision/warnings", NANJING_SUPERVISOR, query={"limit": "5", "level": "red"})
        assert len(first.body["items"]) == 5
        assert first.body["next_cursor"]
        second = call(
            "GET",
            "/v1/supervision/warnings",
            NANJING_SUPERVISOR,
            query={"limit": "5", "level": "red", "cursor": first.body["next_cursor"]},
        )
        assert second.status == 200
        keys = [(w["case_id"], w["kind"], w["level"]) for w in first.body["items"] + second.body["items"]]
        assert len(set(keys)) == len(keys)
        assert all(w["level"] == "red" for w in first.body["items"] + second.body["items"])
        assert len(everything) == len({(w["case_id"], w["target"], w["kind"], w["level"]) for w in everything})
        bad = call("GET", "/v1/supervision/warnings", NANJING_SUPERVISOR, query={"cursor": "not-a-cursor"})
        assert (bad.status, bad.code) == (400, "invalid_cursor")


def warning_records(case_id: str) -> list[dict[str, Any]]:
    """The case's warning records as stored, resolved or not."""
    records = (from_item(item) for item in table_snapshot())
    return [r for r in records if r["pk"] == f"CASE#{case_id}" and str(r["sk"]).startswith("WARN#")]


class TestResolution:
    def test_a_decided_case_leaves_the_list_and_its_warnings_record_why(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(RED_DAY)):
            run_sweep()
            assert len([w for w in listed() if w["case_id"] == case_id]) == 4
            decided = call(
                "POST",
                f"/v1/cases/{case_id}/decide",
                XUANWU_CIVIL,
                body={"outcome": "approved", "reason": "材料真实，符合条件"},
            )
            assert decided.status == 200, decided.body
            stored = cases_service().repository.get(case_id)
            assert stored is not None
            assert stored.licence_clock is None  # no licence step: no Art. 44 clock
            assert [w for w in listed() if w["case_id"] == case_id] == []
            run_sweep()
        assert [w for w in listed() if w["case_id"] == case_id] == []
        records = warning_records(case_id)
        assert len(records) == 4
        assert {r["resolution"] for r in records} == {"approved"}
        assert all(r["resolved_at"] for r in records)

    def test_a_withdrawn_case_resolves_its_warnings_too(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(YELLOW_DAY)):
            run_sweep()
            assert [w for w in listed() if w["case_id"] == case_id]
            assert call("POST", f"/v1/cases/{case_id}/withdraw", CITIZEN_A, body={"reason": "不再申请"}).status == 200
        assert [w for w in listed() if w["case_id"] == case_id] == []

    def test_a_warning_is_not_written_for_a_case_that_moved_on(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(RED_DAY)):
            stale = cases_service().ledger.repository.get(case_id)
            assert stale is not None
            decided = call(
                "POST", f"/v1/cases/{case_id}/decide", XUANWU_CIVIL, body={"outcome": "denied", "reason": "不符"}
            )
            assert decided.status == 200
            found = Supervision(cases_service().ledger)._levels(stale, RED_DAY, CAL, WarningPolicy.configured())
            assert found
            target, kind, level, numbers = found[0]
            assert not Supervision(cases_service().ledger)._raise(stale, target, kind, level, numbers, RED_DAY, None)
        assert warning_records(case_id) == []
