"""The cases context's settings (shared.platform.config explains the reading rules)."""

from pydantic import Field, Json

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


DEFAULT_MATERIAL_VALIDITY_DAYS = {
    "*": 180,
    # a form and a self-inspection report are written for one application
    "application_form": 0,
    "self_inspection": 0,
    "photo": 180,
    "bank_account": 365,
    "premises_proof": 365,
    "land_certificate": 1825,
}


class MaterialReuseSettings(EnvironmentSettings):
    """How long an accepted material may be reused in a new application (一次提交、多次复用),
    in days from its upload, by material type (the slot id: `photo` is a photo in every
    item); `*` for the types not named, 0 for never. A JSON object, e.g.
    `{"*": 180, "application_form": 0}` (D-212)."""

    case_material_validity_days: Json[dict[str, int]] = Field(default=DEFAULT_MATERIAL_VALIDITY_DAYS)

    def days_for(self, slot_id: str) -> int:
        days = self.case_material_validity_days
        return max(days.get(slot_id, days.get("*", 0)), 0)


cases_settings = reader(CasesSettings)
material_reuse_settings = reader(MaterialReuseSettings)
joint_task_settings = reader(JointTaskSettings)
materials_settings = reader(MaterialsSettings)
