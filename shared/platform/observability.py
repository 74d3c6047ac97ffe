"""Powertools Logger, Metrics and Tracer, configured once per function.

Service name, log level and metrics namespace come from the template's
Globals (`POWERTOOLS_*`). Log lines are structured JSON with the correlation
id (the request id) and, where a context sets it, the case id. Personal data
never goes into a log line: use `shared.platform.privacy.mask_*` helpers.
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer


@cache
def logger() -> Logger:
    return Logger()


@cache
def metrics() -> Metrics:
    return Metrics()


@cache
def tracer() -> Tracer:
    return Tracer()


def correlation_id() -> str | None:
    """The current request's correlation id (set by the HTTP resolver), for the events it causes."""
    return logger().get_correlation_id()
