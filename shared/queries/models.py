"""The queries context's API views."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["answered", "cached", "unavailable"]


class QueryKindView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    kind: str = Field(examples=["housing_fund"])
    name: str = Field(examples=["公积金账户余额"])
    name_en: str = Field(examples=["Housing provident fund balance"])
    department: str = Field(examples=["江苏省住房公积金管理中心"])
    for_enterprises: bool


class QueryCatalogue(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[QueryKindView]


class QueryResult(BaseModel):
    """The department's answer as it gave it (`data`), when it was fetched, and whether
    this reply reused a recent one (`cached`)."""

    model_config = ConfigDict(defer_build=True)

    kind: str
    department: str
    fetched_at: dt.datetime
    cached: bool
    data: dict[str, Any] = Field(examples=[{"account_masked": "3201****0213", "balance": "48260.35"}])


class QueryLogEntry(BaseModel):
    """One query of the holder's data (查询记录): which kind, by whom (an agent of the
    enterprise, or the person), when, and how it went."""

    model_config = ConfigDict(defer_build=True)

    kind: str
    name: str
    at: dt.datetime
    by_subject_id: str
    outcome: Outcome
