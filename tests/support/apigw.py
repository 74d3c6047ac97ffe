"""Build API Gateway REST proxy (v1) events the way API Gateway sends them."""

from __future__ import annotations

import json
import uuid
from typing import Any


def rest_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
    raw_body: str | None = None,
    authorizer: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`authorizer` is what the Lambda authorizer passed (see `as_role`); None = anonymous."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body, ensure_ascii=False))
    request_id = str(uuid.uuid4())
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/local{path}",
            "stage": "local",
            "requestId": request_id,
            "identity": {"sourceIp": "127.0.0.1"},
            "requestTimeEpoch": 0,
            **({"authorizer": {"principalId": authorizer.get("sub", ""), **authorizer}} if authorizer else {}),
        },
        "body": text,
        "isBase64Encoded": False,
    }


class FakeContext:
    function_name = "test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:test"
    aws_request_id = "req-test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def as_role(
    role: str,
    *,
    sub: str = "01JDQ90F3W7C8M2T6R4K9N5X1B",
    department_id: str = "",
    region_code: str = "320000",
    acting_for: str = "",
    scope: str = "",
) -> dict[str, str]:
    """The authorizer context for a principal of `role` (string values, as API Gateway passes them)."""
    return {
        "sub": sub,
        "role": role,
        "department_id": department_id,
        "region_code": region_code,
        "acting_for": acting_for,
        "scope": scope,
        "sid": "01JDQ90F3W7C8M2T6R4K9N5X1C",
    }
