"""What Lambda writes to the log groups besides the functions' own lines (D-333): the local cloud's
reading of the template's LoggingConfig (LambdaSystemLogLevel parameter) and what the cost model's meter
bills for it. That the template sets it on every function: tests/contract/test_template_lint.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.local import metering
from infra.local.intrinsics import Pseudo
from infra.local.model import read_model
from infra.local.resources import LocalStack
from infra.template import ROOT, sam_template

PARAMETER = "LambdaSystemLogLevel"


def _local_function(parameters: dict[str, Any]) -> Any:
    """One function under the template's own Globals LoggingConfig, read as the local cloud reads it."""
    real = sam_template()
    template = {
        "Parameters": {PARAMETER: real["Parameters"][PARAMETER]},
        "Globals": {"Function": {"LoggingConfig": real["Globals"]["Function"]["LoggingConfig"]}},
        "Resources": {
            "RelayFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "functions/outbox_relay/", "Handler": "app.handler", "MemorySize": 256},
            }
        },
    }
    stack = LocalStack(
        template, Path(ROOT), parameters=parameters, pseudo=Pseudo(), name_prefix="t", client=lambda *_: None
    )
    stack.create_all()
    return read_model(stack).functions["RelayFunction"]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [({}, ("WARN", 0)), ({PARAMETER: "INFO"}, ("INFO", metering.platform_log_bytes("JSON", "INFO")))],
)
def test_the_meter_bills_lambdas_own_lines_as_the_template_sets_them(
    parameters: dict[str, Any], expected: tuple[str, int]
) -> None:
    spec = _local_function(parameters)
    assert (spec.log_format, spec.application_log_level) == ("JSON", "INFO")
    assert (spec.system_log_level, metering.platform_log_bytes(spec.log_format, spec.system_log_level)) == expected


def test_lambdas_own_lines_cost_what_their_format_and_level_write() -> None:
    text = metering.platform_log_bytes("Text", None)  # START, END, REPORT with the X-Ray ids
    assert 330 <= text <= 400
    assert metering.platform_log_bytes("JSON", "WARN") == 0
    # JSON at INFO: platform.start and platform.report, larger than the text lines; DEBUG adds runtimeDone
    info = metering.platform_log_bytes("JSON", "INFO")
    assert info == metering.platform_log_bytes("JSON", None) > text
    assert metering.platform_log_bytes("JSON", "DEBUG") > info
    usage = metering.Usage()
    metering.finish(usage, 5.0, 1.0, 512, log_bytes=300, platform_bytes=info)
    assert usage.log_bytes == 300 + info
