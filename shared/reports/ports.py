"""What the reports context needs from others (ports, D-092): the supervision context's month
counters and scorecards (pre-aggregated: a report never reads cases). Wired by the function
entry points with `wire(supervision=SupervisionSource())`; tests may hand in their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from shared.platform.ports import Port, wire_ports

if TYPE_CHECKING:
    from shared.supervision.api import MonitoringView


class MonthSource(Protocol):
    def month_view(self, region_code: str, month: str) -> MonitoringView:
        """The month's figures of the region, its sub-regions and its own departments (one Query)."""
        ...

    def ranking(self, region_code: str, month: str) -> list[tuple[int, str, float]] | None:
        """The region's closed scorecard of the month as (rank, department, score), best first;
        None when the month is not closed."""
        ...

    def active_regions(self, month: str, province: str) -> list[str]:
        """Every region with counts in the month."""
        ...


supervision: Port[MonthSource] = Port("reports", "supervision")
_PORTS = (supervision,)


def wire(*, supervision: MonthSource | None = None) -> None:
    wire_ports(_PORTS, supervision=supervision)
