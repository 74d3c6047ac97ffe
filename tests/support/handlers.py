"""Loading a function's handler as Lambda does, and the trigger events queues
deliver, shared by every context's unit fixtures."""

from __future__ import annotations

import importlib.util
import uuid
from functools import cache
from types import ModuleType
from typing import Any

from infra.local.generated_month import bus_message  # what an EventBridge rule queues for an envelope
from infra.template import ROOT


@cache
def load_function(function: str) -> ModuleType:
    """functions/<function>/app.py, loaded from its file (once per test session)."""
    spec = importlib.util.spec_from_file_location(f"{function}_app", ROOT / "functions" / function / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sqs_batch(bodies: list[str], *, receive_count: int = 1, queue: str = "PreReviewQueue") -> dict[str, Any]:
    """The SQS batch a queue delivers to its consumer: one record per message body."""
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "handle",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": str(receive_count),
                    "SentTimestamp": "1795568401000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795568401050",
                },
                "messageAttributes": {},
                "md5OfBody": "0",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws-cn:sqs:cn-north-1:123456789012:{queue}",
                "awsRegion": "cn-north-1",
            }
            for body in bodies
        ]
    }


def sqs_event(
    envelopes: list[dict[str, Any]], *, receive_count: int = 1, queue: str = "PreReviewQueue"
) -> dict[str, Any]:
    """The SQS batch a queue fed by an EventBridge rule delivers: one record per envelope."""
    return sqs_batch([bus_message(e) for e in envelopes], receive_count=receive_count, queue=queue)
