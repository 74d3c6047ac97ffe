"""What the delivery context needs from other contexts, in its own terms (ports),
wired by each entry point with the other context's public functions (`wire`):

- `cases`: the applicant's own case, read as the cases context shows it to
  them (404 for someone else's), before a pickup of paper materials.

A use case that needs a port that was not wired fails loudly (a wiring bug).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Protocol

from shared.platform.ports import Port, wire_ports
from shared.platform.principal import Principal


class CaseView(Protocol):
    @property
    def case_id(self) -> str: ...
    @property
    def case_number(self) -> str: ...
    @property
    def state(self) -> Enum: ...
    @property
    def state_name(self) -> str: ...
    @property
    def item_name(self) -> str: ...
    @property
    def department_id(self) -> str: ...
    @property
    def department_name(self) -> str: ...
    @property
    def region_code(self) -> str: ...


CaseReader = Callable[[Principal, str], CaseView]


cases: Port[CaseReader] = Port("delivery", "cases")
_PORTS = (cases,)


def wire(*, cases: CaseReader | None = None) -> None:
    """Called once per entry point with the other contexts' public functions (kept when `None`)."""
    wire_ports(_PORTS, cases=cases)
