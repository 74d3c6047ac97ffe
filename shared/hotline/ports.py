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


@dataclass
class _Wired:
    contacts: ContactCheck | None = None
    guides: GuideSearch | None = None
    guide: GuideLookup | None = None
    department_name: DepartmentName | None = None


_wired = _Wired()


class NotWired(RuntimeError):
    """An entry point uses a hotline use case without wiring the port it needs."""


def wire(
    *,
    contacts: ContactCheck | None = None,
    guides: GuideSearch | None = None,
    guide: GuideLookup | None = None,
    department_name: DepartmentName | None = None,
) -> None:
    for name, value in (
        ("contacts", contacts),
        ("guides", guides),
        ("guide", guide),
        ("department_name", department_name),
    ):
        if value is not None:
            setattr(_wired, name, value)


def _port[T](name: str, value: T | None) -> T:
    if value is None:
        raise NotWired(f"hotline port `{name}` is not wired: call shared.hotline.api.wire({name}=...)")
    return value


def check_contact(phone: str, code: str) -> None:
    _port("contacts", _wired.contacts)(phone, code)


def search_guides(query: str, region_code: str | None, limit: int) -> list[Guide]:
    return _port("guides", _wired.guides)(query, region_code, limit)


def guide(implementation_code: str) -> Guide | None:
    return _port("guide", _wired.guide)(implementation_code)


def department_name(department_id: str) -> str | None:
    return _port("department_name", _wired.department_name)(department_id)
