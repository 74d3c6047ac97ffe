"""authorizer — the API Gateway Lambda authorizer in front of every route the
template does not mark public (一次认证、全网通行).

TOKEN type on the `Authorization: Bearer <access token>` header (REQUEST
events are read the same way). It verifies the ES256 signature with the
public key fetched from KMS once per execution environment (no KMS call per
request after the first), then `alg`, `kid`, expiry, issuer and audience
(shared.identity.tokens), then that the token's session (`sid`) is still
active (shared.identity.session_check: signed-out or revoked sessions stop
within about 90 s, not at token expiry). A valid token → an Allow policy for the whole API
stage (API Gateway caches the answer per token for ReauthorizeEvery seconds,
so the policy must cover every route) with the principal as context
(sub, role, department_id, region_code, acting_for, scope, sid). Anything
else → `Unauthorized` (API Gateway answers 401). Scope checks (403) belong to
the functions, which see the principal. The token itself is never logged.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.identity.api import InvalidToken, session_status, verifier
from shared.identity.config import identity_settings, session_check_settings, token_settings
from shared.platform.clock import now
from shared.platform.config import require
from shared.platform.principal import Principal

# cold start: a missing or malformed variable fails the first invocation, by name
require(token_settings, session_check_settings, identity_settings)

logger = Logger()
BEARER = "bearer "


class Unauthorized(Exception):
    """API Gateway answers 401 when an authorizer fails with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def bearer_token(event: dict[str, Any]) -> str | None:
    """The token of a TOKEN event's `authorizationToken` or a REQUEST event's header."""
    if event.get("type") == "REQUEST":
        headers = event.get("headers") or {}
        raw = next((str(v) for k, v in headers.items() if k.lower() == "authorization"), "")
    else:
        raw = str(event.get("authorizationToken") or "")
    if raw[: len(BEARER)].lower() != BEARER:
        return None
    return raw[len(BEARER) :].strip() or None


def stage_wildcard(method_arn: str) -> str:
    """`arn:…:execute-api:region:account:api/stage/GET/v1/me` → `arn:…:api/stage/*`."""
    prefix, _, path = method_arn.partition(":execute-api:")
    parts = path.split("/")
    if not prefix or len(parts) < 2:
        raise Unauthorized()
    return f"{prefix}:execute-api:{parts[0]}/{parts[1]}/*"


def allow(principal: Principal, method_arn: str) -> dict[str, Any]:
    return {
        "principalId": principal.subject_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": stage_wildcard(method_arn)}],
        },
        "context": principal.to_context(),
    }


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = bearer_token(event)
    if token is None:
        logger.info("token refused", extra={"reason": "no_bearer_token"})
        raise Unauthorized()
    moment = now()
    try:
        claims = verifier().verify(token, now=moment)
    except InvalidToken as exc:
        logger.info("token refused", extra={"reason": exc.reason})
        raise Unauthorized() from None
    if not claims.sid or not session_status().is_active(claims.sid, int(moment.timestamp())):
        logger.info("token refused", extra={"reason": "session_not_active", "subject_id": claims.sub})
        raise Unauthorized()
    principal = claims.principal()
    logger.debug("token accepted", extra={"subject_id": principal.subject_id, "role": principal.role.value})
    return allow(principal, str(event.get("methodArn") or ""))
