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
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
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

# Observers see each finished call: service, operation, the API parameters, the
# parsed response and the request/response sizes on the wire (and, with a `before`
# method, each call's parameters before it is sent). The local cloud's
# metering (infra/local/metering.py) prices a scripted run with them; nothing is
# observed in production (the list stays empty and the hooks return at once).
CallObserver = Callable[[str, str, Mapping[str, Any], Mapping[str, Any], int, int], None]
_observers: list[CallObserver] = []
_count_lock = threading.Lock()


def _attach_counter(made: Any) -> None:
    service = made.meta.service_model.service_name

    def count(**kwargs: Any) -> None:
        name = kwargs.get("event_name", "").rsplit(".", 1)[-1]
        with _count_lock:  # calls made on several threads (`concurrently`) count each once
            for counter in _active_counters:
                counter[f"{service}.{name}"] += 1
        if _observers:
            kwargs.get("context", {})["jszw_request_bytes"] = _size(kwargs.get("params", {}).get("body"))

    def keep_params(params: Mapping[str, Any], context: dict[str, Any], model: Any, **_: Any) -> None:
        if _observers:
            context["jszw_params"] = dict(params)
            for observer in list(_observers):
                before = getattr(observer, "before", None)  # the meter reads what a write replaces
                if before is not None:
                    before(service, model.name, params)

    def observe(parsed: Mapping[str, Any], model: Any, context: Mapping[str, Any], **kwargs: Any) -> None:
        if not _observers:
            return
        response = kwargs.get("http_response")
        length = (getattr(response, "headers", None) or {}).get("content-length")
        if length is not None:
            received = int(length)
        elif model.has_streaming_output:  # never read a streamed body here: the caller would get it empty
            received = 0
        else:  # already read whole by botocore
            received = len(getattr(response, "content", b"") or b"")
        for observer in list(_observers):
            observer(
                service,
                model.name,
                context.get("jszw_params", {}),
                parsed,
                int(context.get("jszw_request_bytes", 0)),
                received,
            )

    made.meta.events.register("before-call.*.*", count)
    made.meta.events.register("before-parameter-build.*.*", keep_params)
    made.meta.events.register("after-call.*.*", observe)


def _size(body: Any) -> int:
    """Bytes of a request body: bytes or text, or a stream (S3 uploads) measured without reading it."""
    if isinstance(body, bytes | bytearray | str):
        return len(body)
    getbuffer = getattr(body, "getbuffer", None)
    return len(getbuffer()) if getbuffer is not None else 0


@contextmanager
def observe_calls(observer: CallObserver) -> Iterator[None]:
    """Call `observer` after every AWS call made inside the block (local metering, benchmarks)."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


def concurrently[T](calls: Sequence[Callable[[], T]], *, workers: int = 8) -> list[T]:
    """Run independent AWS calls on up to `workers` threads and return their results in order;
    the first failure is raised once all have ended. A Lambda waits on each call's round trip, so
    calls that need nothing from each other (monitoring's ADDs to different rows) take the time of
    the slowest wave instead of the sum. Observers with a `concurrent(workers)` context manager
    (the local meter) are told, so a model of the duration can price the waves, not the sum."""
    if len(calls) <= 1 or workers <= 1:
        return [call() for call in calls]
    width = min(workers, len(calls))
    with ExitStack() as stack:
        for observer in list(_observers):
            section = getattr(observer, "concurrent", None)
            if section is not None:
                stack.enter_context(section(width))
        with ThreadPoolExecutor(max_workers=width) as pool:
            futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


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
