"""The committed OpenAPI spec is the contract with portal, app, hall and
partner developers: it must match the code and the template exactly."""

from __future__ import annotations

from infra.openapi import SPEC_PATH, build_spec, render


def test_committed_spec_matches_the_code() -> None:
    generated = render(build_spec())
    committed = SPEC_PATH.read_text(encoding="utf-8")
    assert committed == generated, "docs/openapi.json is out of date: run `make openapi` and commit it"


def test_every_operation_documents_the_problem_shape() -> None:
    spec = build_spec()
    assert spec["paths"], "no routes found"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            ref = operation["responses"]["4XX"]["content"]["application/problem+json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Problem", f"{method} {path}"
            assert operation.get("summary"), f"{method} {path} has no summary"


def test_committed_error_catalogue_matches_the_code() -> None:
    from infra.errors_doc import DOC_PATH, render

    assert DOC_PATH.read_text(encoding="utf-8") == render(), "docs/errors.md is stale: run `make openapi`"


def test_committed_event_catalogue_matches_the_code() -> None:
    from infra.events_doc import DOC_PATH, render

    assert DOC_PATH.read_text(encoding="utf-8") == render(), "docs/events.md is stale: run `make openapi`"


def test_every_operation_declares_who_may_call_it() -> None:
    """The role-matrix test and the resolver's access pre-check read this declaration."""
    from shared.platform.principal import ACCESS_EXTENSION, Access

    for path, operations in build_spec()["paths"].items():
        for method, operation in operations.items():
            declared = operation.get(ACCESS_EXTENSION)
            assert declared, f"{method.upper()} {path} does not declare {ACCESS_EXTENSION}"
            Access(declared["roles"])
