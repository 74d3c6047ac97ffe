"""The catalogue's copy of the licence-type directory (D-101), written from `licence_type.changed`.

A module of its own (D-339): licence_type_projector does nothing else, so its cold start loads
neither the catalogue's service nor its models and code tables. The catalogue reads the copy
back through `CatalogRepository.licence_type_statuses`."""

from __future__ import annotations

from botocore.exceptions import ClientError

from shared.catalog.config import catalog_settings
from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, to_item
from shared.platform.dynamo import values as expression_values


class LicenceTypeCopies(Repository):
    def configured_table(self) -> str:
        return catalog_settings().catalog_table

    def record(self, code: str, *, name: str, status: str, version: int) -> bool:
        """Keep the newest version seen (events come in any order, maybe twice); False when
        the stored copy is as new or newer."""
        try:
            dynamodb().put_item(
                TableName=self.table,
                Item=to_item(
                    {"pk": f"LTYPE#{code}", "sk": "LTYPE", "kind": "licence_type", "name": name}
                    | {"status": status, "version": version}
                ),
                ConditionExpression="attribute_not_exists(pk) OR #version < :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=expression_values(version=version),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return False
        return True


def record_licence_type(code: str, *, name: str, status: str, version: int) -> bool:
    """A licence type as the licences context's directory now has it; False when the copy
    already had this version or a newer one."""
    return LicenceTypeCopies().record(code, name=name, status=status, version=version)
