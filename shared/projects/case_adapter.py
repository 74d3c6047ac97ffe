"""The projects context's `approval_cases` port over the catalogue and the cases
context (their public modules only): find the region's joint approval item and
draft, fill and submit its case as the applicant (D-307).

A case drafted but not submitted (the submission refused) stays a draft of the
applicant's, visible in their cases; the project records nothing until the
submission went through, so asking again opens a fresh case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.cases import api as cases_api
from shared.catalog import api as catalog_api
from shared.codes.divisions import ancestors_of
from shared.platform.errors import NotFound
from shared.platform.principal import Principal
from shared.projects.config import projects_settings
from shared.projects.errors import NO_APPROVAL_ITEM

# the lead of the joint approval is the division's development and reform commission (D-251's convention)
LEAD_SUFFIX = "-drc"


@dataclass(frozen=True)
class Opened:
    case_id: str
    case_number: str
    item_code: str
    item_name: str
    lead_department_id: str
    state: str
    version: int


class CasesApprovalCases:
    def open(
        self,
        principal: Principal,
        *,
        region_code: str,
        form: Mapping[str, object],
        correlation_id: str | None,
    ) -> Opened:
        item_code, item_name, lead = self._item(region_code)
        cases = cases_api.cases_service()
        draft = cases.create_draft(principal, cases_api.NewCase(item_code=item_code))
        cases.update_form(principal, draft.case_id, cases_api.FormUpdate(form=dict(form)))
        receipt = cases.submit(
            principal, draft.case_id, cases_api.SubmitRequest(), idempotency_key=None, correlation_id=correlation_id
        )
        return Opened(
            case_id=receipt.case_id,
            case_number=receipt.case_number,
            item_code=item_code,
            item_name=item_name,
            lead_department_id=lead,
            state=receipt.state.value,
            version=receipt.version,
        )

    @staticmethod
    def _item(region_code: str) -> tuple[str, str, str]:
        """(implementation code, name, lead department) of the nearest published approval item."""
        basic_code = projects_settings().project_approval_basic_code
        catalog = catalog_api.CatalogService()
        for division in ancestors_of(region_code):  # county → city → province
            lead = division + LEAD_SUFFIX
            page = catalog.search(
                query=None,
                region_code=None,
                department_id=lead,
                item_type=None,
                channel=None,
                applicant_kind=None,
                limit=50,
                cursor=None,
            )
            for item in page.items:
                if item.basic_code == basic_code:
                    return item.implementation_code, item.name, lead
        raise NotFound(NO_APPROVAL_ITEM)
