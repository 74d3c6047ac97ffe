"""The departments' query systems (公积金中心, 人社, 公安交管, 教育考试院, through the province's
数据共享交换平台), played locally with realistic records for the demo people and
enterprises of infra/seed/identity.

`POST /v1/<department path>/query` `{"subject": {"type": "person", "id_number"} |
{"type": "enterprise", "uscc"}}` → 200 with the department's record, or 404
`{"code": "not_found"}` for a subject it does not know. Paths: shared/queries/kinds.py.
Records are derived from the ID number or USCC (a stable hash), so the same person
always sees the same balance, and the months run up to the current one.

Every request must be signed (infra/local/partners/signed_http.py); tests steer faults
per path with `slow_paths` (answer after `slow_s`) besides the base's `fail_status`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infra.local.partners.signed_http import Received, Reply, SignedJsonServer
from infra.seed.identity.people import ENTERPRISES, POPULATION

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

PORT = 3500
# the data sharing platform's key, shared with the real-name registries (D-285)
SECRET_ID = "RealNameRegistrySecret"  # noqa: S105 (a logical id, not a secret)
HOUSING_FUND = "/v1/housing-fund/accounts/query"
SOCIAL_SECURITY = "/v1/social-security/contributions/query"
TRAFFIC = "/v1/traffic/violations/query"
EXAMS = "/v1/exams/scores/query"

_CITY = {"3201": "南京市", "3205": "苏州市"}
_PLACES = ("中山路与北京东路交叉口", "龙蟠中路玄武湖隧道口", "江宁区双龙大道", "虎丘区长江路", "汉中路新街口")
_BEHAVIOURS = (
    ("机动车违反禁令标志指示", "100", 3),
    ("机动车违反规定停放", "150", 0),
    ("驾驶中型以上载客载货汽车超过规定时速未达20%", "200", 6),
    ("机动车不按规定车道行驶", "100", 3),
)


def _n(key: str, salt: str, low: int, high: int) -> int:
    """A stable pseudo-random integer in [low, high] for one subject and one purpose."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


def _months(count: int) -> list[str]:
    today = dt.date.today().replace(day=1)
    months = []
    for _ in range(count):
        today = (today - dt.timedelta(days=1)).replace(day=1)
        months.append(today.strftime("%Y-%m"))
    return months


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def person_record(path: str, id_number: str) -> dict[str, Any]:
    city = _CITY.get(id_number[:4], "南京市")
    base = _n(id_number, "base", 4_500, 16_000) * 100  # monthly wage base, cents
    months = _months(6)
    if path == HOUSING_FUND:
        deposit = base * 2 * 12 // 100
        return {
            "account_masked": f"{id_number[:4]}********{id_number[-4:]}",
            "city": city,
            "status": "正常缴存",
            "balance": _money(deposit * _n(id_number, "months", 20, 120) // 3),
            "monthly_deposit": _money(deposit),
            "deposit_ratio": "12%",
            "last_deposit_month": months[0],
            "currency": "CNY",
        }
    if path == SOCIAL_SECURITY:
        records = [
            {
                "month": m,
                "insurance": name,
                "base": _money(base),
                "personal": _money(base * p // 100),
                "employer": _money(base * e // 100),
                "status": "已到账",
            }
            for m in months
            for name, p, e in (("基本养老保险", 8, 16), ("基本医疗保险", 2, 8), ("失业保险", 0, 1))
        ]
        return {"insured_city": city, "paid_months_total": _n(id_number, "months", 24, 300), "records": records}
    if path == TRAFFIC:
        count = _n(id_number, "violations", 0, 3)
        violations: list[dict[str, Any]] = []
        used = 0
        for i in range(count):
            behaviour, fine, points = _BEHAVIOURS[_n(id_number, f"b{i}", 0, len(_BEHAVIOURS) - 1)]
            used += points if i > 0 else 0  # handled ones have cost their points
            violations.append(
                {
                    "occurred_at": f"{months[i * 2]}-{_n(id_number, f'd{i}', 10, 28):02d}T08:"
                    f"{_n(id_number, f'm{i}', 10, 59)}:00+08:00",
                    "place": _PLACES[_n(id_number, f"p{i}", 0, len(_PLACES) - 1)],
                    "behaviour": behaviour,
                    "fine": fine,
                    "points": points,
                    "handled": i > 0,
                }
            )
        return {"driver_licence": {"class": "C1", "status": "正常", "points_left": 12 - used}, "violations": violations}
    if path == EXAMS:
        born = int(id_number[6:10])
        if born >= 1995:
            exams = [
                {
                    "exam": "2025年下半年全国大学英语六级考试",
                    "subject": "英语六级",
                    "score": _n(id_number, "cet", 430, 620),
                    "pass_line": 425,
                    "result": "合格",
                }
            ]
        else:
            exams = [
                {
                    "exam": "2025年度全国会计专业技术资格考试",
                    "subject": "初级会计实务",
                    "score": _n(id_number, "acc", 60, 92),
                    "pass_line": 60,
                    "result": "合格",
                }
            ]
        return {"exams": exams}
    return {}


def enterprise_record(path: str, uscc: str, name: str) -> dict[str, Any]:
    staff = _n(uscc, "staff", 8, 60)
    months = _months(3)
    if path == HOUSING_FUND:
        return {
            "unit_name": name,
            "unit_account_masked": f"{uscc[:6]}******{uscc[-4:]}",
            "paying_staff": staff,
            "monthly_total": _money(staff * _n(uscc, "dep", 1_200, 3_800) * 100),
            "paid_up_to": months[0],
            "status": "正常缴存",
        }
    if path == SOCIAL_SECURITY:
        return {
            "unit_name": name,
            "insured_staff": staff,
            "records": [
                {"month": m, "payable": _money(staff * _n(uscc, m, 2_300, 3_900) * 100), "status": "已足额缴纳"}
                for m in months
            ],
        }
    if path == TRAFFIC:
        return {
            "vehicles": [
                {
                    "plate_masked": f"苏A·{_n(uscc, 'plate', 10, 99)}***",
                    "class": "小型普通客车",
                    "violations": _n(uscc, "unit_v", 0, 2),
                }
            ]
        }
    return {}


@dataclass
class DepartmentQuerySimulator(SignedJsonServer):
    name: str = "department_queries"
    requires: tuple[str, ...] = (SECRET_ID,)
    slow_paths: set[str] = field(default_factory=set)
    slow_s: float = 1.0
    people: set[str] = field(default_factory=lambda: {p.id_number for p in POPULATION})
    enterprises: dict[str, str] = field(default_factory=lambda: {e.uscc: e.name for e in ENTERPRISES})

    def bind(self, cloud: LocalCloud) -> dict[str, str]:
        """Serve before the functions start; DEPARTMENT_QUERY_URL points here."""
        secret = cloud.client("secretsmanager").get_secret_value(SecretId=cloud.ref(SECRET_ID))
        self.secret = str(secret["SecretString"]).encode()
        return {"DEPARTMENT_QUERY_URL": self.serve(cloud.host, PORT if cloud.api_port else 0)}

    def start(self, cloud: LocalCloud) -> None:
        """Everything happened in bind()."""

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        if path in self.slow_paths:
            time.sleep(self.slow_s)  # one department slow, the others not
        return super().handle(method, path, headers, raw)

    def answer(self, method: str, path: str, body: dict[str, Any] | None) -> Reply:
        subject = (body or {}).get("subject")
        if method != "POST" or path not in (HOUSING_FUND, SOCIAL_SECURITY, TRAFFIC, EXAMS):
            return Reply(404, {"code": "not_found", "message": "no such endpoint"})
        if not isinstance(subject, dict):
            return Reply(400, {"code": "invalid_request", "message": "required: subject"})
        if subject.get("type") == "person" and str(subject.get("id_number", "")).upper() in self.people:
            return Reply(200, person_record(path, str(subject["id_number"]).upper()))
        if subject.get("type") == "enterprise" and subject.get("uscc") in self.enterprises:
            record = enterprise_record(path, str(subject["uscc"]), self.enterprises[str(subject["uscc"])])
            if record:
                return Reply(200, record)
        return Reply(404, {"code": "not_found", "message": "no record for this subject"})


__all__ = ["DepartmentQuerySimulator", "Received"]
