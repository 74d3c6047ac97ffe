"""What the hotline needs from other contexts, in its own terms (ports), wired by each
entry point with the other context's public functions (`wire`):

- `contacts`: check the one-time code a caller received on the contact phone of an
  anonymous ticket (the identity context's codes, purpose `contact`); raises the
  identity context's 401/429 problems when it does not match.
- `guides`: the catalogue's published item guides matching a question (knowledge base).
- `guide`: one item guide by implementation code (an accepted knowledge answer), or None.
- `department_name`: a department's name, or None when there is no such department
  (routing rules, re-dispatch and co-handling name only real departments).

A use case that needs a port that was not wired fails loudly (a wiring bug).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.platform.ports import Port, wire_ports


@dataclass(frozen=True)
class Guide:
    implementation_code: str
    name: str
    department_name: str
    summary: str


ContactCheck = Callable[[str, str], None]
GuideSearch = Callable[[str, str | None, int], list[Guide]]
GuideLookup = Callable[[str], Guide | None]
DepartmentName = Callable[[str], str | None]

contacts: Port[ContactCheck] = Port("hotline", "contacts")
guides: Port[GuideSearch] = Port("hotline", "guides")
guide: Port[GuideLookup] = Port("hotline", "guide")
department_name: Port[DepartmentName] = Port("hotline", "department_name")
_PORTS = (contacts, guides, guide, department_name)


def wire(
    *,
    contacts: ContactCheck | None = None,
    guides: GuideSearch | None = None,
    guide: GuideLookup | None = None,
    department_name: DepartmentName | None = None,
) -> None:
    """Called once per entry point with the other contexts' public functions (kept when `None`)."""
    wire_ports(_PORTS, contacts=contacts, guides=guides, guide=guide, department_name=department_name)
