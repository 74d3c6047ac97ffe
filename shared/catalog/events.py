"""Events the catalogue publishes (through the outbox, see shared.platform.dynamo).

| type                     | when                                          | consumers                   |
|--------------------------|-----------------------------------------------|-----------------------------|
| `catalog.item_published` | a version of an implementation was published | open_data_publisher (C29)   |
| `catalog.item_retired`   | an implementation was retired (取消/下线)      | open_data_publisher (C29)   |

`subject` is the implementation code. Data carries what a consumer needs to
route the fact (region, department, channel) and to order it (`version`);
consumers needing the guide read it back from the catalogue, so a late or
repeated event never resurrects stale data.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.catalog.models import Channel, ItemDetail
from shared.platform.events import Envelope, register_event_type

SOURCE = "catalog"
ITEM_PUBLISHED = "catalog.item_published"
ITEM_RETIRED = "catalog.item_retired"


class ItemPublishedData(BaseModel):
    """`catalog.item_published` data."""

    model_config = ConfigDict(defer_build=True)

    implementation_code: str
    basic_code: str
    name: str
    item_type: str
    region_code: str
    department_id: str
    exercise_level: int
    channel: Channel
    immediate: bool
    promised_limit_days: int
    legal_limit_days: int
    version: int
    published_at: datetime


class ItemRetiredData(BaseModel):
    """`catalog.item_retired` data."""

    model_config = ConfigDict(defer_build=True)

    implementation_code: str
    basic_code: str
    name: str
    region_code: str
    department_id: str
    channel: Channel
    version: int
    retired_at: datetime
    reason: str


register_event_type(
    ITEM_PUBLISHED,
    ItemPublishedData,
    "A version of a service item implementation was published (事项发布): it is live in search and the lists.",
)
register_event_type(
    ITEM_RETIRED,
    ItemRetiredData,
    "A service item implementation was retired (事项取消/下线): it left search and the lists.",
)


def item_published(item: ItemDetail, *, correlation_id: str | None = None) -> Envelope:
    data = ItemPublishedData(
        implementation_code=item.implementation_code,
        basic_code=item.basic_code,
        name=item.name,
        item_type=item.item_type.value,
        region_code=item.region_code,
        department_id=item.department_id,
        exercise_level=item.exercise_level,
        channel=item.channel,
        immediate=item.immediate,
        promised_limit_days=item.promised_limit_days,
        legal_limit_days=item.legal_limit_days,
        version=item.version,
        published_at=item.published_at,
    )
    return Envelope(
        type=ITEM_PUBLISHED,
        source=SOURCE,
        subject=item.implementation_code,
        correlation_id=correlation_id,
        data=data.model_dump(mode="json"),
    )


def item_retired(item: ItemDetail, *, correlation_id: str | None = None) -> Envelope:
    if item.retired_at is None or item.retire_reason is None:
        raise ValueError("a retired item carries retired_at and retire_reason")
    data = ItemRetiredData(
        implementation_code=item.implementation_code,
        basic_code=item.basic_code,
        name=item.name,
        region_code=item.region_code,
        department_id=item.department_id,
        channel=item.channel,
        version=item.version,
        retired_at=item.retired_at,
        reason=item.retire_reason,
    )
    return Envelope(
        type=ITEM_RETIRED,
        source=SOURCE,
        subject=item.implementation_code,
        correlation_id=correlation_id,
        data=data.model_dump(mode="json"),
    )
