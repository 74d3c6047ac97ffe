"""Real-name verification ports (实名核验): the population and enterprise registries.

The identity service asks two questions and does not care who answers:
- `PopulationRegistry.name_matches(id_number, name)` — does the population
  registry (人口库, 公安部门) hold this ID number under this name?
- `EnterpriseRegistry.find(uscc)` — the enterprise registry's (市场监管部门)
  record of a USCC: name and legal representative (法定代表人).

Adapters are chosen by the `REAL_NAME_REGISTRY` setting. `seeded` (local
cloud, tests, demo stages) reads entries that `infra/seed/identity` writes
into the identity table — stored as keyed hashes, so the stub itself holds
no readable ID numbers or names. A deployment against the province's data
sharing platform (数据共享交换平台) adds an adapter here calling its
verification APIs and sets the setting; nothing else changes. A registry
that does not know a number answers "no match": a mismatch is refused, never
waved through.
"""

from __future__ import annotations

from typing import Protocol

from shared.identity.models import EnterpriseRecord
from shared.identity.protection import HashPurpose, KeyedHasher, normalize_name
from shared.identity.repository import IdentityRepository
from shared.platform.config import settings


class PopulationRegistry(Protocol):
    def name_matches(self, id_number: str, name: str) -> bool: ...


class EnterpriseRegistry(Protocol):
    def find(self, uscc: str) -> EnterpriseRecord | None:
        """The registry's record; `legal_representative_id_hash` is our keyed hash of
        the legal representative's ID number (adapters hash what the registry returns)."""
        ...


class SeededPopulationRegistry:
    """Population registry backed by seeded, hashed entries in the identity table."""

    def __init__(self, repository: IdentityRepository, hasher: KeyedHasher) -> None:
        self._repository = repository
        self._hasher = hasher

    def name_matches(self, id_number: str, name: str) -> bool:
        stored = self._repository.person_registry_name_hash(self._hasher.digest(HashPurpose.ID_NUMBER, id_number))
        return stored is not None and self._hasher.matches(HashPurpose.NAME, normalize_name(name), stored)

    def add(self, id_number: str, name: str) -> None:
        """Seed one person (demo data only)."""
        self._repository.put_person_registry_entry(
            self._hasher.digest(HashPurpose.ID_NUMBER, id_number),
            self._hasher.digest(HashPurpose.NAME, normalize_name(name)),
        )


class SeededEnterpriseRegistry:
    """Enterprise registry backed by seeded entries in the identity table."""

    def __init__(self, repository: IdentityRepository, hasher: KeyedHasher) -> None:
        self._repository = repository
        self._hasher = hasher

    def find(self, uscc: str) -> EnterpriseRecord | None:
        return self._repository.enterprise_registry_entry(uscc)

    def add(self, uscc: str, name: str, legal_representative_name: str, legal_representative_id_number: str) -> None:
        """Seed one enterprise (demo data only)."""
        self._repository.put_enterprise_registry_entry(
            EnterpriseRecord(
                uscc=uscc,
                name=name,
                legal_representative_name=legal_representative_name,
                legal_representative_id_hash=self._hasher.digest(HashPurpose.ID_NUMBER, legal_representative_id_number),
            )
        )


def registries(repository: IdentityRepository, hasher: KeyedHasher) -> tuple[PopulationRegistry, EnterpriseRegistry]:
    """The adapters the `REAL_NAME_REGISTRY` setting names."""
    choice = settings().real_name_registry
    if choice == "seeded":
        return SeededPopulationRegistry(repository, hasher), SeededEnterpriseRegistry(repository, hasher)
    raise RuntimeError(f"unknown REAL_NAME_REGISTRY {choice!r}")
