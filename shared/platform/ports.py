"""Ports (D-092): what a context needs from another context, in its own terms,
wired by each entry point (`functions/*/app.py`, the seed) with the other
context's public functions. A context's `ports.py` declares one `Port` per
need and one typed `wire(...)` that its public module exports:

    items: Port[ItemSource] = Port("cases", "items")
    licences: Port[LicenceSource] = Port("cases", "licences")
    _PORTS = (items, licences)

    def wire(*, items: ItemSource | None = None, licences: LicenceSource | None = None) -> None:
        wire_ports(_PORTS, items=items, licences=licences)

A use case reads a port by calling it (`ports.items()`); one whose port was
not wired fails loudly with `NotWired` naming the port (a wiring bug the tests
that drive the entry points catch), never silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class NotWired(RuntimeError):
    """An entry point uses a use case without wiring the port it needs."""


class Port[T]:
    """One need of `context`, called `name`; holds what the entry point wired."""

    def __init__(self, context: str, name: str) -> None:
        self.context = context
        self.name = name
        self._wired: T | None = None

    def wire(self, implementation: T | None) -> None:
        """Wire `implementation`; `None` keeps what is wired (an entry point wires only what it uses)."""
        if implementation is not None:
            self._wired = implementation

    def __call__(self) -> T:
        if self._wired is None:
            raise NotWired(
                f"{self.context} port `{self.name}` is not wired: "
                f"call shared.{self.context}.api.wire({self.name}=...) at the entry point"
            )
        return self._wired

    def __repr__(self) -> str:
        return f"Port({self.context!r}, {self.name!r}, wired={self._wired is not None})"


def wire_ports(ports: Iterable[Port[Any]], **implementations: Any) -> None:
    """Wire each of `ports` from the keyword of its name (the body of a context's typed `wire`;
    its parameters shadow the module's port names, hence the tuple)."""
    by_name = {port.name: port for port in ports}
    unknown = sorted(set(implementations) - set(by_name))
    if unknown:
        raise TypeError(f"no port named {', '.join(unknown)}")
    for name, implementation in implementations.items():
        by_name[name].wire(implementation)
