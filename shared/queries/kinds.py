"""The catalogue of high-frequency queries (高频查询): what each kind is, which
department's system answers it, and whom it is for. Adding a kind = one entry here,
one path on the data sharing platform, one answer in the local simulator
(infra/local/partners/department_queries.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueryKind:
    kind: str
    name: str  # Chinese, as the portal shows it
    name_en: str
    department: str  # the department whose system answers
    path: str  # on the data sharing platform (DEPARTMENT_QUERY_URL)
    for_enterprises: bool  # an agent may ask it for the enterprise they act for


KINDS: dict[str, QueryKind] = {
    k.kind: k
    for k in (
        QueryKind(
            "housing_fund",
            "公积金账户余额",
            "Housing provident fund balance",
            "江苏省住房公积金管理中心",
            "/v1/housing-fund/accounts/query",
            for_enterprises=True,
        ),
        QueryKind(
            "social_security",
            "社保缴费记录",
            "Social insurance contribution record",
            "江苏省人力资源和社会保障厅",
            "/v1/social-security/contributions/query",
            for_enterprises=True,
        ),
        QueryKind(
            "traffic_violations",
            "交通违法记录",
            "Traffic violations",
            "江苏省公安厅交通警察总队",
            "/v1/traffic/violations/query",
            for_enterprises=True,
        ),
        QueryKind(
            "exam_scores",
            "考试成绩",
            "Examination scores",
            "江苏省教育考试院",
            "/v1/exams/scores/query",
            for_enterprises=False,
        ),
    )
}
KIND_PATTERN = r"^[a-z_]{1,32}$"
