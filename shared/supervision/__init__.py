"""The supervision context (效能监察与督办, C20, C26): one clock and one warning
mechanism for every time limit of the platform, and supervision orders (督办单).
Owns the Supervision table.

Contexts that run limits (cases, joint tasks, 12345 tickets, rectification orders,
claims) publish them as facts (`limit.set` / `limit.cleared`, shared/platform/limits.py);
this context keeps the newest state of each (`watcher`), raises yellow and red warnings
from a due index (`warnings`), lists them to supervisors by region prefix, and runs
supervision orders with their own limits.

- `models`     limits as watched, warnings, settings-derived policy;
- `events`     what the context publishes (source `jszw.supervision`);
- `watcher`    the `limit.set` / `limit.cleared` consumer's rules (newest version wins);
- `repository` the keys of limits, warnings and orders.

Live monitoring and department scorecards (issue 15, D-125 … D-128):
- `monitoring`          the counter model: a case's track and what it contributes;
- `scorecards`          the rule engine (metrics, published rules, cards);
- `monitoring_store`    their records in the Supervision table;
- `monitoring_service`  applying events, the supervisors' views, monthly scorecards;
- `monitoring_consumer`, `monitoring_sources`  the monitoring worker's handlers;
- `monitoring_routes`   `/v1/supervision/monitoring`, scorecards, scoring rules.
"""
