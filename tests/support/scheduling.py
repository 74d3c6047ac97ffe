"""One xdist worker runs every integration test, so a run starts and seeds one local cloud (D-270).

With `--dist load` each worker that picked up an integration test started its own local cloud
(about 75 CPU-seconds and a minute of wall time each, D-192). xdist's `xdist_group` marks would
say the same, but xdist 3.8 applies them by rewriting `item._nodeid`, which pytest 9.2 no longer
reads. This scheduler is xdist's loadscope with one scope for the whole of `tests/integration/`
and a scope per module elsewhere (a module's fixtures are then built once, not once per worker).
The integration scope, the longest, goes out first; then modules, most tests first, so small
modules fill the end of the run on both workers.
"""

from __future__ import annotations

from typing import Any

import pytest

INTEGRATION = "tests/integration/"


def scope_of(nodeid: str) -> str:
    """The work unit a test belongs to: all integration tests together, others by module."""
    if nodeid.startswith(INTEGRATION):
        return INTEGRATION
    return nodeid.split("::", 1)[0]


class OneCloudScheduling:
    """Registered as a plugin on the xdist controller only (see tests/conftest.py)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        if config.getvalue("dist") != "load":
            return None  # an explicit --dist choice keeps xdist's own scheduler
        from xdist.scheduler import LoadScopeScheduling

        class _Scheduling(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return scope_of(nodeid)

            def _assign_work_unit(self, node: Any) -> None:
                # the integration scope first whatever its size; the rest largest first (xdist's reorder)
                if INTEGRATION in self.workqueue:
                    self.workqueue.move_to_end(INTEGRATION, last=False)
                super()._assign_work_unit(node)

        return _Scheduling(config, log)
