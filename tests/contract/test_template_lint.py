"""template.yaml is the one description of the cloud: it must lint clean both
as written (SAM) and after the SAM transform, because cfn-lint does not
resolve references inside SAM function properties."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.template import ROOT, TEMPLATE, cloudformation_template, sam_template

PORTAL_STACK = ROOT / "portal-stack.yaml"  # nested in template.yaml as PortalStack (D-302)


@pytest.fixture(scope="module")
def lint_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """cfn-lint's findings for the template as written and as transformed, from ONE cfn-lint run:
    each start loads its resource specification (seconds), so two runs cost twice that (D-194)."""
    transformed = tmp_path_factory.mktemp("lint") / "transformed.json"
    transformed.write_text(json.dumps(cloudformation_template(), default=str))
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("cfn-lint")),
            "--format",
            "parseable",
            str(TEMPLATE),
            str(transformed),
            str(PORTAL_STACK),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    findings = {
        "sam": [line for line in lines if line.startswith(str(TEMPLATE))],
        "transformed": [line for line in lines if line.startswith(str(transformed))],
        "portal": [line for line in lines if line.startswith(str(PORTAL_STACK))],
    }
    # anything else (a crash, a finding for no file) fails both tests rather than neither
    unexplained = [line for line in lines if not line.startswith((str(TEMPLATE), str(transformed), str(PORTAL_STACK)))]
    if (result.returncode != 0 and not lines) or unexplained:
        findings = {kind: [*found, *unexplained, result.stderr] for kind, found in findings.items()}
    return findings


def test_sam_template_has_no_errors_or_warnings(lint_findings: dict[str, list[str]]) -> None:
    assert lint_findings["sam"] == []


def test_transformed_template_has_no_errors_or_warnings(lint_findings: dict[str, list[str]]) -> None:
    assert lint_findings["transformed"] == []


def test_the_portals_nested_stack_has_no_errors_or_warnings(lint_findings: dict[str, list[str]]) -> None:
    assert lint_findings["portal"] == []


LOG_LEVEL_PARAMETER = "LambdaSystemLogLevel"


def test_every_function_logs_json_and_sends_lambdas_own_lines_only_when_the_parameter_asks() -> None:
    template = sam_template()
    parameter = template["Parameters"][LOG_LEVEL_PARAMETER]
    assert parameter["Default"] == "WARN"  # production: no START/REPORT lines
    assert set(parameter["AllowedValues"]) == {"WARN", "INFO", "DEBUG"}
    globals_ = template["Globals"]["Function"]
    # Lambda's application level wins over Powertools' (AWS_LAMBDA_LOG_LEVEL): the two must agree
    powertools_level = globals_["Environment"]["Variables"]["POWERTOOLS_LOG_LEVEL"]
    assert globals_["LoggingConfig"]["ApplicationLogLevel"] == powertools_level
    functions = {
        logical_id: resource["Properties"]
        for logical_id, resource in cloudformation_template()["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    assert len(functions) > 50
    for logical_id, props in functions.items():
        assert props.get("LoggingConfig") == {
            "LogFormat": "JSON",
            "ApplicationLogLevel": "INFO",
            "SystemLogLevel": {"Ref": LOG_LEVEL_PARAMETER},
        }, logical_id


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in sam_template()["Resources"].items() if v["Type"] == kind}


def test_every_queue_has_a_dlq_with_an_alarm_and_every_table_is_protected() -> None:
    resources = sam_template()["Resources"]
    # an alarm on one queue, or a grouped alarm whose metric-math inputs name several (D-313)
    dimensions = [
        d
        for a in _resources("AWS::CloudWatch::Alarm").values()
        for metric in [{"Dimensions": a["Properties"].get("Dimensions", [])}, *a["Properties"].get("Metrics", [])]
        for d in metric.get("MetricStat", {}).get("Metric", metric).get("Dimensions", [])
    ]
    alarmed = {d["Value"]["Fn::GetAtt"][0] for d in dimensions if d["Name"] == "QueueName"}
    queues = _resources("AWS::SQS::Queue")
    dead_letter_queues = set()
    for queue in queues.values():
        redrive = queue["Properties"].get("RedrivePolicy")
        if redrive:
            dead_letter_queues.add(redrive["deadLetterTargetArn"]["Fn::GetAtt"][0])
    sources = set(queues) - dead_letter_queues
    # a queue either has a DLQ or is itself a failure destination watched by an alarm
    for name in sources:
        has_dlq = "RedrivePolicy" in queues[name]["Properties"]
        assert has_dlq or name in alarmed, f"{name} has neither a DLQ nor an alarm"
    for dlq in dead_letter_queues:
        assert dlq in alarmed, f"DLQ {dlq} has no alarm"
    for name, table in _resources("AWS::DynamoDB::Table").items():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
        assert props["SSESpecification"]["SSEType"] == "KMS", name
    assert resources


def test_every_sqs_consumer_reports_partial_batch_failures() -> None:
    for name, fn in _resources("AWS::Serverless::Function").items():
        for event in fn["Properties"].get("Events", {}).values():
            if event["Type"] in {"SQS", "DynamoDB"}:
                assert event["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], name


def test_arns_in_the_template_use_the_partition() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "arn:aws:" not in text


def test_every_queue_consumer_can_park_in_its_queues_dlq() -> None:
    # the consumer parks a failing message with its reason on the last receive
    # (shared.platform.consumer); without DLQ_URL and send rights it only retries
    resources = sam_template()["Resources"]
    for name, function in _resources("AWS::Serverless::Function").items():
        properties = function["Properties"]
        for event in properties.get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            dlq = resources[queue]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert properties["Environment"]["Variables"].get("DLQ_URL") == {"Ref": dlq}, name
            send = {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": [dlq, "QueueName"]}}}
            assert send in properties["Policies"], name
