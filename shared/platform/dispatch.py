"""One way for a consumer to route events: event type → typed data model → handler.

A consumer builds one `Dispatcher` and registers its handlers on it:

    dispatcher: Dispatcher[None] = Dispatcher("payment_order_worker")

    @dispatcher.on(FEE_DUE, data=FeeDueData)
    def open_order(due: FeeDueData, envelope: Envelope) -> None: ...

`dispatch(envelope)` validates the envelope's `data` against the model the
handler was registered with and calls it. A type nobody registered is an
`UnexpectedEvent`, and data that does not match its model a
`PermanentFailure`: retrying can fix neither, so the shared consumer parks
the message at once with the reason (`shared.platform.consumer`).
`event_types` is what the consumer's rule should subscribe to (tests compare
it with the template). Registries combine with `include`, so a consumer fed
by several contexts (notifications) keeps one module per context, and
`include_on_first_use` names such a module by the event-type prefixes it
handles and imports it on the first event of one of them: a consumer fed by
seven contexts does not build seven contexts' event models at cold start.
`data` may also be a function returning the model, for a consumer that keeps
a heavy models module out of its cold start (licence_issuer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ValidationError

from shared.platform.consumer import PermanentFailure, RecordHandler, UnexpectedEvent
from shared.platform.events import Envelope, parse_bus_message
from shared.platform.observability import logger, metrics


@dataclass
class _Entry[Result]:
    data: type[BaseModel] | Callable[[], type[BaseModel]]
    handle: Callable[[Any, Envelope], Result]

    def model(self) -> type[BaseModel]:
        if not isinstance(self.data, type):
            self.data = self.data()  # a loader: called on the first event of its type
        return self.data


class Dispatcher[Result]:
    """The handlers of one consumer, by event type."""

    def __init__(self, consumer: str) -> None:
        self.consumer = consumer
        self._entries: dict[str, _Entry[Result]] = {}
        # event-type prefix ("case.") -> the registry that handles it, not imported yet
        self._pending: dict[str, Callable[[], Dispatcher[Result]]] = {}

    def on[Data: BaseModel](
        self, *event_types: str, data: type[Data] | Callable[[], type[Data]]
    ) -> Callable[[Callable[[Data, Envelope], Result]], Callable[[Data, Envelope], Result]]:
        """Register the decorated handler for `event_types`, their data read as `data`."""

        def register(handle: Callable[[Data, Envelope], Result]) -> Callable[[Data, Envelope], Result]:
            for event_type in event_types:
                self._add(event_type, _Entry(data, handle))
            return handle

        return register

    def include(self, other: Dispatcher[Result]) -> None:
        """Take over every handler of `other` (a type handled twice is a mistake)."""
        for event_type, entry in other._entries.items():
            self._add(event_type, entry)

    def include_on_first_use(self, load: Callable[[], Dispatcher[Result]], *prefixes: str) -> None:
        """Include the registry `load` returns when the first event whose type starts with one
        of `prefixes` (e.g. "case.") arrives; its module and models stay out of the cold start."""
        for prefix in prefixes:
            if prefix in self._pending:
                raise ValueError(f"{self.consumer}: {prefix} has a registry already")
            self._pending[prefix] = load

    def _load_pending(self, event_type: str | None = None) -> None:
        """Include the pending registries for `event_type` (every one when None)."""
        for prefix, load in list(self._pending.items()):
            if prefix not in self._pending or (event_type is not None and not event_type.startswith(prefix)):
                continue
            # one registry may answer several prefixes (ratings: rating. and rectification.)
            for other in [p for p, loader in self._pending.items() if loader is load]:
                del self._pending[other]
            self.include(load())

    def _add(self, event_type: str, entry: _Entry[Result]) -> None:
        if event_type in self._entries:
            raise ValueError(f"{self.consumer}: {event_type} has a handler already")
        self._entries[event_type] = entry

    @property
    def event_types(self) -> tuple[str, ...]:
        self._load_pending()
        return tuple(self._entries)

    def dispatch(self, envelope: Envelope) -> Result:
        # the lines this event causes carry its correlation id, as a request's do (the guide's rule, D-333)
        logger().set_correlation_id(envelope.correlation_id or envelope.id)
        entry = self._entries.get(envelope.type)
        if entry is None and self._pending:
            self._load_pending(envelope.type)
            entry = self._entries.get(envelope.type)
        if entry is None:
            raise UnexpectedEvent(envelope.type)
        model = entry.model()
        try:
            data = model.model_validate(envelope.data)
        except ValidationError as exc:
            # the count, not the errors: they would echo the event's values into the DLQ and the logs
            raise PermanentFailure(
                f"{envelope.type} data does not match {model.__name__} ({exc.error_count()} errors)"
            ) from None
        return entry.handle(data, envelope)

    def record_handler(self, *, reported: Reported | None = None) -> RecordHandler:
        """For `shared.platform.consumer.batch_handler`: each SQS record carries one bus event.
        With `reported`, a handler's True/False answer (applied or not) is counted as the metric
        `<metric>_<applied|unapplied word>` and logged with the event's id and type."""

        def handle(record: SQSRecord) -> None:
            envelope = parse_bus_message(record.body)
            answer = self.dispatch(envelope)
            if reported is not None:
                reported.report(envelope, bool(answer))

        return handle


@dataclass(frozen=True)
class Reported:
    """How a consumer whose handlers answer "applied or not" reports each event (metric and log line)."""

    metric: str
    message: str
    unapplied: str = "ignored"  # the word for False: ignored, duplicate, unchanged

    def report(self, envelope: Envelope, applied: bool) -> None:
        result = "applied" if applied else self.unapplied
        metrics().add_metric(name=f"{self.metric}_{result}", unit=MetricUnit.Count, value=1)
        # a change gets its INFO line; an event that changed nothing is the metric's to count (D-333)
        log = logger().info if applied else logger().debug
        log(self.message, extra={"event_id": envelope.id, "event_type": envelope.type, "result": result})
