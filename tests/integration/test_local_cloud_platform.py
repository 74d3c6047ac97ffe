"""The platform's template.yaml, as the local cloud builds it (the `local_cloud` fixture).

Checks only what the local cloud derives from the template (resources,
routes, environments, gateway answers), not the functions' behaviour, which
their own integration tests cover.
"""

from __future__ import annotations

import json

import pytest
import requests

from infra.gateway_routes import declared_routes
from infra.local import LocalCloud
from infra.template import sam_template

pytestmark = pytest.mark.integration


def test_resources_follow_the_template(local_cloud: LocalCloud) -> None:
    ddb, sqs = local_cloud.client("dynamodb"), local_cloud.client("sqs")
    table = ddb.describe_table(TableName=local_cloud.ref("CatalogTable"))["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2", "hot"}  # hot: D-280
    ttl = ddb.describe_time_to_live(TableName=local_cloud.ref("CatalogTable"))["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    attributes = sqs.get_queue_attributes(QueueUrl=local_cloud.queue_url("OpenDataQueue"), AttributeNames=["All"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": local_cloud.arn("OpenDataDLQ"), "maxReceiveCount": 3}
    assert local_cloud.ref("DomainBus") == "jszw-domain-local"
    targets = local_cloud.client("events").list_targets_by_rule(
        Rule=local_cloud.physical_name("OpenDataRule"), EventBusName="jszw-domain-local"
    )["Targets"]
    assert [t["Arn"] for t in targets] == [local_cloud.arn("OpenDataQueue")]
    versioning = local_cloud.client("s3").get_bucket_versioning(Bucket=local_cloud.ref("OpenDataBucket"))
    assert versioning["Status"] == "Enabled"


def test_routes_are_the_templates_definition_body(local_cloud: LocalCloud) -> None:
    # D-264: the gateway serves the DefinitionBody's operations, public ones without the authorizer
    declared = {
        (r.method, r.path, r.function_id, None if r.public else "AccessTokenAuthorizer")
        for r in declared_routes(sam_template())
    }
    routes = {(r["method"], r["path"], r["function"], r["authorizer"]) for r in local_cloud.status()["routes"]}
    assert routes == declared
    assert ("GET", "/v1/items", "CatalogApiFunction", None) in routes


def test_functions_get_local_names_in_their_environment(local_cloud: LocalCloud) -> None:
    env = local_cloud.function_env("CatalogApiFunction")
    assert env["STAGE"] == "local"
    assert env["CATALOG_TABLE"] == local_cloud.ref("CatalogTable")
    assert env["IDEMPOTENCY_TABLE"] == local_cloud.ref("IdempotencyTable")
    assert env["EVENT_BUS_NAME"] == "jszw-domain-local"
    assert env["AWS_ENDPOINT_URL"] == local_cloud.endpoint_url
    publisher = local_cloud.function_env("OpenDataPublisherFunction")
    assert publisher["OPEN_DATA_BUCKET"] == local_cloud.ref("OpenDataBucket")


def test_gateway_answers_use_the_templates_gateway_responses(local_cloud: LocalCloud) -> None:
    response = requests.get(f"{local_cloud.api_url}/v1/no-such-thing", timeout=10)
    # MISSING_AUTHENTICATION_TOKEN is mapped to a 404 problem in the template
    assert response.status_code == 404
    body = response.json()
    assert (body["status"], body["code"]) == (404, "route_not_found")
    assert body["request_id"] == response.headers["x-amzn-RequestId"]
    preflight = requests.options(f"{local_cloud.api_url}/v1/items/X/draft", timeout=10)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]


def test_status_lists_schedules_queues_and_the_seed(local_cloud: LocalCloud) -> None:
    status = local_cloud.status()
    assert {(s["function"], s["event"]) for s in status["schedules"]} >= {("CalendarCheckFunction", "Daily")}
    queues = {q["id"]: q for q in status["queues"]}
    assert queues["OpenDataQueue"]["consumer"] == "OpenDataPublisherFunction.CatalogChanged"
    assert status["seed"]["status"] in ("ok", "absent")
    assert local_cloud.timings["gateway"] < 30
