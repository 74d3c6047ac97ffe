"""Issue 23 point 6: the joint-task limit, the warning policy, the supervision
partitions and the payment channel come from validated configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from shared.cases.deadlines import joint_tasks_for
from shared.cases.models import ItemSnapshot
from shared.cases.review import _cities_within
from shared.payments.config import payments_settings
from shared.platform.config import ConfigurationError, province_settings, reset_settings
from shared.supervision.warnings import WarningPolicy
from shared.workdays.rules import Calendar

JOINT_ITEM = ItemSnapshot(
    implementation_code="11320115MB0000000X400011000100001",
    name="开办餐饮店联合审批",
    version=1,
    department_id="320115-market",
    department_name="江宁区市场监督管理局",
    region_code="320115",
    region_name="江宁区",
    exercise_level=3,
    legal_limit_days=30,
    promised_limit_days=0,
    immediate=False,
    channel="online",
    applicant_kinds=[],
    materials=[],
    form_schema={},
    joint=True,
    lead_department_id="320115-market",
    co_department_ids=["320115-police", "320115-housing"],
)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    reset_settings()
    yield
    reset_settings()


def test_the_joint_task_limit_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    start = dt.date(2026, 9, 21)
    assert {t.limit_days for t in joint_tasks_for(JOINT_ITEM, start, Calendar())} == {20}
    monkeypatch.setenv("JOINT_TASK_WORKING_DAYS", "10")
    reset_settings()
    tasks = joint_tasks_for(JOINT_ITEM, start, Calendar())
    assert {t.limit_days for t in tasks} == {10}
    assert {t.due_on for t in tasks} == {Calendar().add_working_days(start, 10).date}


def test_the_warning_policy_is_configured_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert WarningPolicy.configured() == WarningPolicy(0.8, 3, 120)
    monkeypatch.setenv("SUPERVISION_YELLOW_SHARE", "0.5")
    monkeypatch.setenv("SUPERVISION_HORIZON_DAYS", "60")
    reset_settings()
    assert WarningPolicy.configured() == WarningPolicy(0.5, 3, 60)
    monkeypatch.setenv("SUPERVISION_YELLOW_SHARE", "1.5")
    reset_settings()
    with pytest.raises(ConfigurationError, match="SUPERVISION_YELLOW_SHARE"):
        WarningPolicy.configured()


def test_the_supervision_partitions_come_from_the_province_and_the_division_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _cities_within("32") == [f"32{n:02d}" for n in range(14)]
    assert _cities_within("320102") == ["3201"]
    # another province's deployment gets its own cities from the table, nothing to hand-keep
    monkeypatch.setenv("PROVINCE_CODE", "330000")
    reset_settings()
    assert _cities_within("33") == ["3300", *(f"33{n:02d}" for n in range(1, 12))]
    for wrong in ("320100", "32", "990000", "350000x"):
        monkeypatch.setenv("PROVINCE_CODE", wrong)
        reset_settings()
        with pytest.raises(ConfigurationError, match="PROVINCE_CODE"):
            province_settings()
    monkeypatch.delenv("PROVINCE_CODE")
    reset_settings()


def test_the_payment_channel_and_cashier_url_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYMENTS_TABLE", "payments")
    monkeypatch.delenv("PAYMENT_CHANNEL_PAY_URL", raising=False)
    monkeypatch.delenv("PAYMENT_DEFAULT_CHANNEL", raising=False)
    reset_settings()
    assert (payments_settings().payment_default_channel, payments_settings().payment_channel_pay_url) == (
        "jspay",
        "https://pay.jszwfw.gov.cn/cashier",
    )
    monkeypatch.setenv("PAYMENT_DEFAULT_CHANNEL", "JS Pay")
    reset_settings()
    with pytest.raises(ConfigurationError, match="PAYMENT_DEFAULT_CHANNEL"):
        payments_settings()
    monkeypatch.delenv("PAYMENT_DEFAULT_CHANNEL")
    monkeypatch.setenv("PAYMENT_CHANNEL_PAY_URL", "http://pay.example/cashier")
    monkeypatch.setenv("STAGE", "prod")
    reset_settings()
    with pytest.raises(ConfigurationError, match="PAYMENT_CHANNEL_PAY_URL"):
        payments_settings()
    monkeypatch.setenv("STAGE", "local")
    reset_settings()
    assert payments_settings().payment_channel_pay_url == "http://pay.example/cashier"
