"""The local cloud itself, on a small fixture stack (tests/integration/fixtures/local_cloud).

Independent of the platform's functions: gateway routing and proxy events,
authorizers, CORS, errors and timeouts, SQS partial batch failures with the
DLQ, stream filtering and on-failure destinations, schedules, EventBridge rule
targets, resources and intrinsics resolved from the template.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local import FunctionError, LocalCloud

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).parent / "fixtures" / "local_cloud"


@pytest.fixture(scope="module")
def cloud(local_cloud_factory: Callable[..., LocalCloud]) -> Iterator[LocalCloud]:
    started = local_cloud_factory(
        template=FIXTURE / "template.yaml",
        seed=False,
        name_prefix="fx",
        openapi_path=FIXTURE / "openapi.json",
    )
    yield started
    started.stop()  # free its processes now; the factory's final stop is then a no-op


@pytest.fixture(scope="module")
def http(cloud: LocalCloud) -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def echo(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def drain(cloud: LocalCloud, queue_id: str) -> list[dict[str, Any]]:
    """Every message on a queue (bodies parsed), removing them."""
    sqs, url = cloud.client("sqs"), cloud.queue_url(queue_id)
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


# --------------------------------------------------------------------------- gateway


def test_routes_path_parameters_and_query_strings_become_a_rest_proxy_event(
    cloud: LocalCloud, http: requests.Session
) -> None:
    response = http.get(f"{cloud.api_url}/echo/zhang", params=[("x", "1"), ("x", "2"), ("city", "南京")])
    body = echo(response)
    event = body["event"]
    assert event["resource"] == "/echo/{name}"
    assert event["path"] == "/echo/zhang"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"name": "zhang"}
    assert event["queryStringParameters"] == {"x": "2", "city": "南京"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "city": ["南京"]}
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert event["headers"]["User-Agent"].startswith("python-requests")
    assert event["multiValueHeaders"]["User-Agent"] == [event["headers"]["User-Agent"]]
    context = event["requestContext"]
    assert context["stage"] == "local"
    assert context["resourcePath"] == "/echo/{name}"
    assert context["path"] == "/local/echo/zhang"
    assert context["httpMethod"] == "GET"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert abs(context["requestTimeEpoch"] / 1000 - time.time()) < 30
    assert "authorizer" not in context
    assert response.headers["X-Echo"] == "1"
    assert response.headers["Set-Cookie"] == "a=1, b=2"


def test_static_segments_beat_parameters_and_greedy_paths_take_the_rest(
    cloud: LocalCloud, http: requests.Session
) -> None:
    assert echo(http.get(f"{cloud.api_url}/echo/special"))["event"]["resource"] == "/echo/special"
    event = echo(http.post(f"{cloud.api_url}/files/a/b/c.txt", json={"k": "值"}))["event"]
    assert event["resource"] == "/files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b/c.txt"}
    assert event["httpMethod"] == "POST"
    assert json.loads(event["body"]) == {"k": "值"}


def test_unknown_routes_and_methods_answer_like_api_gateway(cloud: LocalCloud, http: requests.Session) -> None:
    for response in (http.get(f"{cloud.api_url}/nowhere"), http.post(f"{cloud.api_url}/echo/x")):
        assert response.status_code == 403
        assert response.json() == {"message": "Missing Authentication Token"}
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_handler_exception_is_a_502(cloud: LocalCloud, http: requests.Session) -> None:
    response = http.get(f"{cloud.api_url}/boom")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    with pytest.raises(FunctionError) as raised:
        cloud.invoke("HttpFunction", {"path": "/boom"})
    assert raised.value.error_type == "RuntimeError"
    assert raised.value.error_message == "boom"
    assert any("http_app.py" in frame for frame in raised.value.stack_trace)


def test_a_timeout_is_a_502_and_the_worker_is_replaced(cloud: LocalCloud, http: requests.Session) -> None:
    began = time.perf_counter()
    response = http.get(f"{cloud.api_url}/slow")
    assert response.status_code == 502
    assert time.perf_counter() - began < 2.5  # Timeout: 1 in the template, not the handler's 3 s sleep
    invocation = cloud.invoke_raw("HttpFunction", {"path": "/slow"})
    assert invocation.timed_out
    assert invocation.error is not None
    assert invocation.error["errorType"] == "Sandbox.Timedout"
    assert echo(http.get(f"{cloud.api_url}/echo/after"))["event"]["path"] == "/echo/after"


def test_concurrent_requests_use_the_pool(cloud: LocalCloud) -> None:
    results: list[int] = []

    def call() -> None:
        results.append(requests.get(f"{cloud.api_url}/echo/c", timeout=10).status_code)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 6
    assert cloud.status()["functions"][0]["workers"] <= cloud.pool_size


# ----------------------------------------------------------------------- authorizers


def test_authorizer_allow_passes_its_context(cloud: LocalCloud, http: requests.Session) -> None:
    event = echo(http.get(f"{cloud.api_url}/private", headers={"Authorization": "allow"}))["event"]
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-1"
    assert authorizer["user"] == "u1"
    assert authorizer["admin"] == "true"
    assert authorizer["level"] == "3"
    assert authorizer["type"] == "TOKEN"
    assert isinstance(authorizer["integrationLatency"], int)


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [
        (None, 401, "Unauthorized"),
        ("boom", 401, "Unauthorized"),
        ("error", 500, None),
        ("allow-other", 403, "User is not authorized to access this resource"),
    ],
)
def test_authorizer_refusals(
    cloud: LocalCloud, http: requests.Session, token: str | None, status: int, message: str | None
) -> None:
    headers = {"Authorization": token} if token else {}
    response = http.get(f"{cloud.api_url}/private", headers=headers)
    assert response.status_code == status
    assert response.json()["message"] == message


def test_explicit_deny_uses_the_api_gateway_response(cloud: LocalCloud, http: requests.Session) -> None:
    response = http.get(f"{cloud.api_url}/private", headers={"Authorization": "deny"})
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "denied"
    assert body["message"] == "User is not authorized to access this resource with an explicit deny"
    assert body["request_id"] == response.headers["x-amzn-RequestId"]
    assert response.headers["Access-Control-Allow-Origin"] == "http://portal.test"


def test_request_authorizer_gets_the_request(cloud: LocalCloud, http: requests.Session) -> None:
    assert http.get(f"{cloud.api_url}/request-authed").status_code == 401  # identity header missing
    event = echo(http.get(f"{cloud.api_url}/request-authed", headers={"X-Api-Token": "allow"}))["event"]
    assert event["requestContext"]["authorizer"]["type"] == "REQUEST"
    assert http.get(f"{cloud.api_url}/request-authed", headers={"X-Api-Token": "deny"}).status_code == 403


def test_cached_policy_is_reused_like_api_gateway(cloud: LocalCloud, http: requests.Session) -> None:
    # The policy allows only the first path it was issued for; with caching on
    # (ReauthorizeEvery 300) API Gateway reuses it and refuses the second path.
    def authorizer_calls() -> int:
        return next(f["invocations"] for f in cloud.status()["functions"] if f["id"] == "AuthorizerFunction")

    before = authorizer_calls()
    token = f"allow-{time.time_ns()}"
    assert http.get(f"{cloud.api_url}/cached/1", headers={"X-Cached-Token": token}).status_code == 200
    assert http.get(f"{cloud.api_url}/cached/1", headers={"X-Cached-Token": token}).status_code == 200
    assert http.get(f"{cloud.api_url}/cached/2", headers={"X-Cached-Token": token}).status_code == 403
    assert authorizer_calls() == before + 1


# ------------------------------------------------------------------------------ CORS


def test_cors_preflight_comes_from_the_template(cloud: LocalCloud, http: requests.Session) -> None:
    response = http.options(f"{cloud.api_url}/echo/abc", headers={"Origin": "http://portal.test"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://portal.test"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
    assert response.headers["Access-Control-Max-Age"] == "300"
    assert response.content == b""
    # AddDefaultAuthorizerToCorsPreflight: false, so no token is needed
    assert http.options(f"{cloud.api_url}/private").status_code == 200
    assert http.options(f"{cloud.api_url}/files/x").headers["Access-Control-Allow-Methods"] == (
        "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    )
    assert http.options(f"{cloud.api_url}/nowhere").status_code == 403


# --------------------------------------------------------------------- environment


def test_functions_get_the_template_environment_and_a_lambda_like_process(
    cloud: LocalCloud, http: requests.Session
) -> None:
    body = echo(http.get(f"{cloud.api_url}/echo/env"))
    env = body["env"]
    # Lambda sets the invocation's trace header per invocation, not in the function's configuration (D-333)
    trace = env.pop("_X_AMZN_TRACE_ID")
    assert trace.startswith("Root=1-")
    assert ";Parent=" in trace
    assert env == {k: v for k, v in cloud.function_env("HttpFunction").items() if k in env}
    assert env["STAGE"] == "local"
    assert env["MODE"] == "local-mode"
    assert "OPTIONAL" not in env  # !If [IsProd, ..., !Ref AWS::NoValue]
    assert env["QUEUE_URL"] == cloud.queue_url("WorkQueue")
    assert env["QUEUE_NAME"] == "fx-WorkQueue"
    assert env["QUEUE_ARN"] == "arn:aws-cn:sqs:cn-north-1:123456789012:fx-WorkQueue"
    assert env["BUS_ARN"] == "arn:aws-cn:events:cn-north-1:123456789012:event-bus/fixture-bus-local"
    assert env["TABLE_STREAM"].startswith("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/fx-Table/stream/")
    assert env["WHERE"] == "aws-cn|cn-north-1|123456789012|amazonaws.com.cn|fx"
    assert env["GREETING"] == "hello, b! ${Literal}"
    assert env["JOINED"] == "a-b-c"
    assert env["BATCH"] == "10"
    assert env["SECRET_ARN"].startswith("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:fx-Secret-")
    assert env["KEY_ARN"].startswith("arn:aws-cn:kms:cn-north-1:123456789012:key/")
    assert env["BUCKET"] == "fx-bucket"
    assert env["SEEN_QUEUE_URL"] == cloud.queue_url("SeenQueue")
    assert env["AWS_ENDPOINT_URL"] == cloud.endpoint_url
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "cn-north-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fx-HttpFunction"
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert "PYTEST_CURRENT_TEST" not in env  # nothing leaks from the caller's environment
    assert body["sys_path_head"] == [str(FIXTURE / "functions"), str(cloud.repo_root)]
    assert body["cwd"] == str(FIXTURE / "functions")
    assert body["tz"] == "UTC"
    context = body["context"]
    assert context["function_name"] == "fx-HttpFunction"
    assert context["memory_limit_in_mb"] == 256
    assert context["invoked_function_arn"] == "arn:aws-cn:lambda:cn-north-1:123456789012:function:fx-HttpFunction"
    assert 0 < context["remaining_ms"] <= 1000


def test_resources_are_created_from_the_template(cloud: LocalCloud) -> None:
    sqs = cloud.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=cloud.queue_url("WorkQueue"), AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": cloud.arn("WorkDLQ"), "maxReceiveCount": 2}
    assert attributes["VisibilityTimeout"] == "30"
    table = cloud.client("dynamodb").describe_table(TableName=cloud.ref("Table"))["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by-gpk"]
    ttl = cloud.client("dynamodb").describe_time_to_live(TableName=cloud.ref("Table"))["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    secret = json.loads(cloud.client("secretsmanager").get_secret_value(SecretId=cloud.ref("Secret"))["SecretString"])
    assert secret["user"] == "app"
    assert len(secret["password"]) == 24
    assert secret["password"].isalnum()
    key = cloud.client("kms").describe_key(KeyId=cloud.ref("SigningKey"))["KeyMetadata"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    cloud.client("s3").head_bucket(Bucket=cloud.ref("Bucket"))
    assert cloud.physical_name("Bus") == "fixture-bus-local"
    with pytest.raises(KeyError):
        cloud.ref("ProdOnlyQueue")  # Condition: IsProd is false locally
    assert "Alarm" in cloud.stack.skipped  # type: ignore[union-attr]


# ------------------------------------------------------------------------ SQS poller


def test_partial_batch_failure_deletes_successes_and_dead_letters_the_failure(cloud: LocalCloud) -> None:
    sqs, url = cloud.client("sqs"), cloud.queue_url("WorkQueue")
    drain(cloud, "SeenQueue")
    entries = [
        {
            "Id": str(n),
            "MessageBody": json.dumps({"n": n, "fail": n == 3}),
            "MessageAttributes": {"kind": {"DataType": "String", "StringValue": f"k{n}"}},
        }
        for n in range(1, 6)
    ]
    sqs.send_message_batch(QueueUrl=url, Entries=entries)
    cloud.wait_idle(15)
    seen = [m for m in drain(cloud, "SeenQueue") if m["source"] == "sqs"]
    processed = sorted(m["body"]["n"] for m in seen)
    assert processed == [1, 2, 3, 3, 4, 5]  # #3 received maxReceiveCount (2) times, the others once
    assert seen[0]["batch"] == 5  # batching window gathered the whole batch
    record = seen[0]["record"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == cloud.arn("WorkQueue")
    assert record["awsRegion"] == "cn-north-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["SentTimestamp"].isdigit()
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert record["messageAttributes"]["kind"]["stringValue"].startswith("k")
    assert len(record["md5OfBody"]) == 32
    assert cloud.queue_depth("WorkQueue") == {"visible": 0, "inFlight": 0, "delayed": 0}
    dead = drain(cloud, "WorkDLQ")
    assert dead == [{"n": 3, "fail": True}]


def test_redrive_moves_dead_letters_back(cloud: LocalCloud, http: requests.Session) -> None:
    drain(cloud, "SeenQueue")
    cloud.client("sqs").send_message(QueueUrl=cloud.queue_url("WorkDLQ"), MessageBody=json.dumps({"n": 42}))
    response = http.post(f"{cloud.api_url}/_local/queues/WorkQueue/redrive")
    assert response.json() == {"queue": "WorkQueue", "moved": 1}
    cloud.wait_idle(15)
    assert [m["body"] for m in drain(cloud, "SeenQueue")] == [{"n": 42}]
    assert cloud.redrive("WorkDLQ") == 0  # naming the DLQ works too


# ---------------------------------------------------------------------- stream poller


def test_stream_poller_applies_filter_criteria(cloud: LocalCloud) -> None:
    ddb, table = cloud.client("dynamodb"), cloud.ref("Table")
    drain(cloud, "SeenQueue")
    ddb.put_item(TableName=table, Item={"pk": {"S": "s-1"}, "kind": {"S": "outbox"}, "blob": {"B": b"\x00\xff"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "s-2"}, "kind": {"S": "entity"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "s-1"}, "kind": {"S": "outbox"}, "v": {"N": "2"}})  # MODIFY
    ddb.put_item(TableName=table, Item={"pk": {"S": "s-3"}, "kind": {"S": "outbox"}})
    cloud.wait_idle(15)
    records = [m["record"] for m in drain(cloud, "SeenQueue") if m["source"] == "stream"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["s-1", "s-3"]
    first = records[0]
    assert first["eventName"] == "INSERT"
    assert first["eventSource"] == "aws:dynamodb"
    assert first["eventVersion"] == "1.1"
    assert first["awsRegion"] == "cn-north-1"
    assert first["eventSourceARN"] == cloud.attr("Table", "StreamArn")
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert first["dynamodb"]["NewImage"]["blob"] == {"B": "AP8="}
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], float)
    assert first["dynamodb"]["SequenceNumber"].isdigit()
    assert first["dynamodb"]["SizeBytes"] > 0


def test_stream_failures_are_retried_then_sent_to_the_on_failure_queue(cloud: LocalCloud) -> None:
    ddb, table = cloud.client("dynamodb"), cloud.ref("Table")
    drain(cloud, "SeenQueue")
    ddb.put_item(TableName=table, Item={"pk": {"S": "f-1"}, "kind": {"S": "outbox"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "f-2"}, "kind": {"S": "outbox"}, "fail": {"BOOL": True}})
    cloud.wait_idle(15)
    ddb.put_item(TableName=table, Item={"pk": {"S": "f-3"}, "kind": {"S": "outbox"}})
    cloud.wait_idle(15)
    keys = [m["record"]["dynamodb"]["Keys"]["pk"]["S"] for m in drain(cloud, "SeenQueue")]
    assert keys == ["f-1", "f-2", "f-2", "f-3"]  # first attempt + MaximumRetryAttempts 1, then move on
    failures = drain(cloud, "StreamFailureQueue")
    assert len(failures) == 1
    info = failures[0]["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert info["streamArn"] == cloud.attr("Table", "StreamArn")
    assert failures[0]["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failures[0]["requestContext"]["functionArn"].endswith(":function:fx-StreamFunction")


def test_a_cancelled_transaction_leaves_no_trace_and_the_stream_keeps_flowing(cloud: LocalCloud) -> None:
    ddb, table = cloud.client("dynamodb"), cloud.ref("Table")
    drain(cloud, "SeenQueue")
    ddb.put_item(TableName=table, Item={"pk": {"S": "t-existing"}, "v": {"N": "1"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as raised:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "t-new"}, "kind": {"S": "outbox"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "t-existing"}},
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"N": "2"}},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "t-missing"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "t-new"}})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "t-existing"}})["Item"]["v"] == {"N": "1"}
    ddb.put_item(TableName=table, Item={"pk": {"S": "t-after"}, "kind": {"S": "outbox"}})
    cloud.wait_idle(15)
    keys = [m["record"]["dynamodb"]["Keys"]["pk"]["S"] for m in drain(cloud, "SeenQueue")]
    assert keys == ["t-after"]


# ------------------------------------------------------------------ schedules, events


def test_schedules_fire_on_demand_even_when_disabled(cloud: LocalCloud, http: requests.Session) -> None:
    received = cloud.fire("ScheduledFunction")["received"]  # the first schedule: Nightly (Enabled: false)
    assert received["detail-type"] == "Scheduled Event"
    assert received["source"] == "aws.events"
    assert received["account"] == "123456789012"
    assert received["region"] == "cn-north-1"
    assert received["resources"] == ["arn:aws-cn:events:cn-north-1:123456789012:rule/fx-ScheduledFunctionNightly"]
    assert received["detail"] == {}
    assert received["time"].endswith("Z")
    assert cloud.fire("ScheduledFunction", "Hourly") == {"received": {"kind": "hourly"}}  # the schedule's Input
    response = http.post(f"{cloud.api_url}/_local/schedules/ScheduledFunction/fire", params={"event": "Hourly"})
    assert response.json()["ok"] is True
    assert response.json()["result"] == {"received": {"kind": "hourly"}}
    schedules = {s["event"]: s for s in cloud.status()["schedules"]}
    assert schedules["Nightly"]["expression"] == "cron(0 1 * * ? *)"
    assert schedules["Hourly"]["lastOutcome"] == "ok"


def test_eventbridge_rule_events_reach_their_function(cloud: LocalCloud) -> None:
    drain(cloud, "SeenQueue")
    cloud.client("events").put_events(
        Entries=[
            {"EventBusName": cloud.ref("Bus"), "Source": "fixture.source", "DetailType": "t", "Detail": "{}"},
            {"EventBusName": cloud.ref("Bus"), "Source": "other.source", "DetailType": "t", "Detail": "{}"},
        ]
    )
    cloud.wait_idle(15)
    events = [m["event"] for m in drain(cloud, "SeenQueue") if m["source"] == "events"]
    assert [e["source"] for e in events] == ["fixture.source"]


# ------------------------------------------------------------------- docs, operator


def test_swagger_ui_and_openapi_are_served_locally(cloud: LocalCloud, http: requests.Session) -> None:
    page = http.get(f"{cloud.api_url}/docs")
    assert page.status_code == 200
    assert "/docs/swagger-ui-bundle.min.js" in page.text
    assert "http" not in page.text.split("<script", 1)[1].split(">", 1)[0]  # no CDN
    assert http.get(f"{cloud.api_url}/docs/swagger-ui.min.css").status_code == 200
    spec = http.get(f"{cloud.api_url}/openapi.json").json()
    assert spec["servers"] == [{"url": cloud.api_url, "description": "local cloud"}]


def test_status_and_idle_endpoints(cloud: LocalCloud, http: requests.Session) -> None:
    status = http.get(f"{cloud.api_url}/_local/status").json()
    assert {f["id"] for f in status["functions"]} >= {"HttpFunction", "WorkerFunction", "StreamFunction"}
    queues = {q["id"]: q for q in status["queues"]}
    assert queues["WorkQueue"]["consumer"] == "WorkerFunction.Work"
    assert "visible" in queues["WorkDLQ"]
    assert http.post(f"{cloud.api_url}/_local/idle", params={"timeout": "10"}).json() == {"idle": True}
    response = http.post(f"{cloud.api_url}/_local/functions/ScheduledFunction/invoke", json={"a": 1})
    assert response.json()["result"] == {"received": {"a": 1}}
    assert http.post(f"{cloud.api_url}/_local/schedules/Nope/fire").status_code == 404


def test_startup_is_quick(cloud: LocalCloud) -> None:
    assert cloud.timings["gateway"] < 10
