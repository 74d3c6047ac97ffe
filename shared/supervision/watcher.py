"""The limits watcher's rules: keep each limit's newest state (D-115).

`limit.set` and `limit.cleared` carry the whole state and a version that grows
with every change, so the newest version wins and anything older or repeated is
ignored: delivery order and duplicates do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from shared.platform.clock import now
from shared.platform.limits import LimitClearedData, LimitData
from shared.supervision.repository import SupervisionRepository


@dataclass(frozen=True)
class Watched:
    limit_id: str
    result: str  # `recorded`, `cleared` or `stale` (an older or repeated delivery)


class LimitsWatcher:
    def __init__(self, repository: SupervisionRepository) -> None:
        self.repository = repository

    def set(self, data: LimitData) -> Watched:
        recorded = self.repository.record_limit(data, now())
        return Watched(data.limit_id, "recorded" if recorded else "stale")

    def clear(self, data: LimitClearedData) -> Watched:
        cleared = self.repository.clear_limit(data, now())
        return Watched(data.limit_id, "cleared" if cleared else "stale")


@cache
def limits_watcher() -> LimitsWatcher:
    return LimitsWatcher(SupervisionRepository())
