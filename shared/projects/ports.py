"""What the projects context needs from others (ports, D-092), in its own terms.

- `approval_cases`: open the joint approval case (并联审批) of a project that
  needs approval (核准), as the applicant who asks for it. The cases context
  runs it — lead department, one task per co-department, one legal clock —
  and tells how it goes through its events (`projects_worker`, D-307). Wired
  by `functions/projects_api/app.py` with the catalogue's and the cases
  context's public functions; tests may hand in their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from shared.platform.ports import Port, wire_ports
from shared.platform.principal import Principal


class OpenedCase(Protocol):
    @property
    def case_id(self) -> str: ...
    @property
    def case_number(self) -> str: ...
    @property
    def item_code(self) -> str: ...
    @property
    def item_name(self) -> str: ...
    @property
    def lead_department_id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def version(self) -> int: ...


class ApprovalCases(Protocol):
    def open(
        self,
        principal: Principal,
        *,
        region_code: str,
        form: Mapping[str, object],
        correlation_id: str | None,
    ) -> OpenedCase:
        """Draft and submit the region's project approval case with `form`, as `principal`
        (NotFound `projects.no_approval_item` when neither the region nor the divisions above
        it publish the item)."""
        ...


ApprovalCasesSource = Callable[[], ApprovalCases]
"""→ the adapter over the cases context (a factory: built on first use, not at cold start)."""

approval_cases: Port[ApprovalCasesSource] = Port("projects", "approval_cases")
_PORTS = (approval_cases,)


def wire(*, approval_cases: ApprovalCasesSource | None = None) -> None:
    wire_ports(_PORTS, approval_cases=approval_cases)
