"""hotline_api — the 12345 one-number service over HTTP (C4, C23, C28): tickets from
every channel, the departments' steps, follow-up, the knowledge base, the operators'
routing table and FAQ, and Open311 GeoReport v2 at /open311/v2. Thin: routing lives in
shared.hotline.routes and shared.hotline.open311, rules in shared.hotline.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.hotline import api as hotline
from shared.hotline.api import open311_router, router
from shared.hotline.config import attachment_settings, hotline_settings
from shared.identity import api as identity
from shared.identity.config import hashing_settings, identity_settings
from shared.platform.config import http_settings, idempotency_settings, require, sealing_settings
from shared.platform.http import make_resolver
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    http_settings,
    idempotency_settings,
    hotline_settings,
    attachment_settings,
    catalog_settings,
    identity_settings,
    hashing_settings,
    sealing_settings,
)


def _guide(hit: Any) -> hotline.Guide:
    promised = f"承诺 {hit.promised_limit_days} 个工作日办结" if hit.promised_limit_days else "即办"
    return hotline.Guide(
        implementation_code=hit.implementation_code,
        name=hit.name,
        department_name=hit.department_name,
        summary=f"{hit.name}：由{hit.department_name}办理，{promised}，法定时限 {hit.legal_limit_days} 个工作日。",
    )


def _guides(query: str, region_code: str | None, limit: int) -> list[hotline.Guide]:
    page = catalog.CatalogService().search(
        query=query,
        region_code=region_code,
        department_id=None,
        item_type=None,
        channel=None,
        applicant_kind=None,
        limit=limit,
        cursor=None,
        near=region_code,
    )
    return [_guide(hit) for hit in page.items]


def _guide_by_code(code: str) -> hotline.Guide | None:
    try:
        return _guide(catalog.CatalogService().get_item(code))
    except Exception:
        return None


def _department_name(department_id: str) -> str | None:
    region = department_id.split("-", 1)[0]
    page = catalog.CatalogService().list_departments(region_prefix=region, limit=100, cursor=None)
    return next((d.name for d in page.items if d.id == department_id), None)


# the hotline's ports: contact codes (identity), item guides and departments (catalogue); each
# context's service loads on the port's first call, not at cold start (D-315)
hotline.wire(
    contacts=lambda phone, code: identity.verify_contact(phone, code),
    guides=_guides,
    guide=_guide_by_code,
    department_name=_department_name,
)

app = make_resolver(form_prefixes=["/open311/"])
app.include_router(router)
app.include_router(open311_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
