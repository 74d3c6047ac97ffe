"""The one envelope for every domain and partner event.

`{"id", "type", "version", "time", "source", "subject", "correlation_id", "data"}`
— `type` is a past-tense fact such as `catalog.item_published`; `source` is
the publishing context. On the EventBridge bus the envelope is the `detail`,
`detail-type` is the type and `source` is `jszw.<context>`; rules route on
those. Consumers must tolerate duplicates and any order. Every type and its
data schema is listed in docs/events.md.
"""

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.clock import now
from shared.platform.ids import new_id

SOURCE_PREFIX = "jszw."

# type -> (data model, one-line meaning); docs/events.md is generated from it.
_EVENT_TYPES: dict[str, tuple[type[BaseModel], str]] = {}


def register_event_type(event_type: str, data_model: type[BaseModel], meaning: str) -> None:
    """Declare an event type a context publishes, with the schema of its `data`."""
    known = _EVENT_TYPES.get(event_type)
    if known is not None and known[0] is not data_model:
        raise ValueError(f"event type {event_type} registered twice")
    _EVENT_TYPES[event_type] = (data_model, meaning)


def registered_event_types() -> dict[str, tuple[type[BaseModel], str]]:
    return dict(_EVENT_TYPES)


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str = Field(default_factory=new_id)
    type: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    version: int = 1
    time: datetime = Field(default_factory=now)
    source: str
    subject: str
    correlation_id: str | None = None
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
