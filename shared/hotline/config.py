"""The hotline context's settings (12345 tickets)."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class HotlineSettings(EnvironmentSettings):
    """The table and the limits in working days, counted from dispatch (the platform calendar):
    sign within `sign_days`, answer a consultation within `answer_days_consultation` and any
    other type within `answer_days_other`; a reopened ticket gets `reopen_answer_days` again;
    an answered ticket not rated within `rating_days` is closed as `no_response`."""

    hotline_table: str
    sign_days: int = Field(default=1, ge=1, le=30)
    answer_days_consultation: int = Field(default=3, ge=1, le=60)
    answer_days_other: int = Field(default=5, ge=1, le=60)
    reopen_answer_days: int = Field(default=5, ge=1, le=60)
    rating_days: int = Field(default=3, ge=1, le=30)
    max_attachments: int = Field(default=5, ge=0, le=20)
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    follow_up_shards: int = Field(default=8, ge=1, le=64)


class AttachmentSettings(EnvironmentSettings):
    """The hotline's own attachments bucket (presigned POST uploads, `hotline/<ticket>/<file>`)."""

    hotline_attachments_bucket: str
    upload_url_ttl_s: int = Field(default=900, ge=60, le=3600)


hotline_settings = reader(HotlineSettings)
attachment_settings = reader(AttachmentSettings)
