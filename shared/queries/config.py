"""The queries context's settings: its table, how long a result is reused, and each
department adapter's time budget."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class QueriesSettings(EnvironmentSettings):
    """`query_cache_ttl_s`: a result is reused this long (0: never). `query_timeout_s`: the
    budget of one department call; `query_timeouts_s` overrides it per kind (JSON, e.g.
    `{"exam_scores": 5}`). A department that does not answer within it is a 503 with
    Retry-After, and costs no other kind anything (each kind has its own circuit breaker)."""

    queries_table: str
    query_cache_ttl_s: int = Field(default=300, ge=0, le=3600)
    query_timeout_s: float = Field(default=2.0, gt=0, le=10)
    query_timeouts_s: dict[str, float] = Field(default_factory=dict)

    def budget_of(self, kind: str) -> float:
        return self.query_timeouts_s.get(kind, self.query_timeout_s)


class DepartmentQuerySettings(EnvironmentSettings):
    """The departments' systems through the province's data sharing platform (数据共享交换平台):
    one base URL, signed with the key shared with it (Secrets Manager)."""

    department_query_url: str = ""
    department_query_app_id: str = "jszw-platform"
    department_query_secret_arn: str = ""


queries_settings = reader(QueriesSettings)
department_query_settings = reader(DepartmentQuerySettings)
