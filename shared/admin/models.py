"""The admin context's shapes: audit entries as operators read them, claim tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AuditEntry(BaseModel):
    """One administrative action (管理操作日志), hash-chained to the one before."""

    model_config = ConfigDict(defer_build=True)

    seq: int = Field(description="Position in the chain, from 1.")
    event_id: str = Field(description="The domain event the entry records (its id).")
    event_type: str
    occurred_at: datetime = Field(description="When the action happened (the event's time).")
    actor: str | None = Field(default=None, description="The operator's subject id, when the event names one.")
    subject: str = Field(description="What was acted on: an account, an item code, a claim.")
    region_code: str | None = None
    data: dict[str, Any] = Field(description="The event's data as published (never personal data).")
    prev_hash: str
    hash: str = Field(description="SHA-256 over the entry's fields and `prev_hash`.")


class AuditCheck(BaseModel):
    """The chain recomputed from its first entry (完整性校验)."""

    model_config = ConfigDict(defer_build=True)

    valid: bool
    length: int
    head: str = Field(description="The last entry's hash as recomputed.")
    broken_at: int | None = Field(description="The first entry that does not verify; null when valid.")


class ClaimTask(BaseModel):
    """A basic item the province published, for one city or county department to claim (认领任务)."""

    model_config = ConfigDict(defer_build=True)

    claim_id: str = Field(description="`<region_code>.<department_id>.<basic_code>`.")
    basic_code: str
    item_name: str
    item_type: str
    province_implementation_code: str
    region_code: str
    department_id: str
    department_name: str
    status: Literal["open", "claimed"]
    opened_on: date
    due_on: date = Field(description="Last working day to claim within the limit.")
    limit_days: int
    implementation_code: str = Field(
        description="The code the department's implementation takes (its USCC, level and the basic code)."
    )
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    version: int = 1
