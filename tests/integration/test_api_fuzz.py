"""The fuzz tier (issue 22): the whole spec against the running platform, and the
hostile bodies that used to give 500s, through the local gateway.

Schemathesis generates requests for every operation of docs/openapi.json from
its schemas, sent as an anonymous caller, a citizen, staff and an operator
(signed in as a newcomer would). Every answer must be documented: no server
error, a status code and content type the spec declares for the operation,
and a body that matches the declared schema.

The budget is fixed (`BUDGET` requests a run, D-193), whatever the number of
operations: each operation is fuzzed by `k = BUDGET // operations` of the
four callers (one to four), the callers chosen by the operation's position
and the run's rotation, so over `ceil(4 / k)` consecutive rotations every
operation meets every kind of caller; what budget is left goes to more
examples per operation and caller. The rotation is the UTC day (set
`FUZZ_ROTATION` to replay another) and seeds the examples: a run is
reproducible from the rotation it prints, and the next day sends new ones. It lives with the integration
tests because it shares their session-wide local cloud.

The fuzzing requests come from their own loopback address (127.0.0.9), so
the one-time codes they may request count against their own per-address
budget, not the one the other tests sign in with. The operator does not fuzz
`PUT /v1/calendar/{year}`: a valid random arrangement would replace a year
the other tests compute deadlines in (the other callers are refused before
any write, and they are fuzzed on it).
"""

from __future__ import annotations

import math
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from infra.local import LocalCloud
from infra.seed.identity.people import LEGAL_REPRESENTATIVE, OPERATOR, STAFF_ELSEWHERE
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
BUDGET = 480  # requests a run (about 40 s on a quiet machine); at least one per operation
CALLERS = ("anonymous", "citizen", "staff", "operator")
FUZZ_SOURCE_ADDRESS = "127.0.0.9"
NOT_FUZZED: dict[str, set[tuple[str, str]]] = {"operator": {("PUT", "/v1/calendar/{year}")}}
PROBLEM_KEYS = {"type", "title", "status", "code", "message", "errors", "request_id"}


class _FromAddress(HTTPAdapter):
    """Connects from a chosen loopback address (the gateway sees it as the source IP)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (FUZZ_SOURCE_ADDRESS, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="module")
def callers(api: Any, local_cloud: LocalCloud) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "citizen": sign_in_citizen(api, local_cloud, LEGAL_REPRESENTATIVE.phone, fresh=True),
        "staff": sign_in_staff(
            api, local_cloud, STAFF_ELSEWHERE.login, STAFF_ELSEWHERE.password, STAFF_ELSEWHERE.phone, fresh=True
        ),
        "operator": sign_in_staff(api, local_cloud, OPERATOR.login, OPERATOR.password, OPERATOR.phone, fresh=True),
    }


def rotation() -> int:
    """This run's rotation: the UTC day unless FUZZ_ROTATION says otherwise."""
    return int(os.environ.get("FUZZ_ROTATION") or datetime.now(UTC).date().toordinal())


def plan(operations: int, budget: int, turn: int) -> tuple[list[tuple[str, ...]], int]:
    """Which callers fuzz each operation this turn, and how many examples each sends.

    k callers per operation (a block of k consecutive callers, starting at the operation's
    index plus k per turn), so `ceil(4 / k)` consecutive turns cover every pair."""
    k = max(1, min(len(CALLERS), budget // max(1, operations)))
    chosen = [tuple(CALLERS[(index + turn * k + j) % len(CALLERS)] for j in range(k)) for index in range(operations)]
    return chosen, max(1, budget // max(1, operations * k))


def _fuzz(base_url: str, callers: dict[str, dict[str, str]], turn: int) -> tuple[int, list[str]]:
    """(requests sent, failures) for every operation of the spec, each as this turn's callers."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Err
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_path(SPEC_PATH)
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation schemathesis cannot read is itself a failure
            failures.append(f"unreadable operation: {result.err()}")
            continue
        operations.append(result.ok())
    chosen, examples = plan(len(operations), BUDGET, turn)
    sent = 0

    def fuzz(operation: Any, caller: str, headers: dict[str, str], session: requests.Session) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @seed(turn)  # the same requests for a rotation (reproducible), new ones the next day
        @given(case=operation.as_strategy())
        def one(case: Any) -> None:
            nonlocal sent
            sent += 1
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
            try:
                case.validate_response(response, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:  # failed checks (a group): all reported at the end
                detail = str(exc).strip().splitlines()
                where = f"{case.method.upper()} {case.operation.path}"
                failures.append(f"{caller} {where}: {' | '.join(detail[:6])}")

        one()

    with requests.Session() as session:
        session.mount("http://", _FromAddress())
        for operation, callers_now in zip(operations, chosen, strict=True):
            for caller in callers_now:
                if (operation.method.upper(), operation.path) not in NOT_FUZZED.get(caller, set()):
                    fuzz(operation, caller, callers[caller], session)
    return sent, failures


@pytest.mark.parametrize("operations", [1, 100, 150, 240, 481, 2000])
def test_the_budget_is_fixed_and_every_caller_meets_every_operation_within_a_rotation(operations: int) -> None:
    chosen, examples = plan(operations, BUDGET, 0)
    k = len(chosen[0])
    assert operations * k * examples <= max(BUDGET, operations)  # one request per operation at least
    plans = [plan(operations, BUDGET, turn)[0] for turn in range(math.ceil(len(CALLERS) / k))]
    for index in range(operations):
        assert {caller for chosen_in_turn in plans for caller in chosen_in_turn[index]} == set(CALLERS)


def test_the_whole_spec_survives_fuzzing_as_every_kind_of_caller(
    local_cloud: LocalCloud, callers: dict[str, dict[str, str]]
) -> None:
    started = time.monotonic()
    turn = rotation()
    sent, failures = _fuzz(local_cloud.api_url, callers, turn)
    took = time.monotonic() - started
    operations = len(plan_source_operations())
    assert sent >= operations - 1, f"only {sent} requests for {operations} operations"  # one per operation at least
    assert failures == [], (
        f"{len(failures)} undocumented answers in {sent} requests ({took:.0f}s, FUZZ_ROTATION={turn}):\n"
        + "\n".join(sorted(set(failures))[:40])
    )


def plan_source_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the spec, as the fuzzer reads it."""
    import json

    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return [(m.upper(), p) for p, item in spec["paths"].items() for m in item if m in methods]


# --- hostile bodies through the gateway: each was a 500 --------------------------------------


def _problem(response: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS, body
    if code is not None:
        assert body["code"] == code, body
    return body


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("method", "path", "raw", "status", "code"),
    [
        ("POST", "/v1/auth/otp", b'{"phone": "\xff\xfe", "purpose": "sign_in"}', 400, "body_not_utf8"),
        ("POST", "/v1/auth/otp", b"[" * 50_000 + b"]" * 50_000, 400, "body_too_deep"),
        ("POST", "/v1/licences/verify", b'{"qr": ' + b"9" * 5000 + b"}", 400, "number_out_of_range"),
        ("POST", "/v1/auth/otp", b'{"phone": "138\\ud8000000000", "purpose": "sign_in"}', 422, "validation_failed"),
        ("POST", "/v1/auth/otp", '{"phone": "1380\u202e0000000", "purpose": "sign_in"}'.encode(), 422, None),
    ],
    ids=["not-utf8", "nested-50000", "5000-digits", "lone-surrogate", "bidi-override"],
)
def test_hostile_bodies_are_problems_not_500s(
    api: Any, method: str, path: str, raw: bytes, status: int, code: str | None
) -> None:
    body = _problem(api.request(method, path, data=raw, headers=JSON), status, code)
    if status == 422:
        assert body["errors"][0]["field"] == "phone"


def test_a_lone_surrogate_in_a_form_field_is_refused_before_the_write(
    api: Any, callers: dict[str, dict[str, str]]
) -> None:
    raw = b'{"form": {"applicant_name": "\\ud800"}}'
    response = api.put("/v1/cases/01JDQ90F3W7C8M2T6R4K9N5ZZZ/form", data=raw, headers={**JSON, **callers["citizen"]})
    body = _problem(response, 422, "validation_failed")
    assert body["errors"][0] == {
        "field": "form.applicant_name",
        "code": "field.unpaired_surrogate",
        "message": "包含无效的 Unicode 字符",
    }


# --- the gateway's own answers follow the problem shape (the spec says so) --------------------


def test_the_gateway_401_is_problem_json(api: Any) -> None:
    body = _problem(api.get("/v1/me"), 401, "unauthorized")
    assert body["status"] == 401


def test_a_body_over_10_mb_is_a_413_problem(api: Any) -> None:
    _problem(api.post("/v1/auth/otp", data=b" " * (10 * 1024 * 1024 + 1), headers=JSON), 413, "payload_too_large")


@pytest.mark.parametrize("method", ["TRACE", "BREW"])
def test_methods_api_gateway_does_not_serve_are_problems(api: Any, method: str) -> None:
    response = api.request(method, "/v1/items")
    assert 400 <= response.status_code < 500, response.status_code
    _problem(response, response.status_code)
