"""Configuration per context, checked at cold start: every function imports with
exactly what its template entry gives it, and one missing variable stops its
first invocation with that variable's name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import function_environment, sam_template
from shared.platform.config import ConfigurationError, EnvironmentSettings, reader, reset_settings
from shared.platform.config import require as require_settings
from tests.support.handlers import load_function


def _functions() -> dict[str, dict[str, str]]:
    """Each function's directory and the variables the template sets for it."""
    template = sam_template()
    return {
        str(resource["Properties"]["CodeUri"]).strip("/").split("/")[-1]: function_environment(template, logical_id)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


FUNCTIONS = _functions()


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Only what the template would give a function (plus the pinned test credentials)."""
    import os

    for name in list(os.environ):
        if name.isupper() and not name.startswith(("AWS_", "POWERTOOLS_", "PYTEST", "PATH", "HOME")):
            monkeypatch.delenv(name, raising=False)
    reset_settings()
    yield monkeypatch
    reset_settings()


def _import(function: str) -> Any:
    """A fresh import of the function's module, as a new Lambda environment would do."""
    return load_function.__wrapped__(function)


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_starts_with_what_its_template_entry_gives_it(
    function: str, bare_environment: pytest.MonkeyPatch
) -> None:
    for name, value in FUNCTIONS[function].items():
        bare_environment.setenv(name, value)
    assert callable(_import(function).handler)


@pytest.mark.parametrize(
    ("function", "variable"),
    [
        ("payment_order_worker", "PAYMENTS_TABLE"),
        ("case_api", "MATERIALS_BUCKET"),
        ("authorizer", "TOKEN_SIGNING_KEY_ID"),
        ("licence_publisher", "LICENCE_SIGNING_KEY_ID"),
        ("outbox_relay", "EVENT_BUS_NAME"),
    ],
)
def test_a_missing_variable_fails_the_cold_start_by_name(
    function: str, variable: str, bare_environment: pytest.MonkeyPatch
) -> None:
    for name, value in FUNCTIONS[function].items():
        if name != variable:
            bare_environment.setenv(name, value)

    with pytest.raises(ConfigurationError, match=variable):
        _import(function)


class _Example(EnvironmentSettings):
    example_table: str
    example_limit: int = 3


def test_values_are_typed_and_a_bad_one_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    example = reader(_Example)
    monkeypatch.setenv("EXAMPLE_TABLE", "t")
    monkeypatch.setenv("EXAMPLE_LIMIT", "13800000001x")
    reset_settings()
    with pytest.raises(ConfigurationError) as failure:
        require_settings(example)
    assert "EXAMPLE_LIMIT" in str(failure.value)
    assert "13800000001x" not in str(failure.value)

    monkeypatch.setenv("EXAMPLE_LIMIT", "7")
    reset_settings()
    assert example() == _Example(example_table="t", example_limit=7)
    monkeypatch.setenv("EXAMPLE_LIMIT", "8")
    assert example().example_limit == 7  # read once, like the environment of a running function


def test_an_empty_variable_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPLE_TABLE", "")
    with pytest.raises(ConfigurationError, match="EXAMPLE_TABLE"):
        _Example.from_environment()
