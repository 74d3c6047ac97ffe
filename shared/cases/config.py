"""The cases context's settings (shared.platform.config explains the reading rules)."""

import re

from pydantic import Field, field_validator

from shared.platform.config import EnvironmentSettings, reader


class CasesSettings(EnvironmentSettings):
    cases_table: str


class MaterialsSettings(EnvironmentSettings):
    """Application materials: the bucket and how long a presigned upload POST lives."""

    materials_bucket: str
    material_upload_ttl_s: int = Field(default=900, ge=60, le=3600)


class JointTaskSettings(EnvironmentSettings):
    """并联审批: each co-department's own limit in working days (capped by the item's promised limit)."""

    joint_task_working_days: int = Field(default=20, ge=1, le=120)


class SupervisionSettings(EnvironmentSettings):
    """效能监察 (supervision sweep): yellow once this share of a limit is used or at most this
    many working days are left; the sweep reads due dates this many calendar days ahead.
    Partitions of the supervisors' lists (warnings, extension requests): the province's own
    code and its cities, as 4-digit GB/T 2260 prefixes, comma-separated (Jiangsu: 3200..3213);
    configuration until the division table is shared reference data (issue 23 point 3)."""

    supervision_yellow_share: float = Field(default=0.8, gt=0, le=1)
    supervision_yellow_days_left: int = Field(default=3, ge=0, le=30)
    supervision_horizon_days: int = Field(default=120, ge=7, le=366)
    supervision_city_prefixes: str = ",".join(f"32{n:02d}" for n in range(14))

    @field_validator("supervision_city_prefixes")
    @classmethod
    def _city_prefixes(cls, value: str) -> str:
        prefixes = [p.strip() for p in value.split(",") if p.strip()]
        if not prefixes or any(not re.fullmatch(r"[1-9][0-9]{3}", p) for p in prefixes):
            raise ValueError("SUPERVISION_CITY_PREFIXES lists 4-digit division prefixes, comma-separated")
        if len(set(prefixes)) != len(prefixes) or len({p[:2] for p in prefixes}) != 1:
            raise ValueError("SUPERVISION_CITY_PREFIXES lists each prefix once, all in one province")
        if f"{prefixes[0][:2]}00" not in prefixes:
            raise ValueError("SUPERVISION_CITY_PREFIXES includes the province's own partition (<province>00)")
        return ",".join(prefixes)

    @property
    def city_prefixes(self) -> tuple[str, ...]:
        return tuple(self.supervision_city_prefixes.split(","))


cases_settings = reader(CasesSettings)
joint_task_settings = reader(JointTaskSettings)
supervision_settings = reader(SupervisionSettings)
materials_settings = reader(MaterialsSettings)
