"""The case shapes that events carry (the clock, the things to supplement), in a
module of their own: `shared.cases.events` needs them, and every context that
consumes a case event imports that module at cold start, so it must not pull in
the whole case model (`shared.cases.models` re-exports these)."""

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class DeficiencyKind(StrEnum):
    MISSING_MATERIAL = "missing_material"  # 缺少材料
    MATERIAL_FORMAT = "material_format"  # 格式不符
    MATERIAL_TOO_LARGE = "material_too_large"  # 超过大小
    UNEXPECTED_MATERIAL = "unexpected_material"  # 不在材料清单内
    FORM_FIELD = "form_field"  # 表单填写
    APPLICANT_KIND = "applicant_kind"  # 申请人类型不符
    LICENCE_NOT_VALID = "licence_not_valid"  # 引用的电子证照无效
    STAFF_NOTE = "staff_note"  # 窗口人员告知


class Deficiency(_Shape):
    """One thing to supplement (补正事项)."""

    kind: DeficiencyKind
    target: str = Field(description="The material slot id, the form field path, or `applicant`.")
    message: str = Field(description="What to do, in Chinese (shown to the applicant).")
    message_en: str


class SuspensionKind(StrEnum):
    """Special procedures excluded from the time limit (行政许可法 第45条)."""

    HEARING = "hearing"  # 听证
    TENDERING = "tendering"  # 招标
    AUCTION = "auction"  # 拍卖
    INSPECTION = "inspection"  # 检验
    TESTING = "testing"  # 检测
    QUARANTINE = "quarantine"  # 检疫
    APPRAISAL = "appraisal"  # 鉴定
    EXPERT_REVIEW = "expert_review"  # 专家评审


class Suspension(_Shape):
    """One stop of the clock (中止计时). The working days d with
    `started_on < d <= resumed_on` are not counted against any limit."""

    kind: SuspensionKind
    reason: str = Field(description="Told to the applicant in writing (书面告知).")
    expected_working_days: int = Field(description="How long the procedure is expected to take, as told.")
    started_on: dt.date
    resumed_on: dt.date | None = None
    working_days: int | None = Field(default=None, description="Working days spent suspended, once resumed.")


class Extension(_Shape):
    """An approved extension of the legal limit (延长期限, 第42条: +10, joint +15)."""

    working_days: int
    reason: str = Field(description="Told to the applicant.")
    approved_on: dt.date
    approved_by: str = Field(description="Supervisor-level approver, masked.")


class Deadlines(_Shape):
    """The legal clock (办理时限) started at acceptance, in working days. The
    due dates are always recomputed by `shared.cases.clock` from the start, the
    limits, the suspensions and the extension; never edited by hand."""

    started_on: dt.date = Field(description="Acceptance (or, when deemed accepted, receipt) date, Asia/Shanghai.")
    promised_days: int
    promised_due_on: dt.date = Field(description="承诺办结日期 (the start date itself for 即办件).")
    legal_days: int
    legal_due_on: dt.date = Field(description="法定办结期限.")
    provisional: bool = Field(description="True when a counted year's holiday arrangement is not yet published.")
    deemed: bool = Field(description="True when accepted by operation of law (行政许可法 第32条).")
    joint: bool = Field(default=False, description="并联审批: the joint limits (45, +15) apply.")
    suspensions: list[Suspension] = Field(default_factory=list, description="Suspension history, oldest first.")
    suspended_working_days: int = Field(default=0, description="Working days of completed suspensions.")
    suspended_since: dt.date | None = Field(default=None, description="Set while the clock is stopped.")
    extension: Extension | None = None
