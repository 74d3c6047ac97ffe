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


cases_settings = reader(CasesSettings)
joint_task_settings = reader(JointTaskSettings)
materials_settings = reader(MaterialsSettings)
