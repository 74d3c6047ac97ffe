"""licence_issuer — issues the e-licence of an approved case (制证, C11).

Fed by LicenceIssueQueue (LicenceIssueRule: `case.licence_due` from the cases
context). Each record names a case; the licences context forms the GB/T
36904 identifier and GB/T 36903 metadata, signs the QR payload with the
issuing key (KMS ECDSA P-256, or SM2/SM3), stores the PDF certificate and
writes the licence with `licence.issued` in one transaction — the case
moves on when the case-progress worker gets that event. One licence per
case: a redelivered event finds the case's licence and adds nothing. An
event that can never be issued (unknown licence type or holder) is parked
in LicenceIssueDLQ at once with the reason.

The same queue brings a renewal case's (延续, Art. 50) submission and end
(`case.submitted`, `case.decided`, `case.withdrawn`, `case.refused_at_intake`
naming `renews_licence_id`; D-181): the licence it renews remembers the pending
renewal, so the expiry sweep deems it renewed instead of expired while it is
undecided, and a refusal ends it. The rule filters on `renews_licence_id` (D-197), so
other cases' events do not reach the queue; one that does is acknowledged unread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.identity import api as identity
from shared.identity.config import identity_settings
from shared.licences import api as licences
from shared.licences.config import licence_documents_settings, licences_settings, signing_settings
from shared.platform.config import consumer_settings, require, sealing_settings
from shared.platform.consumer import PermanentFailure, batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    licences_settings,
    licence_documents_settings,
    signing_settings,
    identity_settings,
    sealing_settings,
    consumer_settings,
)

if TYPE_CHECKING:
    from shared.cases.events import CaseFacts, DecidedData, LicenceDueData

# the licences context's port: the holder's name and ID number for the certificate (identity)
licences.wire(holders=identity)

LICENCE_DUE = "case.licence_due"  # shared.cases.events.LICENCE_DUE (a test keeps them equal)
SUBMITTED = "case.submitted"
DECIDED = "case.decided"
# a renewal that ends without a decision to renew: the licence stops waiting for it
RENEWAL_ENDS = ("case.withdrawn", "case.refused_at_intake")


def _licence_due() -> type[LicenceDueData]:
    from shared.cases.events import LicenceDueData  # first use: the cases models stay out of the cold start

    return LicenceDueData


def _case_facts() -> type[CaseFacts]:
    from shared.cases.events import CaseFacts

    return CaseFacts


def _decided() -> type[DecidedData]:
    from shared.cases.events import DecidedData

    return DecidedData


issuance: Dispatcher[None] = Dispatcher("licence_issuer")


@issuance.on(LICENCE_DUE, data=_licence_due)
def issue(due: LicenceDueData, envelope: Envelope) -> None:
    # imported on first use (boto3, the signer, the PDF renderer): a smaller cold start
    from shared.licences.api import IssuanceRefused, licences_service

    try:
        outcome = licences_service().issue(due, correlation_id=envelope.correlation_id or envelope.id)
    except IssuanceRefused as exc:
        raise PermanentFailure(str(exc)) from None
    metrics().add_metric(name=f"Licence_{outcome.result}", unit=MetricUnit.Count, value=1)
    logger().info(
        "licence issuance",
        extra={
            "case_id": due.case_id,
            "event_id": envelope.id,
            "licence_id": outcome.licence_id,
            "result": outcome.result,
        },
    )


@issuance.on(SUBMITTED, data=_case_facts)
def renewal_applied(case: CaseFacts, envelope: Envelope) -> None:
    if case.renews_licence_id is None:
        return
    from shared.licences.api import licences_service

    changed = licences_service().renewal_applied(
        case.renews_licence_id, case.case_id, correlation_id=envelope.correlation_id or envelope.id
    )
    logger().info("renewal applied", extra={"case_id": case.case_id, "event_id": envelope.id, "changed": changed})


def _renewal_ended(case: CaseFacts, reason: str, envelope: Envelope) -> None:
    from shared.licences.api import licences_service
    from shared.platform.clock import today_in_shanghai

    assert case.renews_licence_id is not None
    changed = licences_service().renewal_ended(
        case.renews_licence_id,
        case.case_id,
        reason,
        today_in_shanghai(),
        correlation_id=envelope.correlation_id or envelope.id,
    )
    logger().info("renewal ended", extra={"case_id": case.case_id, "event_id": envelope.id, "changed": changed})


@issuance.on(DECIDED, data=_decided)
def renewal_decided(case: DecidedData, envelope: Envelope) -> None:
    # an approval ends the wait through case.licence_due: the renewed version supersedes the licence
    if case.renews_licence_id is not None and case.outcome != "approved":
        _renewal_ended(case, case.outcome, envelope)


@issuance.on(*RENEWAL_ENDS, data=_case_facts)
def renewal_closed(case: CaseFacts, envelope: Envelope) -> None:
    if case.renews_licence_id is not None:
        _renewal_ended(case, case.state, envelope)


_consume = batch_handler(issuance.record_handler(), metric="LicenceIssueParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
