"""Registering investment projects (赋码) and filing them at once (备案, C24).

A registration validates the project, looks it up in the approval catalogue
(`catalogue.py`), gives it a code from a sharded serial counter
(`repository.py`) and stores it with its events in one transaction. A project
the catalogue does not name is filed in the same step, its filing notice
rendered and stored first (no human step); one the catalogue names waits in
`approval_required` (approval, 核准, is not built yet).
"""

from __future__ import annotations

import random
import time
from functools import cache
from typing import TYPE_CHECKING

from shared.codes.divisions import DivisionLevel, is_in_use_today, level_of
from shared.platform.aws import s3
from shared.platform.clock import now, today_in_shanghai
from shared.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.platform.ids import new_id
from shared.platform.pagination import Page
from shared.platform.principal import Decision, Principal, RecordScope, decide, region_prefix
from shared.platform.public import lazy_module
from shared.projects import approval, events
from shared.projects.catalogue import approval_entry
from shared.projects.codes import SERIAL_MAX, Procedure, is_industry, make_code
from shared.projects.config import projects_settings
from shared.projects.errors import (
    BUSY,
    CHANGE_NOT_FOUND,
    NO_CHANGE_NOTICE,
    NOT_FILED,
    NOTHING_CHANGED,
    PROJECT_NOT_FOUND,
    SERIALS_EXHAUSTED,
    START_YEAR_OUT_OF_RANGE,
    TOO_MANY_CHANGES,
    UNKNOWN_INDUSTRY,
    UNKNOWN_REGION,
)
from shared.projects.models import (
    ChangeKind,
    ChangeNotice,
    FilingNotice,
    Project,
    ProjectChange,
    ProjectChangeRequest,
    ProjectState,
    ProjectSummary,
    PublicProject,
    RegisterProject,
)
from shared.projects.repository import CounterMoved, ProjectsRepository

if TYPE_CHECKING:
    from shared.projects import notice
else:
    notice = lazy_module("shared.projects.notice")  # the PDF writer loads with the first notice rendered (D-338)

ATTEMPTS = 12
BACKOFF_S = 0.005  # times the attempt number: at most ~0.4 s over all attempts
START_YEARS_BACK = 1  # a project already started last year may still be filed
START_YEARS_AHEAD = 10
NOTICE_LINK_SECONDS = 300
# staff of the region's development and reform commission (发展改革委) read its projects
# (UNCONFIRMED: the department id convention `<division>-drc` of the demo departments)
DEPARTMENT_SUFFIX = "-drc"
MAX_CHANGES = 50  # a project item stays small; more changes than this go to the filing authority
CHANGEABLE = ("total_investment_fen", "region_code", "construction_content")


def _usable_region(region_code: str) -> bool:
    usable = level_of(region_code) in (DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY)
    return usable and is_in_use_today(region_code)


def _checked(request: RegisterProject) -> None:
    problems: list[FieldError] = []
    if not _usable_region(request.region_code):
        problems.append(FieldError("region_code", UNKNOWN_REGION))
    if not is_industry(request.industry):
        problems.append(FieldError("industry", UNKNOWN_INDUSTRY))
    this_year = today_in_shanghai().year
    earliest, latest = this_year - START_YEARS_BACK, this_year + START_YEARS_AHEAD
    if not earliest <= request.start_year <= latest:
        params = {"earliest": earliest, "latest": latest}
        problems.append(FieldError("start_year", START_YEAR_OUT_OF_RANGE, params=params))
    if problems:
        raise ValidationFailed(errors=problems)


def notice_key(project_id: str) -> str:
    return f"filing-notices/{project_id}.pdf"


def change_notice_key(project_id: str, number: int) -> str:
    return f"change-notices/{project_id}/{number}.pdf"


def change_kind(project: Project, changed: dict[str, list[object]]) -> ChangeKind:
    """A change filing (备案变更) when the location moves or the investment moves by more than the
    configured share of the filed amount; an update otherwise."""
    if "region_code" in changed:
        return ChangeKind.CHANGE_FILING
    if "total_investment_fen" in changed:
        after = int(str(changed["total_investment_fen"][1]))
        moved = abs(after - project.total_investment_fen) * 100
        if moved > projects_settings().project_change_threshold_percent * project.total_investment_fen:
            return ChangeKind.CHANGE_FILING
    return ChangeKind.UPDATE


class ProjectsService:
    def __init__(self, repository: ProjectsRepository | None = None) -> None:
        self.repository = repository or ProjectsRepository()

    def register(self, principal: Principal, request: RegisterProject, correlation_id: str | None) -> Project:
        _checked(request)
        entry = approval_entry(
            industry=request.industry,
            name=request.name,
            content=request.construction_content,
            investment_fen=request.total_investment_fen,
        )
        procedure = Procedure.FILING if entry is None else Procedure.APPROVAL
        project_id = new_id()
        shards = projects_settings().project_serial_shards
        for attempt in range(1, ATTEMPTS + 1):
            at = now()
            shard, taken = self._free_shard(at.year, request.region_code, shards)
            code = make_code(
                year=at.year,
                region_code=request.region_code,
                industry=request.industry,
                procedure=procedure,
                serial=shard + 1 + taken * shards,
            )
            project = Project(
                project_id=project_id,
                code=code,
                **request.model_dump(),
                state=ProjectState.FILED if entry is None else ProjectState.APPROVAL_REQUIRED,
                owner_subject_id=principal.subject_id,
                enterprise_uscc=principal.acting_for,
                catalogue_entry=entry.entry_id if entry else None,
                catalogue_source=entry.source if entry else None,
                registered_at=at,
                filed_at=at if entry is None else None,
            )
            happened = [events.envelope(events.REGISTERED, project, correlation_id)]
            if entry is None:
                # the notice is stored before the project says it exists (an orphan file on a
                # lost race is overwritten by the retry: the key is the project id)
                rendered = notice.filing_notice(project)
                project = project.model_copy(update={"filing_notice_sha256": rendered.sha256})
                s3().put_object(
                    Bucket=projects_settings().projects_bucket,
                    Key=notice_key(project_id),
                    Body=rendered.body,
                    ContentType="application/pdf",
                    Metadata={"sha256": rendered.sha256},
                )
                happened.append(events.envelope(events.FILED, project, correlation_id))
            try:
                self.repository.register(project, shard=shard, taken=taken, events=happened)
            except CounterMoved:
                # jittered back-off: the racers that lost spread out instead of colliding again
                time.sleep(random.uniform(0, BACKOFF_S * attempt))
                continue
            return project
        raise Conflict(BUSY)

    def _free_shard(self, year: int, region_code: str, shards: int) -> tuple[int, int]:
        """A random shard with serials left, and how many it has given."""
        for shard in random.sample(range(shards), shards):
            taken = self.repository.taken_in_shard(year, region_code, shard)
            if shard + 1 + taken * shards <= SERIAL_MAX:
                return shard, taken
        raise Conflict(SERIALS_EXHAUSTED)

    def project(self, principal: Principal, project_id: str) -> Project:
        project = self.repository.project(project_id)
        scope = (
            RecordScope(
                applicant_subject_id=project.owner_subject_id,
                applicant_uscc=project.enterprise_uscc,
                department_id=project.region_code + DEPARTMENT_SUFFIX,
                region_code=project.region_code,
            )
            if project
            else None
        )
        if project is None or scope is None or decide(principal, scope) is not Decision.ALLOW:
            raise NotFound(PROJECT_NOT_FOUND)
        return project

    def notice(self, principal: Principal, project_id: str) -> FilingNotice:
        project = self.project(principal, project_id)
        if project.state is not ProjectState.FILED or not project.filing_notice_sha256:
            raise Conflict(NOT_FILED)
        url = _link(notice_key(project.project_id), f"{project.code}.pdf")
        return FilingNotice(
            code=project.code, url=url, sha256=project.filing_notice_sha256, expires_in_s=NOTICE_LINK_SECONDS
        )

    def open_approval(self, principal: Principal, project_id: str, correlation_id: str | None) -> Project:
        """核准: open the project's joint approval case as its owner (D-307)."""
        return approval.open_approval(self.repository, principal, self.project(principal, project_id), correlation_id)

    def change(
        self, principal: Principal, project_id: str, request: ProjectChangeRequest, correlation_id: str | None
    ) -> ProjectChange:
        """A change after filing: a change filing with its notice, or an update (D-308)."""
        project = self.project(principal, project_id)
        if project.state is not ProjectState.FILED:
            raise Conflict(NOT_FILED)
        if request.region_code is not None and not _usable_region(request.region_code):
            raise ValidationFailed(errors=[FieldError("region_code", UNKNOWN_REGION)])
        asked = request.model_dump(include=set(CHANGEABLE), exclude_none=True)
        changed = {
            field: [getattr(project, field), value]
            for field, value in asked.items()
            if getattr(project, field) != value
        }
        if not changed:
            raise ValidationFailed(NOTHING_CHANGED)
        if len(project.changes) >= MAX_CHANGES:
            raise Conflict(TOO_MANY_CHANGES)
        record = ProjectChange(
            number=len(project.changes) + 1,
            kind=change_kind(project, changed),
            changed=changed,
            reason=request.reason,
            at=now(),
        )
        after = project.model_copy(update={field: value for field, (_, value) in changed.items()})
        if record.kind is ChangeKind.CHANGE_FILING:
            rendered = notice.change_notice(after, record)
            record = record.model_copy(update={"notice_sha256": rendered.sha256})
            # stored before the project names it, as the filing notice (D-251)
            s3().put_object(
                Bucket=projects_settings().projects_bucket,
                Key=change_notice_key(project.project_id, record.number),
                Body=rendered.body,
                ContentType="application/pdf",
                Metadata={"sha256": rendered.sha256},
            )
        after = after.model_copy(update={"changes": [*project.changes, record]})
        data = events.ChangeFacts.model_validate(
            events.facts(after) | {"number": record.number, "kind": record.kind.value, "changed_fields": list(changed)}
        )
        self.repository.save(
            after,
            expected_version=request.version or project.version,
            events=[events.envelope(events.CHANGED, after, correlation_id, data)],
        )
        return record

    def change_notice(self, principal: Principal, project_id: str, number: int) -> ChangeNotice:
        project = self.project(principal, project_id)
        if not 1 <= number <= len(project.changes):
            raise NotFound(CHANGE_NOT_FOUND)
        change = project.changes[number - 1]
        if change.notice_sha256 is None:
            raise Conflict(NO_CHANGE_NOTICE)
        url = _link(change_notice_key(project.project_id, number), f"{project.code}-{number}.pdf")
        return ChangeNotice(
            code=project.code, number=number, url=url, sha256=change.notice_sha256, expires_in_s=NOTICE_LINK_SECONDS
        )

    def mine(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[ProjectSummary]:
        """The projects the caller registered, newest first."""
        found, following = self.repository.owned(principal.subject_id, limit=limit, cursor=cursor)
        return Page(items=[ProjectSummary.model_validate(p.model_dump()) for p in found], next_cursor=following)

    def filed(self, region_code: str, *, limit: int, cursor: str | None) -> Page[PublicProject]:
        """Filed projects of a division and the divisions below it (备案信息公开)."""
        if not _usable_region(region_code):
            raise ValidationFailed(errors=[FieldError("region_code", UNKNOWN_REGION)])
        found, following = self.repository.filed(region_prefix(region_code), limit=limit, cursor=cursor)
        return Page(items=[PublicProject.model_validate(p.model_dump()) for p in found], next_cursor=following)


def _link(key: str, filename: str) -> str:
    """A five-minute download link to one of the Projects bucket's notices."""
    url = s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": projects_settings().projects_bucket,
            "Key": key,
            "ResponseContentDisposition": f"attachment; filename={filename}",
        },
        ExpiresIn=NOTICE_LINK_SECONDS,
    )
    return str(url)


@cache
def projects_service() -> ProjectsService:
    return ProjectsService()
