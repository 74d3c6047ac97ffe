"""Events the catalogue publishes (through the outbox, see shared.platform.dynamo).

| type                     | when                                          | consumers                   |
|--------------------------|-----------------------------------------------|-----------------------------|
| `catalog.item_published` | a version of an implementation was published | open_data_publisher (C29)   |
| `catalog.item_retired`   | an implementation was retired (取消/下线)      | open_data_publisher (C29)   |
| `catalog.synonym_set`    | an operator curated a search synonym (D-172)  | none yet (audit trail)      |
| `catalog.synonym_removed`| an operator removed a search synonym          | none yet (audit trail)      |
| `catalog.caps_set`       | an operator set a basic item's caps (D-173)   | none yet (audit trail)      |
| `catalog.scene_set`      | an operator wrote a scene (一件事, D-260)      | none yet (audit trail)      |

`subject` is the implementation code. Data carries what a consumer needs to
route the fact (region, department, channel) and to order it (`version`);
consumers needing the guide read it back from the catalogue, so a late or
repeated event never resurrects stale data.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.catalog.models import Channel, ItemDetail, Scene, Synonym
from shared.catalog.writes import BasicItem, ItemCaps
from shared.platform.events import Envelope, make_envelope, register_event_type

SOURCE = "catalog"
ITEM_PUBLISHED = "catalog.item_published"
ITEM_RETIRED = "catalog.item_retired"
SYNONYM_SET = "catalog.synonym_set"
SYNONYM_REMOVED = "catalog.synonym_removed"
CAPS_SET = "catalog.caps_set"
SCENE_SET = "catalog.scene_set"


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


class SynonymSetData(BaseModel):
    """`catalog.synonym_set` data: the row as stored."""

    model_config = ConfigDict(defer_build=True)

    word: str
    means: str
    updated_by: str | None


class SynonymRemovedData(BaseModel):
    """`catalog.synonym_removed` data."""

    model_config = ConfigDict(defer_build=True)

    word: str
    removed_by: str | None


class CapsSetData(BaseModel):
    """`catalog.caps_set` data: the caps and the revision they carry (orders repeated facts)."""

    model_config = ConfigDict(defer_build=True)

    basic_code: str
    caps: ItemCaps
    caps_revision: int
    set_by: str | None


class SceneSetData(BaseModel):
    """`catalog.scene_set` data: which scene, its version and items (the definition is read back)."""

    model_config = ConfigDict(defer_build=True)

    scene_id: str
    region_code: str
    name: str
    version: int
    implementation_codes: list[str]
    updated_by: str


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

register_event_type(
    SYNONYM_SET,
    SynonymSetData,
    "An operator set a search synonym (同义词): searches for `word` look for `means` from now on.",
)
register_event_type(SYNONYM_REMOVED, SynonymRemovedData, "An operator removed a search synonym.")
register_event_type(
    CAPS_SET,
    CapsSetData,
    "An operator set the caps (限高) of a basic item: implementations are held to them from their next write.",
)

register_event_type(
    SCENE_SET, SceneSetData, "An operator created or changed a scene (一件事): its questionnaire and items."
)


def _envelope(event_type: str, subject: str, data: BaseModel) -> Envelope:
    return make_envelope(SOURCE, event_type, subject, data)


def synonym_set(synonym: Synonym) -> Envelope:
    return _envelope(SYNONYM_SET, synonym.word, SynonymSetData(**synonym.model_dump()))


def synonym_removed(word: str, *, actor: str | None) -> Envelope:
    return _envelope(SYNONYM_REMOVED, word, SynonymRemovedData(word=word, removed_by=actor))


def caps_set(basic: BasicItem, *, actor: str | None) -> Envelope:
    if basic.caps is None:
        raise ValueError("caps_set reports caps that were set")
    data = CapsSetData(basic_code=basic.basic_code, caps=basic.caps, caps_revision=basic.caps_revision, set_by=actor)
    return _envelope(CAPS_SET, basic.basic_code, data)


def scene_set(scene: Scene) -> Envelope:
    data = SceneSetData(
        scene_id=scene.scene_id,
        region_code=scene.region_code,
        name=scene.name,
        version=scene.version,
        implementation_codes=[item.implementation_code for item in scene.items],
        updated_by=scene.updated_by,
    )
    return _envelope(SCENE_SET, scene.scene_id, data)


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
    return make_envelope(SOURCE, ITEM_PUBLISHED, item.implementation_code, data, correlation_id)


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
    return make_envelope(SOURCE, ITEM_RETIRED, item.implementation_code, data, correlation_id)
