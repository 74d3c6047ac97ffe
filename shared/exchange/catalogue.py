"""What the schema registry serves: every context's events module, imported
here so the registry is complete in the exchange function (a contract test
checks it equals the registry of the whole code base)."""

from __future__ import annotations

# every context's public events module registers its event types and partner messages at import
import shared.cases.events
import shared.catalog.events
import shared.delivery.events
import shared.exchange.events
import shared.halls.events
import shared.hotline.events
import shared.identity.events
import shared.licences.events
import shared.payments.events
import shared.platform.limits
import shared.ratings.events
import shared.supervision.events
from shared.platform.schemas import SchemaEntry, catalogue

LOADED = (
    shared.cases.events,
    shared.catalog.events,
    shared.delivery.events,
    shared.exchange.events,
    shared.halls.events,
    shared.hotline.events,
    shared.identity.events,
    shared.licences.events,
    shared.payments.events,
    shared.platform.limits,
    shared.ratings.events,
    shared.supervision.events,
)


def entries() -> dict[tuple[str, int], SchemaEntry]:
    return catalogue()
