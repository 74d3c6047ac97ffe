"""The ratings context (好差评, C13/C27/C28): invitations to rate a finished case or
12345 ticket, ratings (five levels, 一事一评), their appeals (申诉), the
rectification order (整改单) every 差评 opens, score counters per department and
month, and the public exposure column (曝光纠错). Owns the Ratings table.

- `models`     levels, reasons, channels, records and API views;
- `events`     what the context publishes (`rating.*`, `rectification.*`, and
               `limit.*` for the rectification's limits);
- `service`    use cases: invite (from other contexts' events), rate, change,
               link ratings, appeals, rectification steps, counters, listings;
- `repository` the only module that knows the table's keys.

A target is `(kind, id)`: `case` today, `ticket` once the 12345 context
publishes `ticket.closed`; nothing else depends on the kind.
"""
