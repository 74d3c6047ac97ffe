"""The real-name registries (人口库 and 企业登记信息, through the province's 数据共享交换平台),
played locally with the demo people and enterprises of infra/seed/identity.

- `POST /v1/population/verifications` `{"id_number", "name"}` →
  200 `{"result": "match" | "mismatch" | "not_found"}`
- `GET /v1/enterprises/{uscc}` → 200 `{"uscc", "name", "legal_representative":
  {"name", "id_number"}}`, or 404 `{"code": "not_found"}`

Every request must be signed (infra/local/partners/signed_http.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from infra.local.partners.signed_http import Reply, SignedJsonServer
from infra.seed.identity.people import ENTERPRISES, POPULATION

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

PORT = 3400
SECRET_ID = "RealNameRegistrySecret"  # noqa: S105 (a logical id, not a secret)
VERIFY_PATH = "/v1/population/verifications"
ENTERPRISE_PREFIX = "/v1/enterprises/"


@dataclass
class RealNameRegistrySimulator(SignedJsonServer):
    name: str = "real_name_registry"
    requires: tuple[str, ...] = (SECRET_ID,)
    people: dict[str, str] = field(default_factory=lambda: {p.id_number: p.name for p in POPULATION})
    enterprises: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            e.uscc: {
                "uscc": e.uscc,
                "name": e.name,
                "legal_representative": {
                    "name": e.legal_representative.name,
                    "id_number": e.legal_representative.id_number,
                },
            }
            for e in ENTERPRISES
        }
    )

    def bind(self, cloud: LocalCloud) -> dict[str, str]:
        """Serve before the functions and the seed start; REAL_NAME_REGISTRY_URL points here."""
        secret = cloud.client("secretsmanager").get_secret_value(SecretId=cloud.ref(SECRET_ID))
        self.secret = str(secret["SecretString"]).encode()
        return {"REAL_NAME_REGISTRY_URL": self.serve(cloud.host, PORT if cloud.api_port else 0)}

    def start(self, cloud: LocalCloud) -> None:
        """Everything happened in bind()."""

    def answer(self, method: str, path: str, body: dict[str, Any] | None) -> Reply:
        if method == "POST" and path == VERIFY_PATH:
            if body is None or not isinstance(body.get("id_number"), str) or not isinstance(body.get("name"), str):
                return Reply(400, {"code": "invalid_request", "message": "required: id_number, name"})
            known = self.people.get(body["id_number"].upper())
            result = "not_found" if known is None else "match" if known == body["name"] else "mismatch"
            return Reply(200, {"result": result})
        if method == "GET" and path.startswith(ENTERPRISE_PREFIX):
            record = self.enterprises.get(unquote(path[len(ENTERPRISE_PREFIX) :]))
            if record is None:
                return Reply(404, {"code": "not_found", "message": "no such enterprise"})
            return Reply(200, record)
        return Reply(404, {"code": "not_found", "message": "no such endpoint"})
