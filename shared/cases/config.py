"""The cases context's settings (shared.platform.config explains the reading rules)."""

from pydantic import Field

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
    The supervisors' lists are partitioned by the province's cities, which come from the
    division table (`shared.platform.config.ProvinceSettings.province_cities`)."""

    supervision_yellow_share: float = Field(default=0.8, gt=0, le=1)
    supervision_yellow_days_left: int = Field(default=3, ge=0, le=30)
    supervision_horizon_days: int = Field(default=120, ge=7, le=366)


cases_settings = reader(CasesSettings)
joint_task_settings = reader(JointTaskSettings)
supervision_settings = reader(SupervisionSettings)
materials_settings = reader(MaterialsSettings)
