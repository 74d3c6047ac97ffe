"""Lazily created boto3 clients, one per service per process.

Clients are built on first use (not at import) so cold starts stay small and
tests can point the environment at the local cloud first. boto3 honours
`AWS_ENDPOINT_URL`, so the same code talks to moto locally and to AWS in
production. `CallCounter` counts AWS calls per operation for tests and
benchmarks through botocore's event hooks.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)
_lock = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    """The one client of `service` for this process (thread-safe creation)."""
    with _lock:
        made = _session().client(service, config=_CONFIG)  # type: ignore[call-overload]
    _attach_counter(made)
    return made


def dynamodb() -> DynamoDBClient:
    return client("dynamodb")


def events() -> EventBridgeClient:
    return client("events")


def s3() -> S3Client:
    return client("s3")


def sqs() -> SQSClient:
    return client("sqs")


def reset_clients() -> None:
    """Forget cached clients, e.g. after tests change the endpoint."""
    client.cache_clear()
    _session.cache_clear()


# --- counting AWS calls -------------------------------------------------------

_active_counters: list[Counter[str]] = []


def _attach_counter(made: Any) -> None:
    service = made.meta.service_model.service_name

    def count(**kwargs: Any) -> None:
        name = kwargs.get("event_name", "").rsplit(".", 1)[-1]
        for counter in _active_counters:
            counter[f"{service}.{name}"] += 1

    made.meta.events.register("before-call.*.*", count)


@contextmanager
def count_calls() -> Iterator[Counter[str]]:
    """Count every AWS API call made by clients of this module inside the block.

    Keys are `service.Operation`, e.g. `dynamodb.Query`; `sum(c.values())`
    is the total. Retries are not counted twice: the hook fires per call.
    """
    counter: Counter[str] = Counter()
    _active_counters.append(counter)
    try:
        yield counter
    finally:
        _active_counters.remove(counter)
