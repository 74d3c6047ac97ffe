"""What the identity context needs from other contexts (D-092), wired by its entry points."""

from __future__ import annotations

from typing import Protocol

from shared.platform.ports import Port, wire_ports


class DepartmentDirectory(Protocol):
    """The catalogue's departments: the name of `department_id` at `region_code`, or None."""

    def __call__(self, region_code: str, department_id: str) -> str | None: ...


departments: Port[DepartmentDirectory] = Port("identity", "departments")
_PORTS = (departments,)


def wire(*, departments: DepartmentDirectory | None = None) -> None:
    wire_ports(_PORTS, departments=departments)
