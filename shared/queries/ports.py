"""What the queries context needs from other contexts (ports), wired by the entry point
(functions/queries_api) with the other context's public functions:

- `holders`: the signed-in person's ID number (identity, unsealed on demand), which the
  departments' systems key their records by. It is sent to the department and never
  stored or logged here.
"""

from __future__ import annotations

from typing import Protocol

from shared.platform.ports import Port, wire_ports


class Person(Protocol):
    @property
    def id_number(self) -> str: ...


class Holders(Protocol):
    def person_holder(self, subject_id: str) -> Person | None: ...


holders: Port[Holders] = Port("queries", "holders")
_PORTS = (holders,)


def wire(*, holders: Holders | None = None) -> None:
    """Called once per entry point (kept when `None`)."""
    wire_ports(_PORTS, holders=holders)
