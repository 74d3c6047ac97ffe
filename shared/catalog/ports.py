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

LicenceTypeKnown = Callable[[str], bool]

_licence_type_known: LicenceTypeKnown | None = None


class NotWired(RuntimeError):
    """An entry point publishes items without wiring the licence-type port."""


def wire(*, licence_type_known: LicenceTypeKnown) -> None:
    global _licence_type_known
    _licence_type_known = licence_type_known


def licence_type_known() -> LicenceTypeKnown:
    if _licence_type_known is None:
        raise NotWired("catalog.wire(licence_type_known=...) was not called by this entry point")
    return _licence_type_known
