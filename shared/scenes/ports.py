"""What the scenes context needs from other contexts, in its own terms (ports),
wired by each entry point (`functions/*/app.py`, the seed) with the other
context's public `api` functions:

- `guide`: the catalogue's answer to a scene's questionnaire (D-260) — the
  selected published items with department and materials, and the ONE combined
  form — as a JSON document (`shared.catalog.api`: `CatalogService.scene_guide`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.platform.ports import Port, wire_ports

SceneGuide = Callable[[str, Mapping[str, str]], dict[str, Any]]

guide: Port[SceneGuide] = Port("scenes", "guide")
_PORTS = (guide,)


def wire(*, guide: SceneGuide | None = None) -> None:
    wire_ports(_PORTS, guide=guide)
