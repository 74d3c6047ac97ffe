"""The credit lists behind the `credit` port: the public credit information platform's list
query (江苏省公共信用信息平台 / 信用中国, through the province's 数据共享交换平台) over signed HTTPS
with a timeout and a circuit breaker (`shared.platform.partner_http`, as the department queries).

Wire format, pinned against the simulator infra/local/partners/credit_registry.py (the real
platform's interface is UNCONFIRMED, D-310):

    POST {CREDIT_QUERY_URL}/v1/credit/listings/query  {"uscc": "91320505MA27QH4N9H"}
    → 200 {"uscc": "…", "listings": [{"list": "失信被执行人名单", "authority": "…", "listed_on": "…"}]}

No answer (down, slow, 5xx, breaker open, not configured) raises `PartnerUnavailable`: a party
is never taken as clean because the platform could not be asked.
"""

from __future__ import annotations

from functools import cache

from shared.platform.config import partner_settings, stage_settings
from shared.platform.partner_http import CircuitBreaker, PartnerClient, PartnerUnavailable, check_url, partner_secret
from shared.trading.config import credit_query_settings

QUERY_PATH = "/v1/credit/listings/query"


class HttpsCreditList:
    def __init__(self, client: PartnerClient | None) -> None:
        self._client = client

    def listings(self, uscc: str) -> list[str]:
        if self._client is None:
            raise PartnerUnavailable("CREDIT_QUERY_URL is not set")
        reply = self._client.call("POST", QUERY_PATH, {"uscc": uscc})
        found = reply.body.get("listings")
        if reply.status != 200 or not isinstance(found, list):
            raise PartnerUnavailable(f"http_{reply.status}")
        return [str(each["list"]) for each in found if isinstance(each, dict) and each.get("list")]


@cache
def credit_platform() -> HttpsCreditList:
    """One client per process (its breaker lives as long as the process)."""
    cfg, limits = credit_query_settings(), partner_settings()
    if not cfg.credit_query_url:
        return HttpsCreditList(None)
    return HttpsCreditList(
        PartnerClient(
            check_url(cfg.credit_query_url, stage=stage_settings().stage),
            app_id=cfg.credit_query_app_id,
            secret=lambda: partner_secret(cfg.credit_query_secret_arn),
            timeout_s=limits.partner_timeout_s,
            breaker=CircuitBreaker(limits.partner_breaker_failures, limits.partner_breaker_open_s),
        )
    )
