"""The read loop of a partner simulator that consumes one of the platform's
partner-outbound queues: long-poll, hand each body (as JSON) to the partner,
delete it; an unreadable body is logged and dropped, as a partner would."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any


def read_queue(
    sqs: Any, url: str, stop: threading.Event, handle: Callable[[Any], object], *, log: logging.Logger, what: str
) -> None:
    """Until `stop` is set: every message on `url` → `handle(json body)`, then deleted."""
    while not stop.is_set():
        try:
            response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        except Exception:  # the cloud is stopping, or moto hiccupped: try again
            if stop.wait(1):
                return
            continue
        for message in response.get("Messages") or []:
            try:
                handle(json.loads(message["Body"]))
            except (ValueError, KeyError, TypeError):
                log.warning("%s: unreadable message %s", what, message.get("MessageId"))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
