"""The one envelope for every domain and partner event.

`{"id", "type", "version", "time", "source", "subject", "correlation_id", "client", "data"}`
— `type` is a past-tense fact such as `catalog.item_published`; `source` is
the publishing context. On the EventBridge bus the envelope is the `detail`,
`detail-type` is the type and `source` is `jszw.<context>`; rules route on
those. Consumers must tolerate duplicates and any order. Every type and its
data schema is listed in docs/events.md.
"""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.clients import ClientId
from shared.platform.clock import now
from shared.platform.ids import new_id

SOURCE_PREFIX = "jszw."

# type -> (data model, one-line meaning) of its current version; docs/events.md is generated from it.
_EVENT_TYPES: dict[str, tuple[type[BaseModel], str]] = {}
# (type, version) -> data model: every version still accepted (D-235)
_EVENT_VERSIONS: dict[tuple[str, int], type[BaseModel]] = {}


def register_event_type(event_type: str, data_model: type[BaseModel], meaning: str, *, version: int = 1) -> None:
    """Declare an event type a context publishes, with the schema of its `data`.

    A breaking change to `data` registers the new model under the next `version`
    while the old one stays registered for the transition (D-235): producers write
    the highest version, consumers and the schema registry accept every registered one."""
    known = _EVENT_VERSIONS.get((event_type, version))
    if known is not None and known is not data_model:
        raise ValueError(f"event type {event_type} version {version} registered twice")
    _EVENT_VERSIONS[(event_type, version)] = data_model
    if version >= current_version(event_type):
        _EVENT_TYPES[event_type] = (data_model, meaning)


def current_version(event_type: str) -> int:
    """The version producers write (the highest registered; 1 for an unknown type)."""
    return max((v for (t, v) in _EVENT_VERSIONS if t == event_type), default=1)


def registered_event_types() -> dict[str, tuple[type[BaseModel], str]]:
    return dict(_EVENT_TYPES)


def registered_event_versions() -> dict[tuple[str, int], type[BaseModel]]:
    return dict(_EVENT_VERSIONS)


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str = Field(default_factory=new_id)
    type: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    version: int = 1
    time: datetime = Field(default_factory=now)
    source: str
    subject: str
    correlation_id: str | None = None
    client: ClientId | None = None  # 一端: the client of the write that caused it (stamped by the outbox, D-273)
    data: dict[str, Any] = Field(default_factory=dict)

    def to_json(self) -> str:
        return self.model_dump_json()

    def bus_entry(self, bus_name: str) -> dict[str, Any]:
        """The PutEvents entry for this envelope."""
        return {
            "Source": SOURCE_PREFIX + self.source,
            "DetailType": self.type,
            "Detail": self.to_json(),
            "EventBusName": bus_name,
            "Time": self.time,
        }


def make_envelope(
    source: str,
    event_type: str,
    subject: str,
    data: BaseModel | Mapping[str, Any],
    correlation_id: str | None = None,
) -> Envelope:
    """An event `source` publishes about `subject`. `data` is a model (dumped as JSON) or a mapping
    already in JSON form. A context binds its source once: `envelope = partial(make_envelope, SOURCE)`."""
    body = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    return Envelope(type=event_type, source=source, subject=subject, correlation_id=correlation_id, data=body)


class BusEvent(BaseModel):
    """What an SQS queue receives from an EventBridge rule: the bus event whose
    `detail` is our envelope. Only the fields consumers use are modelled."""

    model_config = ConfigDict(defer_build=True)

    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    detail: Envelope


def parse_bus_message(body: str) -> Envelope:
    """The envelope inside an SQS message body sent by an EventBridge rule."""
    return BusEvent.model_validate(json.loads(body)).detail
