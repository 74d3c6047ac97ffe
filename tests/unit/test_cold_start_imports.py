"""What an API function does NOT load at cold start (D-315): another context's service wired
into a port, a code table only some routes read, the calendar's service beside the
catalogue's routes (hotline_api's contact check and admin_api's claims are wired the same way
as identity_api's department check). Each case imports the handler in a fresh process, as Lambda's init
does, and lists the modules that were executed (a `lazy_module` not yet read does not count).
The time itself is measured by tests/perf/test_cold_start.py."""

from __future__ import annotations

import pytest

from tests.support.cold_start import cold_start_probe

_PROBE = """
import json, sys
sys.path[:0] = [".", {root!r}]
import app
loaded = [name for name, module in sys.modules.items() if type(module).__name__ != "_LazyModule"]
print(json.dumps(loaded))
"""

# function → modules its cold start must leave alone (each loads on the first request that needs it)
NOT_AT_COLD_START = {
    # the management platform's department check (catalogue), the national ID/USCC rules
    "IdentityApiFunction": ["shared.catalog.service", "shared.catalog.models", "shared.codes.national"],
    # the calendar's three routes beside the catalogue's; the national rules (operators' USCCs); the
    # operator's write bodies, the catalogue's events, the scene rules with the guide's shapes, the portal's
    # pages and the open-data file (D-316: the search, an item, its versions and the region lists need none)
    "CatalogApiFunction": [
        "shared.workdays.service",
        "shared.codes.national",
        "shared.catalog.writes",
        "shared.catalog.events",
        "shared.catalog.scenes",
        "shared.catalog.portal",
        "shared.catalog.snapshots",
    ],
    # D-338: the supervisors' analytics (projection, forecast, their shapes), the supervision context
    # behind the reports' month source and the scope rule, the report's file formats (HTML, PDF, CSV)
    "ReportsApiFunction": [
        "shared.reports.analytics_service",
        "shared.reports.analytics",
        "shared.reports.analytics_shapes",
        "shared.reports.forecast",
        "shared.reports.formats",
        "shared.supervision.monitoring_service",
        "shared.supervision.scorecards",
    ],
    # D-338: the bodies and answers of particular routes (opening and handling a ticket, the staff's
    # configuration, the knowledge base; rating, appeals, rectification steps, the public column)
    "HotlineApiFunction": ["shared.hotline.shapes"],
    "RatingsApiFunction": ["shared.ratings.shapes"],
    # D-338: the notices' PDF writer (filing and changes only)
    "ProjectsApiFunction": ["shared.projects.notice", "shared.platform.pdf"],
    # D-338: the working-day calendar (a booking's slot check, a hall's opening hours; a pickup's due date)
    "HallsApiFunction": ["shared.workdays.service", "shared.workdays.rules"],
    # D-338: the delivery's route-only bodies and the operators' dead-letter list too
    "DeliveryApiFunction": ["shared.workdays.service", "shared.workdays.rules", "shared.delivery.shapes"],
}


@pytest.mark.parametrize("function", sorted(NOT_AT_COLD_START))
def test_an_api_function_loads_at_cold_start_only_what_every_request_needs(function: str) -> None:
    loaded = set(cold_start_probe(function, _PROBE))
    assert "shared.platform.http" in loaded  # the probe did import the handler
    assert [name for name in NOT_AT_COLD_START[function] if name in loaded] == []
