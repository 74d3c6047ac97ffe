"""The one HTTP resolver: every failure a caller can cause becomes a clear
problem+json answer with a stable code, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, Field

from shared.platform.config import reset_settings
from shared.platform.errors import NotFound
from shared.platform.http import json_body, make_resolver, preferred_locale
from tests.support.apigw import FakeContext, rest_event


class Thing(BaseModel):
    name: str = Field(min_length=1)
    count: int = Field(ge=0)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MAX_BODY_BYTES", "2048")
    reset_settings()
    resolver = make_resolver()

    @resolver.post("/v1/things")
    def create(thing: Annotated[Thing, Body()]) -> dict[str, Any]:
        return {"name": thing.name}

    @resolver.get("/v1/things/<thing_id>")
    def read(thing_id: str) -> dict[str, Any]:
        raise NotFound("not_found")

    @resolver.get("/v1/boom")
    def boom() -> dict[str, Any]:
        raise RuntimeError("bug")

    yield resolver
    reset_settings()


def call(app: Any, event: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    response = app.resolve(event, FakeContext())
    headers = dict(response.get("headers") or {})
    headers.update({k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()})
    return response["statusCode"], json.loads(response["body"]), headers


def test_valid_request_passes_and_carries_the_request_id(app: Any) -> None:
    # Given a well-formed body and a caller-chosen request id
    event = rest_event("POST", "/v1/things", body={"name": "a", "count": 1}, headers={"X-Request-Id": "abc-123"})
    # When it is resolved
    status, body, headers = call(app, event)
    # Then it succeeds and echoes the id
    assert status == 200
    assert body == {"name": "a"}
    assert headers["X-Request-Id"] == "abc-123"


def test_validation_errors_name_each_field_in_chinese_by_default(app: Any) -> None:
    status, body, headers = call(app, rest_event("POST", "/v1/things", body={"name": "", "count": -1}))
    assert status == 422
    assert body["code"] == "validation_failed"
    assert body["message"] == "请求参数校验未通过"
    assert {e["field"] for e in body["errors"]} == {"name", "count"}
    assert body["request_id"] == headers["X-Request-Id"]
    assert headers["Content-Type"] == "application/problem+json"


def test_english_when_accept_language_prefers_it(app: Any) -> None:
    event = rest_event("POST", "/v1/things", body={"count": 1}, headers={"Accept-Language": "en-GB,zh;q=0.5"})
    status, body, _ = call(app, event)
    assert status == 422
    assert body["message"] == "Some fields are invalid"
    assert body["errors"] == [{"field": "name", "code": "field.required", "message": "This field is required"}]


def test_malformed_json_is_a_400(app: Any) -> None:
    status, body, _ = call(app, rest_event("POST", "/v1/things", raw_body='{"name": '))
    assert (status, body["code"]) == (400, "malformed_json")


def test_oversized_body_is_a_413_before_any_work(app: Any) -> None:
    status, body, _ = call(app, rest_event("POST", "/v1/things", body={"name": "x" * 4096, "count": 1}))
    assert (status, body["code"]) == (413, "payload_too_large")
    assert "2048" in body["message"]


def test_non_json_body_is_a_415(app: Any) -> None:
    event = rest_event("POST", "/v1/things", raw_body="name=a", headers={"Content-Type": "text/plain"})
    status, body, _ = call(app, event)
    assert (status, body["code"]) == (415, "unsupported_media_type")


def test_domain_errors_and_unknown_routes_are_404s_with_distinct_codes(app: Any) -> None:
    status, body, _ = call(app, rest_event("GET", "/v1/things/42", resource="/v1/things/{thing_id}"))
    assert (status, body["code"]) == (404, "not_found")
    status, body, _ = call(app, rest_event("GET", "/v1/nowhere"))
    assert (status, body["code"]) == (404, "route_not_found")


def test_a_bug_is_a_500_problem_without_internals(app: Any) -> None:
    status, body, _ = call(app, rest_event("GET", "/v1/boom"))
    assert (status, body["code"]) == (500, "internal_error")
    assert "bug" not in json.dumps(body)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh;q=0.4,en;q=0.6", "en"),
        ("fr-FR", "zh"),
        ("en;q=bogus,zh", "zh"),
    ],
)
def test_preferred_locale(header: str | None, expected: str) -> None:
    assert preferred_locale(header) == expected


def test_declared_access_is_enforced_before_the_body_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.platform.principal import Access
    from shared.platform.routing import route
    from tests.support.apigw import as_role

    reset_settings()
    resolver = make_resolver()

    @route(resolver, "POST", "/v1/admin/things", access=Access.OPERATOR)
    def create(thing: Annotated[Thing, Body()]) -> dict[str, Any]:
        return {"name": thing.name}

    bad_body = {"name": ""}
    # Given no principal, then a citizen, then an operator, each sending an invalid body
    anonymous = call(resolver, rest_event("POST", "/v1/admin/things", body=bad_body))
    citizen = call(resolver, rest_event("POST", "/v1/admin/things", body=bad_body, authorizer=as_role("citizen")))
    operator = call(resolver, rest_event("POST", "/v1/admin/things", body=bad_body, authorizer=as_role("operator")))
    # Then only the operator gets as far as validation
    assert (anonymous[0], anonymous[1]["code"]) == (401, "unauthorized")
    assert (citizen[0], citizen[1]["code"]) == (403, "forbidden")
    assert (operator[0], operator[1]["code"]) == (422, "validation_failed")


# --- hostile bodies (issue 22): each was a 500 before the strict body parser -------------


class Note(BaseModel):
    text: str = Field(max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=5)


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MAX_BODY_BYTES", str(1024 * 1024))
    reset_settings()
    resolver = make_resolver()

    @resolver.post("/v1/notes")
    def create(note: Annotated[Note, Body()]) -> dict[str, Any]:
        # what a DynamoDB write does with the text: encode it as UTF-8
        return {"bytes": len(note.text.encode("utf-8"))}

    @resolver.post("/v1/raw")
    def raw() -> dict[str, Any]:
        return {"kind": type(json_body(resolver)).__name__}

    yield resolver
    reset_settings()


def _base64_event(path: str, raw: bytes) -> dict[str, Any]:
    event = rest_event("POST", path, raw_body=base64.b64encode(raw).decode())
    event["isBase64Encoded"] = True  # the gateway's way of passing bytes that are not UTF-8
    return event


@pytest.mark.parametrize("path", ["/v1/notes", "/v1/raw"])
def test_a_body_that_is_not_utf8_is_a_400(notes: Any, path: str) -> None:
    status, body, headers = call(notes, _base64_event(path, b'{"text": "a\xff\xfeb"}'))
    assert (status, body["code"]) == (400, "body_not_utf8")
    assert headers["Content-Type"] == "application/problem+json"


def test_a_utf8_body_passed_base64_encoded_is_read(notes: Any) -> None:
    status, body, _ = call(notes, _base64_event("/v1/notes", '{"text": "办事"}'.encode()))
    assert (status, body) == (200, {"bytes": 6})


@pytest.mark.parametrize("path", ["/v1/notes", "/v1/raw"])
def test_json_nested_50000_deep_is_a_400(notes: Any, path: str) -> None:
    event = rest_event("POST", path, raw_body="[" * 50_000 + "]" * 50_000, headers={"Accept-Language": "en"})
    status, body, _ = call(notes, event)
    assert (status, body["code"]) == (400, "body_too_deep")
    assert "32" in body["message"]


def test_nesting_just_past_the_cap_is_refused_and_at_the_cap_accepted(notes: Any) -> None:
    from shared.platform.strict_json import MAX_DEPTH

    status, _, _ = call(notes, rest_event("POST", "/v1/raw", raw_body="[" * MAX_DEPTH + "]" * MAX_DEPTH))
    assert status == 200
    status, body, _ = call(notes, rest_event("POST", "/v1/raw", raw_body="[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)))
    assert (status, body["code"]) == (400, "body_too_deep")


@pytest.mark.parametrize(
    "number",
    ["9" * 5000, "-" + "9" * 5000, "9" * 39, str(2**63), str(-(2**63) - 1), "1e400", "-1e999", "NaN", "Infinity"],
)
def test_numbers_past_int64_or_not_finite_are_a_400(notes: Any, number: str) -> None:
    status, body, _ = call(notes, rest_event("POST", "/v1/raw", raw_body='{"n": ' + number + "}"))
    assert (status, body["code"]) == (400, "number_out_of_range")


def test_int64_bounds_themselves_parse(notes: Any) -> None:
    for number in (str(2**63 - 1), str(-(2**63)), "1.5e300"):
        status, _, _ = call(notes, rest_event("POST", "/v1/raw", raw_body='{"n": ' + number + "}"))
        assert status == 200


def test_a_lone_surrogate_in_a_text_field_is_a_422_naming_the_field(notes: Any) -> None:
    event = rest_event("POST", "/v1/notes", raw_body='{"text": "ok", "tags": ["fine", "bad\\ud800"]}')
    status, body, _ = call(notes, event)
    assert (status, body["code"]) == (422, "validation_failed")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("tags.1", "field.unpaired_surrogate")]
    assert body["errors"][0]["message"] == "包含无效的 Unicode 字符"


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\u0085", "\u202e", "\u2066"])
def test_control_and_bidi_override_characters_are_a_422(notes: Any, char: str) -> None:
    event = rest_event("POST", "/v1/notes", body={"text": f"invoice{char}fdp.exe"}, headers={"Accept-Language": "en"})
    status, body, _ = call(notes, event)
    assert (status, body["code"]) == (422, "validation_failed")
    assert body["errors"][0]["field"] == "text"
    assert body["errors"][0]["code"] == "field.control_character"


def test_a_bad_character_in_an_object_key_is_refused_too(notes: Any) -> None:
    status, body, _ = call(notes, rest_event("POST", "/v1/raw", raw_body='{"a": {"k\\u0000": 1}}'))
    assert (status, body["errors"][0]["field"]) == (422, "a")


def test_line_breaks_tabs_and_ordinary_chinese_text_pass(notes: Any) -> None:
    text = "第一行\n第二行\t（南京市玄武区）\r\n😀"
    status, body, _ = call(notes, rest_event("POST", "/v1/notes", body={"text": text}))
    assert (status, body) == (200, {"bytes": len(text.encode("utf-8"))})
