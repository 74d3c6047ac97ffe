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
- `repository` the only module that knows the table's keys.

Live monitoring counters and department scorecards live in their own modules
of this context (another team's part); keep this package's public module and
settings additive.
"""
