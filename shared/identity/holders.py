"""A small read port for other contexts (the licences context) that need who a
licence holder is: a natural person's name and ID number, or an enterprise's
registered name. Events never carry names or ID numbers, so the licences
context asks here, at issuance only.

The ID number is unsealed (KMS `Decrypt`, bound to the account) and handed to
the caller, which must seal it again for its own records (PIPL: kept sealed,
shown masked). Nothing here is logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity.models import AccountKind
from shared.identity.protection import sealer
from shared.identity.repository import IdentityRepository


@dataclass(frozen=True)
class PersonHolder:
    name: str
    id_number: str
    id_number_masked: str


def person_holder(subject_id: str, repository: IdentityRepository | None = None) -> PersonHolder | None:
    """The natural person `subject_id` (name, ID number), or None when no such person."""
    account = (repository or IdentityRepository()).get_account(subject_id)
    if account is None or account.kind is not AccountKind.PERSON:
        return None
    values = sealer().unseal(account.subject_id, account.sealed)
    return PersonHolder(
        name=account.name, id_number=str(values["id_number"]), id_number_masked=account.id_number_masked
    )


def enterprise_name(uscc: str, repository: IdentityRepository | None = None) -> str | None:
    """The registered name of an enterprise (enterprise registry), or None when unknown."""
    record = (repository or IdentityRepository()).enterprise_registry_entry(uscc)
    return record.name if record else None
