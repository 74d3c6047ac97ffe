"""The supervision context's use cases, composed over one repository: the limits
watcher, the warning sweep and list (and supervision orders, `orders`)."""

from __future__ import annotations

from functools import cache

from shared.supervision.repository import SupervisionRepository
from shared.supervision.warnings import Warnings
from shared.supervision.watcher import LimitsWatcher


class SupervisionService:
    def __init__(self, repository: SupervisionRepository | None = None) -> None:
        self.repository = repository or SupervisionRepository()
        self.watcher = LimitsWatcher(self.repository)
        self.warnings = Warnings(self.repository)


@cache
def supervision_service() -> SupervisionService:
    return SupervisionService()
