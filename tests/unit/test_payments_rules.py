"""Pure rules of the payments context: the notice number's check digit
(property-based), the one transition table, the channel's format at the edge."""

from __future__ import annotations

import datetime as dt
import json
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.payments import channel, notice_numbers
from shared.payments.models import Outcome
from shared.payments.states import OPEN_STATES, TRANSITIONS, OrderAction, OrderState, TransitionNotAllowed, next_state

regions = st.sampled_from(["320102", "320115", "320500", "321300", "320000"])
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
serials = st.integers(min_value=0, max_value=9_999_999)


class TestNoticeNumbers:
    @given(regions, days, serials)
    def test_every_issued_number_is_valid_and_laid_out(self, region: str, day: dt.date, serial: int) -> None:
        number = notice_numbers.new_notice_number(region, day, serial)
        assert len(number) == 20
        assert number.isdigit()
        assert (number[:6], number[6:12], int(number[12:19])) == (region, day.strftime("%y%m%d"), serial)
        assert notice_numbers.is_valid(number)

    @given(regions, days, serials, st.integers(min_value=0, max_value=19), st.integers(min_value=1, max_value=9))
    def test_any_single_digit_error_is_caught(
        self, region: str, day: dt.date, serial: int, position: int, delta: int
    ) -> None:
        number = notice_numbers.new_notice_number(region, day, serial)
        wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
        assert not notice_numbers.is_valid(wrong)

    @given(regions, days, serials, st.integers(min_value=0, max_value=18))
    def test_any_adjacent_transposition_is_caught(self, region: str, day: dt.date, serial: int, position: int) -> None:
        number = notice_numbers.new_notice_number(region, day, serial)
        a, b = number[position], number[position + 1]
        swapped = number[:position] + b + a + number[position + 2 :]
        assert notice_numbers.is_valid(swapped) is (a == b)

    def test_a_known_value(self) -> None:
        # Damm's own example: 572 has check digit 4
        assert notice_numbers.check_digit("572") == "4"
        assert notice_numbers.new_notice_number("320115", dt.date(2026, 9, 21), 1) == "32011526092100000018"

    @pytest.mark.parametrize(
        "bad", ["", "3201152609210000001", "320115260921000000１2", "3201152609210000001X", "32011526092100000013"]
    )
    def test_malformed_numbers_are_invalid(self, bad: str) -> None:
        assert not notice_numbers.is_valid(bad)


class TestTransitions:
    def test_the_table_has_the_issue_states(self) -> None:
        assert set(OrderState) == {s for pair in TRANSITIONS for s in (pair[0],)} | set(TRANSITIONS.values())

    @pytest.mark.parametrize("state", sorted(OPEN_STATES))
    def test_open_orders_can_be_paid_expired_and_cancelled(self, state: OrderState) -> None:
        assert next_state(state, OrderAction.SUCCEED) is OrderState.PAID
        assert next_state(state, OrderAction.EXPIRE) is OrderState.EXPIRED
        assert next_state(state, OrderAction.CANCEL) is OrderState.CANCELLED

    @pytest.mark.parametrize("state", [OrderState.EXPIRED, OrderState.CANCELLED])
    def test_a_late_success_is_kept_for_refund(self, state: OrderState) -> None:
        assert next_state(state, OrderAction.PAID_LATE) is OrderState.REFUND_REQUESTED
        with pytest.raises(TransitionNotAllowed):
            next_state(state, OrderAction.SUCCEED)

    def test_refunds(self) -> None:
        assert next_state(OrderState.PAID, OrderAction.REQUEST_REFUND) is OrderState.REFUND_REQUESTED
        assert next_state(OrderState.REFUND_REQUESTED, OrderAction.REFUND) is OrderState.REFUNDED
        for action in OrderAction:
            with pytest.raises(TransitionNotAllowed):
                next_state(OrderState.REFUNDED, action)


class TestChannelFormat:
    RAW: ClassVar[dict[str, object]] = {
        "transaction_id": "JSP1",
        "out_trade_no": "01JDQ9A0000000000000000P01",
        "notice_no": "32011526092100000018",
        "trade_state": "SUCCESS",
        "total_fee": 2000,
        "fee_type": "CNY",
        "payer_id": "01JDQ90F3W7C8M2T6R4K9N5XA1",
        "success_time": "2026-09-21T10:00:00+08:00",
    }

    def test_a_callback_maps_to_our_terms_and_back(self) -> None:
        notice = channel.parse_callback_body("jspay", json.dumps(self.RAW).encode())
        assert (notice.outcome, notice.amount_fen, notice.order_id) == (Outcome.SUCCESS, 2000, self.RAW["out_trade_no"])
        assert channel.to_notice("jspay", channel.notification_of(notice)) == notice

    @pytest.mark.parametrize(
        "raw",
        [
            b"not json",
            b"[]",
            json.dumps(RAW | {"trade_state": "PENDING"}).encode(),
            json.dumps(RAW | {"total_fee": "twenty"}).encode(),
            json.dumps(RAW | {"success_time": "yesterday"}).encode(),
            json.dumps(RAW | {"out_trade_no": ""}).encode(),
        ],
    )
    def test_unreadable_payloads_are_refused(self, raw: bytes) -> None:
        with pytest.raises(channel.MalformedNotification):
            channel.parse_callback_body("jspay", raw)

    def test_a_statement_round_trips(self) -> None:
        notice = channel.to_notice("jspay", self.RAW)
        text = channel.statement_csv([notice])
        assert text.splitlines()[0] == ",".join(channel.STATEMENT_COLUMNS)
        read = [channel.to_notice("jspay", row) for row in channel.statement_rows(text)]
        assert read == [notice.model_copy(update={"payer_id": None})]
