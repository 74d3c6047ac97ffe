"""A natural person as the identity context checks and records them: the input
checks of an ID number, a name and a phone (each failure a named field
error), and the account a verified person gets. Shared by registration
(`IdentityService`) and by hall verification (`shared.identity.applicants`),
so a person verified at a hall counter is exactly the account they would
have registered online."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from shared.identity import errors
from shared.identity.models import Account, AccountKind
from shared.identity.protection import HashPurpose, KeyedHasher, PersonalDataSealer, normalize_name
from shared.platform.clock import now
from shared.platform.errors import FieldError, ValidationFailed
from shared.platform.ids import new_id
from shared.platform.principal import Role
from shared.platform.privacy import mask_id_number, mask_phone
from shared.platform.public import lazy_module

if TYPE_CHECKING:
    from shared.codes import national
else:
    national = lazy_module("shared.codes.national")  # the code rules load with the first ID number checked (D-315)

PHONE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
# Han characters (BMP and the supplementary ideograph planes) with the middle dot
# used in transcribed minority and foreign names (e.g. 阿依古丽·买买提).
NAME_REGEX = (
    r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+(·[\u3400-\u9fff\U00020000-\U0003134f]+)*$"
)
NAME_LENGTH = (2, 30)


@cache
def _name_pattern() -> re.Pattern[str]:
    """NAME_REGEX compiled on first use: its wide Unicode ranges take a few milliseconds
    to compile, which only registration needs, not every cold start of identity_api."""
    return re.compile(NAME_REGEX)


def normalize_phone(value: str) -> str:
    """User input as 11 digits: full-width folded, spaces and hyphens dropped, +86 removed."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKC", value) if not ch.isspace() and ch != "-")
    if folded.startswith("+86"):
        folded = folded[3:]
    elif folded.startswith("86") and len(folded) == 13:
        folded = folded[2:]
    return folded


def id_number_problem(field: str, raw: str) -> tuple[str, FieldError | None]:
    value = national.normalize_code(raw)
    verdict = national.check_resident_id(value)
    if verdict.failed_rule is not None:
        return value, FieldError(field=field, code=str(verdict.failed_rule))
    return value, None


def phone_problem(field: str, raw: str) -> tuple[str, FieldError | None]:
    value = normalize_phone(raw)
    return value, None if PHONE_PATTERN.match(value) else FieldError(field=field, code=errors.PHONE_FORMAT)


def name_problem(field: str, raw: str) -> tuple[str, FieldError | None]:
    value = normalize_name(raw)
    valid = NAME_LENGTH[0] <= len(value) <= NAME_LENGTH[1] and _name_pattern().match(value) is not None
    return value, None if valid else FieldError(field=field, code=errors.NAME_FORMAT)


def raise_if_any(*problems: FieldError | None) -> None:
    found = [p for p in problems if p is not None]
    if found:
        raise ValidationFailed(errors=found)


def person_account(hasher: KeyedHasher, sealer: PersonalDataSealer, id_number: str, name: str, phone: str) -> Account:
    """A verified natural person's new account (checked input; the registry already agreed)."""
    subject_id = new_id()
    return Account(
        subject_id=subject_id,
        kind=AccountKind.PERSON,
        role=Role.CITIZEN,
        name=name,
        id_number_masked=mask_id_number(id_number),
        phone_masked=mask_phone(phone),
        id_hash=hasher.digest(HashPurpose.ID_NUMBER, id_number),
        phone_hash=hasher.digest(HashPurpose.PHONE, phone),
        sealed=sealer.seal(subject_id, {"id_number": id_number, "phone": phone}),
        created_at=now(),
    )
