"""Calling a partner system over HTTPS: signed requests, timeouts, a circuit breaker.

Used by the production adapters behind the SMS port (`shared.platform.sms`)
and the real-name registry ports (`shared.identity.registries`). Standard
library only (`urllib.request`, the runtime lock has no HTTP client).

Signing (HMAC-SHA256, the province's 数据共享交换平台 style): each request
carries
- `X-Jszw-App-Id`: who calls,
- `X-Jszw-Timestamp`: Unix seconds (the partner refuses ±300 s),
- `X-Jszw-Nonce`: 16 random bytes, hex (the partner refuses repeats),
- `X-Jszw-Signature`: `hmac-sha256=<hex>` over
  `METHOD \\n path \\n app id \\n timestamp \\n nonce \\n sha256(body) hex`,
keyed with the shared secret (Secrets Manager). `canonical_request` is the one
definition; the local simulators verify with the same function, and a
contract test pins the bytes.

Failure handling: a connection error, a timeout or a 5xx is a
`PartnerUnavailable`; `CircuitBreaker` opens after `failure_threshold`
consecutive ones and then fails fast for `open_s` seconds (one trial call
after that), so a partner outage costs callers no timeouts and they can
answer 503 with Retry-After at once. 4xx answers are the partner's verdict
and pass through (`PartnerResponse.status`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from shared.platform.aws import client

SIGNATURE_PREFIX = "hmac-sha256="
MAX_RESPONSE_BYTES = 1 << 20


class PartnerUnavailable(Exception):
    """The partner could not be reached or failed (5xx, timeout); `retry_after` in seconds."""

    def __init__(self, reason: str, retry_after: int = 30) -> None:
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(reason)


@dataclass(frozen=True)
class PartnerResponse:
    status: int
    body: dict[str, Any]


def canonical_request(method: str, path: str, app_id: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, app_id, timestamp, nonce, digest]).encode()


def signature(secret: bytes, method: str, path: str, app_id: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(secret, canonical_request(method, path, app_id, timestamp, nonce, body), hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def signed_headers(secret: bytes, app_id: str, method: str, path: str, body: bytes, now: int) -> dict[str, str]:
    stamp, nonce = str(now), secrets.token_hex(16)
    return {
        "X-Jszw-App-Id": app_id,
        "X-Jszw-Timestamp": stamp,
        "X-Jszw-Nonce": nonce,
        "X-Jszw-Signature": signature(secret, method, path, app_id, stamp, nonce, body),
    }


@cache
def partner_secret(arn: str) -> bytes:
    """A partner's shared signing secret from Secrets Manager, fetched once per process."""
    if not arn:
        raise PartnerUnavailable("secret_not_configured")
    try:
        return str(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]).encode()
    except (ClientError, BotoCoreError) as exc:
        raise PartnerUnavailable("secret_unreadable") from exc


def check_url(url: str, *, stage: str) -> str:
    """Partners are reached over HTTPS; plain HTTP only to a simulator on this machine."""
    parts = urlsplit(url)
    local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise RuntimeError(f"partner URL must be https:// (stage {stage}): {parts.scheme}://{parts.hostname}")
    return url.rstrip("/")


class CircuitBreaker:
    def __init__(self, failure_threshold: int = 5, open_s: int = 30, clock: Callable[[], float] = time.monotonic):
        self._threshold = failure_threshold
        self._open_s = open_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def before_call(self) -> None:
        """Raise at once while open; after `open_s` let one trial call through (half-open)."""
        with self._lock:
            if self._opened_at is None:
                return
            waited = self._clock() - self._opened_at
            if waited < self._open_s:
                raise PartnerUnavailable("circuit_open", retry_after=max(1, int(self._open_s - waited)))
            self._opened_at = self._clock()  # half-open: this call is the trial; others keep failing fast

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self._threshold:
                self._opened_at = self._clock()

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None


class PartnerClient:
    """JSON over HTTPS to one partner, signed, with a timeout and a circuit breaker."""

    def __init__(
        self,
        base_url: str,
        *,
        app_id: str,
        secret: Callable[[], bytes],
        timeout_s: float,
        breaker: CircuitBreaker,
        now: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        self._base = base_url.rstrip("/")
        self._path_prefix = urlsplit(self._base).path
        self._app_id = app_id
        self._secret = secret
        self._timeout = timeout_s
        self._breaker = breaker
        self._now = now

    def call(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> PartnerResponse:
        self._breaker.before_call()
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() if payload is not None else b""
        full_path = self._path_prefix + path
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            **signed_headers(self._secret(), self._app_id, method, full_path, body, self._now()),
        }
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked by check_url)
            self._base + path, data=body if payload is not None else None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                status, raw = response.status, response.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read(MAX_RESPONSE_BYTES)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            self._breaker.failed()
            raise PartnerUnavailable(type(exc).__name__) from exc
        if status >= 500 or status == 429:
            self._breaker.failed()
            raise PartnerUnavailable(f"http_{status}")
        self._breaker.succeeded()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise PartnerUnavailable("bad_json") from exc
        return PartnerResponse(status, parsed if isinstance(parsed, dict) else {})
