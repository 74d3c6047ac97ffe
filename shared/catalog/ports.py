"""What the catalogue needs from other contexts, in its own terms (ports), wired by
each entry point that publishes items (`wire`):

- `licence_type_known(code)`: does the licence-type directory know this code?
  An item whose result licence type (or a material's licence type) is unknown
  is refused at publication: otherwise an approved case would wait in
  `awaiting_licence` for a licence nobody can issue.

Publishing an item that names a licence type without the port wired fails
loudly (a wiring bug), never silently skips the check.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.platform.ports import Port, wire_ports

LicenceTypeKnown = Callable[[str], bool]

licence_type_known: Port[LicenceTypeKnown] = Port("catalog", "licence_type_known")
_PORTS = (licence_type_known,)


def wire(*, licence_type_known: LicenceTypeKnown | None = None) -> None:
    """Called by each entry point that publishes items (kept when `None`)."""
    wire_ports(_PORTS, licence_type_known=licence_type_known)
