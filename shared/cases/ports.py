"""What the cases context needs from other contexts, in its own terms (ports).

The cases context imports no other context's service: each entry point
(`functions/*/app.py`, the seed) wires these ports with the other context's
public functions (`shared.<context>.api`) by calling `wire`. A use case that
needs a port that was not wired fails loudly (a wiring bug, caught by the
tests that drive the entry points), never silently.

- `items`: the published item (办事指南) a case is drafted or submitted
  against (the catalogue);
- `identity`: who the applicant verifiably is (C15): the values a form's
  identity-bound fields are prefilled with and compared against, and the
  in-person verification of an applicant at a hall counter (the identity
  context's `applicant_verifier`);
- `halls`: the hall counter where a clerk called the person's queue number,
  when that window serves the item (the halls context, D-218);
- `licences`: once-only reuse of the applicant's e-licences (C15): record a
  licence standing in for a material, and check at pre-review that it is
  still the applicant's and valid (the licences context).

Working days come from `shared.workdays.api` directly: the calendar is
reference data every context reads the same way, not a use case of another
context.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from shared.platform.ports import Port, wire_ports
from shared.platform.principal import Principal

if TYPE_CHECKING:
    from shared.catalog.api import ItemDetail


class LicenceUsed(Protocol):
    """What the licences context answers when a licence is recorded for a case."""

    @property
    def licence_id(self) -> str: ...
    @property
    def identifier(self) -> str: ...
    @property
    def type_code(self) -> str: ...
    @property
    def type_name(self) -> str: ...
    @property
    def consent_id(self) -> str: ...
    @property
    def pdf_sha256(self) -> str: ...


class LicenceVerdict(Protocol):
    @property
    def result(self) -> str: ...


class RenewableLicence(Protocol):
    """A licence its holder may renew (延续): active, with an end of validity."""

    @property
    def licence_id(self) -> str: ...
    @property
    def identifier(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def type_code(self) -> str: ...
    @property
    def type_name(self) -> str: ...
    @property
    def valid_to(self) -> dt.date: ...
    @property
    def item_code(self) -> str: ...
    @property
    def case_id(self) -> str: ...


class LicenceReuse(Protocol):
    def use_for_case(
        self,
        principal: Principal,
        licence_id: str,
        *,
        case_id: str,
        case_number: str,
        type_codes: frozenset[str],
        purpose: str,
    ) -> LicenceUsed: ...

    def check_reference(self, licence_id: str, holder_subject_id: str, holder_uscc: str | None) -> LicenceVerdict: ...

    def renewable(self, principal: Principal, licence_id: str) -> RenewableLicence:
        """The caller's own licence, if it can be renewed (404 not theirs, 409 not renewable)."""
        ...


class VerifiedIdentity(Protocol):
    """Display values of the verified person and enterprise (the ID number masked)."""

    @property
    def person_name(self) -> str: ...
    @property
    def id_number_masked(self) -> str: ...
    @property
    def uscc(self) -> str | None: ...
    @property
    def enterprise_name(self) -> str | None: ...
    @property
    def legal_representative(self) -> str | None: ...


class VerifiedApplicant(Protocol):
    @property
    def subject_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def id_number_masked(self) -> str: ...
    @property
    def registered_now(self) -> bool: ...
    @property
    def authority(self) -> str: ...


class ApplicantIdentity(Protocol):
    def identity(self, subject_id: str, uscc: str | None) -> VerifiedIdentity | None: ...

    def id_number_matches(self, subject_id: str, value: str) -> bool: ...

    def same_name(self, verified: str, value: str) -> bool: ...

    def fingerprint(self, body: dict[str, object]) -> str: ...

    def verify_applicant(
        self,
        *,
        id_number: str,
        name: str,
        phone: str | None,
        uscc: str | None,
        written_authorisation: bool,
        field_prefix: str = "applicant",
        correlation_id: str | None = None,
    ) -> VerifiedApplicant: ...


class HallCounter(Protocol):
    """The hall and window where the clerk called the number."""

    @property
    def hall_id(self) -> str: ...
    @property
    def hall_name(self) -> str: ...
    @property
    def hall_region_code(self) -> str: ...
    @property
    def window_id(self) -> str: ...
    @property
    def number(self) -> str: ...


class HallCounters(Protocol):
    def counter_for_intake(self, principal: Principal, ticket_id: str, item_code: str) -> HallCounter:
        """404 no such number, 403 not this hall's clerk or the window does not serve the item, 409 not called."""
        ...


ItemSource = Callable[[str], "ItemDetail"]
"""implementation code → the item as published (`NotFound` when there is none)."""

LicenceSource = Callable[[], LicenceReuse]
"""→ the licences context's reuse service (a factory: it is built on first use, not at cold start)."""

IdentitySource = Callable[[], ApplicantIdentity]
"""→ the identity context's applicant verifier (a factory: built on first use)."""

HallsSource = Callable[[], HallCounters]
"""→ the halls context's service (a factory: built on first use)."""

items: Port[ItemSource] = Port("cases", "items")
licences: Port[LicenceSource] = Port("cases", "licences")
identity: Port[IdentitySource] = Port("cases", "identity")
halls: Port[HallsSource] = Port("cases", "halls")
_PORTS = (items, licences, identity, halls)


def wire(
    *,
    items: ItemSource | None = None,
    licences: LicenceSource | None = None,
    identity: IdentitySource | None = None,
    halls: HallsSource | None = None,
) -> None:
    """Called once per entry point with the other contexts' public functions (kept when `None`)."""
    wire_ports(_PORTS, items=items, licences=licences, identity=identity, halls=halls)
