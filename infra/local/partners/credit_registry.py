"""The public credit information platform's list query (江苏省公共信用信息平台, which carries the
national 信用中国 lists: the courts' 失信被执行人, tax's 重大税收违法失信主体, …), reached through
the province's 数据共享交换平台 and played locally with seeded listings.

`POST /v1/credit/listings/query` `{"uscc": "<18 characters>"}` →
200 `{"uscc", "listings": [{"list", "authority", "listed_on"}]}` (an empty list: not listed), or
400 `{"code": "invalid_request"}` without a USCC. The real platform's interface is UNCONFIRMED
(D-310); this is the shape the trading context's adapter (shared/trading/credit.py) is pinned to.

Every request must be signed (infra/local/partners/signed_http.py); tests steer faults with
`fail_status` / `delay_s` and change `listed` to list or delist a party.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infra.local.partners.signed_http import Reply, SignedJsonServer
from infra.seed.identity.people import OTHER_ENTERPRISE

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

PORT = 3600
# the data sharing platform's key, shared with the registries and the department queries (D-285)
SECRET_ID = "RealNameRegistrySecret"  # noqa: S105 (a logical id, not a secret)
QUERY_PATH = "/v1/credit/listings/query"
JUDGMENT_DEFAULTERS = {"list": "失信被执行人名单", "authority": "最高人民法院"}
TAX_OFFENDERS = {"list": "重大税收违法失信主体名单", "authority": "国家税务总局江苏省税务局"}


def _seeded() -> dict[str, list[dict[str, str]]]:
    return {
        # 苏州虎丘示例贸易有限公司 (the seed's second enterprise, it has an agent to sign in with)
        OTHER_ENTERPRISE.uscc: [JUDGMENT_DEFAULTERS | {"listed_on": "2026-03-18"}],
        # a bidder without an account here (the demo's candidates name it)
        "91320583MA1XT0PK2R": [
            JUDGMENT_DEFAULTERS | {"listed_on": "2025-11-02"},
            TAX_OFFENDERS | {"listed_on": "2026-01-15"},
        ],
    }


@dataclass
class CreditRegistrySimulator(SignedJsonServer):
    name: str = "credit_registry"
    requires: tuple[str, ...] = (SECRET_ID,)
    listed: dict[str, list[dict[str, str]]] = field(default_factory=_seeded)

    def bind(self, cloud: LocalCloud) -> dict[str, str]:
        """Serve before the functions start; CREDIT_QUERY_URL points here."""
        secret = cloud.client("secretsmanager").get_secret_value(SecretId=cloud.ref(SECRET_ID))
        self.secret = str(secret["SecretString"]).encode()
        return {"CREDIT_QUERY_URL": self.serve(cloud.host, PORT if cloud.api_port else 0)}

    def start(self, cloud: LocalCloud) -> None:
        """Everything happened in bind()."""

    def answer(self, method: str, path: str, body: dict[str, Any] | None) -> Reply:
        if method != "POST" or path != QUERY_PATH:
            return Reply(404, {"code": "not_found", "message": "no such endpoint"})
        uscc = (body or {}).get("uscc")
        if not isinstance(uscc, str) or len(uscc) != 18:
            return Reply(400, {"code": "invalid_request", "message": "required: uscc (18 characters)"})
        return Reply(200, {"uscc": uscc, "listings": self.listed.get(uscc.upper(), [])})
