"""calendar_check: from December 1 (Asia/Shanghai) a missing next year sets
`NextYearCalendarMissing` to 1, otherwise 0 — in the exact namespace,
dimension and name that `CalendarMissingAlarm` in template.yaml watches."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.template import sam_template
from shared.platform import aws, observability
from shared.platform.clock import frozen_at
from shared.platform.config import reset_settings
from shared.workdays import repository, service
from shared.workdays.models import YearArrangement
from tests.support.apigw import FakeContext

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "events" / "calendar_check" / "scheduled-daily.json"
TABLE = "catalog-test"
TEMPLATE = sam_template()
ALARM = TEMPLATE["Resources"]["CalendarMissingAlarm"]["Properties"]
FUNCTION_ENV = TEMPLATE["Resources"]["CalendarCheckFunction"]["Properties"]["Environment"]["Variables"]
GLOBAL_ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

FICTIONAL_2027 = YearArrangement.model_validate(
    {"year": 2027, "holidays": [{"date": "2027-01-01", "name": "虚构测试假日"}], "notice": "FICTIONAL"}
)


def shanghai(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def calendar_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The function as Lambda runs it: the template's environment, a fresh
    Powertools Metrics instance, and the catalogue table in moto."""
    monkeypatch.setenv("CATALOG_TABLE", TABLE)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", FUNCTION_ENV["POWERTOOLS_SERVICE_NAME"])
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", GLOBAL_ENV["POWERTOOLS_METRICS_NAMESPACE"])
    reset_settings()
    aws.reset_clients()
    repository.clear_cache()
    # the metrics instance reads namespace and service once; make it read ours
    observability.metrics.cache_clear()
    spec = importlib.util.spec_from_file_location(
        "calendar_check_app", ROOT / "functions" / "calendar_check" / "app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield module
    observability.metrics.cache_clear()
    repository.clear_cache()
    aws.reset_clients()
    reset_settings()


def run(
    module: ModuleType, moment: dt.datetime, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Invoke with the sample event at `moment`; return the result and the one EMF record."""
    event = json.loads(SAMPLE.read_text(encoding="utf-8"))
    capsys.readouterr()
    with frozen_at(moment):
        result = module.handler(event, FakeContext())
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    emf = [r for r in records if "_aws" in r]
    assert len(emf) == 1
    return result, emf[0]


def missing_value(emf: dict[str, Any]) -> float:
    value = emf[ALARM["MetricName"]]
    return float(value[0] if isinstance(value, list) else value)


def load_2027() -> None:
    service.load_year(FICTIONAL_2027, actor="test")


def test_november_without_next_year_is_not_an_alarm(
    calendar_check: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    result, emf = run(calendar_check, shanghai(2026, 11, 30), capsys)
    assert missing_value(emf) == 0
    assert result["next_year_status"] == "missing"
    assert result["next_year_checked"] is False
    assert result["missing"] is False


def test_november_with_next_year_loaded(calendar_check: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    load_2027()
    result, emf = run(calendar_check, shanghai(2026, 11, 15), capsys)
    assert missing_value(emf) == 0
    assert result["next_year_status"] == "loaded"


def test_december_without_next_year_alarms_and_warns(
    calendar_check: ModuleType, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    result, emf = run(calendar_check, shanghai(2026, 12, 1), capsys)
    assert missing_value(emf) == 1
    assert result == {
        "today": "2026-12-01",
        "current_year": 2026,
        "current_year_status": "package",
        "next_year": 2027,
        "next_year_status": "missing",
        "next_year_checked": True,
        "missing": True,
    }
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "holiday arrangement missing" in warnings[0].getMessage()


def test_december_with_next_year_loaded(calendar_check: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    load_2027()
    result, emf = run(calendar_check, shanghai(2026, 12, 15), capsys)
    assert missing_value(emf) == 0
    assert result["missing"] is False


def test_december_starts_in_shanghai_not_in_utc(calendar_check: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    # 2026-11-30 16:30 UTC is already December 1 in Shanghai
    _result, emf = run(calendar_check, dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC), capsys)
    assert missing_value(emf) == 1
    # 2026-11-30 15:30 UTC is still November 30 there
    _result, emf = run(calendar_check, dt.datetime(2026, 11, 30, 15, 30, tzinfo=dt.UTC), capsys)
    assert missing_value(emf) == 0


def test_a_missing_current_year_alarms_in_any_month(
    calendar_check: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given January 2027 came and 2027 was never loaded
    result, emf = run(calendar_check, shanghai(2027, 3, 1), capsys)
    assert missing_value(emf) == 1
    assert result["current_year_status"] == "missing"


def test_emf_matches_the_alarm_in_the_template(calendar_check: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    _result, emf = run(calendar_check, shanghai(2026, 12, 1), capsys)
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    # the namespace, the metric name and unit, and exactly the alarm's dimensions
    assert directive["Namespace"] == ALARM["Namespace"]
    assert [m["Name"] for m in directive["Metrics"]] == [ALARM["MetricName"]]
    assert directive["Metrics"][0]["Unit"] == "Count"
    assert directive["Dimensions"] == [[d["Name"] for d in ALARM["Dimensions"]]]
    for dimension in ALARM["Dimensions"]:
        assert emf[dimension["Name"]] == dimension["Value"]
    # and the alarm fires on this value
    assert ALARM["ComparisonOperator"] == "GreaterThanThreshold"
    assert missing_value(emf) > ALARM["Threshold"]


def test_a_check_reads_the_calendar_once(calendar_check: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with aws.count_calls() as calls:
        run(calendar_check, shanghai(2026, 12, 1), capsys)
    assert dict(calls) == {"dynamodb.BatchGetItem": 1}
