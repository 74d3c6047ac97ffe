"""The projects context's records and API shapes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.projects.codes import PROJECT_CODE_PATTERN

PROJECT_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"


class ProjectState(StrEnum):
    FILED = "filed"  # 已备案: not in the approval catalogue, filed at registration
    APPROVAL_REQUIRED = "approval_required"  # 需核准: the catalogue names it (approval not built yet)


class RegisterProject(BaseModel):
    """An enterprise's (or person's) new investment project."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=100, description="项目名称")
    region_code: str = Field(
        pattern=r"^32\d{4}$", description="建设地点: Jiangsu division code (six digits, county level or above)"
    )
    industry: str = Field(pattern=r"^\d{2}$", description="所属行业: GB/T 4754-2017 division (大类), 01–97")
    total_investment_fen: int = Field(gt=0, le=10**15, description="总投资 in fen (分)")
    construction_content: str = Field(min_length=2, max_length=2000, description="建设规模及内容")
    start_year: int = Field(ge=1990, le=2100, description="拟开工年份")


class Project(BaseModel):
    """A project as stored and as its owner and the region's staff read it."""

    project_id: str
    code: str = Field(pattern=PROJECT_CODE_PATTERN, description="项目代码 (layout: docs/decisions.md D-250)")
    name: str
    region_code: str
    industry: str
    total_investment_fen: int
    construction_content: str
    start_year: int
    state: ProjectState
    owner_subject_id: str = Field(exclude=True)
    enterprise_uscc: str = ""
    catalogue_entry: str | None = Field(default=None, description="The approval catalogue entry that applies")
    catalogue_source: str | None = Field(default=None, description="Where that entry comes from")
    registered_at: dt.datetime
    filed_at: dt.datetime | None = None
    filing_notice_sha256: str | None = Field(default=None, description="SHA-256 of the filing notice PDF")
    version: int = 1

    def record(self) -> dict[str, Any]:
        return self.model_dump(mode="json") | {"owner_subject_id": self.owner_subject_id}


class FilingNotice(BaseModel):
    """Where to download a filed project's notice (a short-lived link)."""

    code: str
    url: str
    sha256: str
    expires_in_s: int
