"""What the delivery context needs from other contexts, in its own terms (ports),
wired by each entry point with the other context's public functions (`wire`):

- `cases`: the applicant's own case, read as the cases context shows it to
  them (404 for someone else's), before a pickup of paper materials.

A use case that needs a port that was not wired fails loudly (a wiring bug).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from shared.platform.principal import Principal


class CaseView(Protocol):
    @property
    def case_id(self) -> str: ...
    @property
    def case_number(self) -> str: ...
    @property
    def state(self) -> Enum: ...
    @property
    def state_name(self) -> str: ...
    @property
    def item_name(self) -> str: ...
    @property
    def department_id(self) -> str: ...
    @property
    def department_name(self) -> str: ...
    @property
    def region_code(self) -> str: ...


CaseReader = Callable[[Principal, str], CaseView]


@dataclass
class _Wired:
    cases: CaseReader | None = None


_wired = _Wired()


class NotWired(RuntimeError):
    """An entry point uses a delivery use case without wiring the port it needs."""


def wire(*, cases: CaseReader | None = None) -> None:
    if cases is not None:
        _wired.cases = cases


def case_of(principal: Principal, case_id: str) -> CaseView:
    if _wired.cases is None:
        raise NotWired("delivery port `cases` is not wired: call shared.delivery.api.wire(cases=...)")
    return _wired.cases(principal, case_id)
