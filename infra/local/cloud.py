"""`LocalCloud`: the whole platform on one machine, built from template.yaml.

Start-up: moto (own process) → resources from the template → function
pools (workers start lazily) → gateway, pollers → seed → scheduler. Stop
reverses it. Tests use the session fixture `local_cloud`
(tests/integration/conftest.py); people use `python -m infra.local`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config

from infra.local.gateway import Gateway
from infra.local.intrinsics import Pseudo, TemplateError
from infra.local.metering import Usage, platform_log_bytes
from infra.local.model import EventSource, FunctionSpec, Model, read_model
from infra.local.motoserver import MotoServer
from infra.local.partners import Partner, load_partners
from infra.local.pollers import (
    LOCAL_MAX_BATCHING_WINDOW_S,
    Activity,
    EventBridgeTargetPoller,
    SqsPoller,
    StreamPoller,
)
from infra.local.resources import Created, LocalStack
from infra.local.schedules import Scheduler, ScheduleSpec, schedule_from_event, scheduled_event
from infra.local.seeding import SeedResult, run_seed
from infra.local.workers import FunctionError, FunctionPool, Invocation, WorkerConfig
from infra.template import ROOT, TEMPLATE, sam_template
from shared.platform.local_endpoints import remove_record, write_record

log = logging.getLogger("infra.local")

# Parameter values for running locally (only applied to parameters the template declares).
LOCAL_PARAMETERS: dict[str, str] = {
    "Stage": "local",
    "PortalOrigin": "*",
}
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
PREWARM_INIT_TIMEOUT_S = 120.0
# How often a stream poller reads an idle stream when moto announces writes (it is woken at once
# by a write; the read catches anything a lost notice would miss).
ANNOUNCED_STREAM_POLL_S = 5.0
UNSUPPORTED_EVENTS = {"S3", "SNS", "Kinesis", "MQ", "MSK", "SelfManagedKafka", "HttpApi", "IoTRule", "Cognito"}


class LocalCloud:
    """The platform running locally. Use as a context manager or call start()/stop().

    Ports of 0 pick free ones. `retry_delay_s` is how long a failed SQS message
    stays invisible before its retry (AWS waits the queue's VisibilityTimeout).
    """

    def __init__(
        self,
        template: Path | str = TEMPLATE,
        *,
        api_port: int = 3000,
        aws_port: int = 4566,
        host: str = "127.0.0.1",
        parameters: Mapping[str, str] | None = None,
        seed: bool = True,
        strict_seed: bool = False,
        scheduler: bool = True,
        pollers: bool = True,
        retry_delay_s: int = 1,
        pool_size: int = 2,
        prewarm: bool = False,
        log_dir: Path | str | None = None,
        name_prefix: str = "jszw-local",
        region: str = "cn-north-1",
        account_id: str = "123456789012",
        openapi_path: Path | str | None = None,
        repo_root: Path = ROOT,
        stream_idle_poll_s: float = 1.0,
        max_batching_window_s: float = LOCAL_MAX_BATCHING_WINDOW_S,
        partners: bool = True,
        record: Path | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.template_path = Path(template).resolve()
        self.host = host
        self.api_port = api_port
        self.aws_port = aws_port
        self.parameter_overrides = dict(parameters or {})
        self.seed_enabled = seed
        self.strict_seed = strict_seed
        self.scheduler_enabled = scheduler
        self.pollers_enabled = pollers
        self.retry_delay_s = retry_delay_s
        self.pool_size = pool_size
        self.prewarm_enabled = prewarm
        self.log_dir = Path(log_dir).resolve() if log_dir else None
        self.name_prefix = name_prefix
        self.pseudo = Pseudo(region=region, account_id=account_id, stack_name=name_prefix)
        self.repo_root = repo_root
        self.openapi_path = Path(openapi_path) if openapi_path else repo_root / "docs" / "openapi.json"
        self.stream_idle_poll_s = stream_idle_poll_s
        # the cap on every event source's batching window (pollers.py; the cost model raises it, D-329)
        self.max_batching_window_s = max_batching_window_s
        self.partners_enabled = partners
        # variables every function and the seeder get on top of the template's (like `sam local
        # --env-vars`); tests use it for cheaper password hashes (D-271)
        self.extra_environment = dict(environment or {})
        # where `python -m infra.local` tells the helpers its ports (shared.platform.local_endpoints)
        self.record_path = record
        self.partners: dict[str, Partner] = {}
        self._ready_partners: list[Partner] = []
        self._partner_env: dict[str, str] = {}  # a bound partner's URL for the functions (see _bind_partners)
        self.activity = Activity()
        self.seed_result = SeedResult("off")
        self.startup_s = 0.0
        self.timings: dict[str, float] = {}
        self.notes: list[str] = []
        self.schedules: list[ScheduleSpec] = []
        self._moto: MotoServer | None = None
        self._gateway: Gateway | None = None
        self._scheduler: Scheduler | None = None
        self._pools: dict[str, FunctionPool] = {}
        self._sqs_pollers: list[SqsPoller] = []
        self._stream_pollers: list[StreamPoller] = []
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._env: dict[str, dict[str, str]] = {}
        self.stack: LocalStack | None = None
        self.model: Model | None = None
        self.endpoint_url = ""
        self.api_url = ""

    # --- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> LocalCloud:
        began = self._began = time.perf_counter()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.perf_counter() - began
        return self

    def _start(self) -> None:
        self._moto = MotoServer(self.host, self.aws_port, on_stream_write=self._streams_written)
        self.endpoint_url = self._moto.start()
        self._mark("moto")
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        template = sam_template(self.template_path)
        declared = template.get("Parameters") or {}
        parameters = {k: v for k, v in LOCAL_PARAMETERS.items() if k in declared} | self.parameter_overrides
        self.stack = LocalStack(
            template,
            self.template_path.parent,
            parameters=parameters,
            pseudo=self.pseudo,
            name_prefix=self.name_prefix,
            client=self.client,
        )
        self.stack.create_all()
        self.model = read_model(self.stack)
        self._mark("resources")
        self._bind_partners()
        for spec in self.model.functions.values():
            self._env[spec.logical_id] = self._function_environment(spec)
            self._pools[spec.logical_id] = FunctionPool(
                self._worker_config(spec), size=self.pool_size, timeout_s=spec.timeout_s
            )
            if spec.unsupported:
                self.notes.append(f"{spec.logical_id}: {spec.unsupported}")
        self._wire_events(self.model)
        self._gateway = Gateway(
            model=self.model,
            pseudo=self.pseudo,
            invoke=lambda fid, event, timeout: self.invoke_raw(fid, event, timeout_s=timeout),
            timeout_of=lambda fid: self.functions[fid].timeout_s,
            operator=self,
            host=self.host,
            port=self.api_port,
            openapi_path=self.openapi_path,
        )
        self._gateway.start()
        self.api_url = self._gateway.url
        self._record(ready=False)
        self._mark("gateway")
        if self.pollers_enabled:
            for poller in [*self._sqs_pollers, *self._stream_pollers]:
                poller.start()
        if self.prewarm_enabled:
            # One at a time: twenty interpreters importing at once on two cores each took over the
            # 30 s init limit (Runtime.InitTimeout) and slowed the seeding everyone waits for.
            route_functions = sorted({r.function_id for r in self.model.routes})
            threading.Thread(target=self._prewarm, args=(route_functions,), name="prewarm", daemon=True).start()
        if self.seed_enabled:
            began = time.perf_counter()
            self.seed_result = run_seed(self.shared_environment(), self.repo_root)
            self.seed_result.seconds = time.perf_counter() - began
            self._mark("seed")
            if self.seed_result.status == "error" and self.strict_seed:
                raise RuntimeError(f"seeding failed:\n{self.seed_result.message}")
        if self.partners_enabled:
            for partner in self._ready_partners:
                partner.start(self)
                self.partners[partner.name] = partner
            self._mark("partners")
        self._scheduler = Scheduler(self.schedules, self._run_schedule)
        if self.scheduler_enabled:
            self._scheduler.start()
        self._gateway.open()
        self._record(ready=True)
        self._mark("ready")

    def _prewarm(self, function_ids: list[str]) -> None:
        for fid in function_ids:
            if self._gateway is None:
                return  # stopped
            self._pools[fid].prewarm(init_timeout_s=PREWARM_INIT_TIMEOUT_S)

    def _record(self, *, ready: bool) -> None:
        if self.record_path is not None:
            write_record(self.api_url, self.endpoint_url, ready=ready, path=self.record_path)

    def _bind_partners(self) -> None:
        """Partners the template has resources for; those with `bind` (partners the functions
        call, e.g. the SMS gateway) start serving now, before the functions and the seed, and
        their endpoints replace the template's local URLs (free ports in test clouds)."""
        assert self.stack is not None
        self._ready_partners, self._partner_env = [], {}
        if not self.partners_enabled:
            return
        for partner in load_partners():
            if all(logical_id in self.stack.created for logical_id in partner.requires):
                bind = getattr(partner, "bind", None)
                if bind is not None:
                    self._partner_env.update(bind(self))
                    self.partners[partner.name] = partner  # so stop() stops it even if start fails
                self._ready_partners.append(partner)

    def _mark(self, phase: str) -> None:
        """Seconds since start() when `phase` finished (printed by the CLI, asserted by a test)."""
        self.timings[phase] = round(time.perf_counter() - self._began, 2)

    def stop(self) -> None:
        """Stop scheduler, pollers, gateway, workers and moto (safe to call twice)."""
        if self.record_path is not None:
            remove_record(self.record_path)
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
        for partner in self.partners.values():
            partner.stop()
        self.partners.clear()
        pollers = [*self._sqs_pollers, *self._stream_pollers]
        for poller in pollers:
            poller.signal_stop()
        if self._gateway is not None:
            self._gateway.stop()
            self._gateway = None
        for pool in self._pools.values():
            pool.stop()
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        for poller in pollers:
            poller.join(5)

    # --- wiring --------------------------------------------------------------------------

    def _wire_events(self, model: Model) -> None:
        for spec in model.functions.values():
            for event in spec.events:
                if event.type == "SQS":
                    self._wire_sqs(event)
                elif event.type == "DynamoDB":
                    self._wire_stream(spec, event)
                elif event.type in ("Schedule", "ScheduleV2"):
                    self._wire_schedule(spec, event)
                elif event.type in ("EventBridgeRule", "CloudWatchEvent"):
                    self._wire_rule(spec, event)
                elif event.type in UNSUPPORTED_EVENTS:
                    self.notes.append(f"{spec.logical_id}.{event.name}: {event.type} events are not emulated")

    def _queue_by_arn(self, arn: str) -> Created | None:
        assert self.stack is not None
        for made in self.stack.created.values():
            if made.type == "AWS::SQS::Queue" and made.attrs.get("Arn") == arn:
                return made
        return None

    def _wire_sqs(self, event: EventSource) -> None:
        queue = self._queue_by_arn(str(event.properties.get("Queue")))
        if queue is None:
            where = f"{event.function_id}.{event.name}"
            self.notes.append(f"{where}: queue {event.properties.get('Queue')} is not in the template")
            return
        self._sqs_pollers.append(
            SqsPoller(
                event,
                queue_url=str(queue.attrs["QueueUrl"]),
                queue_arn=str(queue.attrs["Arn"]),
                sqs=self.client("sqs"),
                invoke=self._invoke_for_poller,
                activity=self.activity,
                region=self.pseudo.region,
                retry_delay_s=self.retry_delay_s,
                max_window_s=self.max_batching_window_s,
                bill=self._bill_sqs_requests,
            )
        )

    def _bill_sqs_requests(self, function_id: str, requests: int) -> None:
        """SQS requests a poller made for a function's batch beyond what its invocation's meter counted."""
        if requests:
            self._pools[function_id].bill(Usage(sqs_requests=requests))

    def _wire_stream(self, spec: FunctionSpec, event: EventSource) -> None:
        stream_arn = str(event.properties.get("Stream"))
        if ":dynamodb:" not in stream_arn:
            self.notes.append(f"{spec.logical_id}.{event.name}: stream {stream_arn} is not a local table stream")
            return
        self._stream_pollers.append(
            StreamPoller(
                event,
                stream_arn=stream_arn,
                function_arn=spec.arn,
                streams=self.client("dynamodbstreams"),
                send_failure=self._send_failure,
                invoke=self._invoke_for_poller,
                activity=self.activity,
                region=self.pseudo.region,
                retry_delay_s=self.retry_delay_s,
                max_window_s=self.max_batching_window_s,
                # moto announces stream writes (the poller is woken at once): then the idle poll
                # is only a safety net and need not be frequent (D-190)
                idle_poll_s=max(self.stream_idle_poll_s, ANNOUNCED_STREAM_POLL_S)
                if self._moto is not None and self._moto.announces_writes
                else self.stream_idle_poll_s,
            )
        )

    def _streams_written(self, table_names: list[str]) -> None:
        """moto added records to these tables' streams: the pollers read them now."""
        written = set(table_names)
        for poller in self._stream_pollers:
            if poller.table_name in written:
                poller.nudge()

    def _wire_schedule(self, spec: FunctionSpec, event: EventSource) -> None:
        props = event.properties
        name = str(props.get("Name") or f"{self.name_prefix}-{spec.logical_id}{event.name}")
        prefix = f"arn:{self.pseudo.partition}:{{}}:{self.pseudo.region}:{self.pseudo.account_id}"
        if event.type == "ScheduleV2":
            group = str(props.get("GroupName") or "default")
            arn = prefix.format("scheduler") + f":schedule/{group}/{name}"
        else:
            arn = prefix.format("events") + f":rule/{name}"
        schedule = schedule_from_event(spec.logical_id, event.name, event.type, props, rule_arn=arn)
        if schedule.problem:
            self.notes.append(f"{schedule.key}: {schedule.problem} (only fired on demand)")
        self.schedules.append(schedule)

    def _wire_rule(self, spec: FunctionSpec, event: EventSource) -> None:
        """An EventBridge rule whose target is the function: deliver through a private queue."""
        props = event.properties
        sqs, events = self.client("sqs"), self.client("events")
        queue_name = f"{self.name_prefix}-{spec.logical_id}-{event.name}"[:80]
        url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        arn = f"arn:{self.pseudo.partition}:sqs:{self.pseudo.region}:{self.pseudo.account_id}:{queue_name}"
        bus = str(props.get("EventBusName") or "default").rsplit("/", 1)[-1]
        rule = str(props.get("RuleName") or f"{self.name_prefix}-{spec.logical_id}{event.name}")
        pattern = props.get("Pattern") or {}
        state = str(props.get("State", "ENABLED"))
        events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern), State=state)
        target: dict[str, Any] = {"Id": str((props.get("Target") or {}).get("Id") or "local"), "Arn": arn}
        for key in ("Input", "InputPath", "InputTransformer"):
            if key in props:
                target[key] = props[key]
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[target])
        source = EventSource(spec.logical_id, event.name, event.type, {"BatchSize": 10}, event.raw)
        self._sqs_pollers.append(
            EventBridgeTargetPoller(
                source,
                queue_url=url,
                queue_arn=arn,
                sqs=sqs,
                invoke=self._invoke_for_poller,
                activity=self.activity,
                region=self.pseudo.region,
                retry_delay_s=self.retry_delay_s,
            )
        )

    def _send_failure(self, destination_arn: str, document: dict[str, Any]) -> None:
        body = json.dumps(document)
        if ":sqs:" in destination_arn:
            queue = self._queue_by_arn(destination_arn)
            if queue is None:
                log.error("on-failure destination %s is not a queue of the template", destination_arn)
                return
            self.client("sqs").send_message(QueueUrl=queue.attrs["QueueUrl"], MessageBody=body)
        elif ":sns:" in destination_arn:
            self.client("sns").publish(TopicArn=destination_arn, Message=body)
        else:
            log.error("on-failure destination %s is not supported locally", destination_arn)

    # --- environment ---------------------------------------------------------------------

    def _aws_environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            **FAKE_CREDENTIALS,
            "AWS_REGION": self.pseudo.region,
            "AWS_DEFAULT_REGION": self.pseudo.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }

    def _function_environment(self, spec: FunctionSpec) -> dict[str, str]:
        """Template variables, then the variables the Lambda runtime sets (which win, as on AWS)."""
        return {
            **spec.environment,
            # only variables the template gives the function (a partner's URL)
            **{k: v for k, v in self._partner_env.items() if k in spec.environment},
            **self.extra_environment,
            **self._aws_environment(),
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime or 'python3.13'}",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "TZ": ":UTC",
            "_HANDLER": spec.handler,
            **self._logging_environment(spec),
        }

    @staticmethod
    def _logging_environment(spec: FunctionSpec) -> dict[str, str]:
        """What Lambda sets for a JSON LoggingConfig: Powertools' Logger takes AWS_LAMBDA_LOG_LEVEL over
        POWERTOOLS_LOG_LEVEL (D-333), so a function runs locally at the level it would run at on AWS."""
        if spec.log_format != "JSON":
            return {}
        return {"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": spec.application_log_level or "INFO"}

    def shared_environment(self) -> dict[str, str]:
        """Every function's template variables in one map, plus the AWS endpoint (for the seeder)."""
        merged: dict[str, str] = {}
        for fid in sorted(self.functions):
            merged.update(self.functions[fid].environment)
        partner_env = {k: v for k, v in self._partner_env.items() if k in merged}
        return merged | partner_env | self.extra_environment | self._aws_environment()

    def function_env(self, logical_id: str) -> dict[str, str]:
        """The full environment a function's worker runs with."""
        return dict(self._env[logical_id])

    def _worker_config(self, spec: FunctionSpec) -> WorkerConfig:
        log_file = str(self.log_dir / f"{spec.logical_id}.log") if self.log_dir else None
        return WorkerConfig(
            function_id=spec.logical_id,
            function_name=spec.name,
            function_arn=spec.arn,
            code_dir=str(spec.code_dir),
            repo_root=str(self.repo_root),
            handler=spec.handler,
            memory_mb=spec.memory_mb,
            environment=self._env[spec.logical_id],
            log_file=log_file,
            platform_log_bytes=platform_log_bytes(spec.log_format, spec.system_log_level),
        )

    # --- names ---------------------------------------------------------------------------

    @property
    def functions(self) -> dict[str, FunctionSpec]:
        assert self.model is not None, "start() first"
        return self.model.functions

    def _made(self, logical_id: str) -> Created:
        assert self.stack is not None, "start() first"
        if logical_id not in self.stack.created:
            raise KeyError(logical_id)
        return self.stack.created[logical_id]

    def ref(self, logical_id: str) -> Any:
        """What `!Ref LogicalId` gives (table name, queue URL, bus name, function name, ...)."""
        return self._made(logical_id).ref

    def attr(self, logical_id: str, attribute: str) -> Any:
        """What `!GetAtt LogicalId.Attribute` gives."""
        return self._made(logical_id).attrs[attribute]

    def physical_name(self, logical_id: str) -> str:
        """The resource's name (queue name, rule name, secret name, table name, ...)."""
        made = self._made(logical_id)
        return made.name or str(made.ref)

    def arn(self, logical_id: str) -> str:
        made = self._made(logical_id)
        if "Arn" in made.attrs:
            return str(made.attrs["Arn"])
        if str(made.ref).startswith("arn:"):
            return str(made.ref)
        raise KeyError(f"{logical_id} has no ARN")

    def queue_url(self, logical_id: str) -> str:
        return str(self._made(logical_id).attrs["QueueUrl"])

    def client(self, service: str) -> Any:
        """A boto3 client of `service` pointed at the local moto (shared, thread-safe)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = boto3.session.Session().client(  # type: ignore[call-overload]
                    service,
                    endpoint_url=self.endpoint_url,
                    region_name=self.pseudo.region,
                    aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                    aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
                    config=Config(max_pool_connections=50, retries={"mode": "standard", "max_attempts": 2}),
                )
            return self._clients[service]

    # --- invoking ------------------------------------------------------------------------

    def invoke_raw(self, logical_id: str, event: Any, *, timeout_s: float | None = None) -> Invocation:
        """Invoke a function synchronously and return the full outcome (never raises for function errors)."""
        if logical_id not in self._pools:
            raise KeyError(logical_id)
        spec = self.functions[logical_id]
        if spec.unsupported:
            error = {"errorType": "LocalCloud.Unsupported", "errorMessage": spec.unsupported}
            return Invocation(logical_id, "", error=error)
        try:
            return self._pools[logical_id].invoke(event, timeout_s=timeout_s)
        finally:
            for poller in self._stream_pollers:
                poller.nudge()  # the function may have written to a table

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke a function and return its result; raises FunctionError when it fails."""
        return self.invoke_raw(logical_id, event).value()

    def _invoke_for_poller(self, logical_id: str, event: Any) -> Invocation:
        return self.invoke_raw(logical_id, event)

    # --- schedules -----------------------------------------------------------------------

    def _schedule(self, function_or_key: str, event_name: str | None = None) -> ScheduleSpec:
        function_id, _, from_key = function_or_key.partition(".")
        wanted = event_name or from_key or None
        for schedule in self.schedules:
            if schedule.function_id == function_id and (wanted is None or schedule.event_name == wanted):
                return schedule
        raise KeyError(f"{function_or_key} has no schedule" + (f" named {wanted}" if wanted else ""))

    def _run_schedule(self, schedule: ScheduleSpec, when: datetime) -> Invocation:
        event = scheduled_event(schedule, when, account=self.pseudo.account_id, region=self.pseudo.region)
        with self.activity.working(schedule.function_id):
            invocation = self.invoke_raw(schedule.function_id, event)
        schedule.last_run = when
        schedule.last_outcome = "ok" if invocation.ok else str((invocation.error or {}).get("errorType"))
        return invocation

    def fire_invocation(self, function_id: str, event_name: str | None = None) -> Invocation:
        """Fire a function's schedule now (even if disabled) and return the outcome."""
        return self._run_schedule(self._schedule(function_id, event_name), datetime.now(UTC))

    def fire(self, function_id: str, event_name: str | None = None) -> Any:
        """Fire a function's schedule now; its result, or FunctionError."""
        return self.fire_invocation(function_id, event_name).value()

    # --- queues --------------------------------------------------------------------------

    def _redrive_pair(self, queue_id: str) -> tuple[str, str]:
        """(DLQ url, source url) for a source queue or its DLQ."""
        assert self.stack is not None
        made = self._made(queue_id)
        if made.type != "AWS::SQS::Queue":
            raise KeyError(f"{queue_id} is not a queue")
        policy = self.client("sqs").get_queue_attributes(QueueUrl=made.ref, AttributeNames=["RedrivePolicy"])
        redrive = policy.get("Attributes", {}).get("RedrivePolicy")
        if redrive:
            dlq = self._queue_by_arn(json.loads(redrive)["deadLetterTargetArn"])
            if dlq is None:
                raise KeyError(f"{queue_id}'s DLQ is not in the template")
            return str(dlq.ref), str(made.ref)
        sources = []
        for other in self.stack.created.values():
            if other.type != "AWS::SQS::Queue" or other is made:
                continue
            attrs = self.client("sqs").get_queue_attributes(QueueUrl=other.ref, AttributeNames=["RedrivePolicy"])
            text = attrs.get("Attributes", {}).get("RedrivePolicy")
            if text and json.loads(text)["deadLetterTargetArn"] == made.attrs["Arn"]:
                sources.append(str(other.ref))
        if len(sources) != 1:
            raise ValueError(f"{queue_id} is the DLQ of {len(sources)} queues; name the source queue")
        return str(made.ref), sources[0]

    def redrive(self, queue_id: str) -> int:
        """Move every message from a queue's DLQ back to the queue; returns how many moved."""
        dlq_url, source_url = self._redrive_pair(queue_id)
        sqs = self.client("sqs")
        moved = 0
        while True:
            messages = (
                sqs.receive_message(
                    QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
                ).get("Messages")
                or []
            )
            if not messages:
                return moved
            for message in messages:
                kwargs: dict[str, Any] = {"QueueUrl": source_url, "MessageBody": message["Body"]}
                if message.get("MessageAttributes"):
                    kwargs["MessageAttributes"] = message["MessageAttributes"]
                sqs.send_message(**kwargs)
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                moved += 1

    def queue_depth(self, logical_id: str) -> dict[str, int]:
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url(logical_id),
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return {
            "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
            "inFlight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            "delayed": int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
        }

    # --- idleness ------------------------------------------------------------------------

    def _busy_sources(self) -> list[str]:
        busy = []
        for sqs_poller in self._sqs_pollers:
            if sqs_poller.enabled and self.pollers_enabled and sqs_poller.pending():
                busy.append(f"queue of {sqs_poller.function_id}.{sqs_poller.source.name}")
        for stream_poller in self._stream_pollers:
            if stream_poller.enabled and self.pollers_enabled and stream_poller.pending():
                busy.append(f"stream of {stream_poller.function_id}.{stream_poller.source.name}")
        return busy

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Return once watched queues are empty, streams drained and no poller is working.

        Raises TimeoutError naming what is still busy (e.g. a message failing
        forever on a queue without a DLQ).
        """
        deadline = time.monotonic() + timeout
        busy: list[str] = []
        while True:
            for poller in self._stream_pollers:
                poller.nudge()
            generation, working = self.activity.snapshot()
            if not working:
                busy = self._busy_sources()
                if not busy and self.activity.snapshot() == (generation, 0):
                    return
            else:
                busy = [f"a poller is invoking {', '.join(self.activity.working_on()) or 'a function'}"]
            if time.monotonic() >= deadline:
                raise TimeoutError(f"local cloud not idle after {timeout:.1f} s: {', '.join(busy)}")
            time.sleep(0.05)

    # --- status --------------------------------------------------------------------------

    def iter_queues(self) -> Iterator[Created]:
        assert self.stack is not None
        yield from (m for m in self.stack.created.values() if m.type == "AWS::SQS::Queue")

    def usage(self) -> dict[str, Usage]:
        """Metered usage per function since the start (a copy: subtract two to see a run's share)."""
        return {fid: (pool.usage.copy() if pool.usage else Usage()) for fid, pool in self._pools.items()}

    def status(self) -> dict[str, Any]:
        """Functions, routes, queues with depth, streams, schedules and seed outcome."""
        assert self.model is not None
        consumers = {p.queue_arn: f"{p.function_id}.{p.source.name}" for p in self._sqs_pollers}
        functions = []
        for fid, spec in self.functions.items():
            pool = self._pools[fid]
            functions.append(
                {
                    "id": fid,
                    "name": spec.name,
                    "handler": spec.handler,
                    "timeoutS": spec.timeout_s,
                    "events": sorted({e.type for e in spec.events}),
                    "workers": pool.warm,
                    "busy": pool.busy,
                    "invocations": pool.stats.invocations,
                    "errors": pool.stats.errors,
                    "coldStarts": pool.stats.cold_starts,
                    "lastInitMs": pool.stats.last_init_ms and round(pool.stats.last_init_ms),
                    "unsupported": spec.unsupported or None,
                }
            )
        queues = []
        for made in self.iter_queues():
            entry: dict[str, Any] = {"id": made.logical_id, "name": made.attrs["QueueName"], "url": made.ref}
            with suppress(Exception):
                entry |= self.queue_depth(made.logical_id)
            entry["consumer"] = consumers.get(made.attrs["Arn"])
            queues.append(entry)
        return {
            "api": self.api_url,
            "aws": self.endpoint_url,
            "startupSeconds": round(self.startup_s, 2),
            "functions": functions,
            "routes": [
                {"method": r.method, "path": r.path, "function": r.function_id, "authorizer": r.authorizer}
                for r in self.model.routes
            ],
            "queues": queues,
            "buckets": [
                {"id": m.logical_id, "name": m.ref}
                for m in self.stack.created.values()  # type: ignore[union-attr]
                if m.type == "AWS::S3::Bucket"
            ],
            "streams": [
                {
                    "consumer": f"{p.function_id}.{p.source.name}",
                    "stream": p.stream_arn,
                    "batches": p.stats.batches,
                    "filteredOut": p.stats.filtered_out,
                    "failures": p.stats.failures,
                    "sentToOnFailure": p.stats.sent_to_destination,
                }
                for p in self._stream_pollers
            ],
            "schedules": [
                {
                    "function": s.function_id,
                    "event": s.event_name,
                    "expression": s.expression.text,
                    "enabled": s.enabled and self.scheduler_enabled,
                    "nextRun": s.next_run.isoformat() if s.next_run and self.scheduler_enabled else None,
                    "lastRun": s.last_run.isoformat() if s.last_run else None,
                    "lastOutcome": s.last_outcome or None,
                    "problem": s.problem or None,
                }
                for s in self.schedules
            ],
            "seed": {"status": self.seed_result.status, "loaded": self.seed_result.loaded},
            "notes": self.notes,
        }


__all__ = ["FunctionError", "Invocation", "LocalCloud", "TemplateError"]
