"""The Projects table.

| item            | pk                               | sk          | notes |
|-----------------|----------------------------------|-------------|-------|
| project         | `PROJECT#<project_id>`           | `PROJECT`   | gsi1 `OWNER#<subject>`; gsi2 `FILED` while filed |
| code claim      | `CODE#<project code>`            | `CODE`      | the code is given once (conditional put) |
| case link       | `CASE#<case_id>`                 | `CASE`      | the project of a joint approval case (D-307) |
| serial counter  | `SERIAL#<year>#<division>`       | `SHARD#<s>` | `n`: serials taken in this shard |
| outbox          | as every table (shared.platform.dynamo) |      | |

gsi1 sorts an owner's projects by `<registered_at>#<id>`; gsi2 the filed ones by
`<division>#<filed_at>#<id>` (one partition: a division's list is a prefix of it).

Serials are sharded (D-250): shard `s` of `S` hands out serials `s+1, s+1+S,
s+1+2S, ...`, so no two shards can give the same serial, and registrations
spread over `S` counter items instead of contending for one. Taking the
`n`-th serial of a shard is a conditional write (`n` was what we read) in the
same transaction as the project, its code claim and its events: a
registration that lost the race on its counter rolls back entirely and tries
again with a fresh read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.platform.dynamo import Repository, Transaction, values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.projects.config import projects_settings
from shared.projects.errors import BUSY, VERSION_CONFLICT
from shared.projects.models import Project, ProjectState

FILED_PARTITION = "FILED"


def project_key(project_id: str) -> dict[str, str]:
    return {"pk": f"PROJECT#{project_id}", "sk": "PROJECT"}


def counter_key(year: int, region_code: str, shard: int) -> dict[str, str]:
    return {"pk": f"SERIAL#{year}#{region_code}", "sk": f"SHARD#{shard}"}


def case_key(case_id: str) -> dict[str, str]:
    return {"pk": f"CASE#{case_id}", "sk": "CASE"}


def stored(project: Project) -> dict[str, Any]:
    """The project's item with its index keys: its owner's list, and the public list while filed."""
    item: dict[str, Any] = project.record() | project_key(project.project_id)
    item |= {
        "kind": "project",
        "gsi1pk": f"OWNER#{project.owner_subject_id}",
        "gsi1sk": f"{project.registered_at.isoformat()}#{project.project_id}",
    }
    if project.state is ProjectState.FILED and project.filed_at is not None:
        item |= {
            "gsi2pk": FILED_PARTITION,
            "gsi2sk": f"{project.region_code}#{project.filed_at.isoformat()}#{project.project_id}",
        }
    return item


class CounterMoved(Conflict):
    """Another registration took the serial we read: read again and retry."""


class ProjectsRepository(Repository):
    def configured_table(self) -> str:
        return projects_settings().projects_table

    def project(self, project_id: str) -> Project | None:
        item = self.get_item(project_key(project_id), consistent=True)
        return Project.model_validate(item) if item else None

    def taken_in_shard(self, year: int, region_code: str, shard: int) -> int:
        item = self.get_item(counter_key(year, region_code, shard), consistent=True)
        return int(item.get("n", 0)) if item else 0

    def register(self, project: Project, *, shard: int, taken: int, events: list[Envelope]) -> None:
        """Store `project` with its code, having taken the shard's serial number `taken + 1`;
        CounterMoved when another registration took it first."""
        counter = counter_key(project.registered_at.year, project.region_code, shard)
        tx: Transaction = self.transaction()
        tx.update(
            counter,
            "SET n = :next",
            condition="attribute_not_exists(n)" if taken == 0 else "n = :taken",
            values=values(next=taken + 1, **({"taken": taken} if taken else {})),
            on_conflict=CounterMoved(BUSY),
        )
        tx.put(stored(project), condition="attribute_not_exists(pk)")
        # the claim makes a duplicate code impossible even if serials were ever misconfigured
        tx.put(
            {"pk": f"CODE#{project.code}", "sk": "CODE", "kind": "code", "project_id": project.project_id},
            condition="attribute_not_exists(pk)",
            on_conflict=CounterMoved(BUSY),
        )
        for envelope in events:
            tx.emit(envelope)
        tx.commit()

    def by_code(self, code: str) -> Project | None:
        claim = self.get_item({"pk": f"CODE#{code}", "sk": "CODE"}, consistent=True)
        return self.project(str(claim["project_id"])) if claim else None

    def save(
        self,
        project: Project,
        *,
        expected_version: int,
        events: Sequence[Envelope],
        link_case: str | None = None,
    ) -> Project:
        """Store `project` as version `expected_version + 1`, only if the stored one is still
        `expected_version` (409 projects.version_conflict), with its events and, when a joint case
        was opened, the link from the case to the project."""
        saved = project.model_copy(update={"version": expected_version + 1})
        tx: Transaction = self.transaction()
        tx.put(
            stored(saved),
            condition="#v = :v",
            names={"#v": "version"},
            values=values(v=expected_version),
            on_conflict=Conflict(VERSION_CONFLICT),
        )
        if link_case is not None:
            tx.put(
                case_key(link_case) | {"kind": "case_link", "project_id": project.project_id},
                condition="attribute_not_exists(pk)",
                on_conflict=Conflict(VERSION_CONFLICT),
            )
        for envelope in events:
            tx.emit(envelope)
        tx.commit()
        return saved

    def project_for_case(self, case_id: str) -> str | None:
        link = self.get_item(case_key(case_id))
        return str(link["project_id"]) if link else None

    def owned(self, subject_id: str, *, limit: int, cursor: str | None) -> tuple[list[Project], str | None]:
        rows, following = self.query_page(
            index="gsi1", partition=("gsi1pk", f"OWNER#{subject_id}"), limit=limit, cursor=cursor
        )
        return [Project.model_validate(row) for row in rows], following

    def filed(self, division_prefix: str, *, limit: int, cursor: str | None) -> tuple[list[Project], str | None]:
        """Filed projects whose location starts with `division_prefix`, by division, newest first."""
        rows, following = self.query_page(
            index="gsi2",
            partition=("gsi2pk", FILED_PARTITION),
            limit=limit,
            cursor=cursor,
            sort_prefix=("gsi2sk", division_prefix),
        )
        return [Project.model_validate(row) for row in rows], following
