"""Supervision warnings (C26, D-116): yellow and red, once per limit and level, from
the limits every context publishes; sent to the responsible staff and listed for
supervisors of the region. The cases context's limits travel as `limit.set` /
`limit.cleared` (relayed here as the bus would) and are swept by supervision."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.cases.service import cases_service
from shared.notifications.consumers import message_for, messages_for
from shared.platform.clock import frozen_at
from shared.platform.events import Envelope
from shared.platform.limits import limit_key
from shared.supervision.service import supervision_service
from shared.supervision.warnings import WarningPolicy, usage
from shared.workdays.rules import Calendar
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    NANJING_SUPERVISOR,
    SUZHOU_SUPERVISOR,
    XUANWU_CIVIL,
    XUANWU_POLICE,
    LongRunningContext,
    complete_subsistence_case,
    run_pre_review,
    submit,
)
from tests.unit.supervision_fixtures import (
    a_limit,
    relay_limits,
    set_event,
    supervision_cloud,
    supervision_outbox,
    watch,
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


def run_sweep() -> dict[str, Any]:
    """What the bus brought so far reaches the watcher, then the scheduled sweep runs."""
    relay_limits()
    result: dict[str, Any] = load_function("supervision_sweep").handler({}, LongRunningContext())
    return result


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with supervision_cloud():
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


def warnings_of(case_id: str, name: str = "legal") -> list[tuple[str, str]]:
    return sorted(
        (e["data"]["subject_kind"], e["data"]["level"])
        for e in supervision_outbox("supervision.warning_raised", case_id)
        if e["data"]["name"] == name
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
        assert f"cases:case:{case_id}:legal:yellow" in first["raised"]
        assert not [r for r in second["raised"] if case_id in r]
        assert warnings_of(case_id) == [("case", "yellow")]
        with frozen_at(_at(RED_DAY)):
            run_sweep()
            run_sweep()
        assert warnings_of(case_id) == [("case", "red"), ("case", "yellow")]
        red = next(e for e in supervision_outbox("supervision.warning_raised", case_id) if e["data"]["level"] == "red")
        owner, message = message_for(Envelope.model_validate(red))
        assert owner == XUANWU_CIVIL["sub"]
        assert "红牌" in message.title
        assert message.link == f"/cases/{case_id}"
        assert "最低生活保障金给付" in message.body

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
        mine = [w for w in listed(name="promised") if w["subject_id"] == case_id]
        assert sorted((w["name"], w["level"]) for w in mine) == [("promised", "red"), ("promised", "yellow")]
        promised_red = next(w for w in mine if w["level"] == "red")
        assert promised_red["limit_days"] == 20
        assert promised_red["due_on"] == CAL.add_working_days(START, 20).date.isoformat()
        assert (promised_red["used_days"], promised_red["left_days"]) == (25, -5)

    def test_an_interrupted_sweep_run_again_makes_no_duplicates(self) -> None:
        cases = [accepted_case() for _ in range(3)]
        relay_limits()
        calls = iter([True, False])
        with frozen_at(_at(RED_DAY)):
            cut = supervision_service().warnings.sweep(
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
        assert warnings_of(case_id, "promised") == []

    def test_a_limit_nobody_handles_yet_is_listed_but_reaches_no_inbox(self) -> None:
        unassigned = a_limit("T-UN", handler_subject_id=None, region_code="320102")
        watch([set_event(unassigned)])
        with frozen_at(_at(RED_DAY)):
            run_sweep()
        [red] = [e for e in supervision_outbox("supervision.warning_raised", "T-UN") if e["data"]["level"] == "red"]
        assert red["data"]["handler_subject_id"] is None
        assert messages_for(Envelope.model_validate(red)) == []
        assert {w["level"] for w in listed(subject_kind="ticket") if w["subject_id"] == "T-UN"} == {"yellow", "red"}


def listed(
    who: dict[str, str] = NANJING_SUPERVISOR, path: str = "/v1/supervision/warnings", **query: Any
) -> list[dict[str, Any]]:
    """Every open warning the caller sees at `path`, page after page."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = call("GET", path, who, query=query | ({"cursor": cursor} if cursor else {}))
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
        mine = [w for w in listed() if w["subject_id"] == case_id]
        assert sorted((w["name"], w["level"]) for w in mine) == [
            ("legal", "red"),
            ("legal", "yellow"),
            ("promised", "red"),
            ("promised", "yellow"),
        ]
        assert {w["label"] for w in mine} == {cases_service().repository.get(case_id).case_number}  # type: ignore[union-attr]
        assert {w["level"] for w in listed(level="red")} == {"red"}
        assert listed(department_id="320102-police") == []
        assert any(w["subject_id"] == case_id for w in listed(region_code="320102"))
        assert listed(SUZHOU_SUPERVISOR) == []
        outside = call("GET", "/v1/supervision/warnings", NANJING_SUPERVISOR, query={"region_code": "320500"})
        assert outside.status == 403
        assert call("GET", "/v1/supervision/warnings", XUANWU_CIVIL).status == 403
        assert call("GET", "/v1/supervision/warnings", CITIZEN_A).status == 403

    def test_staff_see_their_own_departments_warnings_only(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(RED_DAY)):
            run_sweep()
        # every page: the module's other tests leave warnings of the same department before this one's
        everything = listed(XUANWU_CIVIL, "/v1/supervision/department-warnings")
        mine = {(w["name"], w["level"]) for w in everything if w["subject_id"] == case_id}
        assert mine == {("legal", "red"), ("legal", "yellow"), ("promised", "red"), ("promised", "yellow")}
        assert {w["department_id"] for w in everything} == {"320102-civil"}
        assert call("GET", "/v1/supervision/department-warnings", XUANWU_POLICE).body["items"] == []
        assert call("GET", "/v1/supervision/department-warnings", NANJING_SUPERVISOR).status == 403
        assert call("GET", "/v1/supervision/department-warnings", CITIZEN_A).status == 403

    def test_the_list_is_paged_with_an_opaque_cursor(self) -> None:
        cases = [accepted_case() for _ in range(3)]
        with frozen_at(_at(RED_DAY)):
            run_sweep()
        everything = listed()
        ours = {(w["subject_id"], w["name"], w["level"]) for w in everything if w["subject_id"] in cases}
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
        keys = [(w["limit_id"], w["level"]) for w in first.body["items"] + second.body["items"]]
        assert len(set(keys)) == len(keys)
        assert all(w["level"] == "red" for w in first.body["items"] + second.body["items"])
        assert len(everything) == len({(w["limit_id"], w["level"]) for w in everything})
        bad = call("GET", "/v1/supervision/warnings", NANJING_SUPERVISOR, query={"cursor": "not-a-cursor"})
        assert (bad.status, bad.code) == (400, "invalid_cursor")


def warning_records(case_id: str) -> list[dict[str, Any]]:
    """The case's warning records as stored, resolved or not."""
    repository = supervision_service().repository
    return [
        record
        for name in ("legal", "promised")
        for record in repository.warnings_of(limit_key("cases", "case", case_id, name))
    ]


class TestResolution:
    def test_a_decided_case_leaves_the_list_and_its_warnings_record_why(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(RED_DAY)):
            run_sweep()
            assert len([w for w in listed() if w["subject_id"] == case_id]) == 4
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
            relay_limits(case_id)
            assert [w for w in listed() if w["subject_id"] == case_id] == []
            run_sweep()
        assert [w for w in listed() if w["subject_id"] == case_id] == []
        records = warning_records(case_id)
        assert len(records) == 4
        assert {r["resolution"] for r in records} == {"approved"}
        assert all(r["resolved_at"] for r in records)
        # each with its event, from the watcher's transaction (monitoring counts open warnings from them)
        resolved = supervision_outbox("supervision.warning_resolved", case_id)
        assert sorted((e["data"]["name"], e["data"]["level"], e["data"]["resolution"]) for e in resolved) == [
            (name, level, "approved") for name in ("legal", "promised") for level in ("red", "yellow")
        ]

    def test_a_withdrawn_case_resolves_its_warnings_too(self) -> None:
        case_id = accepted_case()
        with frozen_at(_at(YELLOW_DAY)):
            run_sweep()
            assert [w for w in listed() if w["subject_id"] == case_id]
            assert call("POST", f"/v1/cases/{case_id}/withdraw", CITIZEN_A, body={"reason": "不再申请"}).status == 200
            relay_limits(case_id)
        assert [w for w in listed() if w["subject_id"] == case_id] == []
        assert {r["resolution"] for r in warning_records(case_id)} == {"withdrawn"}

    def test_a_warning_is_not_written_for_a_limit_that_moved_on(self) -> None:
        case_id = accepted_case()
        relay_limits(case_id)
        repository = supervision_service().repository
        watched = repository.get_limit(limit_key("cases", "case", case_id, "legal"))
        assert watched is not None
        stale = watched.as_data()
        with frozen_at(_at(RED_DAY)):
            decided = call(
                "POST", f"/v1/cases/{case_id}/decide", XUANWU_CIVIL, body={"outcome": "denied", "reason": "不符"}
            )
            assert decided.status == 200
            relay_limits(case_id)
            use = usage(CAL, stale, RED_DAY)
            levels = WarningPolicy.configured().levels(stale, use)
            assert levels
            assert not supervision_service().warnings._raise(stale, levels[0], use, RED_DAY, None)
        assert warning_records(case_id) == []


def test_the_sample_request_lists_the_supervisors_red_warnings() -> None:
    """events/supervision_api/warnings-red.json: the Nanjing supervisor's red warnings."""
    case_id = accepted_case()
    with frozen_at(_at(RED_DAY)):
        run_sweep()
    sample = json.loads((ROOT / "events" / "supervision_api" / "warnings-red.json").read_text("utf-8"))
    answer = load_function("supervision_api").handler(sample, FakeContext())
    assert answer["statusCode"] == 200
    body = json.loads(answer["body"])
    assert {w["level"] for w in body["items"]} == {"red"}
    assert {w["name"] for w in body["items"] if w["subject_id"] == case_id} == {"legal", "promised"}
