"""延续 — renewing a licence (行政许可法 第50条) as an application the holder starts
from the licence (or the expiry reminder naming it).

- The case is for the renewal item the catalogue names on the item that issued
  the licence (`renewal_item_code`), at the issuing department: Art. 50 sends the
  application to the body that made the decision.
- Nothing the licence already proves is asked again: every material slot the
  licence type can stand in for is filled with the licence (the holder's consent,
  logged by the licences context, as any once-only reuse), and the form starts
  with the licence number and the values of the original application that the
  renewal form asks for.
- Art. 50's dates travel with the case (`RenewalOf`): apply at least
  `renewal_lead_days` (30 unless a law, regulation or rule says otherwise: item
  data) calendar days before expiry — the holder's time, not an authority's
  limit, so calendar days (Art. 82 counts the authorities' limits in working
  days) — checked when the draft starts and again at the first submission; the
  department decides before the licence expires (`decide_by`).
- One renewal per licence at a time: a case holds its licence from its first
  submission until it is withdrawn, refused or decided (a guard item written in
  those transitions' transactions, D-210); another renewal is refused with 409
  `case.renewal_pending` naming the holding case, when drafted and when submitted.
- An approval issues the renewed licence as the next version of the old one,
  which it supersedes (`replaced`, pointing to the new one): see the licences
  context's issuance of a `case.licence_due` naming `renews_licence_id`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shared.cases import ports
from shared.cases.errors import NOT_RENEWABLE_ONLINE, RENEWAL_PENDING, RENEWAL_TOO_LATE
from shared.cases.forms import form_errors
from shared.cases.ledger import moment, shanghai_day
from shared.cases.models import Case, RenewalOf
from shared.cases.policy import actor_of
from shared.cases.repository import CasesRepository
from shared.cases.shapes import LicenceMaterialRequest, RenewalRequest
from shared.platform.errors import Conflict, NotFound
from shared.platform.principal import Principal

if TYPE_CHECKING:
    from shared.cases.application import Application
    from shared.cases.ports import RenewableLicence


def check_renewal_in_time(renews: RenewalOf, today: dt.date) -> None:
    """409 `case.renewal_too_late` after the last day to apply (Art. 50)."""
    if today > renews.apply_by:
        lead_days = (renews.valid_to - renews.apply_by).days
        raise Conflict(RENEWAL_TOO_LATE, params={"lead_days": lead_days, "apply_by": renews.apply_by.isoformat()})


def check_no_other_renewal(repository: CasesRepository, licence_id: str, case_id: str | None = None) -> None:
    """409 `case.renewal_pending` naming the case that holds the licence, unless it is `case_id`."""
    holder = repository.renewal_holder(licence_id)
    if holder is not None and holder[0] != case_id:
        raise Conflict(RENEWAL_PENDING, params={"case_number": holder[1]})


def renewal_of(licence: RenewableLicence, lead_days: int) -> RenewalOf:
    return RenewalOf(
        licence_id=licence.licence_id,
        identifier=licence.identifier,
        number=licence.number,
        type_code=licence.type_code,
        type_name=licence.type_name,
        valid_to=licence.valid_to,
        apply_by=licence.valid_to - dt.timedelta(days=lead_days),
        decide_by=licence.valid_to,
    )


def prefilled_form(schema: dict[str, Any], licence: RenewableLicence, original: Case | None) -> dict[str, Any]:
    """The renewal form as far as the licence and the original application answer it:
    the licence number, and each value of the original form that the renewal form
    asks for and accepts as it is."""
    properties = schema.get("properties") or {}
    candidates: dict[str, Any] = dict(original.form) if original is not None else {}
    candidates["licence_number"] = licence.number
    return {
        name: value
        for name, value in candidates.items()
        if name in properties and not form_errors(schema, {name: value}, partial=True)
    }


def start_renewal(application: Application, principal: Principal, request: RenewalRequest) -> str:
    """A draft renewal case for the caller's own licence, prefilled; returns its id."""
    from shared.cases.application import applicant_of

    applicant = applicant_of(principal)
    licence = ports.licences()().renewable(principal, request.licence_id)
    check_no_other_renewal(application.ledger.repository, licence.licence_id)
    try:
        issuing_item = ports.items()(licence.item_code)
    except NotFound:
        issuing_item = None
    if issuing_item is None or not issuing_item.renewal_item_code:
        raise Conflict(NOT_RENEWABLE_ONLINE)
    item = application._available_item(issuing_item.renewal_item_code)
    renews = renewal_of(licence, item.renewal_lead_days)
    check_renewal_in_time(renews, shanghai_day(moment()))
    original = application.ledger.repository.get(licence.case_id)
    if (
        original is not None
        and original.applicant.subject_id != applicant.subject_id
        and (original.applicant.uscc is None or original.applicant.uscc != applicant.uscc)
    ):
        original = None  # another applicant's form is not prefilled into this one
    form = prefilled_form(dict(item.form_schema), licence, original)
    created = application._new_case(
        item, applicant, request.delivery, actor_of(principal), None, renews=renews, form=form
    )
    for slot in item.materials:
        if slot.licence_type_code == licence.type_code:
            application.attach_licence(
                principal,
                created.case_id,
                LicenceMaterialRequest(
                    slot_id=slot.slot_id,
                    licence_id=licence.licence_id,
                    purpose=f"申请延续“{licence.type_name}”（{licence.number}），作为申请材料“{slot.name}”",
                ),
            )
    return created.case_id
