"""The exchange context's API views."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SchemaSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Event type (`case.submitted`) or partner message (`department_system.decided`).")
    version: int
    kind: Literal["event", "partner_message"]
    meaning: str
    current: bool = Field(description="The version producers write; older ones are still accepted (transition).")
    path: str = Field(description="Where its JSON Schema is served.")


class SchemaList(BaseModel):
    items: list[SchemaSummary]
