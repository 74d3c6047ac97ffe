"""The courier channel's pure rules: the one transition table (a shipment's
state is the greatest event seen), and the one mapping of the partner's
schema to ours."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.delivery import partner
from shared.delivery.events import ShipmentFacts
from shared.delivery.partner import UnmappableMessage, to_update
from shared.delivery.states import TERMINAL, TRANSITIONS, ShipmentState, moves_forward, order_key
from shared.notifications.consumers import HANDLED_EVENT_TYPES, message_for, messages_for
from shared.platform.events import Envelope

T0 = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)


def _fold(events: list[tuple[ShipmentState, dt.datetime]]) -> tuple[ShipmentState, dt.datetime]:
    state, at, key = ShipmentState.REQUESTED, T0, order_key(ShipmentState.REQUESTED, T0)
    for new_state, new_at in events:
        if moves_forward(key, new_state, new_at):
            state, at, key = new_state, new_at, order_key(new_state, new_at)
    return state, at


class TestTransitions:
    def test_later_events_move_forward_earlier_ones_do_not(self) -> None:
        key = order_key(ShipmentState.IN_TRANSIT, T0 + dt.timedelta(hours=2))
        assert moves_forward(key, ShipmentState.OUT_FOR_DELIVERY, T0 + dt.timedelta(hours=3))
        assert not moves_forward(key, ShipmentState.PICKED_UP, T0 + dt.timedelta(hours=1))
        assert not moves_forward(key, ShipmentState.IN_TRANSIT, T0 + dt.timedelta(hours=2))  # the same fact

    def test_a_failed_attempt_is_followed_by_another_delivery_round(self) -> None:
        key = order_key(ShipmentState.FAILED_ATTEMPT, T0)
        assert moves_forward(key, ShipmentState.OUT_FOR_DELIVERY, T0 + dt.timedelta(days=1))

    def test_at_the_same_moment_the_later_stage_wins(self) -> None:
        assert moves_forward(order_key(ShipmentState.PICKED_UP, T0), ShipmentState.IN_TRANSIT, T0)
        assert not moves_forward(order_key(ShipmentState.IN_TRANSIT, T0), ShipmentState.PICKED_UP, T0)

    @pytest.mark.parametrize("terminal", sorted(TERMINAL))
    def test_terminal_states_are_never_left(self, terminal: ShipmentState) -> None:
        key = order_key(terminal, T0)
        later = T0 + dt.timedelta(days=3)
        assert not any(moves_forward(key, s, later) for s in ShipmentState if s not in TERMINAL)
        assert TRANSITIONS[terminal] == frozenset()

    def test_times_in_other_offsets_compare_as_instants(self) -> None:
        beijing = dt.timezone(dt.timedelta(hours=8))
        key = order_key(ShipmentState.IN_TRANSIT, dt.datetime(2026, 9, 21, 10, 0, tzinfo=beijing))  # 02:00 UTC
        assert moves_forward(key, ShipmentState.IN_TRANSIT, dt.datetime(2026, 9, 21, 2, 0, 1, tzinfo=dt.UTC))
        assert not moves_forward(key, ShipmentState.IN_TRANSIT, dt.datetime(2026, 9, 21, 1, 59, tzinfo=dt.UTC))

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.tuples(st.sampled_from(list(ShipmentState)), st.integers(min_value=0, max_value=50)),
            min_size=1,
            max_size=12,
        ),
        st.randoms(use_true_random=False),
    )
    def test_any_order_and_any_duplicates_end_in_the_same_state(
        self, raw: list[tuple[ShipmentState, int]], rng: object
    ) -> None:
        events = [(state, T0 + dt.timedelta(minutes=minutes)) for state, minutes in raw]
        shuffled = [*events, *events[: len(events) // 2]]
        rng.shuffle(shuffled)  # type: ignore[attr-defined]
        assert _fold(shuffled) == _fold(events)


class TestPartnerMapping:
    def test_a_route_event_in_beijing_time(self) -> None:
        update = to_update(
            json.dumps(
                {
                    "msg_type": "ROUTE",
                    "mail_no": "1190000000017",
                    "order_no": "01JDQ9A0000000000000000S01",
                    "op_code": "40",
                    "op_name": "已妥投",
                    "op_time": "2026-09-22 10:12:00",
                    "city": "南京市",
                    "site": "天元中路营业部",
                    "signer": "张伟",
                    "pod_url": "https://pod.example/1.jpg",
                },
                ensure_ascii=False,
            )
        )
        assert update.state is ShipmentState.DELIVERED
        assert update.at == dt.datetime(2026, 9, 22, 2, 12, tzinfo=dt.UTC)
        assert update.waybill == "1190000000017"
        assert update.shipment_id == "01JDQ9A0000000000000000S01"
        assert update.location == "南京市 天元中路营业部"
        assert update.proof_signer == "张*"
        assert "张伟" not in update.raw  # kept for audit with the signer masked
        assert '"signer":"张*"' in update.raw

    def test_the_same_fact_twice_has_one_fingerprint_another_fact_another(self) -> None:
        event = {"msg_type": "ROUTE", "mail_no": "1190000000017", "op_code": "20", "op_time": "2026-09-21 15:00:00"}
        assert to_update(event).fingerprint == to_update(dict(event)).fingerprint
        assert to_update(event).fingerprint != to_update(event | {"op_time": "2026-09-21 15:00:01"}).fingerprint

    def test_order_results(self) -> None:
        accepted = to_update(
            {
                "msg_type": "ORDER_RESULT",
                "order_no": "S1",
                "result": "ACCEPTED",
                "mail_no": "11",
                "op_time": "2026-09-21 10:00:00",
            }
        )
        assert (accepted.state, accepted.shipment_id, accepted.waybill) == (ShipmentState.ACCEPTED, "S1", "11")
        rejected = to_update(
            {
                "msg_type": "ORDER_RESULT",
                "order_no": "S1",
                "result": "REJECTED",
                "reason": "超区",
                "op_time": "2026-09-21T10:00:00+08:00",
            }
        )
        assert rejected.state is ShipmentState.CANCELLED
        assert "超区" in rejected.description

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            ("not json", "not JSON"),
            ("[1]", "not a JSON object"),
            ({"msg_type": "PING"}, "unknown msg_type 'PING'"),
            (
                {"msg_type": "ROUTE", "mail_no": "1", "op_code": "99", "op_time": "2026-09-21 10:00:00"},
                "unknown status op_code '99'",
            ),
            ({"msg_type": "ROUTE", "mail_no": "1", "op_code": "20", "op_time": "yesterday"}, "bad op_time"),
            (
                {"msg_type": "ROUTE", "op_code": "20", "op_time": "2026-09-21 10:00:00"},
                "missing or bad fields: mail_no",
            ),
            (
                {"msg_type": "ORDER_RESULT", "order_no": "S1", "result": "ACCEPTED", "op_time": "2026-09-21 10:00:00"},
                "without mail_no",
            ),
        ],
    )
    def test_what_cannot_be_mapped_says_why(self, body: object, reason: str) -> None:
        with pytest.raises(UnmappableMessage, match=reason.replace("(", r"\(").replace(")", r"\)")):
            to_update(body if isinstance(body, str) else json.dumps(body))

    def test_every_partner_code_maps_to_a_state(self) -> None:
        assert set(partner.STATUS_CODES.values()) <= set(ShipmentState)


def _facts(**changes: object) -> dict[str, object]:
    return (
        ShipmentFacts(
            shipment_id="01JDQ9A0000000000000000S01",
            kind="result_delivery",
            case_id="01JDQ9A0000000000000000C01",
            case_number="3201152026092103000001",
            item_name="个体工商户设立登记",
            department_id="320115-market",
            region_code="320115",
            notify_subject_id="01JDQ90F3W7C8M2T6R4K9N5XA1",
            state="returned",
            state_at=T0,
            waybill="1190000000017",
            carrier="jszw-courier",
            destination_region_code="320115",
            recipient_masked="张* 138****0001",
            contents=["decision_document", "licence_certificate"],
        ).model_dump(mode="json")
        | changes
    )


class TestMessages:
    def test_the_applicant_hears_of_these_shipment_facts_only(self) -> None:
        shipment_types = {t for t in HANDLED_EVENT_TYPES if t.startswith("shipment.")}
        assert shipment_types == {
            "shipment.accepted",
            "shipment.delivery_failed",
            "shipment.returned",
            "shipment.cancelled",
            "shipment.ready_for_pickup",  # 大厅自取: the pickup code (D-219)
        }

    def test_accepted_tells_the_applicant_the_waybill(self) -> None:
        event = Envelope(type="shipment.accepted", source="delivery", subject="S", data=_facts(state="accepted"))
        owner, message = message_for(event)
        assert owner == "01JDQ90F3W7C8M2T6R4K9N5XA1"
        assert message.title == "结果已交寄"
        assert "1190000000017" in message.body
        assert "决定文书、证照" in message.body

    def test_a_return_alerts_the_applicant_and_the_responsible_staff_member(self) -> None:
        event = Envelope(
            type="shipment.returned", source="delivery", subject="S", data=_facts(handler_subject_id="STAFF-1")
        )
        found = messages_for(event)
        assert [owner for owner, _ in found] == ["01JDQ90F3W7C8M2T6R4K9N5XA1", "STAFF-1"]
        assert found[0][1].title == "快递已退回"
        assert found[1][1].title == "寄递退回，请处理"
        assert {m.dedupe_key for _, m in found} == {event.id}

    def test_without_a_known_staff_member_only_the_applicant_is_told(self) -> None:
        event = Envelope(type="shipment.returned", source="delivery", subject="S", data=_facts())
        assert [owner for owner, _ in messages_for(event)] == ["01JDQ90F3W7C8M2T6R4K9N5XA1"]

    def test_other_events_still_reach_one_inbox(self) -> None:
        event = Envelope(
            type="identity.account_registered",
            source="identity",
            subject="X",
            data={"subject_id": "X", "role": "citizen"},
        )
        assert [owner for owner, _ in messages_for(event)] == ["X"]
