"""What a cases function loads at cold start (D-317, D-318): each use case with the first
request that needs it, unless every invocation of the function runs it. The figures are in
docs/performance.md ("Cold start"); this keeps the structure they depend on from eroding
(one import of a use case at module level would put it back into every cold start).

Each function is imported in a fresh process, as Lambda does, with its template variables."""

from __future__ import annotations

import pytest

from tests.support.cold_start import cold_start_probe

USE_CASES = {f"shared.cases.{name}" for name in ("application", "material_reuse", "intake", "review", "fulfilment")}

_PROBE = """
import json, sys
sys.path[:0] = [".", {root!r}]
import app
# a module LazyLoader has not executed yet is still of its own class
print(json.dumps([name for name, module in sys.modules.items() if type(module).__name__ == "module"]))
"""


def _loaded_at_cold_start(function: str) -> set[str]:
    return set(cold_start_probe(function, _PROBE))


@pytest.mark.parametrize("function", ["CaseApiFunction", "DepartmentSystemEventsFunction"])
def test_a_cases_function_serving_many_use_cases_loads_none_of_them_at_cold_start(function: str) -> None:
    loaded = _loaded_at_cold_start(function)
    assert "shared.cases.service" in loaded  # the façade itself, with the ledger every request needs
    assert not loaded & USE_CASES
    assert "shared.cases.events" not in loaded  # the case events come with the first write
    # the route-only shapes, and the catalogue's code layout they check item codes with, come with
    # the first request of a route that names them (D-318)
    assert "shared.cases.shapes" not in loaded
    assert "shared.catalog.codes" not in loaded


def test_a_worker_with_one_use_case_loads_it_at_cold_start_not_on_its_first_message() -> None:
    loaded = _loaded_at_cold_start("PreReviewWorkerFunction")
    assert loaded & USE_CASES == {"shared.cases.intake"}
    # the route shapes and the catalogue's code layout are the HTTP routes' business
    assert "shared.cases.shapes" not in loaded
    assert "shared.catalog.codes" not in loaded
