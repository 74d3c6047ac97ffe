"""The trading context's records and API shapes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

NOTICE_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class NoticeKind(StrEnum):
    WORKS_TENDER = "works_tender"  # 工程建设 招标公告
    PROCUREMENT = "procurement"  # 政府采购 采购公告
    LAND_TRANSFER = "land_transfer"  # 土地使用权 出让公告


class Stage(StrEnum):
    OPEN = "open"  # 公告中: bidders register interest until the deadline
    CANDIDATES = "candidates"  # 中标候选人公示
    AWARDED = "awarded"  # 中标结果公布


class _Shape(BaseModel):
    # schemas are built on first use, not at import: the cold start creates only the classes (D-338)
    model_config = ConfigDict(defer_build=True)


class NewNotice(_Shape):
    """Body of `POST /v1/trading/notices`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: NoticeKind
    title: str = Field(min_length=4, max_length=120)
    region_code: str = Field(pattern=r"^32\d{4}$", description="Where the project or land is (six digits)")
    content: str = Field(min_length=2, max_length=4000)
    documents_from: dt.date = Field(description="招标（采购）文件开始发出之日 / for land: the notice date")
    listing_from: dt.date | None = Field(default=None, description="挂牌起始日 (land transfer only)")
    bid_deadline: dt.date = Field(description="投标（报价、竞买）截止日")


class Flag(_Shape):
    """A party found on a credit list, told to the supervisor."""

    uscc: str
    lists: list[str]
    at: dt.datetime
    stage: str


class Complaint(_Shape):
    """A 12345 ticket that names the notice (D-312): until it is answered no result is published."""

    ticket_id: str
    number: str
    opened_at: dt.datetime | None = None
    answered: bool = False


class PublicNotice(_Shape):
    """A notice as everyone reads it: who registered interest and who is flagged stay out
    (bidders are confidential until the bids open; flags are the supervisor's)."""

    notice_id: str
    kind: NoticeKind
    title: str
    region_code: str
    content: str
    published_on: dt.date
    documents_from: dt.date
    listing_from: dt.date | None = None
    bid_deadline: dt.date
    stage: Stage = Stage.OPEN
    candidates: list[str] = Field(default_factory=list, description="中标候选人, ranked")
    candidates_published_on: dt.date | None = None
    publicity_until: dt.date | None = None
    winner_uscc: str | None = None
    awarded_at: dt.datetime | None = None


class Notice(PublicNotice):
    """A notice as stored and as its trading centre reads it: the public view plus who registered
    interest, who was flagged, and the version every write is conditional on."""

    bidders: list[str] = Field(default_factory=list, description="USCCs that registered interest")
    flags: list[Flag] = Field(default_factory=list, description="Parties found on a credit list")
    complaints: list[Complaint] = Field(default_factory=list, description="12345 tickets naming the notice")
    published_by: str = Field(exclude=True)
    published_at: dt.datetime
    version: int = 1

    def record(self) -> dict[str, Any]:
        return self.model_dump(mode="json") | {"published_by": self.published_by}


class Interest(_Shape):
    """Body of `POST /v1/trading/notices/{id}/interest` (empty: the agent's enterprise registers)."""

    model_config = ConfigDict(extra="forbid")


class Candidates(_Shape):
    """Body of `POST .../candidates`: the evaluation's ranked candidates and the publicity's end."""

    model_config = ConfigDict(extra="forbid")

    candidates: list[Annotated[str, Field(pattern=USCC_PATTERN)]] = Field(
        min_length=1, max_length=3, description="USCCs, first ranked first"
    )
    publicity_until: dt.date = Field(description="公示截止日")
    version: int | None = Field(default=None, ge=1, le=1_000_000)


class Result(_Shape):
    """Body of `POST .../result`: the winner (中标人), one of the candidates."""

    model_config = ConfigDict(extra="forbid")

    winner_uscc: str = Field(pattern=USCC_PATTERN)
    version: int | None = Field(default=None, ge=1, le=1_000_000)


class Flags(_Shape):
    """The parties of a notice found on a credit list (the supervisor's view)."""

    notice_id: str
    title: str
    region_code: str
    flags: list[Flag]
