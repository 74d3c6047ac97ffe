"""Halls and appointments (issue 17, first slice) against moto in-process:
booking never exceeds a slot's capacity under concurrent bookers, cancelling
frees the place once, slots only on working days and in opening hours, the
no-show rule, and the AWS calls a booking costs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.halls.models import BookingState
from shared.halls.repository import HallsRepository, shard_capacity
from shared.halls.rules import CHINA, suspended_until
from shared.halls.seed import SEED_HALLS
from shared.halls.service import HallsService
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.errors import AppError
from shared.workdays.api import Calendar
from tests.support.serialised import serialise_dynamodb

TABLE = "halls-test"
CENTER = SEED_HALLS[0].hall_id  # 玄武区政务服务中心, capacity 20
NOW = dt.datetime(2026, 9, 30, 8, 0, tzinfo=CHINA)  # the day before the National Day holiday
SLOT = dt.datetime(2026, 10, 9, 9, 30, tzinfo=CHINA)  # a working day after it


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CHINA)


@pytest.fixture
def halls() -> Iterator[HallsService]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("HALLS_TABLE", TABLE)
        reset_settings()
        aws.reset_clients()
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
        repository = HallsRepository()
        for hall in SEED_HALLS:
            repository.save_hall(hall)
        clock: dict[str, dt.datetime] = {"now": NOW}
        service = HallsService(repository, Calendar(), clock=lambda: clock["now"])
        service.clock_box = clock  # type: ignore[attr-defined]
        yield service
        reset_settings()
        aws.reset_clients()


def refusal(call: Any) -> str:
    with pytest.raises(AppError) as refused:
        call()
    return refused.value.code


def test_two_hundred_parallel_bookers_get_exactly_twenty_places(
    halls: HallsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_dynamodb(monkeypatch)

    def book(n: int) -> str:
        try:
            halls.book(CENTER, "general", SLOT, f"person-{n:03d}", None)
            return "booked"
        except AppError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = Counter(pool.map(book, range(200)))
    assert outcomes == {"booked": 20, "halls.slot_full": 180}
    # the next slot is untouched
    halls.book(CENTER, "general", SLOT + dt.timedelta(minutes=30), "person-000", None)


def test_cancel_before_cutoff_frees_the_place_once(halls: HallsService) -> None:
    bookings = [halls.book(CENTER, "general", SLOT, f"person-{n}", None) for n in range(20)]
    assert refusal(lambda: halls.book(CENTER, "general", SLOT, "late-comer", None)) == "halls.slot_full"
    halls.cancel(bookings[0].booking_id, "person-0")
    assert refusal(lambda: halls.cancel(bookings[0].booking_id, "person-0")) == "halls.booking_not_active"
    halls.book(CENTER, "general", SLOT, "late-comer", None)  # the freed place
    assert refusal(lambda: halls.book(CENTER, "general", SLOT, "another", None)) == "halls.slot_full"
    # someone else's booking cannot be cancelled by id
    assert refusal(lambda: halls.cancel(bookings[1].booking_id, "person-0")) == "halls.booking_not_found"


def test_cancel_after_the_cutoff_is_refused(halls: HallsService) -> None:
    booking = halls.book(CENTER, "general", SLOT, "person-1", None)
    halls.clock_box["now"] = SLOT - dt.timedelta(minutes=119)  # type: ignore[attr-defined]
    assert refusal(lambda: halls.cancel(booking.booking_id, "person-1")) == "halls.cancel_too_late"


def test_one_booking_per_person_and_slot(halls: HallsService) -> None:
    halls.book(CENTER, "general", SLOT, "person-1", None)
    assert refusal(lambda: halls.book(CENTER, "general", SLOT, "person-1", None)) == "halls.already_booked"


@pytest.mark.parametrize(
    ("starts_at", "group"),
    [
        (at(1, 10), "general"),  # 国庆 holiday
        (at(11, 10), "general"),  # Sunday
        (at(9, 12), "general"),  # lunch break
        (at(9, 16, 45), "general"),  # ends after 17:00
        (at(9, 8, 30), "general"),  # before opening
        (at(9, 10, 15), "general"),  # not on a half hour
        (at(9, 10), "passports"),  # no such window group
        (at(29, 10, month=9), "general"),  # already past
    ],
)
def test_slots_outside_working_days_and_opening_hours_are_refused(
    halls: HallsService, starts_at: dt.datetime, group: str
) -> None:
    assert refusal(lambda: halls.book(CENTER, group, starts_at, "person-1", None)) == "halls.slot_not_open"


def test_an_adjusted_working_saturday_is_bookable(halls: HallsService) -> None:
    booking = halls.book(CENTER, "general", at(10, 16, 30), "person-1", None)  # 2026-10-10 调休上班
    assert booking.state is BookingState.booked


def test_third_no_show_in_90_days_suspends_booking_for_30_days(halls: HallsService) -> None:
    def no_show(day: dt.datetime, person: str = "person-1") -> dt.date | None:
        halls.clock_box["now"] = day - dt.timedelta(days=1)  # type: ignore[attr-defined]
        booking = halls.book(CENTER, "general", day, person, None)
        halls.clock_box["now"] = day + dt.timedelta(hours=2)  # type: ignore[attr-defined]
        return halls.record_no_show(booking.booking_id)

    assert no_show(at(9, 9)) is None
    assert no_show(at(16, 9)) is None
    assert no_show(at(23, 9)) == dt.date(2026, 11, 22)
    halls.clock_box["now"] = at(1, 9, month=11)  # type: ignore[attr-defined]
    with pytest.raises(AppError) as refused:
        halls.book(CENTER, "general", at(2, 9, month=11), "person-1", None)
    assert (refused.value.code, refused.value.params) == ("halls.booking_suspended", {"until": "2026-11-22"})
    halls.clock_box["now"] = at(22, 8, month=11)  # type: ignore[attr-defined]
    halls.book(CENTER, "general", at(23, 9, month=11), "person-1", None)  # the suspension is over


def test_no_shows_further_apart_than_the_window_do_not_suspend() -> None:
    days = [dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 4, 20)]  # first to third: 105 days
    assert suspended_until(days, dt.date(2026, 4, 21), limit=3, window_days=90, suspension_days=30) is None
    days.append(dt.date(2026, 5, 6))
    assert suspended_until(days, dt.date(2026, 5, 7), limit=3, window_days=90, suspension_days=30) == dt.date(
        2026, 6, 5
    )


def test_shard_parts_add_up_to_the_capacity() -> None:
    for capacity in (1, 6, 20, 23):
        for shards in (1, 4, 7):
            assert sum(shard_capacity(capacity, shards, s) for s in range(shards)) == capacity


def test_halls_near_a_point_nearest_first(halls: HallsService) -> None:
    # 南京市玄武区 孝陵卫 area: the township hall is nearer
    near = halls.halls_near("320102", 32.04, 118.86, radius_km=10)
    assert [h.name for h in near] == ["孝陵卫街道便民服务中心", "玄武区政务服务中心"]
    assert [h.name for h in halls.halls_near("320102", 32.04, 118.86, radius_km=2)] == ["孝陵卫街道便民服务中心"]


def test_aws_calls_per_booking(halls: HallsService) -> None:
    with aws.count_calls() as calls:
        halls.book(CENTER, "general", SLOT, "person-1", None)
    # docs/performance.md: the hall (GetItem) and one transaction
    assert calls == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}


def test_the_no_show_rule_is_configuration(halls: HallsService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALLS_NO_SHOW_LIMIT", "2")
    monkeypatch.setenv("HALLS_SUSPENSION_DAYS", "7")
    reset_settings()
    until = None
    for day in (9, 12):
        halls.clock_box["now"] = at(day, 8)  # type: ignore[attr-defined]
        booking = halls.book(CENTER, "general", at(day, 9), "person-1", None)
        halls.clock_box["now"] = at(day, 11)  # type: ignore[attr-defined]
        until = halls.record_no_show(booking.booking_id)
    assert until == dt.date(2026, 10, 19)


def test_a_full_slot_costs_one_refused_transaction_and_one_read(halls: HallsService) -> None:
    for n in range(20):
        halls.book(CENTER, "general", SLOT, f"person-{n}", None)
    with aws.count_calls() as calls:
        assert refusal(lambda: halls.book(CENTER, "general", SLOT, "late-comer", None)) == "halls.slot_full"
    # docs/performance.md: the own shard's transaction is refused, the others are read once, none has room
    assert calls == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1, "dynamodb.BatchGetItem": 1}
