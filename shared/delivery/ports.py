"""What the delivery context needs from other contexts, in its own terms (ports),
wired by each entry point with the other context's public functions (`wire`):

- `cases`: the applicant's own case, read as the cases context shows it to
  them (404 for someone else's), before a pickup of paper materials.
- `halls`: whether a staff member is a clerk of a hall (403 otherwise), before
  a result waiting there is handed over (大厅自取, D-219) or the originals a
  hall took in are forwarded to the competent department (异地可办, D-275).
- `identity`: whether an ID number is the applicant's (keyed hash comparison;
  the number is never stored or logged), at that hand-over.

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
    @property
    def intake_hall_id(self) -> str | None: ...
    @property
    def applicant_subject_id(self) -> str: ...
    @property
    def applicant_uscc(self) -> str | None: ...


CaseReader = Callable[[Principal, str], CaseView]


class HallPlace(Protocol):
    """Where a hall is: the origin of the originals it forwards."""

    @property
    def name(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def region_code(self) -> str: ...


class HallClerks(Protocol):
    def clerk_hall(self, principal: Principal, hall_id: str) -> HallPlace:
        """The hall when `principal` is one of its clerks; 403 otherwise, 404 for no such hall."""
        ...


class IdNumbers(Protocol):
    def id_number_matches(self, subject_id: str, value: str) -> bool: ...


HallsSource = Callable[[], HallClerks]
IdentitySource = Callable[[], IdNumbers]

cases: Port[CaseReader] = Port("delivery", "cases")
halls: Port[HallsSource] = Port("delivery", "halls")
identity: Port[IdentitySource] = Port("delivery", "identity")
_PORTS = (cases, halls, identity)


def wire(
    *, cases: CaseReader | None = None, halls: HallsSource | None = None, identity: IdentitySource | None = None
) -> None:
    """Called once per entry point with the other contexts' public functions (kept when `None`)."""
    wire_ports(_PORTS, cases=cases, halls=halls, identity=identity)
