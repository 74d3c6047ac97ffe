"""Powertools Logger, Metrics and Tracer, configured once per function.

Service name, log level and metrics namespace come from the template's
Globals (`POWERTOOLS_*`). Log lines are structured JSON with the correlation
id (the request id) and, where a context sets it, the case id. Personal data
never goes into a log line: use `shared.platform.privacy.mask_*` helpers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

# Keys Powertools adds to every line of an invocation that the log group already says (one group per
# function; its memory and cold starts are on the platform's REPORT lines): about 230 bytes a line, 30 %
# of what the functions logged per case (D-326). `function_request_id` stays: it ties a line to its REPORT.
REDUNDANT_CONTEXT_KEYS = ("function_name", "function_arn", "function_memory_size", "cold_start")


class _Logger(Logger):
    def append_keys(self, **additional_keys: Any) -> None:
        for key in REDUNDANT_CONTEXT_KEYS:
            additional_keys.pop(key, None)
        super().append_keys(**additional_keys)


@cache
def logger() -> Logger:
    # RFC 3339 timestamps: with the template's JSON LoggingConfig, Lambda keeps a line's own level (for its
    # application log level filter) only when its timestamp parses (D-333); otherwise it files the line as INFO
    return _Logger(use_rfc3339=True)


@cache
def metrics() -> Metrics:
    return Metrics()


@cache
def tracer() -> Tracer:
    return Tracer()


def correlation_id() -> str | None:
    """The current request's correlation id (set by the HTTP resolver), for the events it causes."""
    return logger().get_correlation_id()
