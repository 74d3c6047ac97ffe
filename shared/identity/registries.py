"""Real-name verification ports (实名核验): the population and enterprise registries.

The identity service asks two questions and does not care who answers:
- `PopulationRegistry.name_matches(id_number, name)` — does the population
  registry (人口库, 公安部门) hold this ID number under this name?
- `EnterpriseRegistry.find(uscc)` — the enterprise registry's (市场监管部门)
  record of a USCC: name and legal representative (法定代表人).

Adapters are chosen by the `REAL_NAME_REGISTRY` setting:
- `seeded` (local cloud, tests): reads entries that `infra/seed/identity`
  writes into the identity table — stored as keyed hashes, so the stub itself
  holds no readable ID numbers or names.
- `https` (every deployed stage): the province's data sharing platform
  (数据共享交换平台) over HTTPS, signed requests, a timeout and a circuit
  breaker (`shared.platform.partner_http`). Wire format, pinned by
  tests/unit/test_partner_contracts.py against the simulator
  infra/local/partners/real_name_registry.py:

      POST {REAL_NAME_REGISTRY_URL}/v1/population/verifications
      {"id_number": "320102198803150213", "name": "张伟"}
      → 200 {"result": "match" | "mismatch" | "not_found"}
      GET  {REAL_NAME_REGISTRY_URL}/v1/enterprises/{uscc}
      → 200 {"uscc", "name", "legal_representative": {"name", "id_number"}}
      → 404 {"code": "not_found"}

  The registry being down is a 503 `identity.registry_unavailable` with
  Retry-After, never a refusal of the person.
A registry that does not know a number answers "no match": a mismatch is
refused, never waved through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from shared.identity import errors
from shared.identity.config import registry_settings
from shared.identity.models import EnterpriseRecord
from shared.identity.protection import HashPurpose, KeyedHasher, normalize_name
from shared.identity.repository import IdentityRepository
from shared.platform.config import partner_settings, stage_settings
from shared.platform.observability import logger
from shared.platform.partner_http import (
    CircuitBreaker,
    PartnerClient,
    PartnerResponse,
    PartnerUnavailable,
    check_url,
    partner_secret,
)
from shared.platform.public import lazy_module

if TYPE_CHECKING:
    from shared.codes import national
else:
    national = lazy_module("shared.codes.national")  # loads with the first USCC checked (D-315)

POPULATION_VERIFY_PATH = "/v1/population/verifications"
ENTERPRISE_PATH = "/v1/enterprises/"


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


def _unavailable(exc: PartnerUnavailable) -> errors.ServiceUnavailable:
    logger().warning("real-name registry unavailable", extra={"reason": exc.reason})
    return errors.ServiceUnavailable(errors.REGISTRY_UNAVAILABLE, headers={"Retry-After": str(exc.retry_after)})


class HttpsRegistries:
    """Both registries through the data sharing platform (one client, one breaker)."""

    def __init__(self, partner: PartnerClient | None, hasher: KeyedHasher) -> None:
        self._partner = partner
        self._hasher = hasher

    def _call(self, method: str, path: str, payload: dict[str, str] | None = None) -> PartnerResponse:
        if self._partner is None:
            raise _unavailable(PartnerUnavailable("REAL_NAME_REGISTRY_URL is not set"))
        try:
            return self._partner.call(method, path, payload)
        except PartnerUnavailable as exc:
            raise _unavailable(exc) from exc

    def name_matches(self, id_number: str, name: str) -> bool:
        reply = self._call("POST", POPULATION_VERIFY_PATH, {"id_number": id_number, "name": normalize_name(name)})
        if reply.status != 200:
            raise _unavailable(PartnerUnavailable(f"http_{reply.status}"))
        return reply.body.get("result") == "match"

    def find(self, uscc: str) -> EnterpriseRecord | None:
        if national.check_uscc(uscc).failed_rule is not None:
            return None  # never sent: the path segment is a checked code
        reply = self._call("GET", ENTERPRISE_PATH + quote(uscc, safe=""))
        if reply.status == 404:
            return None
        representative = reply.body.get("legal_representative") or {}
        try:
            return EnterpriseRecord(
                uscc=str(reply.body["uscc"]),
                name=str(reply.body["name"]),
                legal_representative_name=str(representative["name"]),
                # hashed at once: the registry's ID number is never kept
                legal_representative_id_hash=self._hasher.digest(
                    HashPurpose.ID_NUMBER, str(representative["id_number"]).upper()
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _unavailable(PartnerUnavailable("bad_enterprise_record")) from exc


def registries(repository: IdentityRepository, hasher: KeyedHasher) -> tuple[PopulationRegistry, EnterpriseRegistry]:
    """The adapters the `REAL_NAME_REGISTRY` setting names."""
    cfg = registry_settings()
    if cfg.real_name_registry == "seeded":
        return SeededPopulationRegistry(repository, hasher), SeededEnterpriseRegistry(repository, hasher)
    partner = None
    if cfg.real_name_registry_url:
        limits = partner_settings()
        partner = PartnerClient(
            check_url(cfg.real_name_registry_url, stage=stage_settings().stage),
            app_id=cfg.real_name_registry_app_id,
            secret=lambda: partner_secret(cfg.real_name_registry_secret_arn),
            timeout_s=limits.partner_timeout_s,
            breaker=CircuitBreaker(limits.partner_breaker_failures, limits.partner_breaker_open_s),
        )
    both = HttpsRegistries(partner, hasher)
    return both, both
