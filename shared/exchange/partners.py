"""Registered department systems (部门业务系统), read from configuration.

`DEPARTMENT_SYSTEMS` is a JSON list; each entry names the system, the one
department (and its region) it acts for — a vertically managed (垂管) system
serving several departments registers once per department — and its public
keys by `kid` (PEM, P-256), so a key can be rotated by adding the next one
before the system switches. Public keys only: the private key never leaves
the department.
"""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.exchange.config import department_system_settings


class DepartmentSystem(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    partner_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,40}$")
    name: str
    department_id: str
    region_code: str = Field(pattern=r"^\d{6}$")
    keys: dict[str, str] = Field(min_length=1, description="kid -> PEM public key (P-256)")

    def public_key(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        pem = self.keys.get(kid)
        if pem is None:
            return None
        key = load_pem_public_key(pem.encode("ascii"))
        return key if isinstance(key, ec.EllipticCurvePublicKey) else None


_REGISTRY = TypeAdapter(list[DepartmentSystem], config=ConfigDict(defer_build=True))


@cache
def department_systems() -> dict[str, DepartmentSystem]:
    systems = _REGISTRY.validate_json(department_system_settings().department_systems)
    return {s.partner_id: s for s in systems}


def clear_cache() -> None:
    department_systems.cache_clear()
