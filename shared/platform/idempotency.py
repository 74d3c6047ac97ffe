"""Idempotent HTTP writes keyed by the `Idempotency-Key` header.

Same key and same body -> the first response again; same key with another
body -> 409 `idempotency_key_reused` (Powertools payload validation, mapped in
`shared.platform.http`). Records live in the Idempotency table for 24 hours.
Queue consumers use Powertools' `idempotent_function` through the same
persistence layer, keyed on the business id plus the event id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from shared.platform.aws import dynamodb
from shared.platform.config import idempotency_settings
from shared.platform.errors import BadRequest

# Powertools' idempotency utility is imported on the first keyed write, not at import:
# reads (most requests) never need it, and it is a noticeable part of a cold start.
if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
_MAX_KEY_LENGTH = 128


@cache
def persistence() -> DynamoDBPersistenceLayer:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=idempotency_settings().idempotency_table, boto3_client=dynamodb())


def _run(request: dict[str, Any], produce: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return produce()


@cache
def _config() -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="payload_hash",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
    )


@cache
def _runner() -> Callable[..., dict[str, Any]]:
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    return idempotent_function(data_keyword_argument="request", persistence_store=persistence(), config=_config())(_run)


# The current invocation's Lambda context (set by the HTTP resolver for each request).
_lambda_context: Any = None


def register_lambda_context(context: Any) -> None:
    """Remember the invocation so an in-progress record expires with its timeout:
    without it, a request that crashed mid-way would block its key until the
    record's 24-hour expiry instead of becoming retryable after the timeout."""
    global _lambda_context
    _lambda_context = context if hasattr(context, "get_remaining_time_in_millis") else None


def payload_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def once(*, scope: str, key: str | None, payload: Any, produce: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `produce` once per (scope, key); without a key it simply runs.

    `scope` names the operation and the caller (e.g. `items.create:operator`)
    so two callers' keys never collide. `produce` returns a JSON-able dict.
    """
    if not key:
        return produce()
    if len(key) > _MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest("bad_request")
    request = {"key": f"{scope}#{key}", "payload_hash": payload_hash(payload)}
    runner = _runner()
    if _lambda_context is not None:
        _config().register_lambda_context(_lambda_context)
    return runner(request=request, produce=produce)
