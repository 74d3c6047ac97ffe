"""Parts of the local cloud that need no processes: schedules, filters, routing,
Globals merging, gateway responses and authorizer policies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.local.filters import FilterError, matches, matches_any, parse_filters, sqs_filter_document
from infra.local.gateway import Router, _policy_effect, _render_template
from infra.local.model import RouteSpec, merge_globals
from infra.local.schedules import Cron, Expression, ScheduleError, schedule_from_event, scheduled_event

pytestmark = pytest.mark.integration


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -------------------------------------------------------------------------- schedules


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 1 * * ? *)", "2026-03-01T00:30", "2026-03-01T01:00"),
        ("cron(0 1 * * ? *)", "2026-03-01T01:00", "2026-03-02T01:00"),
        ("cron(0/15 * * * ? *)", "2026-03-01T10:16", "2026-03-01T10:30"),
        ("cron(0 9 ? * MON-FRI *)", "2026-03-06T10:00", "2026-03-09T09:00"),  # Fri after 9 -> Mon
        ("cron(0 9 ? * 2 *)", "2026-03-03T00:00", "2026-03-09T09:00"),  # 2 = Monday in AWS numbering
        ("cron(30 2 L * ? *)", "2026-02-10T00:00", "2026-02-28T02:30"),
        ("cron(0 0 ? * 6L *)", "2026-03-01T00:00", "2026-03-27T00:00"),  # last Friday of March
        ("cron(0 0 ? * 2#1 *)", "2026-03-01T00:00", "2026-03-02T00:00"),  # first Monday
        ("cron(0 12 1,15 JAN,JUL ? 2027)", "2026-03-01T00:00", "2027-01-01T12:00"),
        ("cron(5 0-2 * * ? *)", "2026-03-01T02:05", "2026-03-02T00:05"),
    ],
)
def test_cron_next_firing(expression: str, after: str, expected: str) -> None:
    started = at("2026-01-01T00:00")
    assert Expression(expression).next_after(at(after), started=started) == at(expected)


def test_rate_counts_from_start_and_timezones_apply() -> None:
    started = at("2026-03-01T00:00")
    assert Expression("rate(5 minutes)").next_after(at("2026-03-01T00:07"), started=started) == at("2026-03-01T00:10")
    assert Expression("rate(1 day)").next_after(started, started=started) == at("2026-03-02T00:00")
    shanghai = Expression("cron(0 9 * * ? *)", "Asia/Shanghai")
    assert shanghai.next_after(at("2026-03-01T00:00"), started=started) == at("2026-03-01T01:00")


@pytest.mark.parametrize(
    "body",
    ["0 1 * * * *", "0 1 * * ?", "0 1 15W * ? *", "61 1 * * ? *"],
)
def test_unsupported_or_bad_cron_is_refused(body: str) -> None:
    with pytest.raises(ScheduleError):
        Cron.parse(body)


def test_a_bad_expression_disables_only_its_schedule() -> None:
    spec = schedule_from_event("Fn", "Bad", "Schedule", {"Schedule": "cron(0 1 15W * ? *)"}, rule_arn="arn")
    assert not spec.enabled
    assert "W" in spec.problem
    spec = schedule_from_event("Fn", "Off", "Schedule", {"Schedule": "rate(1 hour)", "Enabled": False}, rule_arn="a")
    assert not spec.enabled
    assert not spec.problem


def test_a_fired_schedule_delivers_what_its_service_delivers() -> None:
    when, account, region = at("2026-03-01T01:00"), "123456789012", "cn-north-1"

    def fired(kind: str, props: dict[str, object]) -> object:
        spec = schedule_from_event("Fn", "Daily", kind, props, rule_arn="arn:rule")
        return scheduled_event(spec, when, account=account, region=region)

    # EventBridge Scheduler: the schedule's Input, or an empty object without one
    assert fired("ScheduleV2", {"ScheduleExpression": "rate(1 hour)"}) == {}
    assert fired("ScheduleV2", {"ScheduleExpression": "rate(1 hour)", "Input": '{"day": "2026-02-28"}'}) == {
        "day": "2026-02-28"
    }
    # an EventBridge rule: its Scheduled Event, or the Input
    event = fired("Schedule", {"Schedule": "rate(1 hour)"})
    assert isinstance(event, dict)
    assert (event["detail-type"], event["source"], event["resources"]) == (
        "Scheduled Event",
        "aws.events",
        ["arn:rule"],
    )
    assert event["time"] == "2026-03-01T01:00:00Z"
    assert fired("Schedule", {"Schedule": "rate(1 hour)", "Input": '{"kind": "x"}'}) == {"kind": "x"}


# ---------------------------------------------------------------------------- filters


OUTBOX = {
    "eventName": "INSERT",
    "dynamodb": {"NewImage": {"kind": {"S": "outbox"}, "amount": {"N": "12"}, "tags": {"L": []}}},
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["outbox"]}}}}, True),
        ({"eventName": ["MODIFY", "REMOVE"]}, False),
        ({"dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "out"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"kind": {"S": [{"suffix": "box"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"kind": {"S": [{"anything-but": ["outbox"]}]}}}}, False),
        ({"dynamodb": {"NewImage": {"kind": {"S": [{"anything-but": {"prefix": "in"}}]}}}}, True),
        ({"dynamodb": {"OldImage": [{"exists": False}]}}, True),
        ({"dynamodb": {"NewImage": [{"exists": True}]}}, True),
        ({"dynamodb": {"OldImage": {"kind": {"S": [{"exists": False}]}}}}, True),
        ({"eventName": [{"equals-ignore-case": "insert"}]}, True),
        ({"$or": [{"eventName": ["REMOVE"]}, {"eventName": ["INSERT"]}]}, True),
    ],
)
def test_filter_patterns(pattern: dict[str, object], expected: bool) -> None:
    assert matches(pattern, OUTBOX) is expected


def test_numeric_and_body_filters_on_sqs_records() -> None:
    record = {"body": '{"amount": 120, "city": "南京"}', "attributes": {}}
    document = sqs_filter_document(record)
    assert matches({"body": {"amount": [{"numeric": [">", 100, "<=", 120]}]}}, document)
    assert not matches({"body": {"amount": [{"numeric": ["<", 100]}]}}, document)
    assert matches({"body": {"city": ["南京"]}}, document)
    assert sqs_filter_document({"body": "plain text"})["body"] == "plain text"


def test_filter_criteria_parsing() -> None:
    patterns = parse_filters({"Filters": [{"Pattern": '{"a": ["x"]}'}, {"Pattern": '{"a": ["y"]}'}]})
    assert matches_any(patterns, {"a": "y"})
    assert not matches_any(patterns, {"a": "z"})
    assert matches_any([], {"anything": 1})
    with pytest.raises(FilterError):
        parse_filters({"Filters": [{"Pattern": '{"a": [{"cidr": "10.0.0.0/24"}]}'}]})


# ---------------------------------------------------------------------------- routing


def route(method: str, path: str) -> RouteSpec:
    return RouteSpec("Api", method, path, "Fn", f"{method}{path}", None)


def test_router_prefers_static_then_parameters_then_greedy_and_exact_methods() -> None:
    router = Router(
        [
            route("GET", "/items/{code}"),
            route("GET", "/items/search"),
            route("ANY", "/{proxy+}"),
            route("ANY", "/items/{code}/draft"),
            route("PUT", "/items/{code}/draft"),
        ]
    )

    def matched(method: str, path: str) -> tuple[str, str, dict[str, str]] | None:
        found = router.match(method, path)
        return None if found is None else (found[0].method, found[0].path, found[1])

    assert matched("GET", "/items/search") == ("GET", "/items/search", {})
    assert matched("GET", "/items/X1") == ("GET", "/items/{code}", {"code": "X1"})
    assert matched("GET", "/items/%E4%B8%AD") == ("GET", "/items/{code}", {"code": "中"})
    assert matched("PUT", "/items/X1/draft") == ("PUT", "/items/{code}/draft", {"code": "X1"})
    assert matched("GET", "/items/X1/draft") == ("ANY", "/items/{code}/draft", {"code": "X1"})
    assert matched("POST", "/items/X1") == ("ANY", "/{proxy+}", {"proxy": "items/X1"})
    assert matched("GET", "/") is None


# -------------------------------------------------------------------- model, gateway


def test_globals_merge_like_sam() -> None:
    merged = merge_globals(
        {"Timeout": 10, "Layers": ["L1"], "Environment": {"Variables": {"A": "1", "B": "1"}}},
        {"Timeout": 3, "Layers": ["L2"], "Environment": {"Variables": {"B": "2"}}},
    )
    assert merged == {"Timeout": 3, "Layers": ["L1", "L2"], "Environment": {"Variables": {"A": "1", "B": "2"}}}


def test_gateway_response_templates_render_context_values() -> None:
    template = '{"message":$context.error.messageString,"id":"$context.requestId","t":"${context.error.responseType}"}'
    values = {"error.messageString": '"Unauthorized"', "requestId": "r-1", "error.responseType": "UNAUTHORIZED"}
    assert _render_template(template, values) == '{"message":"Unauthorized","id":"r-1","t":"UNAUTHORIZED"}'


def test_policy_evaluation() -> None:
    arn = "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/local/GET/items/1"

    def policy(effect: str, resource: str | list[str], action: str = "execute-api:Invoke") -> dict[str, object]:
        return {"Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}

    assert _policy_effect(policy("Allow", arn), arn) == "Allow"
    assert _policy_effect(policy("Allow", "arn:aws-cn:execute-api:*:*:abc/*/GET/*"), arn) == "Allow"
    assert _policy_effect(policy("Allow", [arn.replace("GET", "POST")]), arn) is None
    assert _policy_effect(policy("Allow", arn, "execute-api:*"), arn) == "Allow"
    both = {"Statement": [*policy("Allow", "*")["Statement"], *policy("Deny", arn)["Statement"]]}  # type: ignore[misc]
    assert _policy_effect(both, arn) == "Deny"
    assert _policy_effect("not a policy", arn) is None
