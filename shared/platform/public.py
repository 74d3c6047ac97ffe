"""Lazy public modules (D-045): `shared/<context>/api.py` names everything other
contexts and the functions may use, and loads each name's module only when it
is first read, so importing a context's public module costs nothing at cold
start (a worker that needs one function never loads the context's routes).

Each api module lists its names twice, once for the type checker and
import-linter (imports under `TYPE_CHECKING`) and once for the runtime (the
`exports` mapping here); tests/unit/test_boundaries.py checks the two agree.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any


def lazy_exports(namespace: dict[str, Any], exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for the module whose globals are `namespace`: resolves
    `name` from `exports[name]` (a module path relative to the module's package,
    e.g. ".service") on first use and keeps it in the module from then on."""
    module = str(namespace["__name__"])
    package = str(namespace["__package__"])

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module hook PEP 562 names)
        try:
            relative = exports[name]
        except KeyError:
            raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(relative, package), name)
        namespace[name] = value
        return value

    return __getattr__


def lazy_module(name: str) -> ModuleType:
    """The module `name`, executed on its first attribute access (importlib's `LazyLoader`;
    D-315): for a module only some routes or code paths need, e.g. a code table a validator
    reads. Write `if TYPE_CHECKING: from pkg import mod` / `else: mod = lazy_module("pkg.mod")`
    so the type checker and import-linter still see the import. A module already imported is
    returned as it is. Not for modules whose import registers something others look up
    (event types, error messages read before the module's own code runs)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        # as the import system does: `pkg.mod` is also an attribute of `pkg`
        setattr(sys.modules[parent], child, module)
    return module
