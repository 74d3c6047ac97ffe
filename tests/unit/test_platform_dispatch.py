"""The event-dispatch registry: event type → typed data → handler, and what a
consumer does with events it cannot handle."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import BaseModel

from shared.platform.consumer import PermanentFailure, UnexpectedEvent
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope


class Paid(BaseModel):
    order_id: str
    amount_fen: int


def _event(event_type: str, **data: object) -> Envelope:
    return Envelope(type=event_type, source="tests", subject="s", data=dict(data))


def test_each_type_reaches_its_handler_with_typed_data() -> None:
    consumer: Dispatcher[str] = Dispatcher("test")

    @consumer.on("payment.paid", data=Paid)
    def paid(data: Paid, envelope: Envelope) -> str:
        return f"{envelope.type} {data.order_id} {data.amount_fen + 1}"

    assert consumer.dispatch(_event("payment.paid", order_id="PO-1", amount_fen="41")) == "payment.paid PO-1 42"
    assert consumer.event_types == ("payment.paid",)


def test_an_unregistered_type_is_unexpected() -> None:
    consumer: Dispatcher[None] = Dispatcher("test")
    with pytest.raises(UnexpectedEvent, match=r"payment\.refunded"):
        consumer.dispatch(_event("payment.refunded"))


def test_data_that_does_not_fit_its_model_is_a_permanent_failure_without_its_values() -> None:
    consumer: Dispatcher[None] = Dispatcher("test")
    consumer.on("payment.paid", data=Paid)(lambda data, envelope: None)

    with pytest.raises(PermanentFailure) as failure:
        consumer.dispatch(_event("payment.paid", order_id="13800000001", amount_fen="lots"))
    assert str(failure.value) == "payment.paid data does not match Paid (1 errors)"


def test_registries_combine_but_a_type_has_one_handler() -> None:
    cases: Dispatcher[str] = Dispatcher("cases")
    payments: Dispatcher[str] = Dispatcher("payments")
    cases.on("case.accepted", data=Paid)(lambda data, envelope: "case")
    payments.on("payment.paid", data=Paid)(lambda data, envelope: "payment")
    everything: Dispatcher[str] = Dispatcher("all")
    everything.include(cases)
    everything.include(payments)

    assert everything.dispatch(_event("payment.paid", order_id="P", amount_fen=1)) == "payment"
    assert set(everything.event_types) == {"case.accepted", "payment.paid"}
    with pytest.raises(ValueError, match=r"payment\.paid has a handler already"):
        everything.include(payments)


def test_a_model_loader_runs_on_the_first_event_of_its_type_only() -> None:
    loads: list[str] = []

    def load() -> type[Paid]:
        loads.append("loaded")
        return Paid

    consumer: Dispatcher[int] = Dispatcher("test")
    consumer.on("payment.paid", data=load)(lambda data, envelope: data.amount_fen)
    assert loads == []

    assert consumer.dispatch(_event("payment.paid", order_id="P", amount_fen=1)) == 1
    assert consumer.dispatch(_event("payment.paid", order_id="P", amount_fen=2)) == 2
    assert loads == ["loaded"]


def test_a_registry_named_by_prefix_is_imported_on_the_first_event_of_its_types() -> None:
    loads: list[str] = []
    payments: Dispatcher[str] = Dispatcher("payments")
    payments.on("payment.paid", data=Paid)(lambda data, envelope: "paid")
    ratings: Dispatcher[str] = Dispatcher("ratings")
    ratings.on("rating.given", "rectification.answered", data=Paid)(lambda data, envelope: "rated")

    def load(registry: Dispatcher[str], name: str) -> Callable[[], Dispatcher[str]]:
        def loader() -> Dispatcher[str]:
            loads.append(name)
            return registry

        return loader

    consumer: Dispatcher[str] = Dispatcher("test")
    consumer.include_on_first_use(load(payments, "payments"), "payment.")
    consumer.include_on_first_use(load(ratings, "ratings"), "rating.", "rectification.")
    assert loads == []

    assert consumer.dispatch(_event("rectification.answered", order_id="P", amount_fen=1)) == "rated"
    assert consumer.dispatch(_event("rating.given", order_id="P", amount_fen=1)) == "rated"
    assert loads == ["ratings"]  # once, for both of its prefixes
    with pytest.raises(UnexpectedEvent, match=r"shipment\.returned"):
        consumer.dispatch(_event("shipment.returned"))
    assert loads == ["ratings"]

    assert set(consumer.event_types) == {"payment.paid", "rating.given", "rectification.answered"}
    assert loads == ["ratings", "payments"]


def test_a_reported_consumer_counts_and_logs_whether_each_event_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from shared.platform import dispatch
    from tests.support.handlers import sqs_event

    counted: list[str] = []
    logged: list[tuple[str, str, dict[str, object]]] = []
    correlations: list[str] = []

    class Metrics:
        def add_metric(self, *, name: str, unit: object, value: float) -> None:
            counted.append(name)

    class Logger:
        def info(self, message: str, *, extra: dict[str, object]) -> None:
            logged.append(("INFO", message, extra))

        def debug(self, message: str, *, extra: dict[str, object]) -> None:
            logged.append(("DEBUG", message, extra))

        def set_correlation_id(self, value: str) -> None:
            correlations.append(value)

    monkeypatch.setattr(dispatch, "metrics", Metrics)
    monkeypatch.setattr(dispatch, "logger", Logger)
    consumer: Dispatcher[bool] = Dispatcher("test")
    consumer.on("payment.paid", data=Paid)(lambda data, envelope: data.amount_fen > 0)
    handle = consumer.record_handler(reported=dispatch.Reported("Payments", "payment event", "duplicate"))
    events = [_event("payment.paid", order_id="P", amount_fen=amount) for amount in (5, 0)]

    for record in sqs_event([e.model_dump(mode="json") for e in events])["Records"]:
        handle(SQSRecord(record))

    assert counted == ["Payments_applied", "Payments_duplicate"]
    # a change gets its INFO line; what changed nothing is the metric's to count (D-333)
    assert [(level, message, extra["event_id"], extra["result"]) for level, message, extra in logged] == [
        ("INFO", "payment event", events[0].id, "applied"),
        ("DEBUG", "payment event", events[1].id, "duplicate"),
    ]
    # each event's lines carry its correlation id (its own id when it has none)
    assert correlations == [e.correlation_id or e.id for e in events]
