"""Edge protection, the stage cache and the operations dashboard in the template
(issue 22 points 3, 8, 9), and how the local cloud treats them: it cannot run
WAF, a stage cache or dashboards, and skips them on purpose (D-044)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.gateway_routes import DeclaredRoute, declared_routes
from infra.local.intrinsics import Pseudo
from infra.local.resources import SKIPPED_TYPES, LocalStack
from infra.template import ROOT, sam_template

SPEC = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
TEMPLATE: dict[str, Any] = sam_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def _of_type(kind: str) -> dict[str, Any]:
    found = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == kind}
    assert found, f"the template has no {kind}"
    return found


def _api_routes() -> dict[tuple[str, str], DeclaredRoute]:
    """(METHOD, path) → the route as the API's DefinitionBody declares it (D-264)."""
    return {(r.method, r.path): r for r in declared_routes(TEMPLATE)}


# --- WAF ------------------------------------------------------------------------------


def test_waf_rate_limits_the_otp_sign_in_and_callback_routes_behind_the_common_rule_set() -> None:
    (acl,) = _of_type("AWS::WAFv2::WebACL").values()
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    managed = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules.values() if "OverrideAction" in r]
    assert "AWSManagedRulesCommonRuleSet" in managed
    limited = {}
    for rule in rules.values():
        rate = rule["Statement"].get("RateBasedStatement")
        if rate:
            match = rate["ScopeDownStatement"]["ByteMatchStatement"]
            limited[match["SearchString"]] = (match["PositionalConstraint"], rate["Limit"], rule["Action"])
    routes = {path for _, path in _api_routes()}
    for path in ("/v1/auth/otp", "/v1/auth/sign-in", "/v1/auth/staff/sign-in", "/v1/payment-callbacks/{channel}"):
        stage_path = "/prod" + path.replace("{channel}", "jspay")
        hits = [s for s, (how, _, _) in limited.items() if _byte_match(how, s, stage_path)]
        assert path in routes
        assert hits, f"no rate limit covers {path}"
    for _, limit, action in limited.values():
        assert limit >= 10
        response = action["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
        assert body["code"] == "rate_limited"
        assert body["status"] == 429


def _byte_match(how: str, search: str, path: str) -> bool:
    return {"ENDS_WITH": path.endswith, "CONTAINS": lambda s: s in path, "STARTS_WITH": path.startswith}[how](search)


def test_waf_is_associated_with_the_api_stage() -> None:
    (association,) = _of_type("AWS::WAFv2::WebACLAssociation").values()
    (acl_id,) = _of_type("AWS::WAFv2::WebACL")
    assert association["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    arn = association["ResourceArn"]["Fn::Sub"]
    assert arn.endswith("/restapis/${PlatformApi}/stages/${PlatformApi.Stage}")


# --- stage cache ----------------------------------------------------------------------


def _cached_routes() -> dict[tuple[str, str], int]:
    settings = RESOURCES["PlatformApi"]["Properties"]["MethodSettings"]
    (default,) = [s for s in settings if s["ResourcePath"] == "/*"]
    assert default["CachingEnabled"] is False  # only the routes listed below cache
    return {
        (s["HttpMethod"], s["ResourcePath"].replace("~1", "/")[1:]): s["CacheTtlInSeconds"]
        for s in settings
        if s.get("CachingEnabled")
    }


def test_the_stage_cache_holds_public_catalogue_list_and_licence_list_reads() -> None:
    api = RESOURCES["PlatformApi"]["Properties"]
    assert api["CacheClusterEnabled"] is True
    cached = _cached_routes()
    for path in (
        "/v1/items",
        "/v1/items/{item_code}",
        "/v1/regions/{region_code}/lists/{list_kind}",
        "/v1/licences/trust-list",
        "/v1/licences/status-lists/{list_id}",
    ):
        assert ("GET", path) in cached, path
    routes = _api_routes()
    for (method, path), ttl in cached.items():
        assert method == "GET", path
        assert routes[(method, path)].public, f"{path} is not public: never cache it"
        assert 0 < ttl <= 3600


@pytest.mark.parametrize("route", sorted(_cached_routes()))
def test_a_cached_route_is_keyed_by_every_parameter_it_reads_and_the_language(route: tuple[str, str]) -> None:
    method, path = route
    declared = SPEC["paths"][path][method.lower()].get("parameters", [])
    wanted = {f"method.request.{'querystring' if p['in'] == 'query' else p['in']}.{p['name']}" for p in declared}
    wanted.add("method.request.header.Accept-Language")
    keys = set(_api_routes()[route].cache_keys)
    assert keys == wanted, "a parameter outside the cache key would serve one answer to different questions"


# --- dashboard ------------------------------------------------------------------------


def _dashboard() -> dict[str, Any]:
    (dashboard,) = _of_type("AWS::CloudWatch::Dashboard").values()
    body = dashboard["DashboardBody"]["Fn::Sub"]
    return dict(json.loads(re.sub(r"\$\{[^}]+\}", "x", body)))


def _emitted_metric_names() -> tuple[set[str], set[str]]:
    """Metric names the code emits (literal) and name prefixes of f-string names."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in [*Path(ROOT, "shared").rglob("*.py"), *Path(ROOT, "functions").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for f, name in re.findall(r"add_metric\(\s*name=(f?)\"([A-Za-z_]+)", text):
            (prefixes if f else literal).add(name)
        literal |= set(re.findall(r"metric=\"([A-Za-z_]+)\"", text))
        literal |= set(re.findall(r"^MISSING_METRIC = \"(\w+)\"", text, flags=re.MULTILINE))
    return literal, prefixes


def test_the_dashboard_shows_the_metrics_the_code_emits() -> None:
    literal, prefixes = _emitted_metric_names()
    services = {
        r["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    shown = []
    for widget in _dashboard()["widgets"]:
        previous: list[Any] = []
        for row in widget["properties"]["metrics"]:
            values = [v for v in row if not isinstance(v, dict)]  # dicts: options or an expression
            if values[:1] == ["..."]:
                values = previous
            filled = [previous[i] if v == "." else v for i, v in enumerate(values)]
            previous = filled
            if filled and filled[0] == "Jszw":
                _, name, dimension, service = filled
                shown.append(name)
                assert dimension == "service"
                assert service in services, service
                assert name in literal or any(name.startswith(p) for p in prefixes), f"{name} is not emitted"
    assert len(shown) >= 15


def test_the_dashboard_covers_requests_errors_latency_queues_cases_payments_and_deliveries() -> None:
    text = json.dumps(_dashboard())
    for needle in (
        "AWS/ApiGateway",
        "Invocations",
        "Errors",
        "Duration",
        "ApproximateNumberOfMessagesVisible",
        "DLQ",
        "PreReview_passed",
        "CasesDeemedAccepted",
        "DeadlineWarningsRaised",
        "PaymentCallback_applied",
        "ShipmentBooking_sent",
    ):
        assert needle in text, needle


# --- the local cloud ------------------------------------------------------------------


def test_the_local_cloud_skips_what_it_cannot_run_without_calling_aws(tmp_path: Path) -> None:
    kinds = {"AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation", "AWS::CloudWatch::Dashboard"}
    assert kinds <= SKIPPED_TYPES
    template = {"Resources": {k: v for k, v in RESOURCES.items() if v["Type"] in kinds}}

    def no_aws(service: str) -> Any:
        raise AssertionError(f"{service} was called for a skipped resource")

    stack = LocalStack(template, tmp_path, parameters={}, pseudo=Pseudo(), name_prefix="jszw-test", client=no_aws)
    stack.create_all()
    assert set(stack.skipped.values()) == kinds
    assert not any(made.created_in_moto for made in stack.created.values())
