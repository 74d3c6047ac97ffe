"""Signatures between the platform and a payment channel (HMAC-SHA256).

Callbacks (HTTP): the channel sends
    X-Jszw-Timestamp: <unix seconds>
    X-Jszw-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
and we refuse, without side effects: no headers (400 payment.signature_missing),
a timestamp more than `payment_callback_window_s` (5 minutes) away from our
clock (400 payment.timestamp_stale: replays of old callbacks), and a wrong
signature (401 payment.signature_invalid). Comparison is constant-time
(`hmac.compare_digest`). The raw body is signed, byte for byte, before any
JSON parsing.

Cashier links: the platform signs the query of the pay URL it hands the payer
(the same secret), so the channel knows the amount and order came from us
(as page-pay redirects of Chinese channels work).

Each channel has its own secret in Secrets Manager (`PAYMENT_CHANNEL_SECRETS`
= `channel=<secret arn>,…`), read once per process and kept 10 minutes, so a
rotation is picked up without a deploy; a warm function makes no call.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from shared.payments.config import channel_settings
from shared.payments.errors import SIGNATURE_INVALID, SIGNATURE_MISSING, TIMESTAMP_STALE, UNKNOWN_CHANNEL
from shared.platform.aws import client
from shared.platform.clock import now
from shared.platform.errors import BadRequest, NotFound, Unauthorized

TIMESTAMP_HEADER = "X-Jszw-Timestamp"
SIGNATURE_HEADER = "X-Jszw-Signature"
SIGNATURE_PREFIX = "sha256="
SECRET_TTL_S = 600

_cache: dict[str, tuple[float, bytes]] = {}
_lock = threading.Lock()


def channels() -> dict[str, str]:
    """channel name → secret ARN, from the configuration."""
    found: dict[str, str] = {}
    for part in channel_settings().payment_channel_secrets.split(","):
        name, _, arn = part.strip().partition("=")
        if name and arn:
            found[name.strip()] = arn.strip()
    return found


def channel_secret(channel: str) -> bytes:
    """The channel's shared secret (cached per process); 404 for an unknown channel."""
    arn = channels().get(channel)
    if arn is None:
        raise NotFound(UNKNOWN_CHANNEL)
    with _lock:
        cached = _cache.get(channel)
        if cached is not None and time.monotonic() - cached[0] < SECRET_TTL_S:
            return cached[1]
    value = client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"].encode()
    with _lock:
        _cache[channel] = (time.monotonic(), value)
    return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == wanted:
            return value or ""
    return ""


def verify_callback(channel: str, headers: Mapping[str, str] | None, body: bytes) -> None:
    """Raise the refusal for a callback that is not signed by `channel` just now."""
    if channel not in channels():
        raise NotFound(UNKNOWN_CHANNEL)
    timestamp = _header(headers, TIMESTAMP_HEADER).strip()
    given = _header(headers, SIGNATURE_HEADER).strip()
    if not timestamp or not given:
        raise BadRequest(SIGNATURE_MISSING)
    window = channel_settings().payment_callback_window_s
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadRequest(TIMESTAMP_STALE, params={"window": window}) from None
    if abs(now().timestamp() - sent) > window:
        raise BadRequest(TIMESTAMP_STALE, params={"window": window})
    expected = sign(channel_secret(channel), timestamp, body)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise Unauthorized(SIGNATURE_INVALID)


def canonical_query(params: Mapping[str, str]) -> str:
    return urlencode(sorted((k, v) for k, v in params.items() if k != "sign"))


def sign_params(secret: bytes, params: Mapping[str, str]) -> str:
    return hmac.new(secret, canonical_query(params).encode(), hashlib.sha256).hexdigest()


def params_signed(secret: bytes, params: Mapping[str, str]) -> bool:
    return hmac.compare_digest(sign_params(secret, params), params.get("sign", ""))
