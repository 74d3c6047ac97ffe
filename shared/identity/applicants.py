"""Who an applicant verifiably is, for other contexts (C15, 窗口核验).

Two uses, one piece (the identity context's public api, `applicant_verifier()`):

- Forms that trust the verified identity: `identity(subject_id, uscc)` gives
  what an application form may be prefilled with (the person's real name,
  their ID number masked, the enterprise registry's name and legal
  representative of the enterprise they act for), read from the account and
  the registry record without a KMS call; `id_number_matches` compares a
  typed ID number with the account's keyed hash, so the raw number is never
  unsealed to answer "is this theirs?".
- Verifying an applicant in person at a hall counter (`verify_applicant`):
  the clerk enters (or the ID-card reader fills) the ID number and name; the
  population registry must hold them together (the same port and adapters as
  registration, D-052); the person's account is found by ID number, or
  created as registration would (the phone is then required: it is how they
  sign in to follow the case online). For an enterprise, the person must be
  its legal representative or hold a valid agent authorisation with the
  `cases` scope — or the clerk records a written authorisation (委托书), which
  the case then requires as a material. Otherwise 403
  `identity.applicant_not_authorised`.

Nothing here logs a name, ID number or phone; refusals name the field only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Literal

from shared.identity import errors, persons
from shared.identity import events as identity_events
from shared.identity.models import AccountKind, AgentScope
from shared.identity.protection import HashPurpose, KeyedHasher, PersonalDataSealer, hasher, normalize_name, sealer
from shared.identity.registries import EnterpriseRegistry, PopulationRegistry, registries
from shared.identity.repository import IdentityRepository
from shared.platform.clock import now
from shared.platform.errors import Conflict, FieldError, Forbidden, ValidationFailed
from shared.platform.observability import logger
from shared.platform.privacy import mask_id_number

Authority = Literal["self", "legal_representative", "agent", "written"]
"""Why the person may apply: for themselves, or for the enterprise as its legal
representative, as an authorised agent, or on a written authorisation the clerk saw."""


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a form may be prefilled with (display values: the ID number masked)."""

    subject_id: str
    person_name: str
    id_number_masked: str
    uscc: str | None = None
    enterprise_name: str | None = None
    legal_representative: str | None = None


@dataclass(frozen=True)
class VerifiedApplicant:
    """A person verified at the counter, and for whom they apply."""

    subject_id: str
    name: str
    id_number_masked: str
    registered_now: bool
    uscc: str | None
    authority: Authority


@dataclass
class ApplicantVerifier:
    repository: IdentityRepository
    hasher: KeyedHasher
    sealer: PersonalDataSealer
    population: PopulationRegistry
    enterprises: EnterpriseRegistry

    # --- forms ------------------------------------------------------------------------------

    def identity(self, subject_id: str, uscc: str | None) -> VerifiedIdentity | None:
        """The verified person `subject_id` (and the enterprise `uscc`, when given and known)."""
        account = self.repository.get_account(subject_id)
        if account is None or account.kind is not AccountKind.PERSON:
            return None
        enterprise = self.enterprises.find(uscc) if uscc else None
        return VerifiedIdentity(
            subject_id=subject_id,
            person_name=account.name,
            id_number_masked=account.id_number_masked,
            uscc=enterprise.uscc if enterprise else None,
            enterprise_name=enterprise.name if enterprise else None,
            legal_representative=enterprise.legal_representative_name if enterprise else None,
        )

    def id_number_matches(self, subject_id: str, value: str) -> bool:
        """Is `value` the ID number of `subject_id`? (keyed hash, no unsealing)"""
        account = self.repository.get_account(subject_id)
        if account is None:
            return False
        id_number, problem = persons.id_number_problem("id_number", value)
        return problem is None and self.hasher.matches(HashPurpose.ID_NUMBER, id_number, account.id_hash)

    def fingerprint(self, body: dict[str, object]) -> str:
        """A keyed fingerprint of a request body holding an ID number (idempotency store):
        a plain hash of it could be reversed by trying the ~10^11 plausible numbers."""
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return self.hasher.digest(HashPurpose.REQUEST, canonical)

    @staticmethod
    def same_name(verified: str, value: str) -> bool:
        """Names compared as the registries compare them (full-width folded, spaces dropped)."""
        return normalize_name(verified) == normalize_name(value)

    # --- the counter --------------------------------------------------------------------------

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
    ) -> VerifiedApplicant:
        """Verify the person in front of the clerk against the population registry, find
        or create their account, and check they may apply for `uscc` (when given)."""
        checked_id, id_problem = persons.id_number_problem(f"{field_prefix}.id_number", id_number)
        checked_name, name_problem = persons.name_problem(f"{field_prefix}.name", name)
        checked_phone, phone_problem = (
            persons.phone_problem(f"{field_prefix}.phone", phone) if phone is not None else ("", None)
        )
        persons.raise_if_any(id_problem, name_problem, phone_problem)
        if not self.population.name_matches(checked_id, checked_name):
            raise ValidationFailed(
                errors.REAL_NAME_MISMATCH,
                errors=[FieldError(field=f"{field_prefix}.name", code=errors.REAL_NAME_MISMATCH)],
            )
        subject_id, registered_now = self._find_or_register(
            checked_id, checked_name, checked_phone, field_prefix, correlation_id
        )
        authority: Authority = "self"
        if uscc:
            authority = self._authority(subject_id, checked_id, uscc, written_authorisation, field_prefix)
        return VerifiedApplicant(
            subject_id=subject_id,
            name=checked_name,
            id_number_masked=mask_id_number(checked_id),
            registered_now=registered_now,
            uscc=uscc,
            authority=authority,
        )

    def _find_or_register(
        self, id_number: str, name: str, phone: str, field_prefix: str, correlation_id: str | None
    ) -> tuple[str, bool]:
        id_hash = self.hasher.digest(HashPurpose.ID_NUMBER, id_number)
        existing = self.repository.subject_for_id_number(id_hash)
        if existing is not None:
            return existing, False
        if not phone:
            # a new account needs the phone the person signs in with to follow the case
            raise ValidationFailed(
                errors.PHONE_REQUIRED, errors=[FieldError(field=f"{field_prefix}.phone", code=errors.PHONE_REQUIRED)]
            )
        account = persons.person_account(self.hasher, self.sealer, id_number, name, phone)
        event = identity_events.envelope(
            identity_events.ACCOUNT_REGISTERED,
            account.subject_id,
            identity_events.AccountRegisteredData(subject_id=account.subject_id, role=account.role),
            correlation_id,
        )
        try:
            self.repository.add_person(account, consume=None, event=event)
        except Conflict as exc:
            if exc.code != errors.ALREADY_REGISTERED:
                raise  # the phone belongs to another account: 409 identity.phone_in_use
            raced = self.repository.subject_for_id_number(id_hash)  # another counter registered them just now
            if raced is None:
                raise
            return raced, False
        logger().info("account registered at a hall", extra={"subject_id": account.subject_id})
        return account.subject_id, True

    def _authority(
        self, subject_id: str, id_number: str, uscc: str, written_authorisation: bool, field_prefix: str
    ) -> Authority:
        enterprise = self.enterprises.find(uscc)
        if enterprise is None:
            raise ValidationFailed(
                errors.UNKNOWN_ENTERPRISE,
                errors=[FieldError(field=f"{field_prefix}_uscc", code=errors.UNKNOWN_ENTERPRISE)],
            )
        if self.hasher.matches(HashPurpose.ID_NUMBER, id_number, enterprise.legal_representative_id_hash):
            return "legal_representative"
        record = self.repository.get_authorisation(subject_id, uscc)
        if record is not None and record.valid_until > int(now().timestamp()) and AgentScope.CASES in record.scope:
            return "agent"
        if written_authorisation:
            return "written"
        raise Forbidden(errors.APPLICANT_NOT_AUTHORISED)


@cache
def applicant_verifier() -> ApplicantVerifier:
    """The process's verifier, with the adapters the `REAL_NAME_REGISTRY` setting names."""
    repository = IdentityRepository()
    keyed = hasher()
    population, enterprises = registries(repository, keyed)
    return ApplicantVerifier(
        repository=repository, hasher=keyed, sealer=sealer(), population=population, enterprises=enterprises
    )
