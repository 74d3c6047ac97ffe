"""Working-day arithmetic of a case: the Art. 32 intake limit, the 承诺 and 法定
limits from acceptance and the joint tasks' own limits, counted on the
holiday calendar of `shared.workdays` by the one clock engine (`clock`)."""

from __future__ import annotations

import datetime as dt

import shared.workdays.api as workdays
from shared.cases import clock
from shared.cases.config import joint_task_settings
from shared.cases.models import Deadlines, ItemSnapshot, JointTask, LicenceClock

ART44_WORKING_DAYS = 10
"""行政许可法 第44条: the certificate within 10 (working) days of the decision (statute, not configuration)."""
ART32_WORKING_DAYS = 5
"""行政许可法 第32条: tell the applicant what to supplement within 5 days, else accepted from receipt."""


def working_calendar(years: range) -> workdays.Calendar:
    """The holiday calendar for `years` (the workdays service is loaded on first use:
    most case routes never count days)."""
    return workdays.calendar(years)


def calendar_for(day: dt.date) -> workdays.Calendar:
    """The working-day calendar with the years around `day` read in one call."""
    return working_calendar(range(day.year - 1, day.year + 3))


def intake_due(received_on: dt.date) -> dt.date:
    """The last day of the Art. 32 window for a submission received on `received_on`."""
    return workdays.deadline(received_on, ART32_WORKING_DAYS).date


def licence_clock(decided_on: dt.date) -> LicenceClock:
    """The Art. 44 clock of an approval with a licence step, from the decision day."""
    return LicenceClock(
        started_on=decided_on,
        limit_days=ART44_WORKING_DAYS,
        due_on=workdays.deadline(decided_on, ART44_WORKING_DAYS).date,
    )


def deadlines_from(item: ItemSnapshot, start: dt.date, *, deemed: bool) -> Deadlines:
    """承诺 and 法定 time limits counted in working days from `start` (day 1 is the next
    working day), by the one clock engine (`shared.cases.clock`)."""
    return clock.start(
        working_calendar(range(start.year, start.year + 3)),
        start,
        promised_days=item.promised_limit_days,
        legal_days=item.legal_limit_days,
        deemed=deemed,
        joint=item.joint,
    )


def joint_tasks_for(item: ItemSnapshot, start: dt.date, calendar: clock.WorkingDays) -> list[JointTask]:
    """并联审批: one task per co-department (not the lead), opened when the case is accepted."""
    if not item.joint:
        return []
    lead = item.lead_department_id or item.department_id
    # each co-department's own limit (configuration, JOINT_TASK_WORKING_DAYS), capped by the promise
    own = joint_task_settings().joint_task_working_days
    days = min(own, item.promised_limit_days) if item.promised_limit_days > 0 else own
    due = calendar.add_working_days(start, days).date
    return [
        JointTask(
            department_id=department,
            department_name=item.co_department_names.get(department),
            limit_days=days,
            opened_on=start,
            due_on=due,
        )
        for department in dict.fromkeys(item.co_department_ids)
        if department != lead
    ]
