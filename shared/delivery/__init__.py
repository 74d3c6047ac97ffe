"""The delivery context (快递送, C12): courier shipments of case results and
pickups of paper materials, booked with a courier partner through partner
queues, tracked from the partner's status events. Owns the Delivery table.

- `states`     one transition table: how a shipment's state moves (forward only);
- `partner`    the courier partner's message schema and its ONE mapping to ours;
- `models`     shipments, tracking entries, API views;
- `events`     what the context publishes (`shipment.*`, source `jszw.delivery`);
- `service`    use cases: create from `case.delivery_due`, book, apply status events,
               counter handover, listings;
- `repository` the only module that knows the table's keys.
"""
