"""What the exchange context needs from other contexts (ports), wired by the
entry point (`functions/department_system_events/app.py`):

- `cases`: apply a department system's step to a case through the cases
  context's own use cases (`shared.cases.api.act_as_department_system`): one
  state machine for staff and systems.
"""

from __future__ import annotations

from typing import Literal, Protocol

from shared.platform.ports import Port, wire_ports


class CaseSteps(Protocol):
    def __call__(
        self,
        system_id: str,
        department_id: str,
        region_code: str,
        case_id: str,
        step: Literal["accepted", "review_started", "decided", "completed", "licence_issued"],
        *,
        note: str | None = None,
        outcome: Literal["approved", "denied"] | None = None,
        reason: str | None = None,
        correlation_id: str | None,
    ) -> str: ...


cases: Port[CaseSteps] = Port("exchange", "cases")
_PORTS = (cases,)


def wire(*, cases: CaseSteps | None = None) -> None:
    wire_ports(_PORTS, cases=cases)
