"""Creating the template's resources in moto, dependencies first.

`LocalStack` plays CloudFormation: every resource is created when first
needed (by iteration or because another resource refers to it), so a queue's
dead-letter queue exists before the queue's redrive policy names its ARN.
Lambda functions and event source mappings are never created in moto (moto
would try to run them in Docker); the local cloud runs handlers itself and
only needs their names and ARNs, which are computed here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra.local.intrinsics import Pseudo, Resolver, TemplateError, references, resolve_parameters

log = logging.getLogger("infra.local")

ClientFactory = Callable[[str], Any]

# Types that need nothing locally: permissions, monitoring, deployment plumbing,
# and API/Layer resources that the gateway and the worker sys.path stand in for.
SKIPPED_TYPES = frozenset(
    {
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::CompositeAlarm",
        "AWS::CloudWatch::Dashboard",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::Subscription",
        "AWS::Lambda::Permission",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Serverless::LayerVersion",
        "AWS::Lambda::LayerVersion",
        "AWS::Serverless::Api",
        "AWS::Serverless::HttpApi",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGateway::Account",
        "AWS::Logs::LogGroup",
        "AWS::Logs::MetricFilter",
        "AWS::Logs::SubscriptionFilter",
        "AWS::Events::Archive",
        "AWS::Scheduler::Schedule",
        "AWS::Scheduler::ScheduleGroup",
        "AWS::XRay::Group",
        "AWS::XRay::SamplingRule",
        "AWS::WAFv2::WebACL",
        "AWS::WAFv2::WebACLAssociation",
        "AWS::Budgets::Budget",
        # the exchange store's Athena catalogue: the local cloud has no Athena (the S3 layout is the same)
        "AWS::Glue::Database",
        "AWS::Glue::Table",
        # the portal's nested stack (CloudFront): the local gateway serves portal/ at /portal/ with the same headers
        "AWS::CloudFormation::Stack",
    }
)

FUNCTION_TYPES = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})


@dataclass
class Created:
    """What CloudFormation would report for one resource: its Ref and attributes."""

    logical_id: str
    type: str
    ref: Any
    attrs: dict[str, Any] = field(default_factory=dict)
    created_in_moto: bool = False
    name: str = ""  # the physical name when Ref gives something else (URL, ARN, bus|rule)


class LocalStack:
    """The template's resources by logical id, created in moto on demand."""

    def __init__(
        self,
        template: Mapping[str, Any],
        template_dir: Path,
        *,
        parameters: Mapping[str, Any],
        pseudo: Pseudo,
        name_prefix: str,
        client: ClientFactory,
    ) -> None:
        self.template = template
        self.template_dir = template_dir
        self.pseudo = pseudo
        self.name_prefix = name_prefix
        self._client = client
        self.resources: Mapping[str, Any] = template.get("Resources") or {}
        self.parameters = resolve_parameters(template.get("Parameters") or {}, parameters)
        self.resolver = Resolver(template, self.parameters, pseudo, self.ref, self.get_att)
        self.created: dict[str, Created] = {}
        self.skipped: dict[str, str] = {}
        self._in_progress: list[str] = []

    # --- names -----------------------------------------------------------------------

    def default_name(self, logical_id: str) -> str:
        """Deterministic physical name for resources the template leaves unnamed."""
        return f"{self.name_prefix}-{logical_id}"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.pseudo.partition}:{service}:{self.pseudo.region if region else ''}:"
            f"{self.pseudo.account_id if account else ''}:{resource}"
        )

    # --- intrinsic callbacks -------------------------------------------------------------

    def ref(self, logical_id: str) -> Any:
        return self.ensure(logical_id).ref

    def get_att(self, logical_id: str, attribute: str) -> Any:
        made = self.ensure(logical_id)
        if attribute not in made.attrs:
            raise TemplateError(f"{logical_id} ({made.type}) has no attribute {attribute} locally")
        return made.attrs[attribute]

    def exists(self, logical_id: str) -> bool:
        """False when the resource's Condition is false (it is not part of the stack)."""
        spec = self.resources.get(logical_id)
        if spec is None:
            return False
        condition = spec.get("Condition")
        return condition is None or self.resolver.condition(str(condition))

    # --- creation --------------------------------------------------------------------

    def create_all(self) -> None:
        for logical_id in self.resources:
            if self.exists(logical_id):
                self.ensure(logical_id)

    def ensure(self, logical_id: str) -> Created:
        if logical_id in self.created:
            return self.created[logical_id]
        implicit = self._implicit(logical_id)
        if implicit is not None:
            self.created[logical_id] = implicit
            return implicit
        if logical_id not in self.resources:
            raise TemplateError(f"unknown logical id {logical_id}")
        if not self.exists(logical_id):
            raise TemplateError(f"{logical_id} is referenced but its condition is false")
        if logical_id in self._in_progress:
            cycle = " -> ".join([*self._in_progress, logical_id])
            raise TemplateError(f"circular reference: {cycle}")
        self._in_progress.append(logical_id)
        try:
            spec = self.resources[logical_id]
            depends = spec.get("DependsOn") or []
            for dependency in [depends] if isinstance(depends, str) else depends:
                self.ensure(dependency)
            made = self._create(logical_id, str(spec.get("Type", "")), spec.get("Properties") or {})
        finally:
            self._in_progress.pop()
        self.created[logical_id] = made
        return made

    def _implicit(self, logical_id: str) -> Created | None:
        """Resources SAM adds behind the scenes that templates may refer to."""
        if logical_id == "ServerlessRestApi" and logical_id not in self.resources:
            return Created(logical_id, "AWS::Serverless::Api", _fake_id(logical_id), {"RootResourceId": "root"})
        if logical_id == "ServerlessHttpApi" and logical_id not in self.resources:
            return Created(logical_id, "AWS::Serverless::HttpApi", _fake_id(logical_id), {})
        return None

    def _create(self, logical_id: str, rtype: str, raw_props: Mapping[str, Any]) -> Created:
        creator = _CREATORS.get(rtype)
        if rtype in FUNCTION_TYPES:
            return self._function(logical_id, rtype, raw_props)
        if creator is None:
            if rtype in SKIPPED_TYPES:
                log.debug("%s: %s needs nothing locally", logical_id, rtype)
            else:
                log.info("%s: %s is not supported locally; Ref/GetAtt give placeholders", logical_id, rtype)
            self.skipped[logical_id] = rtype
            return self._virtual(logical_id, rtype, raw_props)
        props = self.resolver.resolve(dict(raw_props))
        made: Created = creator(self, logical_id, props)
        made.created_in_moto = True
        log.debug("created %s (%s): %s", logical_id, rtype, made.ref)
        return made

    def _function(self, logical_id: str, rtype: str, raw_props: Mapping[str, Any]) -> Created:
        name = self.resolver.resolve(raw_props.get("FunctionName")) or self.default_name(logical_id)
        arn = self.arn("lambda", f"function:{name}")
        return Created(logical_id, rtype, name, {"Arn": arn})

    def _virtual(self, logical_id: str, rtype: str, raw_props: Mapping[str, Any]) -> Created:
        """Ref/GetAtt answers for resources that are not created, so references still resolve."""
        name = self.default_name(logical_id)
        if rtype in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi", "AWS::Serverless::HttpApi"):
            return Created(logical_id, rtype, _fake_id(logical_id), {"RootResourceId": "root"})
        if rtype in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            arn = self.arn("lambda", f"layer:{name}:1")
            return Created(logical_id, rtype, arn, {"Arn": arn})
        if rtype == "AWS::IAM::Role":
            return Created(logical_id, rtype, name, {"Arn": self.arn("iam", f"role/{name}", region=False)})
        if rtype == "AWS::Logs::LogGroup":
            group = self.resolver.resolve(raw_props.get("LogGroupName")) or name
            return Created(logical_id, rtype, group, {"Arn": self.arn("logs", f"log-group:{group}:*")})
        service = rtype.split("::")[1].lower() if rtype.count("::") == 2 else "unknown"
        return Created(logical_id, rtype, name, {"Arn": self.arn(service, name)})

    # --- clients ---------------------------------------------------------------------

    def client(self, service: str) -> Any:
        return self._client(service)

    def dependencies(self, logical_id: str) -> set[str]:
        spec = self.resources.get(logical_id) or {}
        return references(spec.get("Properties") or {}) & set(self.resources)


# ---------------------------------------------------------------------------- creators


def _tags_list(props: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in props.get("Tags") or []]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _pick(source: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: source[k] for k in keys if k in source}


def _create_table(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    ddb = stack.client("dynamodb")
    name = str(props.get("TableName") or stack.default_name(logical_id))
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    provisioned = props.get("ProvisionedThroughput")
    if props.get("BillingMode") == "PAY_PER_REQUEST" or not provisioned:
        kwargs["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kwargs["ProvisionedThroughput"] = provisioned
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if props.get(key):
            kwargs[key] = [
                _pick(index, "IndexName", "KeySchema", "Projection")
                | ({"ProvisionedThroughput": index["ProvisionedThroughput"]} if provisioned and key[0] == "G" else {})
                for index in props[key]
            ]
    stream = props.get("StreamSpecification")
    if stream and stream.get("StreamViewType"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    if props.get("Tags"):
        kwargs["Tags"] = _tags_list(props)
    sse = props.get("SSESpecification")
    if sse:
        attempt = dict(kwargs)
        attempt["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled", True))} | _pick(
            sse, "SSEType", "KMSMasterKeyId"
        )
        try:
            described = ddb.create_table(**attempt)["TableDescription"]
        except ClientError as exc:
            log.debug("%s: SSE not accepted by moto (%s); created without", logical_id, exc)
            described = ddb.create_table(**kwargs)["TableDescription"]
    else:
        described = ddb.create_table(**kwargs)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    pitr = (props.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
    if pitr:
        try:
            ddb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        except ClientError as exc:  # PITR changes nothing locally
            log.debug("%s: PITR not accepted by moto (%s)", logical_id, exc)
    attrs = {"Arn": described["TableArn"]}
    if described.get("LatestStreamArn"):
        attrs["StreamArn"] = described["LatestStreamArn"]
    return Created(logical_id, "AWS::DynamoDB::Table", name, attrs)


def _create_simple_table(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    kind = {"String": "S", "Number": "N", "Binary": "B"}[str(key.get("Type", "String"))]
    table_props = {
        "TableName": props.get("TableName"),
        "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": kind}],
        "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
        "ProvisionedThroughput": props.get("ProvisionedThroughput"),
        "BillingMode": "PROVISIONED" if props.get("ProvisionedThroughput") else "PAY_PER_REQUEST",
    }
    return _create_table(stack, logical_id, {k: v for k, v in table_props.items() if v is not None})


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
)


def _create_queue(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    sqs = stack.client("sqs")
    name = str(props.get("QueueName") or stack.default_name(logical_id))
    if props.get("FifoQueue") and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {key: _text(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    kwargs: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
    if props.get("Tags"):
        kwargs["tags"] = {t["Key"]: t["Value"] for t in _tags_list(props)}
    url = sqs.create_queue(**kwargs)["QueueUrl"]
    arn = stack.arn("sqs", name)
    return Created(logical_id, "AWS::SQS::Queue", url, {"Arn": arn, "QueueName": name, "QueueUrl": url}, name=name)


def _create_bucket(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    s3 = stack.client("s3")
    name = str(props.get("BucketName") or stack.default_name(logical_id).lower())
    kwargs: dict[str, Any] = {"Bucket": name}
    if stack.pseudo.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": stack.pseudo.region}
    s3.create_bucket(**kwargs)
    status = (props.get("VersioningConfiguration") or {}).get("Status")
    if status:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    cors = (props.get("CorsConfiguration") or {}).get("CorsRules")
    if cors:
        rules = []
        for rule in cors:
            converted = _pick(rule, "AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ID")
            if "ExposedHeaders" in rule:
                converted["ExposeHeaders"] = rule["ExposedHeaders"]
            if "MaxAge" in rule:
                converted["MaxAgeSeconds"] = int(rule["MaxAge"])
            rules.append(converted)
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    suffix = stack.pseudo.url_suffix
    region = stack.pseudo.region
    attrs = {
        "Arn": f"arn:{stack.pseudo.partition}:s3:::{name}",
        "DomainName": f"{name}.s3.{suffix}",
        "RegionalDomainName": f"{name}.s3.{region}.{suffix}",
        "DualStackDomainName": f"{name}.s3.dualstack.{region}.{suffix}",
        "WebsiteURL": f"http://{name}.s3-website.{region}.{suffix}",
    }
    return Created(logical_id, "AWS::S3::Bucket", name, attrs)


def _create_event_bus(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    name = str(props.get("Name") or stack.default_name(logical_id))
    arn = stack.client("events").create_event_bus(Name=name)["EventBusArn"]
    return Created(logical_id, "AWS::Events::EventBus", name, {"Arn": arn, "Name": name})


def _bus_name(value: Any) -> str:
    text = str(value or "default")
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def _create_rule(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    events = stack.client("events")
    name = str(props.get("Name") or stack.default_name(logical_id))
    bus = _bus_name(props.get("EventBusName"))
    kwargs: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": str(props.get("State") or "ENABLED")}
    if props.get("EventPattern") is not None:
        pattern = props["EventPattern"]
        kwargs["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
    if props.get("ScheduleExpression"):
        kwargs["ScheduleExpression"] = props["ScheduleExpression"]
        log.info("%s: schedule rules are not fired locally (use a function Schedule event)", logical_id)
    if props.get("Description"):
        kwargs["Description"] = props["Description"]
    arn = events.put_rule(**kwargs)["RuleArn"]
    targets = []
    for target in props.get("Targets") or []:
        if ":lambda:" in str(target.get("Arn", "")):
            log.warning("%s: Lambda target %s is not delivered locally", logical_id, target.get("Id"))
            continue
        converted = _pick(
            target, "Id", "Arn", "Input", "InputPath", "InputTransformer", "SqsParameters", "RoleArn", "RetryPolicy"
        )
        if isinstance(converted.get("Input"), dict):
            converted["Input"] = json.dumps(converted["Input"])
        targets.append(converted)
    if targets:
        events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
    ref = name if bus == "default" else f"{bus}|{name}"
    return Created(logical_id, "AWS::Events::Rule", ref, {"Arn": arn}, name=name)


def _create_kms_key(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    kms = stack.client("kms")
    kwargs: dict[str, Any] = _pick(props, "Description", "KeyUsage", "KeySpec")
    if props.get("KeyPolicy"):
        policy = props["KeyPolicy"]
        kwargs["Policy"] = policy if isinstance(policy, str) else json.dumps(policy)
    if props.get("Tags"):
        kwargs["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in _tags_list(props)]
    meta = kms.create_key(**kwargs)["KeyMetadata"]
    if props.get("EnableKeyRotation") and props.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT":
        try:
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        except ClientError as exc:
            log.debug("%s: key rotation not accepted by moto (%s)", logical_id, exc)
    return Created(logical_id, "AWS::KMS::Key", meta["KeyId"], {"Arn": meta["Arn"], "KeyId": meta["KeyId"]})


def _create_kms_alias(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    stack.client("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
    return Created(logical_id, "AWS::KMS::Alias", props["AliasName"], {})


def generate_secret_string(spec: Mapping[str, Any]) -> str:
    """A Secrets Manager `GenerateSecretString`, generated locally with `secrets`."""
    alphabet = ""
    if not spec.get("ExcludeLowercase"):
        alphabet += string.ascii_lowercase
    if not spec.get("ExcludeUppercase"):
        alphabet += string.ascii_uppercase
    if not spec.get("ExcludeNumbers"):
        alphabet += string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    if spec.get("IncludeSpace"):
        alphabet += " "
    excluded = set(str(spec.get("ExcludeCharacters") or ""))
    alphabet = "".join(c for c in alphabet if c not in excluded)
    if not alphabet:
        raise TemplateError("GenerateSecretString excludes every character")
    length = int(spec.get("PasswordLength") or 32)
    value = "".join(secrets.choice(alphabet) for _ in range(length))
    template = spec.get("SecretStringTemplate")
    key = spec.get("GenerateStringKey")
    if template and key:
        document = json.loads(template)
        document[key] = value
        return json.dumps(document)
    return value


def _create_secret(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    name = str(props.get("Name") or stack.default_name(logical_id))
    if "SecretString" in props:
        value = str(props["SecretString"])
    else:
        value = generate_secret_string(props.get("GenerateSecretString") or {})
    kwargs: dict[str, Any] = {"Name": name, "SecretString": value}
    if props.get("Description"):
        kwargs["Description"] = props["Description"]
    arn = stack.client("secretsmanager").create_secret(**kwargs)["ARN"]
    return Created(logical_id, "AWS::SecretsManager::Secret", arn, {"Id": arn}, name=name)


def _create_topic(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    name = str(props.get("TopicName") or stack.default_name(logical_id))
    if props.get("FifoTopic") and not name.endswith(".fifo"):
        name += ".fifo"
    keys = ("KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication", "DisplayName")
    attributes = {k: _text(props[k]) for k in keys if k in props}
    arn = stack.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
    if props.get("Subscription"):
        log.debug("%s: topic subscriptions are not created locally", logical_id)
    return Created(logical_id, "AWS::SNS::Topic", arn, {"TopicArn": arn, "TopicName": name}, name=name)


def _create_ssm_parameter(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> Created:
    name = str(props.get("Name") or f"/{stack.name_prefix}/{logical_id}")
    kwargs: dict[str, Any] = {"Name": name, "Type": props.get("Type", "String"), "Value": str(props["Value"])}
    if props.get("Description"):
        kwargs["Description"] = props["Description"]
    stack.client("ssm").put_parameter(**kwargs)
    return Created(logical_id, "AWS::SSM::Parameter", name, {"Type": kwargs["Type"], "Value": kwargs["Value"]})


def _fake_id(logical_id: str) -> str:
    """A stable 10-character id, like an API Gateway REST API id."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:10]


_CREATORS: dict[str, Callable[[LocalStack, str, dict[str, Any]], Created]] = {
    "AWS::DynamoDB::Table": _create_table,
    "AWS::Serverless::SimpleTable": _create_simple_table,
    "AWS::SQS::Queue": _create_queue,
    "AWS::S3::Bucket": _create_bucket,
    "AWS::Events::EventBus": _create_event_bus,
    "AWS::Events::Rule": _create_rule,
    "AWS::KMS::Key": _create_kms_key,
    "AWS::KMS::Alias": _create_kms_alias,
    "AWS::SecretsManager::Secret": _create_secret,
    "AWS::SNS::Topic": _create_topic,
    "AWS::SSM::Parameter": _create_ssm_parameter,
}
