"""What an agent may do for an enterprise (授权范围): a module of its own because the identity events carry it,
and every consumer of those events would otherwise load the identity models at cold start (D-339)."""

from enum import StrEnum


class AgentScope(StrEnum):
    """What an agent may do for the enterprise (授权范围)."""

    CASES = "cases"  # 办事申报与查询
    LICENCES = "licences"  # 电子证照使用
    PAYMENTS = "payments"  # 缴费
