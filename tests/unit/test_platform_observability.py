"""What a function's log line carries (D-326, D-333): structured JSON with the invocation's trace id and
the keys the code adds (case id, correlation id), not the context the log group already says."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from typing import Any

import pytest

from shared.platform.observability import REDUNDANT_CONTEXT_KEYS, _Logger
from tests.support.apigw import FakeContext


def test_a_line_keeps_the_trace_and_the_case_and_drops_what_the_log_group_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # what Lambda sets for each invocation of a traced function
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-6571a2b3-4c5d6e7f8a9b0c1d2e3f4a5b;Parent=1a2b3c4d5e6f7a8b;Sampled=1")
    out = io.StringIO()
    logger = _Logger(service="observability_test", logger_handler=logging.StreamHandler(out))

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> None:
        logger.set_correlation_id("corr-1")
        logger.info("case transition", extra={"case_id": "01KAXQ7R5T2N3V4W5X6Y7Z8A9B", "to_state": "accepted"})

    handler({}, FakeContext())
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["message"] == "case transition"
    assert line["xray_trace_id"] == "1-6571a2b3-4c5d6e7f8a9b0c1d2e3f4a5b"  # an invocation's lines, and its trace
    # RFC 3339, so that Lambda's JSON log format keeps the line's level (D-333)
    assert datetime.fromisoformat(line["timestamp"]).utcoffset() is not None
    assert "location" not in line
    assert (line["case_id"], line["correlation_id"], line["service"]) == (
        "01KAXQ7R5T2N3V4W5X6Y7Z8A9B",
        "corr-1",
        "observability_test",
    )
    assert not set(REDUNDANT_CONTEXT_KEYS) & set(line), line
