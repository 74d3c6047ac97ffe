"""Powertools Logger, Metrics and Tracer, configured once per function.

Service name, log level and metrics namespace come from the template's
Globals (`POWERTOOLS_*`). Log lines are structured JSON with the correlation
id (the request id, or the event's for a consumer: `shared.platform.dispatch`)
and, where a context sets it, the case id. Personal data
never goes into a log line: use `shared.platform.privacy.mask_*` helpers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

# Keys Powertools adds to every line of an invocation that the log group already says (one group per
# function; its memory is in its configuration, its cold starts in X-Ray): about 230 bytes a line, 30 % of
# what the functions logged per case (D-326). `function_request_id` too (D-333): on Lambda, with active
# tracing, every line carries the invocation's `xray_trace_id`, which groups an invocation's lines as the
# request id did and opens its trace (the REPORT line the request id tied a line to is no longer sent).
REDUNDANT_CONTEXT_KEYS = ("function_name", "function_arn", "function_memory_size", "cold_start", "function_request_id")


class _Logger(Logger):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # RFC 3339 timestamps: with the template's JSON LoggingConfig, Lambda keeps a line's own level (for its
        # application log level filter) only when its timestamp parses; otherwise it files the line as INFO.
        # No `location` (module:line): the message names the line; 20-odd bytes of every line (D-333).
        kwargs.setdefault("use_rfc3339", True)
        kwargs.setdefault("location", None)
        super().__init__(*args, **kwargs)

    def append_keys(self, **additional_keys: Any) -> None:
        for key in REDUNDANT_CONTEXT_KEYS:
            additional_keys.pop(key, None)
        super().append_keys(**additional_keys)


@cache
def logger() -> Logger:
    return _Logger()


@cache
def metrics() -> Metrics:
    return Metrics()


@cache
def tracer() -> Tracer:
    return Tracer()


def correlation_id() -> str | None:
    """The current request's correlation id (set by the HTTP resolver), for the events it causes."""
    return logger().get_correlation_id()
