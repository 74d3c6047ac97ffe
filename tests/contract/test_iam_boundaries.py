"""IAM follows the context boundaries (issue 12): no function's policy names
another context's table unless docs/decisions.md lists the grant and says why.

The allow-list is the table in the decision entry "Cross-context table grants"
of docs/decisions.md; a grant that is no longer made must leave the list too,
so the list stays the truth about today.
"""

from __future__ import annotations

import re
from typing import Any

from infra.template import ROOT, sam_template

DECISIONS = ROOT / "docs" / "decisions.md"
ALLOW_LIST_HEADING = "Cross-context table grants"

# Each context owns one table (D-003); the idempotency table belongs to the platform.
TABLE_OWNER = {
    "IdentityTable": "identity",
    "CatalogTable": "catalog",
    "CasesTable": "cases",
    "PaymentsTable": "payments",
    "DeliveryTable": "delivery",
    "LicencesTable": "licences",
    "NotificationsTable": "notifications",
    "SupervisionTable": "supervision",
    "HotlineTable": "hotline",
    "RatingsTable": "ratings",
    "HallsTable": "halls",
    "ExchangeTable": "exchange",
    "ProjectsTable": "projects",
    "TradingTable": "trading",
    "ScenesTable": "scenes",
    "ReportsTable": "reports",
    "AdminTable": "admin",
    "QueriesTable": "queries",
}
PLATFORM_TABLES = {"IdempotencyTable"}

# The context each function belongs to (the holiday calendar lives in the catalogue, D-015).
FUNCTION_CONTEXT = {
    "OutboxRelayFunction": "platform",
    "CatalogApiFunction": "catalog",
    "OpenDataPublisherFunction": "catalog",
    "LicenceTypeProjectorFunction": "catalog",
    "CalendarCheckFunction": "catalog",
    "IdentityApiFunction": "identity",
    "AuthorizerFunction": "identity",
    "NotificationsWorkerFunction": "notifications",
    "CaseApiFunction": "cases",
    "CaseProgressWorkerFunction": "cases",
    "PreReviewWorkerFunction": "cases",
    "IntakeSweepFunction": "cases",
    "DeliveryApiFunction": "delivery",
    "ShipmentBookingWorkerFunction": "delivery",
    "CourierEventsFunction": "delivery",
    "PaymentApiFunction": "payments",
    "PaymentCallbacksFunction": "payments",
    "PaymentChannelEventsFunction": "payments",
    "PaymentOrderWorkerFunction": "payments",
    "PaymentExpirySweepFunction": "payments",
    "PaymentReconciliationFunction": "payments",
    "LicenceIssuerFunction": "licences",
    "LicenceApiFunction": "licences",
    "LicencePublisherFunction": "licences",
    "LicenceExpirySweepFunction": "licences",
    "LimitsWatcherFunction": "supervision",
    "SupervisionSweepFunction": "supervision",
    "SupervisionApiFunction": "supervision",
    "HotlineApiFunction": "hotline",
    "HotlineFollowUpFunction": "hotline",
    "HotlineNotifierFunction": "hotline",
    "MonitoringWorkerFunction": "supervision",
    "MonitoringApiFunction": "supervision",
    "ScorecardCloseFunction": "supervision",
    "RatingsApiFunction": "ratings",
    "RatingsWorkerFunction": "ratings",
    "HallsApiFunction": "halls",
    "HallsSweepFunction": "halls",
    "ExchangeApiFunction": "exchange",
    "DepartmentSystemEventsFunction": "exchange",
    "ExchangeStoreWriterFunction": "exchange",
    "NationalPushFunction": "exchange",
    "ProjectsApiFunction": "projects",
    "ScenesApiFunction": "scenes",
    "SceneProgressFunction": "scenes",
    "SceneCaseOpenerFunction": "cases",
    "ProjectsWorkerFunction": "projects",
    "TradingApiFunction": "trading",
    "TradingWorkerFunction": "trading",
    "ReportsApiFunction": "reports",
    "ReportPublisherFunction": "reports",
    "AnalyticsWorkerFunction": "reports",
    "AdminApiFunction": "admin",
    "AdminEventsFunction": "admin",
    "QueriesApiFunction": "queries",
}

# SAM policy templates that name a table, and the access they give.
TABLE_POLICIES = {
    "DynamoDBCrudPolicy": "crud",
    "DynamoDBReadPolicy": "read",
    "DynamoDBWritePolicy": "write",
    "DynamoDBStreamReadPolicy": "stream",
    "DynamoDBReconfigurePolicy": "reconfigure",
    "DynamoDBBackupFullAccessPolicy": "backup",
    "DynamoDBRestoreFromBackupPolicy": "restore",
}

# | `Function` | `Table` | access | why |, access like `read` or `read + PutItem`
_ROW = re.compile(r"^\|\s*`(\w+)`\s*\|\s*`(\w+)`\s*\|\s*([\w+ ]+?)\s*\|\s*\S.*\|\s*$")

Access = frozenset[str]


def _named_tables(node: Any, tables: set[str]) -> set[str]:
    """Tables a policy names (Ref, GetAtt, or inside a Sub)."""
    text = repr(node)
    return {t for t in tables if re.search(rf"\b{t}\b", text)}


def _statement_actions(body: Any, table: str) -> set[str]:
    """DynamoDB actions of the statements whose resource names `table`."""
    actions: set[str] = set()
    for statement in body if isinstance(body, list) else [body]:
        if isinstance(statement, dict) and re.search(rf"\b{table}\b", repr(statement.get("Resource"))):
            listed = statement.get("Action", [])
            actions |= {a.removeprefix("dynamodb:") for a in ([listed] if isinstance(listed, str) else listed)}
    return actions


def grants() -> dict[tuple[str, str], Access]:
    """(function, table) → the access its policies give: SAM policy templates by
    their short name (`read`, `crud`, ...), statements by their DynamoDB actions."""
    resources = sam_template()["Resources"]
    tables = {k for k, v in resources.items() if v["Type"] == "AWS::DynamoDB::Table"}
    found: dict[tuple[str, str], set[str]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for policy in resource["Properties"].get("Policies", []):
            if not isinstance(policy, dict):
                continue  # a managed policy by name or ARN names no table of ours
            for name, body in policy.items():
                for table in _named_tables(body, tables):
                    access = {TABLE_POLICIES[name]} if name in TABLE_POLICIES else _statement_actions(body, table)
                    found.setdefault((logical_id, table), set()).update(access)
    return {key: frozenset(access) for key, access in found.items()}


def allow_list(text: str | None = None) -> dict[tuple[str, str], Access]:
    """(function, table) → access, from the decision entry's table."""
    text = DECISIONS.read_text(encoding="utf-8") if text is None else text
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    entry = [s for s in sections if s.split("\n", 1)[0].endswith(ALLOW_LIST_HEADING)]
    assert len(entry) == 1, f"docs/decisions.md needs one entry titled '… {ALLOW_LIST_HEADING}'"
    rows = {}
    for line in entry[0].splitlines():
        match = _ROW.match(line)
        if match and match.group(1) != "Function":
            rows[(match.group(1), match.group(2))] = frozenset(a.strip() for a in match.group(3).split("+"))
    return rows


def test_every_table_and_function_has_an_owner() -> None:
    resources = sam_template()["Resources"]
    tables = {k for k, v in resources.items() if v["Type"] == "AWS::DynamoDB::Table"}
    functions = {k for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert tables == set(TABLE_OWNER) | PLATFORM_TABLES
    assert functions == set(FUNCTION_CONTEXT)


def test_no_function_names_another_contexts_table_unless_the_decision_log_says_why() -> None:
    allowed = allow_list()
    crossing = {
        (function, table): access
        for (function, table), access in grants().items()
        if table in TABLE_OWNER and TABLE_OWNER[table] != FUNCTION_CONTEXT[function]
    }
    unexplained = {k: sorted(v) for k, v in crossing.items() if allowed.get(k) != v}
    assert not unexplained, f"cross-context grants not listed (with this access) in docs/decisions.md: {unexplained}"
    stale = sorted(set(allowed) - set(crossing))
    assert not stale, f"listed in docs/decisions.md but no longer granted: {stale}"


def test_the_allow_list_parser_reads_rows_and_nothing_else() -> None:
    sample = f"""## D-001 Other
| `AFunction` | `BTable` | crud | not this entry |

## D-002 {ALLOW_LIST_HEADING}
| Function | Table | Access | Why |
|---|---|---|---|
| `CaseApiFunction` | `LicencesTable` | read + PutItem | consent log |
| `LicenceApiFunction` | `CasesTable` | read | department queries |
"""
    assert allow_list(sample) == {
        ("CaseApiFunction", "LicencesTable"): frozenset({"read", "PutItem"}),
        ("LicenceApiFunction", "CasesTable"): frozenset({"read"}),
    }


APPEND_ONLY_TABLES = {"AdminTable"}  # the admin audit log (D-292)
CHANGING_ACTIONS = {
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
}


def test_no_one_can_change_or_remove_an_admin_audit_entry() -> None:
    """Every role that names the audit table is denied UpdateItem and DeleteItem on it
    (and given no policy template that would allow them), and the table's own resource
    policy denies them to every principal - operators' IAM users included."""
    resources = sam_template()["Resources"]
    for table in APPEND_ONLY_TABLES:
        statements = resources[table]["Properties"]["ResourcePolicy"]["PolicyDocument"]["Statement"]
        denied = {
            action
            for statement in statements
            if statement["Effect"] == "Deny" and statement["Principal"] == "*"
            for action in statement["Action"]
        }
        assert denied >= CHANGING_ACTIONS, table
        users = 0
        for logical_id, resource in resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            policies = [p for p in resource["Properties"].get("Policies", []) if isinstance(p, dict)]
            naming = [p for p in policies if _named_tables(p, {table})]
            if not naming:
                continue
            users += 1
            assert not any(set(p) & set(TABLE_POLICIES) for p in naming), f"{logical_id}: a policy template on {table}"
            allowed: set[str] = set()
            function_denied: set[str] = set()
            for policy in naming:
                for statement in policy["Statement"]:
                    target = function_denied if statement["Effect"] == "Deny" else allowed
                    target.update(statement["Action"])
            assert not allowed & CHANGING_ACTIONS, logical_id
            assert function_denied >= CHANGING_ACTIONS, logical_id
        assert users, f"no function uses {table}"
