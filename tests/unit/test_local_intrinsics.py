"""Intrinsic functions, conditions and parameters as the local cloud resolves them."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.intrinsics import (
    NO_VALUE,
    Pseudo,
    Resolver,
    TemplateError,
    expand_language_extensions,
    references,
    resolve_parameters,
    strip_quotes,
)

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "prod", "AllowedPattern": "^[a-z][a-z0-9-]{1,15}$"},
        "Email": {"Type": "String", "Default": ""},
        "Zones": {"Type": "CommaDelimitedList", "Default": "a, b"},
    },
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "HasEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Email"}, ""]}]},
        "ProdWithEmail": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "HasEmail"}]},
        "ProdOrEmail": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "HasEmail"}]},
    },
    "Mappings": {"Sizes": {"local": {"Memory": 256}}},
    "Resources": {},
}

ATTRS = {
    ("Queue", "Arn"): "arn:aws-cn:sqs:cn-north-1:123456789012:q",
    ("Queue", "QueueName"): "q",
    ("Table", "StreamArn"): "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t/stream/1",
}
REFS = {"Queue": "http://moto/123456789012/q", "Table": "t", "Bus": "bus"}


def resolver(**parameters: str) -> Resolver:
    def ref(logical_id: str) -> Any:
        if logical_id not in REFS:
            raise TemplateError(f"unknown {logical_id}")
        return REFS[logical_id]

    def get_att(logical_id: str, attribute: str) -> Any:
        return ATTRS[(logical_id, attribute)]

    values = resolve_parameters(TEMPLATE["Parameters"], parameters)
    return Resolver(TEMPLATE, values, Pseudo(region="cn-north-1"), ref, get_att)


def test_ref_gives_parameters_pseudo_parameters_and_resources() -> None:
    r = resolver(Stage="local")
    assert r.resolve({"Ref": "Stage"}) == "local"
    assert r.resolve({"Ref": "Zones"}) == ["a", "b"]
    assert r.resolve({"Ref": "AWS::Region"}) == "cn-north-1"
    assert r.resolve({"Ref": "AWS::Partition"}) == "aws-cn"
    assert r.resolve({"Ref": "AWS::URLSuffix"}) == "amazonaws.com.cn"
    assert r.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert r.resolve({"Ref": "AWS::StackName"}) == "jszw-local"
    assert r.resolve({"Ref": "Queue"}) == "http://moto/123456789012/q"


def test_partition_follows_the_region() -> None:
    assert Pseudo(region="eu-west-1").partition == "aws"
    assert Pseudo(region="eu-west-1").url_suffix == "amazonaws.com"
    assert Pseudo(region="cn-northwest-1").partition == "aws-cn"


def test_getatt_in_both_forms() -> None:
    r = resolver()
    assert r.resolve({"Fn::GetAtt": ["Queue", "Arn"]}) == ATTRS[("Queue", "Arn")]
    assert r.resolve({"Fn::GetAtt": "Table.StreamArn"}) == ATTRS[("Table", "StreamArn")]


def test_sub_in_both_forms() -> None:
    r = resolver(Stage="local")
    assert r.resolve({"Fn::Sub": "jszw-${Stage}-${AWS::Region}"}) == "jszw-local-cn-north-1"
    assert r.resolve({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}) == (
        "arn:aws-cn:iam::123456789012:root"
    )
    assert r.resolve({"Fn::Sub": "${Queue.QueueName} at ${Queue}"}) == "q at http://moto/123456789012/q"
    assert r.resolve({"Fn::Sub": "${!Literal}-${Stage}"}) == "${Literal}-local"
    assert r.resolve({"Fn::Sub": ["${Who}@${Stage}", {"Who": {"Ref": "Bus"}}]}) == "bus@local"


def test_conditions_and_if() -> None:
    prod = resolver()
    assert prod.condition("IsProd")
    assert not prod.condition("HasEmail")
    assert not prod.condition("ProdWithEmail")
    assert prod.condition("ProdOrEmail")
    local = resolver(Stage="local", Email="ops@example.com")
    assert local.resolve({"Fn::If": ["IsProd", "p", "l"]}) == "l"
    assert local.condition("HasEmail")
    assert local.resolve({"Fn::Not": [{"Condition": "HasEmail"}]}) is False


def test_novalue_removes_properties_and_list_items() -> None:
    r = resolver()
    node = {
        "Keep": 1,
        "Drop": {"Fn::If": ["HasEmail", "x", {"Ref": "AWS::NoValue"}]},
        "List": ["a", {"Fn::If": ["HasEmail", "b", {"Ref": "AWS::NoValue"}]}],
    }
    assert r.resolve(node) == {"Keep": 1, "List": ["a"]}
    assert r.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_join_select_split_findinmap_base64() -> None:
    r = resolver()
    assert r.resolve({"Fn::Join": [":", ["a", {"Ref": "Stage"}, 3]]}) == "a:prod:3"
    assert r.resolve({"Fn::Select": [1, {"Ref": "Zones"}]}) == "b"
    assert r.resolve({"Fn::Split": [",", "x,y"]}) == ["x", "y"]
    assert r.resolve({"Fn::FindInMap": ["Sizes", "local", "Memory"]}) == 256
    assert r.resolve({"Fn::Base64": "hi"}) == "aGk="
    assert r.resolve({"Fn::GetAZs": ""}) == ["cn-north-1a", "cn-north-1b"]
    assert r.resolve({"Fn::ToJsonString": {"a": {"Ref": "Stage"}}}) == '{"a":"prod"}'


def test_parameters_are_validated() -> None:
    with pytest.raises(TemplateError, match="does not match"):
        resolve_parameters(TEMPLATE["Parameters"], {"Stage": "Bad Stage"})
    with pytest.raises(TemplateError, match="unknown parameters"):
        resolve_parameters(TEMPLATE["Parameters"], {"Nope": "x"})
    with pytest.raises(TemplateError, match="no default"):
        resolve_parameters({"Required": {"Type": "String"}}, {})
    with pytest.raises(TemplateError, match="not one of"):
        resolve_parameters({"Mode": {"Type": "String", "AllowedValues": ["a"], "Default": "b"}}, {})


def test_unknown_things_are_errors_not_silence() -> None:
    r = resolver()
    with pytest.raises(TemplateError):
        r.resolve({"Ref": "Missing"})
    with pytest.raises(TemplateError, match="unknown condition"):
        r.resolve({"Fn::If": ["Nope", 1, 2]})
    with pytest.raises(TemplateError, match="other stacks"):
        r.resolve({"Fn::ImportValue": "x"})
    with pytest.raises(TemplateError, match="unsupported"):
        r.resolve({"Fn::Cidr": ["10.0.0.0/16", 2, 8]})


def test_references_finds_dependencies() -> None:
    node = {
        "A": {"Ref": "Queue"},
        "B": {"Fn::GetAtt": "Table.StreamArn"},
        "C": {"Fn::Sub": ["${Bus.Arn}/${Local}/${AWS::Region}", {"Local": {"Ref": "Dlq"}}]},
    }
    assert references(node) == {"Queue", "Table", "Bus", "Dlq"}


def test_quoted_header_values_lose_their_quotes() -> None:
    assert strip_quotes("'*'") == "*"
    assert strip_quotes("'GET,POST'") == "GET,POST"
    assert strip_quotes("plain") == "plain"


CONSUMERS: dict[str, Any] = {
    "Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
    "Mappings": {
        "Consumers": {"Billing": {"Visibility": "180", "Types": ["a.b", "c.d"]}, "Mail": {"Visibility": "60"}}
    },
    "Resources": {
        "Fn::ForEach::Consumers": [
            "Consumer",
            ["Billing", "Mail"],
            {
                "${Consumer}Queue": {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {
                        "VisibilityTimeout": {"Fn::FindInMap": ["Consumers", {"Ref": "Consumer"}, "Visibility"]},
                        "RedrivePolicy": {
                            "deadLetterTargetArn": {"Fn::GetAtt": [{"Fn::Sub": "${Consumer}DLQ"}, "Arn"]}
                        },
                        "Tags": [
                            {
                                "Key": "types",
                                "Value": {
                                    "Fn::FindInMap": ["Consumers", {"Ref": "Consumer"}, "Types", {"DefaultValue": []}]
                                },
                            }
                        ],
                        "Note": {"Fn::Sub": "arn:${AWS::Partition}:sqs:::${Consumer}"},
                    },
                },
                "${Consumer}DLQ": {"Type": "AWS::SQS::Queue"},
            },
        ],
        "Relay": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Events": {
                    "Fn::ForEach::Streams": [
                        "Context",
                        ["cases", "pay-ments"],
                        {
                            "&{Context}Outbox": {
                                "Type": "DynamoDB",
                                "Properties": {"Stream": {"Fn::GetAtt": [{"Fn::Sub": "${Context}Table"}, "StreamArn"]}},
                            }
                        },
                    ]
                }
            },
        },
    },
}


def test_for_each_unrolls_resources_as_cloudformation_hands_them_to_sam() -> None:
    out = expand_language_extensions(CONSUMERS)
    resources = out["Resources"]
    assert sorted(resources) == ["BillingDLQ", "BillingQueue", "MailDLQ", "MailQueue", "Relay"]
    billing = resources["BillingQueue"]["Properties"]
    assert billing["VisibilityTimeout"] == "180"
    assert billing["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["BillingDLQ", "Arn"]}
    assert billing["Tags"][0]["Value"] == ["a.b", "c.d"]
    # a Sub that still names other variables stays a Sub, with the loop value filled in
    assert billing["Note"] == {"Fn::Sub": "arn:${AWS::Partition}:sqs:::Billing"}
    assert resources["MailQueue"]["Properties"]["Tags"][0]["Value"] == []
    # loops inside properties too; &{} drops what is not alphanumeric
    events = resources["Relay"]["Properties"]["Events"]
    assert events["paymentsOutbox"]["Properties"]["Stream"] == {"Fn::GetAtt": ["pay-mentsTable", "StreamArn"]}
    assert set(events) == {"casesOutbox", "paymentsOutbox"}
    # the transform is done and its mapping was read only by the loops
    assert out["Transform"] == "AWS::Serverless-2016-10-31"
    assert "Mappings" not in out
    assert "Fn::ForEach::Consumers" in CONSUMERS["Resources"]  # the input is left alone


def test_for_each_mistakes_are_errors() -> None:
    duplicate = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {"AQueue": {"Type": "AWS::SQS::Queue"}, "Fn::ForEach::Q": ["X", ["A"], {"${X}Queue": {}}]},
    }
    with pytest.raises(TemplateError, match="already exists"):
        expand_language_extensions(duplicate)
    unnamed = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {"Fn::ForEach::Q": ["X", ["A", "B"], {"Queue": {}}]},
    }
    with pytest.raises(TemplateError, match="does not use"):
        expand_language_extensions(unnamed)
    missing = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {"Fn::ForEach::Q": ["X", ["A"], {"${X}Q": {"P": {"Fn::FindInMap": ["M", {"Ref": "X"}, "K"]}}}]},
    }
    with pytest.raises(TemplateError, match="not found"):
        expand_language_extensions(missing)


def test_a_template_without_the_transform_is_left_as_written() -> None:
    plain = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn::ForEach::Q": ["X", ["A"], {"${X}": {}}]}}
    assert expand_language_extensions(plain) == plain
