"""The calendar routes through the real catalog_api handler against moto:
public reads, operator loads (validation, versions, history, outbox event),
deadlines before and after next year's arrangement is loaded, and the number
of DynamoDB calls each takes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.workdays import load, repository
from shared.workdays.models import YearArrangement
from tests.support import api
from tests.support.api import Reply
from tests.support.apigw import as_role
from tests.support.handlers import load_function
from tests.support.template_tables import create_table_arguments

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events" / "catalog_api"
TABLE = "catalog-test"
OPERATOR = as_role("operator")

# A clearly fictional 2027 arrangement: the real one is not published in our data.
FICTIONAL_2027: dict[str, Any] = {
    "year": 2027,
    "notice": "FICTIONAL test arrangement (虚构，仅供测试)",
    "holidays": [
        {"date": "2027-01-01", "name": "虚构测试假日"},
        {"date": "2027-01-04", "name": "虚构测试假日"},
    ],
    "adjusted_workdays": [{"date": "2027-01-09", "name": "虚构测试假日"}],
}


@pytest.fixture
def catalog_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # catalog_api checks its whole configuration at import (D-091): the idempotency table too
    monkeypatch.setenv("CATALOG_TABLE", TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "idempotency-test")
    reset_settings()
    aws.reset_clients()
    repository.clear_cache()
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_arguments("CatalogTable", TABLE))
        yield TABLE
    repository.clear_cache()
    aws.reset_clients()
    reset_settings()


def _pair(reply: Reply) -> tuple[int, dict[str, Any]]:
    return reply.status, reply.body


def get_year(year: int | str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    return _pair(api.call("GET", f"/v1/calendar/{year}", headers=headers))


def put_year(
    year: int, body: Any, caller: dict[str, str] | None = OPERATOR, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    return _pair(api.call("PUT", f"/v1/calendar/{year}", caller, body=body, headers=headers))


def get_deadline(start: str, working_days: int | str) -> tuple[int, dict[str, Any]]:
    return _pair(api.call("GET", "/v1/deadlines", query={"start": start, "working_days": str(working_days)}))


def sample(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


# --- public reads -------------------------------------------------------------------


def test_package_year_shows_holidays_and_adjusted_workdays(catalog_table: str) -> None:
    # When 2026 is read (covered by the built-in package, not loaded)
    status, body = get_year(2026)
    # Then it comes from the package with Chinese names, and is final
    assert status == 200
    assert body["source"] == "package"
    assert body["provisional"] is False
    assert {"date": "2026-10-01", "name": "国庆节"} in body["holidays"]
    assert {"date": "2026-10-10", "name": "国庆节"} in body["adjusted_workdays"]
    assert body["version"] is None


def test_unpublished_year_is_missing_and_provisional(catalog_table: str) -> None:
    status, body = get_year(2027)
    assert status == 200
    assert body["source"] == "missing"
    assert body["provisional"] is True
    assert body["holidays"] == []
    assert body["adjusted_workdays"] == []


def test_year_out_of_range_is_422(catalog_table: str) -> None:
    status, body = get_year(1999)
    assert status == 422
    assert body["code"] == "validation_failed"
    assert body["errors"][0]["field"] == "year"


def test_national_day_deadline_from_the_standards(catalog_table: str) -> None:
    status, body = get_deadline("2026-09-21", 20)
    assert status == 200
    assert body["date"] == "2026-10-26"
    assert body["provisional"] is False
    assert body["provisional_years"] == []


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"start": "2026-09-21", "working_days": "0"}, "working_days", "field.invalid"),
        ({"start": "2026-09-21", "working_days": "1001"}, "working_days", "field.invalid"),
        ({"start": "2026-02-30", "working_days": "5"}, "start", "field.invalid"),
        ({"working_days": "5"}, "start", "field.required"),
        ({"start": "1999-12-31", "working_days": "5"}, "start", "calendar.year_out_of_range"),
    ],
)
def test_bad_deadline_queries_are_422(catalog_table: str, query: dict[str, str], field: str, code: str) -> None:
    status, body = _pair(api.call("GET", "/v1/deadlines", query=query))
    assert status == 422
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]


# --- loading next year --------------------------------------------------------------


def test_deadline_into_2027_is_provisional_until_the_year_is_loaded(catalog_table: str) -> None:
    # Given 2027 is not loaded: 15 working days from 2026-12-21 count 2027 weekends-only
    status, before = get_deadline("2026-12-21", 15)
    assert status == 200
    assert (before["date"], before["provisional"], before["provisional_years"]) == ("2027-01-11", True, [2027])
    # When an operator loads the (fictional) 2027 arrangement
    status, loaded = put_year(2027, FICTIONAL_2027)
    assert status == 201
    assert (loaded["source"], loaded["version"], loaded["provisional"]) == ("loaded", 1, False)
    # Then the same deadline skips the holidays, counts the Saturday, and is final
    status, after = get_deadline("2026-12-21", 15)
    assert (after["date"], after["provisional"], after["provisional_years"]) == ("2027-01-12", False, [])
    # And the year reads back as loaded
    status, year = get_year(2027)
    assert year["source"] == "loaded"
    assert year["notice"] == FICTIONAL_2027["notice"]
    assert year["adjusted_workdays"] == FICTIONAL_2027["adjusted_workdays"]


def test_reloading_the_same_days_is_a_no_op_and_a_change_is_a_new_version(catalog_table: str) -> None:
    assert put_year(2027, FICTIONAL_2027)[0] == 201
    # Same days in another order: nothing changes
    reordered = {**FICTIONAL_2027, "holidays": list(reversed(FICTIONAL_2027["holidays"]))}
    status, body = put_year(2027, reordered)
    assert (status, body["version"]) == (200, 1)
    # One more holiday: version 2, both versions kept in the history
    changed = {**FICTIONAL_2027, "holidays": [*FICTIONAL_2027["holidays"], {"date": "2027-01-05", "name": "虚构"}]}
    status, body = put_year(2027, changed)
    assert (status, body["version"]) == (200, 2)
    assert [v.version for v in repository.history(2027)] == [1, 2]
    assert len(repository.history(2027)[1].holidays) == 3


def test_each_load_writes_its_event_in_the_same_transaction(catalog_table: str) -> None:
    put_year(2027, FICTIONAL_2027)
    put_year(2027, FICTIONAL_2027)  # unchanged: no second event
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    outbox = [e for i in items if i.get("kind", {}).get("S") == "outbox" for e in outbox_events(from_item(i))]
    assert len(outbox) == 1
    assert outbox[0]["type"] == "catalog.calendar_year_loaded"
    assert outbox[0]["source"] == "catalog"
    assert outbox[0]["data"] == {"year": 2027, "version": 1, "holidays": 2, "adjusted_workdays": 1}


def test_a_loaded_year_overrides_the_package(catalog_table: str) -> None:
    # A (fictional) correction of 2026 with National Day on one day only
    correction = {"year": 2026, "holidays": [{"date": "2026-10-01", "name": "虚构更正"}], "adjusted_workdays": []}
    assert put_year(2026, correction)[0] == 201
    assert get_deadline("2026-09-30", 1)[1]["date"] == "2026-10-02"


# --- operator guard and validation --------------------------------------------------


def test_loading_needs_a_signed_in_caller(catalog_table: str) -> None:
    status, body = put_year(2027, FICTIONAL_2027, caller=None)
    assert status == 401
    assert body["code"] == "unauthorized"
    assert get_year(2027)[1]["source"] == "missing"


@pytest.mark.parametrize("role", ["citizen", "agent", "staff", "supervisor"])
def test_loading_is_for_operators_only(catalog_table: str, role: str) -> None:
    status, body = put_year(2027, FICTIONAL_2027, caller=as_role(role))
    assert (status, body["code"]) == (403, "forbidden")
    assert get_year(2027)[1]["source"] == "missing"


def test_year_in_path_must_match_the_body(catalog_table: str) -> None:
    status, body = put_year(2028, FICTIONAL_2027)
    assert status == 422
    assert body["code"] == "calendar.year_mismatch"
    assert body["errors"][0]["field"] == "year"


def test_every_bad_date_is_named_in_chinese_or_english(catalog_table: str) -> None:
    # Given an arrangement breaking each rule once
    bad = {
        "year": 2027,
        "holidays": [
            {"date": "2026-12-31", "name": "虚构"},  # outside the year
            {"date": "2027-01-09", "name": "虚构"},  # also listed as a working day
        ],
        "adjusted_workdays": [
            {"date": "2027-01-09"},
            {"date": "2027-01-06"},  # a Wednesday
        ],
    }
    # When it is loaded, in English
    status, body = put_year(2027, bad, headers={"Accept-Language": "en"})
    # Then 422 names each offending field with its rule
    assert status == 422
    assert body["code"] == "calendar.invalid_arrangement"
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("holidays.0.date", "calendar.date_outside_year"),
        ("adjusted_workdays.0.date", "calendar.holiday_is_workday"),
        ("adjusted_workdays.1.date", "calendar.workday_not_weekend"),
    }
    assert "The date is not in 2027" in {e["message"] for e in body["errors"]}
    # And in Chinese by default
    status, body = put_year(2027, bad)
    assert "日期不在 2027 年内" in {e["message"] for e in body["errors"]}
    assert get_year(2027)[1]["source"] == "missing"


def test_malformed_dates_are_field_errors(catalog_table: str) -> None:
    body = {**FICTIONAL_2027, "holidays": [{"date": "2027-02-30", "name": "x"}]}
    status, problem = put_year(2027, body)
    assert status == 422
    assert problem["code"] == "validation_failed"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("holidays.0.date", "field.invalid")]


# --- AWS calls ----------------------------------------------------------------------


def test_deadlines_read_the_calendar_once_then_serve_from_the_cache(catalog_table: str) -> None:
    with aws.count_calls() as cold:
        get_deadline("2026-12-21", 15)
    with aws.count_calls() as warm:
        get_deadline("2026-12-01", 45)
        get_year(2027)
    assert dict(cold) == {"dynamodb.BatchGetItem": 1}
    assert dict(warm) == {}


def test_a_load_costs_one_read_and_one_transaction(catalog_table: str) -> None:
    with aws.count_calls() as calls:
        put_year(2027, FICTIONAL_2027)
    assert dict(calls) == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}
    with aws.count_calls() as calls:
        put_year(2027, FICTIONAL_2027)
    assert dict(calls) == {"dynamodb.GetItem": 1}


def test_concurrent_first_loads_conflict(catalog_table: str) -> None:
    arrangement = YearArrangement.model_validate(FICTIONAL_2027)
    data = {"year": 2027, "version": 1, "holidays": 1, "adjusted_workdays": 0}
    event = Envelope(type="catalog.calendar_year_loaded", source="catalog", subject="calendar/2027", data=data)
    repository.save(arrangement, expected_version=None, actor="a", event=event)
    other = Envelope(type="catalog.calendar_year_loaded", source="catalog", subject="calendar/2027", data=data)
    with pytest.raises(Conflict) as refused:
        repository.save(arrangement, expected_version=None, actor="b", event=other)
    assert refused.value.code == "version_conflict"


# --- OpenAPI ------------------------------------------------------------------------


def test_routes_are_documented() -> None:
    paths = load_function("catalog_api").app.get_openapi_schema().paths
    calendar, deadlines = paths["/v1/calendar/{year}"], paths["/v1/deadlines"]
    assert calendar.get.tags == ["calendar"]
    assert calendar.put.summary
    assert calendar.put.requestBody is not None
    assert {p.name for p in deadlines.get.parameters} == {"start", "working_days"}
    assert all(p.description for p in deadlines.get.parameters)


# --- the samples in events/ ---------------------------------------------------------


def test_samples_work(catalog_table: str) -> None:
    status, body = _pair(api.invoke(sample("calendar-get-year.json")))
    assert (status, body["year"], body["source"]) == (200, 2026, "package")
    status, body = _pair(api.invoke(sample("deadlines-get.json")))
    assert (status, body["date"]) == (200, "2026-10-26")
    status, body = _pair(api.invoke(sample("calendar-put-year.json")))
    assert (status, body["year"], body["source"]) == (201, 2099, "loaded")


# --- the load command ---------------------------------------------------------------


def test_load_command(catalog_table: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "2027.json"
    file.write_text(json.dumps(FICTIONAL_2027, ensure_ascii=False), encoding="utf-8")
    assert load.main([str(file)]) == 0
    assert json.loads(capsys.readouterr().out) == {"year": 2027, "version": 1, "outcome": "created"}
    assert load.main([str(file), "--actor", "ops"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "unchanged"
    assert repository.history(2027)[0].updated_by == "operator-cli"


def test_load_command_reports_every_problem(
    catalog_table: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(json.dumps({**FICTIONAL_2027, "adjusted_workdays": [{"date": "2027-01-06"}]}), encoding="utf-8")
    assert load.main([str(file), "--lang", "en"]) == 2
    assert "adjusted_workdays.0.date: An adjusted working day must be a Saturday or Sunday" in capsys.readouterr().err
    file.write_text('{"year": 2027, "holidays": [{"date": "2027-13-01", "name": "x"}]}', encoding="utf-8")
    assert load.main([str(file)]) == 2
    assert "holidays.0.date" in capsys.readouterr().err
