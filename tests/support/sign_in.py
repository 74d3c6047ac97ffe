"""Signing in through the local cloud's identity API, as a newcomer does:
request a one-time code, read it from the local SMS outbox, exchange it for
tokens. Shared by the integration walk-throughs.

A person signed in once is signed in for the rest of the session (tokens kept
per local cloud and person for 10 of their 15 minutes): the walk-throughs
share the demo people, and every second sign-in of a phone within a minute
waited out the one-code-per-minute rule (a minute per walk-through, D-191).
`fresh=True` signs in anew and keeps nothing, for a caller that may end its
own session (the fuzz tier signs out, refreshes, ...)."""

from __future__ import annotations

import re
import time
from typing import Any

import requests

from infra.local import LocalCloud
from shared.notifications.sms_outbox import latest_messages
from shared.platform.privacy import mask_phone

_CODE = re.compile(r"验证码 (\d{6})")
REUSE_S = 600.0  # access tokens last 15 minutes
OTP_RESEND_S = 5  # the test cloud's one-code-per-phone interval (tests/integration/conftest.py)
_SIGNED_IN: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}


def _reused(local_cloud: LocalCloud, who: str) -> dict[str, str] | None:
    kept = _SIGNED_IN.get((local_cloud.api_url, who))
    if kept is None or time.monotonic() - kept[0] > REUSE_S:
        return None
    return dict(kept[1])


def _keep(local_cloud: LocalCloud, who: str, headers: dict[str, str]) -> dict[str, str]:
    _SIGNED_IN[(local_cloud.api_url, who)] = (time.monotonic(), dict(headers))
    return headers


def _code_sent_to(local_cloud: LocalCloud, phone: str, after: float) -> str:
    s3 = local_cloud.client("s3")
    bucket = local_cloud.ref("SmsOutboxBucket")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in latest_messages(s3, bucket, mask_phone(phone), 3):
            sent = message.get("sent_at", "")
            found = _CODE.search(str(message.get("text", "")))
            if found and sent >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(after - 1)):
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no code was sent to {mask_phone(phone)}")


def _post_until_allowed(api: Any, path: str, body: dict[str, Any]) -> requests.Response:
    """POST, waiting out a per-phone resend interval another test may have started."""
    for _ in range(3):
        response = api.post(path, json=body)
        if response.status_code != 429:
            return response
        time.sleep(min(65, int(response.headers.get("Retry-After", "5"))))
    return response


def sign_in_citizen(api: Any, local_cloud: LocalCloud, phone: str, *, fresh: bool = False) -> dict[str, str]:
    if not fresh and (kept := _reused(local_cloud, phone)) is not None:
        return kept
    started = time.time()
    sent = _post_until_allowed(api, "/v1/auth/otp", {"phone": phone, "purpose": "sign_in"})
    assert sent.status_code == 202, sent.text
    code = _code_sent_to(local_cloud, phone, started)
    tokens = api.post("/v1/auth/sign-in", json={"phone": phone, "code": code})
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    return headers if fresh else _keep(local_cloud, phone, headers)


def sign_in_staff(
    api: Any, local_cloud: LocalCloud, login: str, password: str, phone: str, *, fresh: bool = False
) -> dict[str, str]:
    if not fresh and (kept := _reused(local_cloud, login)) is not None:
        return kept
    started = time.time()
    challenge = _post_until_allowed(api, "/v1/auth/staff/sign-in", {"login": login, "password": password})
    assert challenge.status_code in {200, 202}, challenge.text
    code = _code_sent_to(local_cloud, phone, started)
    tokens = api.post(
        "/v1/auth/staff/sign-in/verify", json={"challenge_id": challenge.json()["challenge_id"], "code": code}
    )
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    return headers if fresh else _keep(local_cloud, login, headers)


def sign_in_agent(api: Any, local_cloud: LocalCloud, phone: str, uscc: str) -> dict[str, str]:
    """An agent signed in for the enterprise `uscc` it is authorised for (not kept: a fresh session)."""
    started = time.time()
    sent = _post_until_allowed(api, "/v1/auth/otp", {"phone": phone, "purpose": "sign_in"})
    assert sent.status_code == 202, sent.text
    code = _code_sent_to(local_cloud, phone, started)
    tokens = api.post("/v1/auth/sign-in", json={"phone": phone, "code": code, "acting_for": uscc})
    assert tokens.status_code == 200, tokens.text
    return {"Authorization": f"Bearer {tokens.json()['access_token']}"}
