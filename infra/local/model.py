"""What the local cloud runs, read from the template: functions, their event
sources, the APIs with CORS, authorizers and gateway responses, and routes
(functions' `Api` events, and the operations of an API's DefinitionBody).

Everything is derived from template.yaml (Globals merged as SAM merges them)
so that nothing is listed by hand and local behaviour follows the template.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.intrinsics import TemplateError, env_text, strip_quotes
from infra.local.resources import FUNCTION_TYPES, LocalStack

DEFAULT_TIMEOUT_S = 3
DEFAULT_MEMORY_MB = 128
IMPLICIT_API = "ServerlessRestApi"


@dataclass(frozen=True)
class EventSource:
    """One entry of a function's `Events`, properties resolved (`raw` kept for logical ids)."""

    function_id: str
    name: str
    type: str
    properties: dict[str, Any]
    raw: dict[str, Any]


@dataclass
class FunctionSpec:
    """A Lambda function as the worker pool needs it."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    runtime: str
    timeout_s: float
    memory_mb: int
    environment: dict[str, str]
    events: list[EventSource] = field(default_factory=list)
    unsupported: str = ""
    # LoggingConfig (D-333): what Lambda sends to the log group besides the function's own lines
    log_format: str = "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None

    def events_of(self, *types: str) -> list[EventSource]:
        return [e for e in self.events if e.type in types]


@dataclass(frozen=True)
class CorsSpec:
    allow_origin: str
    allow_headers: str | None
    allow_methods: str | None
    max_age: str | None
    allow_credentials: bool


@dataclass(frozen=True)
class AuthorizerSpec:
    """A Lambda authorizer (TOKEN or REQUEST) as declared under the API's `Auth`."""

    name: str
    function_id: str
    payload_type: str
    header: str
    validation_expression: str | None
    reauthorize_every_s: int
    headers: tuple[str, ...] = ()
    query_strings: tuple[str, ...] = ()
    stage_variables: tuple[str, ...] = ()
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class GatewayResponseSpec:
    status: int | None
    headers: dict[str, str]
    templates: dict[str, str]


@dataclass
class ApiSpec:
    logical_id: str
    api_id: str
    stage: str
    cors: CorsSpec | None
    authorizers: dict[str, AuthorizerSpec]
    default_authorizer: str | None
    authorize_preflight: bool
    gateway_responses: dict[str, GatewayResponseSpec]


@dataclass(frozen=True)
class RouteSpec:
    api_id: str
    method: str
    path: str
    function_id: str
    event_name: str
    authorizer: str | None


@dataclass
class Model:
    functions: dict[str, FunctionSpec]
    apis: dict[str, ApiSpec]
    routes: list[RouteSpec]


def merge_globals(global_props: Mapping[str, Any], local_props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: maps merge, lists concatenate, the resource's scalars win."""
    merged: dict[str, Any] = copy.deepcopy(dict(global_props))
    for key, value in local_props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            merged[key] = merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def read_model(stack: LocalStack) -> Model:
    """Functions, APIs and routes of the stack (resources must exist: values are resolved)."""
    globals_ = stack.template.get("Globals") or {}
    functions: dict[str, FunctionSpec] = {}
    for logical_id, spec in stack.resources.items():
        if spec.get("Type") in FUNCTION_TYPES and stack.exists(logical_id):
            props = spec.get("Properties") or {}
            if spec.get("Type") == "AWS::Serverless::Function":
                props = merge_globals(globals_.get("Function") or {}, props)
            functions[logical_id] = _function(stack, logical_id, props)
    apis = _apis(stack, globals_.get("Api") or {}, functions)
    routes = _routes(stack, functions, apis)
    return Model(functions, apis, routes)


def _function(stack: LocalStack, logical_id: str, props: Mapping[str, Any]) -> FunctionSpec:
    resolve = stack.resolver.resolve
    made = stack.ensure(logical_id)
    unsupported = ""
    code_uri = resolve(props.get("CodeUri"))
    if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
        code_dir = (stack.template_dir / code_uri).resolve()
    else:
        code_dir = stack.template_dir
        unsupported = "CodeUri must be a local directory"
    if props.get("InlineCode") is not None:
        unsupported = "InlineCode is not run locally"
    if props.get("PackageType") == "Image":
        unsupported = "container image functions are not run locally"
    runtime = str(resolve(props.get("Runtime")) or "")
    if runtime and not runtime.startswith("python"):
        unsupported = f"runtime {runtime} is not run locally (Python only)"
    variables = resolve((props.get("Environment") or {}).get("Variables") or {})
    environment = {str(k): env_text(v) for k, v in variables.items()}
    logging_config = resolve(props.get("LoggingConfig") or {})
    events = []
    for name, event in (props.get("Events") or {}).items():
        raw = event.get("Properties") or {}
        events.append(EventSource(logical_id, name, str(event.get("Type")), resolve(raw), raw))
    return FunctionSpec(
        logical_id=logical_id,
        name=str(made.ref),
        arn=str(made.attrs["Arn"]),
        code_dir=code_dir,
        handler=str(resolve(props.get("Handler")) or ""),
        runtime=runtime,
        timeout_s=float(resolve(props.get("Timeout")) or DEFAULT_TIMEOUT_S),
        memory_mb=int(resolve(props.get("MemorySize")) or DEFAULT_MEMORY_MB),
        environment=environment,
        events=events,
        unsupported=unsupported,
        log_format=str(logging_config.get("LogFormat") or "Text"),
        application_log_level=logging_config.get("ApplicationLogLevel"),
        system_log_level=logging_config.get("SystemLogLevel"),
    )


def _function_id_of(stack: LocalStack, raw: Any, functions: Mapping[str, FunctionSpec]) -> str:
    """The logical id of the function an authorizer's FunctionArn points at."""
    if isinstance(raw, dict) and "Fn::GetAtt" in raw:
        target = raw["Fn::GetAtt"]
        logical_id = target.partition(".")[0] if isinstance(target, str) else str(target[0])
        if logical_id in functions:
            return logical_id
    resolved = stack.resolver.resolve(raw)
    for spec in functions.values():
        if resolved in (spec.arn, spec.name):
            return spec.logical_id
    raise TemplateError(f"authorizer function {raw!r} is not a function of this template")


def _apis(
    stack: LocalStack, api_globals: Mapping[str, Any], functions: Mapping[str, FunctionSpec]
) -> dict[str, ApiSpec]:
    declared = {
        lid: merge_globals(api_globals, spec.get("Properties") or {})
        for lid, spec in stack.resources.items()
        if spec.get("Type") == "AWS::Serverless::Api" and stack.exists(lid)
    }
    uses_implicit = any(e.type == "Api" and not e.raw.get("RestApiId") for f in functions.values() for e in f.events)
    if uses_implicit and IMPLICIT_API not in declared:
        declared[IMPLICIT_API] = merge_globals(api_globals, {"StageName": "Prod"})
    return {lid: _api(stack, lid, props, functions) for lid, props in declared.items()}


def _api(stack: LocalStack, logical_id: str, raw: Mapping[str, Any], functions: Mapping[str, FunctionSpec]) -> ApiSpec:
    resolve = stack.resolver.resolve
    cors_raw = resolve(raw.get("Cors"))
    cors = None
    if isinstance(cors_raw, str):
        cors = CorsSpec(strip_quotes(cors_raw), None, None, None, False)
    elif isinstance(cors_raw, dict):
        cors = CorsSpec(
            allow_origin=strip_quotes(cors_raw.get("AllowOrigin", "'*'")),
            allow_headers=strip_quotes(cors_raw["AllowHeaders"]) if "AllowHeaders" in cors_raw else None,
            allow_methods=strip_quotes(cors_raw["AllowMethods"]) if "AllowMethods" in cors_raw else None,
            max_age=strip_quotes(cors_raw["MaxAge"]) if "MaxAge" in cors_raw else None,
            allow_credentials=bool(cors_raw.get("AllowCredentials", False)),
        )
    auth = raw.get("Auth") or {}
    authorizers: dict[str, AuthorizerSpec] = {}
    for name, spec in (auth.get("Authorizers") or {}).items():
        if "FunctionArn" not in spec:
            continue  # Cognito/IAM authorizers are not emulated
        identity = resolve(spec.get("Identity") or {})
        payload = str(spec.get("FunctionPayloadType", "TOKEN")).upper()
        authorizers[name] = AuthorizerSpec(
            name=name,
            function_id=_function_id_of(stack, spec["FunctionArn"], functions),
            payload_type=payload,
            header=str(identity.get("Header", "Authorization")),
            validation_expression=identity.get("ValidationExpression"),
            reauthorize_every_s=int(identity.get("ReauthorizeEvery", 300)),
            headers=tuple(identity.get("Headers") or ()),
            query_strings=tuple(identity.get("QueryStrings") or ()),
            stage_variables=tuple(identity.get("StageVariables") or ()),
            context=tuple(identity.get("Context") or ()),
        )
    default = auth.get("DefaultAuthorizer")
    if default is not None and default not in authorizers and default not in ("NONE", "AWS_IAM"):
        raise TemplateError(f"{logical_id}: DefaultAuthorizer {default} is not a Lambda authorizer of this API")
    responses: dict[str, GatewayResponseSpec] = {}
    for kind, spec in (resolve(raw.get("GatewayResponses")) or {}).items():
        params = spec.get("ResponseParameters") or {}
        responses[kind] = GatewayResponseSpec(
            status=int(spec["StatusCode"]) if spec.get("StatusCode") else None,
            headers={str(k): str(v) for k, v in (params.get("Headers") or {}).items()},
            templates={str(k): str(v) for k, v in (spec.get("ResponseTemplates") or {}).items()},
        )
    return ApiSpec(
        logical_id=logical_id,
        api_id=str(stack.ref(logical_id)),
        stage=str(resolve(raw.get("StageName")) or "Prod"),
        cors=cors,
        authorizers=authorizers,
        default_authorizer=default if default in authorizers else None,
        authorize_preflight=bool(auth.get("AddDefaultAuthorizerToCorsPreflight", True)),
        gateway_responses=responses,
    )


def _api_logical_id(raw: Any, apis: Mapping[str, ApiSpec]) -> str:
    if raw is None:
        return IMPLICIT_API
    if isinstance(raw, dict) and isinstance(raw.get("Ref"), str):
        return str(raw["Ref"])
    for api in apis.values():
        if raw == api.api_id:
            return api.logical_id
    raise TemplateError(f"RestApiId {raw!r} is not an API of this template")


def _routes(stack: LocalStack, functions: Mapping[str, FunctionSpec], apis: Mapping[str, ApiSpec]) -> list[RouteSpec]:
    """Routes from functions' `Api` events and from each API's DefinitionBody (D-264)."""
    routes = []
    for spec in functions.values():
        for event in spec.events_of("Api"):
            api_id = _api_logical_id(event.raw.get("RestApiId"), apis)
            if api_id not in apis:
                raise TemplateError(f"{spec.logical_id}.{event.name}: unknown API {api_id}")
            api = apis[api_id]
            wanted = (event.properties.get("Auth") or {}).get("Authorizer", api.default_authorizer)
            authorizer = _authorizer(api, wanted, f"{spec.logical_id}.{event.name}")
            method = str(event.properties.get("Method", "ANY")).upper()
            path = "/" + str(event.properties.get("Path", "/")).strip("/")
            routes.append(RouteSpec(api_id, method, path, spec.logical_id, event.name, authorizer))
    for api_id, api in apis.items():
        body = ((stack.resources.get(api_id) or {}).get("Properties") or {}).get("DefinitionBody") or {}
        for path, operations in (body.get("paths") or {}).items():
            for method_key, operation in operations.items():
                method = "ANY" if method_key == "x-amazon-apigateway-any-method" else method_key.upper()
                where = f"{api_id} {method} {path}"
                integration = operation.get(_INTEGRATION) or {}
                if integration.get("type") != "aws_proxy":
                    raise TemplateError(f"{where}: only aws_proxy integrations to a function run locally")
                function_id = _integrated_function(integration.get("uri"), functions, where)
                routes.append(
                    RouteSpec(
                        api_id, method, path, function_id, where, _authorizer(api, _security(api, operation), where)
                    )
                )
    return routes


_INTEGRATION = "x-amazon-apigateway-integration"
_FUNCTION_IN_URI = re.compile(r"\$\{(\w+)\.Arn\}")


def _authorizer(api: ApiSpec, wanted: Any, where: str) -> str | None:
    if wanted in (None, "NONE", "AWS_IAM"):
        return None
    if wanted in api.authorizers:
        return str(wanted)
    raise TemplateError(f"{where}: authorizer {wanted} is not declared on {api.logical_id}")


def _security(api: ApiSpec, operation: Mapping[str, Any]) -> Any:
    """The authorizer an operation names, as SAM reads it: `NONE` opts out of the
    API's DefaultAuthorizer, which applies when the operation names none."""
    for entry in operation.get("security") or []:
        for name in entry:
            if name == "NONE" or name in api.authorizers:
                return name
    return api.default_authorizer


def _integrated_function(uri: Any, functions: Mapping[str, FunctionSpec], where: str) -> str:
    """The function of an integration's `Fn::Sub` invocation URI (`${Fn.Arn}`)."""
    text = uri.get("Fn::Sub") if isinstance(uri, dict) else None
    found = _FUNCTION_IN_URI.search(text) if isinstance(text, str) else None
    if found is None or found.group(1) not in functions:
        raise TemplateError(f"{where}: integration uri {uri!r} names no function of this template")
    return found.group(1)
