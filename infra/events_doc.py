"""Generate docs/events.md: every event type, its data schema and its consumers.

Types and schemas come from the code (`register_event_type` in each
context's events.py); consumers come from template.yaml (bus rules matching
the type → their SQS targets → the functions those queues trigger). So the
document cannot drift from what is deployed. `make openapi` regenerates it;
a contract test fails when the committed file is stale.
"""

from __future__ import annotations

from typing import Any

from infra.errors_doc import load_all_functions
from infra.template import ROOT, sam_template
from shared.platform.events import registered_event_types

DOC_PATH = ROOT / "docs" / "events.md"

HEADER = """# Events

One envelope for every domain and partner event (`shared/platform/events.py`):

| field | meaning |
|---|---|
| `id` | unique, time-ordered (ULID); consumers de-duplicate on it |
| `type` | a fact in the past tense: `<context>.<what_happened>` |
| `version` | schema version of `data` (integer) |
| `time` | when it happened, RFC 3339 UTC |
| `source` | the publishing context (`catalog`, …) |
| `subject` | what it is about (an item's implementation code, a case id, …) |
| `correlation_id` | the request id that caused it |
| `client` | 一端: the client of the HTTP write that caused it (web, app, wechat, hall; null otherwise) |
| `data` | the type's payload, below |

On the EventBridge bus the envelope is the `detail`, the type is the
`detail-type` and the source is `jszw.<context>`. Events are written through
the outbox (same transaction as the change) and relayed by `outbox_relay`.
Consumers never assume order or exactly-once delivery.

This file is generated (`make openapi`); do not edit it by hand.
"""


def _consumers() -> dict[str, list[str]]:
    resources = sam_template()["Resources"]
    queue_functions: dict[str, list[str]] = {}
    for name, res in resources.items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        for event in res["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                queue_functions.setdefault(queue, []).append(name)
    by_type: dict[str, list[str]] = {}
    for name, res in resources.items():
        if res["Type"] != "AWS::Events::Rule":
            continue
        pattern = res["Properties"].get("EventPattern", {})
        for target in res["Properties"].get("Targets", []):
            arn = target.get("Arn", {})
            queue = arn.get("Fn::GetAtt", [None])[0] if isinstance(arn, dict) else None
            # a content-filtering rule lists its types in `$or` branches (LicenceIssueRule, D-197)
            branches = [pattern, *pattern.get("$or", [])]
            for event_type in dict.fromkeys(t for branch in branches for t in branch.get("detail-type", [])):
                for function in queue_functions.get(queue or "", []):
                    by_type.setdefault(event_type, []).append(f"`{function}` (rule `{name}` → `{queue}`)")
    return by_type


def _type_name(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type_name(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_type_name(schema.get('items', {}))}"
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = str(schema.get("type", "object"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def render() -> str:
    load_all_functions()
    consumers = _consumers()
    parts = [HEADER]
    for event_type, (model, meaning) in sorted(registered_event_types().items()):
        schema = model.model_json_schema()
        required = set(schema.get("required", []))
        parts.append(f"\n## `{event_type}`\n\n{meaning}\n")
        listed = consumers.get(event_type)
        parts.append(f"\nConsumers: {', '.join(listed) if listed else 'none yet'}.\n")
        parts.append("\n| data field | type | required |\n|---|---|---|\n")
        for field, prop in schema.get("properties", {}).items():
            parts.append(f"| `{field}` | {_type_name(prop)} | {'yes' if field in required else 'no'} |\n")
    return "".join(parts)


def main() -> int:
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
