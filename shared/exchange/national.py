"""The daily push file to the national platform (国家政务服务平台 办件信息, D-298):
one 办件 record per case that moved on the day, built from the exchange store.

The national 办件 data standard's exact field codes and value lists are not
in the brief: fields are named here in English and mapped to the 数据项 they
stand for in docs/national-push.md, marked *unconfirmed* where they are; the
schema is registered as `national_platform.case_records` (D-235), and every
file is validated against it before it is written, so a file that does not
follow the published schema is never pushed.

What a record holds is the national record's and no more: for a natural
person nothing that identifies them (the record's 证件号码 is left out, not
masked: the store never had it), for a legal person its USCC (public).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.cases.events import (
    ACCEPTED,
    COMPLETED,
    DECIDED,
    EXTENDED,
    REFUSED_AT_INTAKE,
    RESUMED,
    REVIEW_STARTED,
    SUBMITTED,
    SUSPENDED,
    WITHDRAWN,
)
from shared.exchange.config import exchange_store_settings, national_push_settings
from shared.exchange.store import CaseRecord, ExchangeStore
from shared.platform.aws import s3
from shared.platform.clock import SHANGHAI, now
from shared.platform.observability import logger
from shared.platform.schemas import problems, register_partner_message

NAME = "national_platform.case_records"
VERSION = 1

Code6 = Annotated[str, Field(pattern=r"^\d{6}$")]
Uscc = Annotated[str, Field(pattern=r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")]

STEPS: dict[str, tuple[str, str]] = {
    SUBMITTED: ("submitted", "申请"),
    ACCEPTED: ("accepted", "受理"),
    REFUSED_AT_INTAKE: ("refused", "不予受理"),
    WITHDRAWN: ("withdrawn", "撤回"),
    REVIEW_STARTED: ("review_started", "审查"),
    SUSPENDED: ("suspended", "特别程序开始"),
    RESUMED: ("resumed", "特别程序结束"),
    EXTENDED: ("extended", "延期"),
    DECIDED: ("decided", "决定"),
    COMPLETED: ("completed", "办结"),
}
StepCode = Literal[
    "submitted", "accepted", "refused", "withdrawn", "review_started", "suspended", "resumed", "extended",
    "decided", "completed",
]  # fmt: skip


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Step(_Shape):
    """办件过程信息: one step of the day."""

    step: StepCode
    step_name: str = Field(description="环节名称.")
    at: dt.datetime = Field(description="办理时间 (RFC 3339, Beijing time).")
    state: str = Field(description="Our case state after the step.")


class NationalCaseRecord(_Shape):
    """办件信息: one case, with what is known of it from the day's steps."""

    case_number: str = Field(min_length=1, max_length=40, description="办件编号 / 申办流水号.")
    item_code: str = Field(min_length=31, max_length=33, description="事项实施编码.")
    item_name: str = Field(min_length=1, max_length=200, description="事项名称.")
    region_code: Code6 = Field(description="行政区划代码 of the implementing body.")
    department_uscc: Uscc = Field(description="受理部门统一社会信用代码 (the item code's first 18 characters).")
    applicant_kind: Literal["natural_person", "legal_person"] = Field(description="申请人类型.")
    applicant_uscc: Uscc | None = Field(description="申请人证件号码 for legal persons; omitted for persons.")
    intake_channel: Literal["online", "hall"] | None = Field(description="申报方式 (网上 / 窗口).")
    state: str = Field(description="办件状态 at the end of the day.")
    received_at: dt.datetime | None = Field(default=None, description="申请时间.")
    accepted_at: dt.datetime | None = Field(default=None, description="受理时间.")
    promised_due_on: dt.date | None = Field(default=None, description="承诺办结时间.")
    legal_due_on: dt.date | None = Field(default=None, description="法定办结时间.")
    decided_at: dt.datetime | None = Field(default=None, description="决定时间.")
    outcome: Literal["approved", "denied"] | None = Field(default=None, description="办理结果 (准予 / 不予).")
    document_number: str | None = Field(default=None, max_length=64, description="结果文书编号.")
    completed_at: dt.datetime | None = Field(default=None, description="办结时间.")
    steps: list[Step] = Field(min_length=1, description="The day's steps, in order.")


class PushFile(_Shape):
    schema_version: Literal[1] = 1
    province_code: Code6
    day: dt.date = Field(description="The day (Asia/Shanghai) whose steps the file carries.")
    generated_at: dt.datetime
    record_count: int = Field(ge=0)
    step_count: int = Field(ge=0)
    records: list[NationalCaseRecord]


register_partner_message(
    NAME,
    PushFile,
    "办件信息 pushed to the national platform: one record per case that moved on the day (field codes unconfirmed).",
    version=VERSION,
)


def build(day: dt.date, province_code: str, rows: Iterable[CaseRecord], *, generated_at: dt.datetime) -> PushFile:
    """The day's push file from its store records (any order; a repeated event id counts once)."""
    by_case: dict[str, list[CaseRecord]] = {}
    seen: set[str] = set()
    for row in rows:
        if row.event_id not in seen:
            seen.add(row.event_id)
            by_case.setdefault(row.case_id, []).append(row)
    records = [_case(sorted(steps, key=lambda r: (r.occurred_at, r.case_version))) for steps in by_case.values()]
    records.sort(key=lambda r: r.case_number)
    return PushFile(
        province_code=province_code,
        day=day,
        generated_at=generated_at,
        record_count=len(records),
        step_count=len(seen),
        records=records,
    )


def _case(steps: list[CaseRecord]) -> NationalCaseRecord:
    last = steps[-1]
    known: dict[str, object] = {}
    for row in steps:
        at = _beijing(row.occurred_at)
        if row.event_type == SUBMITTED and row.round == 1 and row.received_at is not None:
            known["received_at"] = _beijing(row.received_at)
        if row.event_type == ACCEPTED:
            known["accepted_at"] = at
        if row.promised_due_on is not None:
            known["promised_due_on"] = row.promised_due_on
            known["legal_due_on"] = row.legal_due_on
        if row.event_type == DECIDED:
            known |= {"decided_at": at, "outcome": row.outcome, "document_number": row.document_number}
        if row.event_type in (COMPLETED, REFUSED_AT_INTAKE, WITHDRAWN):
            known["completed_at"] = at
    return NationalCaseRecord.model_validate(
        {
            "case_number": last.case_number,
            "item_code": last.item_code,
            "item_name": last.item_name,
            "region_code": last.region_code,
            "department_uscc": last.item_code[:18],
            "applicant_kind": last.applicant_kind,
            "applicant_uscc": last.applicant_uscc,
            "intake_channel": last.intake_channel,
            "state": last.state,
            **known,
            "steps": [
                {"step": STEPS[r.event_type][0], "step_name": STEPS[r.event_type][1], "at": _beijing(r.occurred_at),
                 "state": r.state}
                for r in steps
            ],
        }
    )  # fmt: skip


def _beijing(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def push_key(day: dt.date) -> str:
    """One file per day: a rerun for the same day replaces it (the same records, regenerated)."""
    return f"{national_push_settings().national_push_prefix}/dt={day.isoformat()}/case-records.json"


class InvalidPushFile(ValueError):
    """The file does not follow its published schema: not written, the run fails (NationalPushFailedAlarm)."""


def push_day(day: dt.date, store: ExchangeStore | None = None) -> PushFile:
    """Build `day`'s push file from the exchange store, validate it against the registry's
    schema and write it next to the store, where the national platform's exchange node
    (前置机) collects it."""
    settings = national_push_settings()
    pushed = build(day, settings.province_code, (store or ExchangeStore()).read_day(day), generated_at=now())
    document = pushed.model_dump(mode="json")
    found = validation_problems(document)
    if found:
        # paths only: the messages could quote a record's values
        raise InvalidPushFile(f"{len(found)} schema problems, first at {found[0].split(':', 1)[0]}")
    s3().put_object(
        Bucket=exchange_store_settings().exchange_bucket,
        Key=push_key(day),
        Body=json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        ContentType="application/json; charset=utf-8",
    )
    logger().info(
        "national push file written",
        extra={"day": day.isoformat(), "records": pushed.record_count, "steps": pushed.step_count},
    )
    return pushed


def validation_problems(document: object) -> list[str]:
    """Why a push file (as JSON) does not follow its published schema; empty when it does."""
    return problems(NAME, VERSION, document)
