"""The API's routes are declared once, by the route decorators; template.yaml's
DefinitionBody is generated from them and the SAM transform must turn it into
the gateway the spec promises (D-264)."""

from __future__ import annotations

import json
from typing import Any

from infra.gateway_routes import TEMPLATE, code_routes, http_functions, rewrite
from infra.template import ROOT, cloudformation_template, sam_template
from shared.platform.principal import ACCESS_EXTENSION, Access
from shared.platform.routing import CACHE_EXTENSION

SPEC = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
AUTHORIZER = "AccessTokenAuthorizer"


def _transformed() -> dict[str, Any]:
    return cloudformation_template()


def test_template_routes_are_the_codes() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert rewrite(text, code_routes()) == text, "template.yaml's routes differ from the code: run `make openapi`"


def test_every_operation_of_the_spec_is_in_the_transformed_api_with_its_function_and_authorization() -> None:
    resources = _transformed()["Resources"]
    body = resources["PlatformApi"]["Properties"]["Body"]
    served = {
        (path, method) for path, operations in body["paths"].items() for method in operations if method != "options"
    }
    documented = {(path, method) for path, operations in SPEC["paths"].items() for method in operations}
    assert served == documented
    functions = {r.method.lower() + " " + r.path: r.function_id for r in code_routes()}
    for path, method in sorted(documented):
        operation = SPEC["paths"][path][method]
        gateway = body["paths"][path][method]
        integration = gateway["x-amazon-apigateway-integration"]
        assert (integration["type"], integration["httpMethod"]) == ("aws_proxy", "POST"), f"{method} {path}"
        assert f"${{{functions[f'{method} {path}']}.Arn}}" in integration["uri"]["Fn::Sub"], f"{method} {path}"
        public = operation[ACCESS_EXTENSION]["roles"] == Access.PUBLIC.value
        assert gateway["security"] == ([{"NONE": []}] if public else [{AUTHORIZER: []}]), f"{method} {path}"
        if operation.get(CACHE_EXTENSION):
            keys = set(integration["cacheKeyParameters"])
            assert "method.request.header.Accept-Language" in keys, path
            assert {p["name"] for p in gateway["parameters"]} == {k.rsplit(".", 1)[1] for k in keys}, path
        else:
            assert "cacheKeyParameters" not in integration, f"{method} {path} is cached but does not say so"
    assert AUTHORIZER in body["components"]["securitySchemes"]


def test_api_gateway_may_invoke_each_http_function_once_for_the_whole_api() -> None:
    resources = _transformed()["Resources"]
    permissions = {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::Lambda::Permission"}
    from_api = {
        k: p
        for k, p in permissions.items()
        if p["Principal"] == "apigateway.amazonaws.com" and "authorizers" not in str(p)
    }
    assert sorted(p["FunctionName"]["Fn::GetAtt"][0] for p in from_api.values()) == sorted(http_functions())
    for permission in from_api.values():
        assert permission["SourceArn"]["Fn::Sub"].endswith(":${PlatformApi}/*/*/*")
    assert {r.function_id for r in code_routes()} == set(http_functions()), "an HTTP function serves no route"


def test_every_function_with_a_resolver_is_an_http_function_of_the_api() -> None:
    # a new HTTP function left out of Fn::ForEach::ApiFunctions would have no route in the gateway and no
    # permission, and nothing else would notice
    resources = sam_template()["Resources"]
    listed = {str(resources[f]["Properties"]["CodeUri"]).strip("/") for f in http_functions()}
    with_resolver = {
        str(app.parent.relative_to(ROOT))
        for app in (ROOT / "functions").glob("*/app.py")
        if "make_resolver(" in app.read_text(encoding="utf-8")
    }
    assert with_resolver == listed, (
        "add the function to Fn::ForEach::ApiFunctions in template.yaml and run `make openapi`"
    )
