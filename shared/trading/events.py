"""Events the trading context publishes (source `jszw.trading`), through the outbox in the
same transaction as the change they describe.

| type                          | when                                                  | consumers |
|-------------------------------|-------------------------------------------------------|-----------|
| `trading.notice_published`    | a centre published a notice (periods checked)         | — |
| `trading.party_flagged`       | a bidder or candidate is on a credit list: for the supervisor | — (not consumed yet) |
| `trading.candidates_published` | 中标候选人公示 began                                  | — |
| `trading.result_published`    | 中标结果 published                                     | — |
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.platform.events import Envelope, make_envelope, register_event_type

SOURCE = "trading"
NOTICE_PUBLISHED = "trading.notice_published"
PARTY_FLAGGED = "trading.party_flagged"
CANDIDATES_PUBLISHED = "trading.candidates_published"
RESULT_PUBLISHED = "trading.result_published"


class NoticeFacts(BaseModel):
    model_config = ConfigDict(defer_build=True)

    notice_id: str
    kind: str
    title: str
    region_code: str
    stage: str
    bid_deadline: str
    winner_uscc: str | None = None


class FlagFacts(NoticeFacts):
    uscc: str
    lists: list[str]
    flagged_at_stage: str


register_event_type(NOTICE_PUBLISHED, NoticeFacts, "A trading centre published a notice (招标 / 采购 / 出让公告).")
register_event_type(
    PARTY_FLAGGED, FlagFacts, "A bidder or candidate is on a credit list (失信被执行人 …): the supervisor is told."
)
register_event_type(CANDIDATES_PUBLISHED, NoticeFacts, "The winning candidates' publicity began (中标候选人公示).")
register_event_type(RESULT_PUBLISHED, NoticeFacts, "The result was published (中标结果公告).")


def envelope(event_type: str, data: NoticeFacts, correlation_id: str | None) -> Envelope:
    """The event about `data`'s notice (the platform's one envelope builder, D-304)."""
    return make_envelope(SOURCE, event_type, data.notice_id, data, correlation_id)
