"""What a function's log line carries (D-326): structured JSON with the request id and the keys the
code adds (case id, correlation id), not the context the log group already says."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from shared.platform.observability import REDUNDANT_CONTEXT_KEYS, _Logger
from tests.support.apigw import FakeContext


def test_a_line_keeps_the_request_id_and_the_case_and_drops_what_the_log_group_says() -> None:
    out = io.StringIO()
    logger = _Logger(service="observability_test", logger_handler=logging.StreamHandler(out))

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> None:
        logger.set_correlation_id("corr-1")
        logger.info("case transition", extra={"case_id": "01KAXQ7R5T2N3V4W5X6Y7Z8A9B", "to_state": "accepted"})

    handler({}, FakeContext())
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["message"] == "case transition"
    assert line["function_request_id"] == FakeContext().aws_request_id
    assert (line["case_id"], line["correlation_id"], line["service"]) == (
        "01KAXQ7R5T2N3V4W5X6Y7Z8A9B",
        "corr-1",
        "observability_test",
    )
    assert not set(REDUNDANT_CONTEXT_KEYS) & set(line), line
