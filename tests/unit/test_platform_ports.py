"""Ports (D-092): an entry point that forgets to wire a port its use case needs
fails with the port's name, never silently; wiring only some ports keeps the rest."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.platform.ports import NotWired, Port, wire_ports

SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_an_unwired_port_names_itself_and_the_call_that_wires_it() -> None:
    port: Port[int] = Port("cases", "items")
    with pytest.raises(NotWired) as missing:
        port()
    assert "cases port `items` is not wired" in str(missing.value)
    assert "shared.cases.api.wire(items=...)" in str(missing.value)


def test_wiring_by_name_keeps_ports_the_entry_point_leaves_out() -> None:
    items: Port[str] = Port("cases", "items")
    licences: Port[str] = Port("cases", "licences")
    wire_ports((items, licences), items="catalogue", licences=None)
    wire_ports((items, licences), licences="licences")
    wire_ports((items, licences), items=None)
    assert (items(), licences()) == ("catalogue", "licences")
    with pytest.raises(TypeError, match="no port named holders"):
        wire_ports((items, licences), holders="identity")


def test_every_context_wires_through_the_platform_port() -> None:
    # the shape new contexts copy: one Port per need, no hand-written wiring scaffolding
    found = sorted(path.parent.name for path in SHARED.glob("*/ports.py") if path.parent.name != "platform")
    assert {"cases", "delivery", "licences"} <= set(found)
    for context in found:
        module = importlib.import_module(f"shared.{context}.ports")
        ports = [value for value in vars(module).values() if isinstance(value, Port)]
        assert ports, module.__name__
        assert set(module._PORTS) == set(ports), module.__name__
        assert not hasattr(module, "NotWired"), module.__name__
