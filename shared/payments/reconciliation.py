"""Daily reconciliation (对账) against each channel's statement.

The channel drops its statement for a day (Asia/Shanghai) as CSV at
`statements/<channel>/<YYYY-MM-DD>.csv` in the reconciliation bucket (format
in shared.payments.channel). Its successful lines are matched by transaction
id against the successes we received for that day (the pay-day index; never
a Scan):

- matched: on both sides with the same amount (a match whose callback became
  an exception or a refund flag is listed in `flagged` too);
- missing_ours: the channel took money we never heard of (a lost callback);
- missing_channel: we recorded a success the channel does not list;
- amount_mismatch: both have it, amounts differ.

The report goes to `reports/<channel>/<YYYY-MM-DD>.json` (re-running
overwrites it with the same content); the discrepancy count is the metric
`ReconciliationDiscrepancies`, alarmed above 0. A missing statement counts as
one discrepancy (`statement_missing`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from shared.payments.channel import MalformedNotification, statement_rows, to_notice
from shared.payments.config import reconciliation_settings
from shared.payments.models import CallbackResult, Outcome
from shared.payments.repository import PaymentsRepository
from shared.platform.aws import s3
from shared.platform.clock import iso, now


def statement_key(channel: str, day: dt.date) -> str:
    return f"statements/{channel}/{day.isoformat()}.csv"


def report_key(channel: str, day: dt.date) -> str:
    return f"reports/{channel}/{day.isoformat()}.json"


class Line(BaseModel):
    model_config = ConfigDict(defer_build=True)

    txn_id: str
    order_id: str
    amount_fen: int | None = None
    channel_amount_fen: int | None = None


class Report(BaseModel):
    model_config = ConfigDict(defer_build=True)

    channel: str
    day: dt.date
    generated_at: str
    statement_key: str
    statement_missing: bool = False
    malformed_lines: int = 0
    matched: list[Line] = []
    flagged: list[Line] = []
    missing_ours: list[Line] = []
    missing_channel: list[Line] = []
    amount_mismatch: list[Line] = []
    channel_total_fen: int = 0
    our_total_fen: int = 0

    @property
    def discrepancies(self) -> int:
        missing = 1 if self.statement_missing else 0
        return (
            missing
            + self.malformed_lines
            + len(self.missing_ours)
            + len(self.missing_channel)
            + len(self.amount_mismatch)
        )

    def summary(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "day": self.day.isoformat(),
            "matched": len(self.matched),
            "flagged": len(self.flagged),
            "missing_ours": len(self.missing_ours),
            "missing_channel": len(self.missing_channel),
            "amount_mismatch": len(self.amount_mismatch),
            "statement_missing": self.statement_missing,
            "discrepancies": self.discrepancies,
        }


def _statement(channel: str, day: dt.date) -> str | None:
    try:
        answer = s3().get_object(
            Bucket=reconciliation_settings().payment_reconciliation_bucket, Key=statement_key(channel, day)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return None
        raise
    return answer["Body"].read().decode("utf-8-sig")


def reconcile(channel: str, day: dt.date, repository: PaymentsRepository | None = None) -> Report:
    repo = repository or PaymentsRepository()
    report = Report(channel=channel, day=day, generated_at=iso(now()), statement_key=statement_key(channel, day))
    ours = {record.txn_id: record for record in repo.successes_on(channel, day)}
    report.our_total_fen = sum(r.amount_fen for r in ours.values())
    text = _statement(channel, day)
    if text is None:
        report.statement_missing = True
    else:
        for row in statement_rows(text):
            try:
                line = to_notice(channel, row)
            except (MalformedNotification, ValueError):
                report.malformed_lines += 1
                continue
            if line.outcome is not Outcome.SUCCESS:
                continue
            report.channel_total_fen += line.amount_fen
            mine = ours.pop(line.txn_id, None)
            entry = Line(txn_id=line.txn_id, order_id=line.order_id, channel_amount_fen=line.amount_fen)
            if mine is None:
                report.missing_ours.append(entry)
                continue
            entry.amount_fen = mine.amount_fen
            if mine.amount_fen != line.amount_fen:
                report.amount_mismatch.append(entry)
                continue
            report.matched.append(entry)
            if mine.result in {CallbackResult.EXCEPTION, CallbackResult.REFUND_FLAGGED}:
                report.flagged.append(entry)
    for record in ours.values():
        report.missing_channel.append(
            Line(txn_id=record.txn_id, order_id=record.order_id, amount_fen=record.amount_fen)
        )
    s3().put_object(
        Bucket=reconciliation_settings().payment_reconciliation_bucket,
        Key=report_key(channel, day),
        Body=json.dumps(report.model_dump(mode="json") | {"summary": report.summary()}, ensure_ascii=False, indent=1),
        ContentType="application/json; charset=utf-8",
    )
    return report
