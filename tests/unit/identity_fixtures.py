"""Shared set-up for the identity and notifications tests: an in-process moto
cloud built from template.yaml (IdentityTable, NotificationsTable,
IdempotencyTable, the ES256 TokenSigningKey, the DataKey, the hash secret,
the SMS outbox bucket), the identity_api and authorizer handlers fed with
the sample events in events/, and helpers to read the SMS outbox and sign in.

Plain context managers and helpers (not fixtures), so each test module
declares the fixtures it needs with the scope it wants.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.template import ROOT, sam_template
from shared.identity.service import clear_caches
from shared.notifications import service as notifications_service
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.principal import Principal
from shared.platform.privacy import mask_phone
from shared.platform.sms import OUTBOX_PREFIX
from tests.support.api import invoke
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.support.template_tables import create_table_arguments

IDENTITY_TABLE = "identity-test"
NOTIFICATIONS_TABLE = "notifications-test"
IDEMPOTENCY_TABLE = "idempotency-test"
SMS_BUCKET = "sms-outbox-test"
SECRET_NAME = "identity-hash-secret-test"
ISSUER = "https://id.jszwfw.gov.cn/test"
AUDIENCE = "jszw-api"
EVENTS = ROOT / "events"
METHOD_ARN = "arn:aws-cn:execute-api:cn-north-1:123456789012:abcdef1234/local/GET/v1/me"


@dataclass(frozen=True)
class IdentityCloud:
    signing_key_id: str
    data_key_id: str
    secret_arn: str


@cache
def template_resources() -> dict[str, Any]:
    """template.yaml's resources, parsed once per test process (read, never changed)."""
    resources: dict[str, Any] = sam_template()["Resources"]
    return resources


def table_arguments(logical_id: str, name: str) -> dict[str, Any]:
    """CreateTable arguments for a template table (keys, indexes, stream as declared)."""
    return create_table_arguments(logical_id, name)


def forget_cached() -> None:
    reset_settings()
    aws.reset_clients()
    clear_caches()
    notifications_service.inbox_service.cache_clear()


@contextmanager
def identity_cloud(extra_env: dict[str, str] | None = None) -> Iterator[IdentityCloud]:
    """moto with everything the identity and notifications functions use; the
    functions' environment is set for the block."""
    resources = template_resources()
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        kms = boto3.client("kms")
        signing_props = resources["TokenSigningKey"]["Properties"]
        signing = kms.create_key(KeySpec=signing_props["KeySpec"], KeyUsage=signing_props["KeyUsage"])["KeyMetadata"]
        data_key = kms.create_key()["KeyMetadata"]
        secret = boto3.client("secretsmanager").create_secret(
            Name=SECRET_NAME, SecretString="test-hash-secret-" + "x" * 48
        )
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**table_arguments("IdentityTable", IDENTITY_TABLE))
        dynamodb.create_table(**table_arguments("NotificationsTable", NOTIFICATIONS_TABLE))
        dynamodb.create_table(**table_arguments("IdempotencyTable", IDEMPOTENCY_TABLE))
        boto3.client("s3").create_bucket(
            Bucket=SMS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        environment = {
            "IDENTITY_TABLE": IDENTITY_TABLE,
            "NOTIFICATIONS_TABLE": NOTIFICATIONS_TABLE,
            "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
            "IDENTITY_HASH_SECRET_ARN": secret["ARN"],
            "PERSONAL_DATA_KEY_ID": data_key["KeyId"],
            "TOKEN_SIGNING_KEY_ID": signing["KeyId"],
            "TOKEN_ISSUER": ISSUER,
            "TOKEN_AUDIENCE": AUDIENCE,
            "SMS_CHANNEL": "outbox",
            "SMS_OUTBOX_BUCKET": SMS_BUCKET,
            "REAL_NAME_REGISTRY": "seeded",
            "EVENT_BUS_NAME": "jszw-domain-test",
            # Fast password hashes in tests; the cost is stored in each hash, so this changes nothing else.
            "PASSWORD_SCRYPT_LOG2_N": "10",
            # identity_api reads departments from the catalogue (the management platform, D-290)
            "CATALOG_TABLE": "catalog-test",
            **(extra_env or {}),
        }
        for name, value in environment.items():
            patch.setenv(name, value)
        forget_cached()
        try:
            yield IdentityCloud(signing["KeyId"], data_key["KeyId"], secret["ARN"])
        finally:
            forget_cached()


# --- handlers ----------------------------------------------------------------------------


def sample(function: str, name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / function / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(event)


KEEP_SAMPLE = "sample"


def api_event(
    name: str,
    *,
    body: Any = None,
    principal: Principal | str | None = KEEP_SAMPLE,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str | None] | None = None,
    source_ip: str | None = None,
) -> dict[str, Any]:
    """A sample event of events/identity_api with the body, principal (None: anonymous;
    default: the sample's own) and parameters replaced."""
    event = sample("identity_api", name)
    if body is not None:
        event["body"] = json.dumps(body, ensure_ascii=False)
    if principal != KEEP_SAMPLE:
        event = with_principal(event, principal if isinstance(principal, Principal) else None)
    context = event["requestContext"]
    if path_params:
        event["pathParameters"] = path_params
        path = event["resource"]
        for key, value in path_params.items():
            path = path.replace("{" + key + "}", value)
        event["path"] = path
    if query is not None:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    for header, header_value in (headers or {}).items():
        # both header maps, as API Gateway sends them (Powertools reads the multi-value one); None removes
        for mapping in (event.setdefault("headers", {}), event.setdefault("multiValueHeaders", {})):
            mapping.pop(header, None)
        if header_value is not None:
            event["headers"][header] = header_value
            event["multiValueHeaders"][header] = [header_value]
    if source_ip is not None:
        context["identity"]["sourceIp"] = source_ip
    return event


def with_principal(event: dict[str, Any], principal: Principal | None) -> dict[str, Any]:
    """Any proxy event as API Gateway would pass it after the authorizer allowed `principal`."""
    changed = copy.deepcopy(event)
    context = changed.setdefault("requestContext", {})
    if principal is None:
        context.pop("authorizer", None)
    else:
        context["authorizer"] = {**principal.to_context(), "principalId": principal.subject_id}
    return changed


# --- SMS outbox --------------------------------------------------------------------------

_CODE = re.compile(r"验证码 ([0-9]{6})")


def outbox(phone: str) -> list[dict[str, Any]]:
    """Every message the SMS outbox holds for `phone`, oldest first."""
    s3 = boto3.client("s3")
    prefix = f"{OUTBOX_PREFIX}{mask_phone(phone)}/"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=SMS_BUCKET, Prefix=prefix).get("Contents", []))
    return [json.loads(s3.get_object(Bucket=SMS_BUCKET, Key=k)["Body"].read()) for k in keys]


def latest_code(phone: str) -> str:
    """The code in the newest message to `phone` (fails if it holds none)."""
    messages = outbox(phone)
    assert messages, f"no SMS to {mask_phone(phone)}"
    found = _CODE.search(messages[-1]["text"])
    assert found, "the latest SMS holds no code"
    return found.group(1)


def request_code(phone: str, purpose: str = "sign_in", source_ip: str = "198.51.100.7") -> str:
    reply = invoke(api_event("otp-request", body={"phone": phone, "purpose": purpose}, source_ip=source_ip))
    assert reply.status == 202, reply.body
    return latest_code(phone)


def sign_in(phone: str, acting_for: str | None = None) -> dict[str, Any]:
    code = request_code(phone)
    body: dict[str, Any] = {"phone": phone, "code": code}
    if acting_for:
        body["acting_for"] = acting_for
    reply = invoke(api_event("sign-in", body=body))
    assert reply.status == 200, reply.body
    return dict(reply.body)


def staff_sign_in(login: str, password: str, phone: str) -> dict[str, Any]:
    started = invoke(api_event("staff-sign-in", body={"login": login, "password": password}))
    assert started.status == 202, started.body
    code = latest_code(phone)
    reply = invoke(api_event("staff-sign-in-verify", body={"challenge_id": started.body["challenge_id"], "code": code}))
    assert reply.status == 200, reply.body
    return dict(reply.body)


def authorize(token: str | None, *, raw_header: str | None = None) -> dict[str, Any]:
    """Run the authorizer on the TOKEN sample event with `token` as the bearer token."""
    event = sample("authorizer", "token")
    event["authorizationToken"] = raw_header if raw_header is not None else f"Bearer {token}"
    result: dict[str, Any] = load_function("authorizer").handler(event, FakeContext())
    return result


def principal_from(token: str) -> Principal:
    """What a function sees after the authorizer allowed `token`."""
    return Principal.from_context(authorize(token)["context"])
