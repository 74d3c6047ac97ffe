"""The ratings context's settings (好差评). The limits are local rules (standards.md:
5–15 working days for rectification), so they are configuration."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class RatingsSettings(EnvironmentSettings):
    ratings_table: str
    rating_change_days: int = Field(
        default=10, ge=1, le=60, description="Calendar days a rating may be changed (once)."
    )
    rectification_visit_days: int = Field(
        default=1, ge=1, le=10, description="Working days to contact the rater (回访)."
    )
    rectification_answer_days: int = Field(default=15, ge=1, le=60, description="Working days to rectify and answer.")
    rating_link_days: int = Field(default=30, ge=1, le=90, description="Calendar days a one-time rating link is valid.")
    rating_link_base: str = Field(
        default="https://www.jszwfw.gov.cn/rate", description="The page a one-time link opens (the token is appended)."
    )


ratings_settings = reader(RatingsSettings)
