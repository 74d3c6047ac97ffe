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
    APPROVAL_REQUIRED = "approval_required"  # 需核准: the catalogue names it; no joint case open
    APPROVING = "approving"  # 核准中: its joint approval case is open
    APPROVED = "approved"  # 已核准: the joint case was approved and completed (办结)
    APPROVAL_DENIED = "approval_denied"  # 不予核准: the lead department denied it


class TaskState(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    DENIED = "denied"


class _Shape(BaseModel):
    # schemas are built on first use, not at import: the cold start creates only the classes (D-338)
    model_config = ConfigDict(defer_build=True)


class ApprovalTask(_Shape):
    """One co-department's part of the joint approval (用地预审与选址, 环评, 施工许可, ...)."""

    department_id: str
    state: TaskState = TaskState.OPEN


class Approval(_Shape):
    """The project's joint approval case (并联审批) as the case events told it (D-307)."""

    case_id: str
    case_number: str
    item_code: str
    item_name: str
    lead_department_id: str = Field(description="牵头部门: decides once every task is done (核准, 节能审查)")
    case_state: str = Field(description="The case's state (submitted, accepted, approved, completed, ...)")
    case_version: int = Field(description="The newest case version heard of: older deliveries change nothing")
    tasks: list[ApprovalTask] = Field(default_factory=list, description="One per co-department, once accepted")
    outcome: str | None = Field(default=None, description="approved or denied, once decided")
    legal_due_on: dt.date | None = Field(default=None, description="The one clock: the case's legal limit")
    opened_at: dt.datetime


class ChangeKind(StrEnum):
    CHANGE_FILING = "change_filing"  # 备案变更: location, or investment beyond the threshold
    UPDATE = "update"  # 信息更新: a change within the threshold, recorded without a notice


class ProjectChange(_Shape):
    """A change of a filed project after filing, as recorded."""

    number: int = Field(description="1 for the first change of the project, then 2, ...")
    kind: ChangeKind
    changed: dict[str, list[Any]] = Field(description="field → [before, after]")
    reason: str
    at: dt.datetime
    notice_sha256: str | None = Field(default=None, description="SHA-256 of the change filing notice PDF")


class RegisterProject(_Shape):
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


class Project(_Shape):
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
    approval: Approval | None = Field(default=None, description="The joint approval case, once opened (核准)")
    approved_at: dt.datetime | None = None
    # set while a request opens the joint case (two requests cannot both open one); not shown
    approval_claimed_at: dt.datetime | None = Field(default=None, exclude=True)
    changes: list[ProjectChange] = Field(default_factory=list, description="Changes after filing, oldest first")
    version: int = 1

    def record(self) -> dict[str, Any]:
        claimed = self.approval_claimed_at.isoformat() if self.approval_claimed_at else None
        return self.model_dump(mode="json") | {
            "owner_subject_id": self.owner_subject_id,
            "approval_claimed_at": claimed,
        }


class FilingNotice(_Shape):
    """Where to download a filed project's notice (a short-lived link)."""

    code: str
    url: str
    sha256: str
    expires_in_s: int


class ProjectChangeRequest(_Shape):
    """Body of `POST /v1/projects/{project_id}/changes`: what changed after filing (at least one field)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    total_investment_fen: int | None = Field(default=None, gt=0, le=10**15, description="总投资 in fen (分)")
    region_code: str | None = Field(default=None, pattern=r"^32\d{4}$", description="建设地点 (a new location)")
    construction_content: str | None = Field(default=None, min_length=2, max_length=2000)
    reason: str = Field(min_length=2, max_length=500, description="变更原因")
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="The project version changed; 409 if it moved on."
    )


class ChangeNotice(_Shape):
    """Where to download one change filing's notice (a short-lived link)."""

    code: str
    number: int
    url: str
    sha256: str
    expires_in_s: int


class PublicProject(_Shape):
    """A filed project as the public list shows it (备案信息公开): no person, no owner."""

    code: str
    name: str
    region_code: str
    industry: str
    total_investment_fen: int
    construction_content: str
    enterprise_uscc: str = Field(description="项目单位; empty for a natural person's project (not published)")
    state: ProjectState
    filed_at: dt.datetime | None


class ProjectSummary(_Shape):
    """A project in its owner's list."""

    project_id: str
    code: str
    name: str
    region_code: str
    state: ProjectState
    registered_at: dt.datetime
