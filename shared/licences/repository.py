"""The Licences table: the only module that knows its keys.

- licence (one item per version): `LIC#<licence_id>` / `LIC`; gsi1 (wallet)
  `HOLDER#SUBJ#<subject>` or `HOLDER#ENT#<uscc>` / `<issued_at>#<id>`; gsi2
  (expiry, only while active or suspended) `EXPIRY#<YYYY-MM>` / `<valid_to>#<id>`
- identifier → licence: `IDENT#<identifier>` / `IDENT`
- case → licence (one per case): `CASE#<case_id>` / `LICENCE`
- serial counter: `SERIAL#<type code>#<issuer uscc>` / `SERIAL`
- status list: `SLIST#<list_id>` / `LIST` (the encoded bits and a version)
- status-list index claim: `SLIDX#<list_id>#<index>` / `IDX`
- issuer (for the trust list): `ISSUER#<uscc>` / `ISSUER`; gsi1 `ISSUERS` / `<uscc>`
- licence type (the directory, 证照目录): `LTYPE#<type code>` / `LTYPE`; gsi1
  `LTYPES` / `<type code>`
- usage log entry: `USAGE#SUBJ#<subject>` or `USAGE#ENT#<uscc>` / `<at>#<entry_id>`
- outbox: `OUTBOX#<first event id>` / `OUTBOX`

Access patterns: a licence by id (GetItem), by identifier (two GetItems), a
case's licence (GetItem), the holder's wallet (gsi1, newest first), the
issuers (gsi1 `ISSUERS`), licences expiring in a month (gsi2, one partition
per month, read by the daily sweep), the holder's usage log (Query).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import ClientError

from shared.licences.config import licences_settings
from shared.licences.models import Licence, LicenceStatus, LicenceType, UsageEntry
from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, Transaction, to_item, values
from shared.platform.errors import Conflict

LIVE = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)


def licence_key(licence_id: str) -> dict[str, str]:
    return {"pk": f"LIC#{licence_id}", "sk": "LIC"}


def identifier_key(identifier: str) -> dict[str, str]:
    return {"pk": f"IDENT#{identifier}", "sk": "IDENT"}


def case_key(case_id: str) -> dict[str, str]:
    return {"pk": f"CASE#{case_id}", "sk": "LICENCE"}


def status_list_key(list_id: str) -> dict[str, str]:
    return {"pk": f"SLIST#{list_id}", "sk": "LIST"}


def index_claim_key(list_id: str, index: int) -> dict[str, str]:
    return {"pk": f"SLIDX#{list_id}#{index}", "sk": "IDX"}


def licence_type_key(code: str) -> dict[str, str]:
    return {"pk": f"LTYPE#{code}", "sk": "LTYPE"}


LICENCE_TYPES_PARTITION = ("gsi1pk", "LTYPES")


def holder_partition(subject_id: str, uscc: str | None) -> str:
    return f"ENT#{uscc}" if uscc else f"SUBJ#{subject_id}"


def _licence_item(licence: Licence) -> dict[str, Any]:
    item: dict[str, Any] = {
        **licence_key(licence.licence_id),
        "kind": "licence",
        **licence.model_dump(mode="json"),
        "gsi1pk": "HOLDER#" + holder_partition(licence.holder_subject_id, licence.holder_uscc),
        "gsi1sk": f"{licence.issued_at.isoformat()}#{licence.licence_id}",
    }
    if licence.valid_to is not None and licence.status in LIVE:
        item["gsi2pk"] = f"EXPIRY#{licence.valid_to:%Y-%m}"
        item["gsi2sk"] = f"{licence.valid_to.isoformat()}#{licence.licence_id}"
    return item


class LicencesRepository(Repository):
    def configured_table(self) -> str:
        return licences_settings().licences_table

    # --- licences --------------------------------------------------------------------------

    def get(self, licence_id: str, *, consistent: bool = False) -> Licence | None:
        item = self.get_item(licence_key(licence_id), consistent=consistent)
        return Licence.model_validate(item) if item else None

    def by_identifier(self, identifier: str) -> Licence | None:
        pointer = self.get_item(identifier_key(identifier))
        return self.get(str(pointer["licence_id"])) if pointer else None

    def licence_id_for_case(self, case_id: str) -> str | None:
        item = self.get_item(case_key(case_id), consistent=True)
        return str(item["licence_id"]) if item else None

    def next_serial(self, type_code: str, issuer_uscc: str) -> int:
        """The next serial of (type, issuer): an atomic counter; a failed issuance leaves a gap."""
        response = dynamodb().update_item(
            TableName=self.table,
            Key=to_item({"pk": f"SERIAL#{type_code}#{issuer_uscc}", "sk": "SERIAL"}),
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues=values(one=1),
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["n"]["N"])

    def add_issued(
        self,
        transaction: Transaction,
        licence: Licence,
        *,
        on_duplicate_case: Conflict,
        on_index_taken: Conflict,
        claim_case: bool = True,
    ) -> None:
        """A new licence version with its identifier, case pointer and status-list index claim."""
        transaction.put(_licence_item(licence), condition="attribute_not_exists(pk)")
        transaction.put(
            {**identifier_key(licence.identifier), "licence_id": licence.licence_id},
            condition="attribute_not_exists(pk)",
        )
        if claim_case:
            transaction.put(
                {**case_key(licence.case_id), "licence_id": licence.licence_id},
                condition="attribute_not_exists(pk)",
                on_conflict=on_duplicate_case,
            )
        transaction.put(
            {**index_claim_key(licence.status_list, licence.status_index), "licence_id": licence.licence_id},
            condition="attribute_not_exists(pk)",
            on_conflict=on_index_taken,
        )

    def ensure_issuer(self, issuer_uscc: str, name: str, seal_certificate: str = "") -> None:
        """List the issuer in the trust list with its seal certificate (once; outside the issuance
        transaction, so concurrent issuances of one department never conflict on this item). An issuer
        listed before it had a certificate gets one the next time (the item is the same otherwise)."""
        item: dict[str, object] = {
            "pk": f"ISSUER#{issuer_uscc}",
            "sk": "ISSUER",
            "issuer_code": issuer_uscc,
            "name": name,
            "gsi1pk": "ISSUERS",
            "gsi1sk": issuer_uscc,
        }
        condition = "attribute_not_exists(pk)"
        if seal_certificate:
            item["seal_certificate"] = seal_certificate
            condition += " OR attribute_not_exists(seal_certificate)"
        try:
            dynamodb().put_item(TableName=self.table, Item=to_item(item), ConditionExpression=condition)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def update_licence(self, transaction: Transaction, before: Licence, after: Licence, on_conflict: Conflict) -> None:
        """Replace the stored licence, conditional on the version read."""
        item = _licence_item(after)
        transaction.put(
            item,
            condition="version = :v",
            values=values(v=before.version),
            on_conflict=on_conflict,
        )

    def is_index_taken(self, list_id: str, index: int) -> bool:
        return self.get_item(index_claim_key(list_id, index)) is not None

    # --- the wallet ------------------------------------------------------------------------

    def of_holder(
        self, subject_id: str, uscc: str | None, *, limit: int, cursor: str | None
    ) -> tuple[list[Licence], str | None]:
        partition = "HOLDER#" + holder_partition(subject_id, uscc)
        items, next_cursor = self.query_page(index="gsi1", partition=("gsi1pk", partition), limit=limit, cursor=cursor)
        return [Licence.model_validate(item) for item in items], next_cursor

    def all_of_holder(self, subject_id: str, uscc: str | None) -> list[Licence]:
        found: list[Licence] = []
        cursor: str | None = None
        while True:
            page, cursor = self.of_holder(subject_id, uscc, limit=100, cursor=cursor)
            found.extend(page)
            if not cursor:
                return found

    def issuers(self) -> list[dict[str, str]]:
        items = self.query_all(
            IndexName="gsi1", KeyConditionExpression="gsi1pk = :p", ExpressionAttributeValues=values(p="ISSUERS")
        )
        return [
            {
                "issuer_code": str(i["issuer_code"]),
                "name": str(i["name"]),
                "seal_certificate": str(i.get("seal_certificate", "")),
            }
            for i in items
        ]

    # --- the licence-type directory ----------------------------------------------------------

    def licence_type(self, code: str, *, consistent: bool = False) -> LicenceType | None:
        item = self.get_item(licence_type_key(code), consistent=consistent)
        return LicenceType.model_validate(item) if item else None

    def licence_types(self, *, limit: int, cursor: str | None) -> tuple[list[LicenceType], str | None]:
        items, next_cursor = self.query_page(
            index="gsi1", partition=LICENCE_TYPES_PARTITION, limit=limit, cursor=cursor, newest_first=False
        )
        return [LicenceType.model_validate(item) for item in items], next_cursor

    def put_licence_type(
        self, transaction: Transaction, licence_type: LicenceType, *, based_on_version: int, on_conflict: Conflict
    ) -> None:
        """The type as changed, conditional on the version it replaces (0: it must not exist)."""
        item = {
            **licence_type_key(licence_type.code),
            "kind": "licence_type",
            **licence_type.model_dump(mode="json"),
            "gsi1pk": LICENCE_TYPES_PARTITION[1],
            "gsi1sk": licence_type.code,
        }
        if based_on_version == 0:
            transaction.put(item, condition="attribute_not_exists(pk)", on_conflict=on_conflict)
        else:
            transaction.put(
                item,
                condition="#version = :v",
                names={"#version": "version"},
                values=values(v=based_on_version),
                on_conflict=on_conflict,
            )

    # --- expiry ----------------------------------------------------------------------------

    def expiring_between(self, first: dt.date, last: dt.date) -> list[Licence]:
        """Live licences whose validity ends in [first, last] (gsi2, one Query per month)."""
        found: list[Licence] = []
        month = dt.date(first.year, first.month, 1)
        while month <= last:
            items = self.query_all(
                IndexName="gsi2",
                KeyConditionExpression="gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
                ExpressionAttributeValues=values(
                    p=f"EXPIRY#{month:%Y-%m}", a=first.isoformat(), b=last.isoformat() + "#~"
                ),
            )
            found.extend(Licence.model_validate(item) for item in items)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return found

    # --- status lists ----------------------------------------------------------------------

    def status_list(self, list_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
        return self.get_item(status_list_key(list_id), consistent=consistent)

    def put_status_list(
        self,
        transaction: Transaction,
        list_id: str,
        encoded: str,
        size: int,
        version: int,
        at: dt.datetime,
        on_conflict: Conflict,
        *,
        renewal_encoded: str,
    ) -> None:
        """Write the list (and its renewal list) at `version`, conditional on the previous
        version (0: not there yet)."""
        item = {
            **status_list_key(list_id),
            "kind": "status_list",
            "list_id": list_id,
            "encoded_list": encoded,
            "renewal_list": renewal_encoded,
            "size": size,
            "version": version,
            "updated_at": at.isoformat(),
        }
        if version == 1:
            transaction.put(item, condition="attribute_not_exists(pk)", on_conflict=on_conflict)
        else:
            transaction.put(
                item,
                condition="version = :v",
                values=values(v=version - 1),
                on_conflict=on_conflict,
            )

    # --- usage log -------------------------------------------------------------------------

    def add_usage(self, transaction: Transaction, holder: str, entry: UsageEntry) -> None:
        transaction.put(
            {
                "pk": f"USAGE#{holder}",
                "sk": f"{entry.at.isoformat()}#{entry.entry_id}",
                "kind": "usage",
                **entry.model_dump(mode="json"),
            },
            condition="attribute_not_exists(pk)",
        )

    def usage(self, holder: str, *, limit: int, cursor: str | None) -> tuple[list[UsageEntry], str | None]:
        items, next_cursor = self.query_page(
            index=None, partition=("pk", f"USAGE#{holder}"), limit=limit, cursor=cursor
        )
        return [UsageEntry.model_validate(item) for item in items], next_cursor
