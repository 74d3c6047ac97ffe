"""`python -m infra.local wait PATH`: poll the API until a condition holds (the walk-throughs' wait).

Asynchronous steps (pre-review from a queue, a payment order from an event,
a courier's journey) take seconds on a quiet machine and much longer on a
loaded one; a fixed `sleep` is either too short or wastes time. This polls:

    python -m infra.local wait /v1/cases/$CASE -H "$A" --until state=accepted
    python -m infra.local wait /v1/payment-orders -H "$A" --until "items.*.case_id=$CASE"
    python -m infra.local wait /v1/me/messages -H "$A" --contains 居民户口簿

and prints the answer once every condition holds (or just `--print FIELD`).
It stops at once, loudly, on 401 (the 15-minute access token has expired)
and 403/404 (the wrong person or path), and after `--timeout` seconds with
the last answer, exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any

_MISSING = object()
FATAL = {401, 403, 404}


def values_at(document: Any, path: str) -> list[Any]:
    """The values at a dotted path; `*` stands for every element of a list (or value of an object)."""
    found = [document]
    for part in path.split("."):
        step: list[Any] = []
        for value in found:
            if part == "*":
                if isinstance(value, list):
                    step.extend(value)
                elif isinstance(value, dict):
                    step.extend(value.values())
            elif isinstance(value, list) and part.lstrip("-").isdigit():
                index = int(part)
                if -len(value) <= index < len(value):
                    step.append(value[index])
            elif isinstance(value, dict) and part in value:
                step.append(value[part])
        found = step
    return found


def holds(document: Any, condition: str) -> bool:
    """`FIELD=VALUE`: some value at FIELD equals VALUE (as text); `FIELD`: some value is present and not empty."""
    field, equals, expected = condition.partition("=")
    values = values_at(document, field.strip())
    if not equals:
        return any(v not in (None, "", [], {}, False) for v in values)
    return any(_text(v) == expected for v in values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _get(url: str, headers: list[str]) -> tuple[int, str]:
    request = urllib.request.Request(url, method="GET")  # noqa: S310 - the local gateway
    for header in headers:
        name, _, value = header.partition(":")
        if name.strip():
            request.add_header(name.strip(), value.strip())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local gateway
            return int(response.status), response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8", errors="replace")


def _explain(status: int, body: str) -> str:
    if status == 401:
        return (
            f"401 {body}\nThe access token has expired (tokens last 15 minutes) or is missing: "
            "sign in again (README, 'Sign in') and set the header variable anew."
        )
    return f"{status} {body}"


def wait(api: str, args: argparse.Namespace) -> int:
    """Poll `api + args.path` until `args.until` and `args.contains` hold; 0 when they do."""
    url = api + (args.path if args.path.startswith("/") else "/" + args.path)
    deadline = time.monotonic() + args.timeout
    last: tuple[int, str] = (0, "")
    while True:
        try:
            last = _get(url, args.header)
        except (urllib.error.URLError, OSError) as exc:
            last = (0, f"no answer from {api}: {exc}")
        status, body = last
        if status in FATAL:
            print(_explain(status, body), file=sys.stderr)
            return 1
        if status == 200:
            try:
                document = json.loads(body)
            except ValueError:
                document = None
            if all(holds(document, c) for c in args.until) and all(t in body for t in args.contains):
                _show(document, body, args.show)
                return 0
        if time.monotonic() >= deadline:
            wanted = " and ".join([*args.until, *(f"contains {t!r}" for t in args.contains)]) or "200"
            print(f"waited {args.timeout:.0f} s for {wanted} on {args.path}; last answer:", file=sys.stderr)
            print(_explain(status, body), file=sys.stderr)
            return 1
        time.sleep(args.interval)


def _show(document: Any, body: str, field: str | None) -> None:
    if field is None:
        print(body)
        return
    values = values_at(document, field)
    print(_text(values[0]) if values else "")
