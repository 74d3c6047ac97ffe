"""The resources CloudFormation would create (after `AWS::LanguageExtensions`
and the SAM transform), compared with a committed list, so that a change of
the template's shape shows up in review as a change of
`template_resources.txt`.

Regenerate the list after an intended change with
`.venv/bin/python -m tests.contract.test_template_resources --write`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from infra.template import TEMPLATE, cloudformation_template, sam_template

LISTING = Path(__file__).with_name("template_resources.txt")

# Logical ids renamed when the consumer blocks got one naming rule (issue 12):
# <Consumer>Queue, <Consumer>DLQ, <Consumer>DLQAlarm, <Consumer>QueuePolicy, <Consumer>Rule.
RENAMED = {
    "CatalogChangedRule": "OpenDataRule",
    "CaseSubmittedRule": "PreReviewRule",
    "PaymentCaseEventsRule": "PaymentOrdersRule",
    "LicenceDueRule": "LicenceIssueRule",
    "LicenceStatusRule": "LicencePublishRule",
    "RelayFailureQueue": "OutboxRelayDLQ",
    "RelayFailureAlarm": "OutboxRelayDLQAlarm",
}

# SAM names the API deployment after a hash of the API definition: any route change renames it.
_DEPLOYMENT_HASH = re.compile(r"^(\w+Deployment)[0-9a-f]{10}$")


def resource_lines() -> list[str]:
    """`<Type> <LogicalId>` of every resource after both transforms, sorted."""
    lines = []
    for logical_id, resource in cloudformation_template()["Resources"].items():
        name = _DEPLOYMENT_HASH.sub(r"\1<hash>", logical_id)
        lines.append(f"{resource['Type']} {name}")
    return sorted(lines)


def test_the_template_creates_exactly_the_listed_resources() -> None:
    expected = LISTING.read_text(encoding="utf-8").splitlines()
    actual = resource_lines()
    missing = sorted(set(expected) - set(actual))
    added = sorted(set(actual) - set(expected))
    assert not missing, f"no longer created: {missing}"
    assert not added, f"newly created: {added}"
    assert len(actual) == len(expected)


def test_the_template_stays_within_80_lines_per_function() -> None:
    lines = len(TEMPLATE.read_text(encoding="utf-8").splitlines())
    functions = [r for r in sam_template()["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert lines <= 80 * len(functions), f"{lines} lines for {len(functions)} functions (issue 12: at most 80 each)"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _queue_policy(queue: str, resources: dict[str, Any]) -> str:
    """The queue's own policy (a department system's outbound queue) or the shared one (D-293)."""
    own = queue.removesuffix("Queue") + "QueuePolicy"
    return own if own in resources else "BusConsumerQueuesPolicy"


def test_every_queue_consumer_follows_the_naming_rule() -> None:
    resources = sam_template()["Resources"]
    consumers = 0
    dlq_alarms = {
        name: [metric["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for metric in watched]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
        and (watched := [m for m in resource["Properties"].get("Metrics", []) if "MetricStat" in m])
    }
    # a group alarm fits CloudWatch's 10 metrics per metric-math alarm
    assert dlq_alarms
    assert all(len(queues) <= 10 for queues in dlq_alarms.values())
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            consumer = queue.removesuffix("Queue")
            assert queue == f"{consumer}Queue", logical_id
            redrive = resources[queue]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
            assert redrive == {"Fn::GetAtt": [f"{consumer}DLQ", "Arn"]}, queue
            # its DLQ is watched by exactly one of the grouped DLQ alarms (D-313)
            watching = [name for name, alarm in dlq_alarms.items() if f"{consumer}DLQ" in alarm]
            assert len(watching) == 1, f"{consumer}DLQ is watched by {watching}"
            consumers += 1
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Events::Rule":
            for target in resource["Properties"].get("Targets", []):
                queue = target["Arn"]["Fn::GetAtt"][0]
                assert logical_id == queue.removesuffix("Queue") + "Rule", f"{logical_id} feeds {queue}"
                # one policy for every bus-fed queue (D-293): the queue, its ARN and its rule are in it
                policy = resources[_queue_policy(queue, resources)]["Properties"]
                (statement,) = policy["PolicyDocument"]["Statement"]
                assert {"Ref": queue} in policy["Queues"] or {"Fn::GetAtt": [queue, "QueueUrl"]} in policy["Queues"]
                assert {"Fn::GetAtt": [queue, "Arn"]} in _listed(statement["Resource"])
                sources = _listed(statement["Condition"]["ArnEquals"]["aws:SourceArn"])
                assert {"Fn::GetAtt": [logical_id, "Arn"]} in sources
    assert consumers >= 10


def test_renamed_logical_ids_are_gone_from_the_repository() -> None:
    root = LISTING.parents[2]
    stale = []
    # the decision log keeps the old names: it records the rename (D-042)
    docs = [p for p in root.glob("docs/*.md") if p.name != "decisions.md"]
    for path in [root / "template.yaml", root / "README.md", root / "Makefile", *docs]:
        text = path.read_text(encoding="utf-8")
        stale += [f"{path.name}: {old}" for old in RENAMED if old in text]
    for folder in ("infra", "shared", "functions", "tests", "events"):
        for path in (root / folder).rglob("*"):
            if path.suffix in {".py", ".json", ".yaml", ".md"} and path != Path(__file__):
                text = path.read_text(encoding="utf-8")
                stale += [f"{path.relative_to(root)}: {old}" for old in RENAMED if old in text]
    assert not stale


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    LISTING.write_text("\n".join(resource_lines()) + "\n", encoding="utf-8")
