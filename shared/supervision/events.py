"""Events the supervision context publishes (source `jszw.supervision`), through
the outbox in the same transaction as the change they describe. It consumes
`limit.set` / `limit.cleared` from every context (shared/platform/limits.py).
"""

from __future__ import annotations

SOURCE = "supervision"
