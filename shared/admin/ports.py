"""What the admin context needs from the catalogue (D-092), wired by its entry points with
`shared.catalog.api`: the departments of the province, which of them implement a basic item already, and creating a
claimed implementation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from shared.platform.ports import Port, wire_ports


class DepartmentFacts(Protocol):
    """What a claim needs to know of a department (the catalogue's `Department`)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def uscc(self) -> str: ...
    @property
    def region_code(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def sector(self) -> str | None: ...


class DepartmentSource(Protocol):
    def __call__(self, region_prefix: str) -> Sequence[DepartmentFacts]: ...


class ImplementedBy(Protocol):
    """Which of the departments already publish an implementation of the basic item."""

    def __call__(self, basic_code: str, department_ids: Sequence[str]) -> set[str]: ...


class ItemCreator(Protocol):
    """Create (or find, on a retry) the department's implementation; its code."""

    def __call__(self, new: Any, *, actor: str) -> str: ...


departments: Port[DepartmentSource] = Port("admin", "departments")
implemented: Port[ImplementedBy] = Port("admin", "implemented")
items: Port[ItemCreator] = Port("admin", "items")
_PORTS = (departments, implemented, items)


def wire(
    *,
    departments: DepartmentSource | None = None,
    implemented: ImplementedBy | None = None,
    items: ItemCreator | None = None,
) -> None:
    wire_ports(_PORTS, departments=departments, implemented=implemented, items=items)
