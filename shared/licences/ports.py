"""What the licences context needs from other contexts, in its own terms (ports),
wired by each entry point with the other context's public functions (`wire`):

- `holders`: the holder's name and ID number for a certificate (identity);
- `cases`: the applicant of a case the caller's department handles, for a
  staff query of an applicant's licences (cases).

A use case that needs a port that was not wired fails loudly (a wiring bug).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from shared.platform.ports import Port, wire_ports

if TYPE_CHECKING:  # licence_issuer wires this module at cold start and imports the rest on first use
    from shared.platform.principal import Principal


class Person(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def id_number(self) -> str: ...


class Holders(Protocol):
    def person_holder(self, subject_id: str) -> Person | None: ...
    def enterprise_name(self, uscc: str) -> str | None: ...


class CaseApplicant(Protocol):
    @property
    def case_id(self) -> str: ...
    @property
    def case_number(self) -> str: ...
    @property
    def applicant_subject_id(self) -> str: ...
    @property
    def applicant_uscc(self) -> str | None: ...


CaseForQuery = Callable[["Principal", str], CaseApplicant]
"""(staff, case id) → the case's applicant; 404 / 403 as the cases context decides."""


holders: Port[Holders] = Port("licences", "holders")
cases: Port[CaseForQuery] = Port("licences", "cases")
_PORTS = (holders, cases)


def wire(*, holders: Holders | None = None, cases: CaseForQuery | None = None) -> None:
    """Called once per entry point with the other contexts' public functions (kept when `None`)."""
    wire_ports(_PORTS, holders=holders, cases=cases)
