"""admin_events' handlers: every administrative event into the audit chain, and the
province's publications into claim tasks (D-290, D-292)."""

from __future__ import annotations

from pydantic import BaseModel

from shared.admin import events as admin_events
from shared.admin.service import admin_service
from shared.catalog import events as catalog_events
from shared.identity import events as identity_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger

admin_consumer: Dispatcher[bool] = Dispatcher("admin_events")

AUDITED = {
    identity_events.WORKFORCE_ACCOUNT_CHANGED: identity_events.WorkforceAccountChangedData,
    catalog_events.ITEM_RETIRED: catalog_events.ItemRetiredData,
    catalog_events.SYNONYM_SET: catalog_events.SynonymSetData,
    catalog_events.SYNONYM_REMOVED: catalog_events.SynonymRemovedData,
    catalog_events.CAPS_SET: catalog_events.CapsSetData,
    catalog_events.SCENE_SET: catalog_events.SceneSetData,
    admin_events.CLAIM_CLAIMED: admin_events.ClaimClaimedData,
}


def _audit(_: BaseModel, envelope: Envelope) -> bool:
    return admin_service().record(envelope)


for _type, _model in AUDITED.items():
    admin_consumer.on(_type, data=_model)(_audit)


@admin_consumer.on(catalog_events.ITEM_PUBLISHED, data=catalog_events.ItemPublishedData)
def published(data: catalog_events.ItemPublishedData, envelope: Envelope) -> bool:
    """A publication is audited, and a province one opens its claim tasks (both idempotent)."""
    recorded = admin_service().record(envelope)
    opened = admin_service().open_claims(data, correlation_id=envelope.correlation_id or envelope.id)
    logger().info("publication", extra={"implementation_code": data.implementation_code, "claims_opened": opened})
    return recorded or opened > 0
