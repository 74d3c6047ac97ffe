"""The halls context's settings: its table and the booking rules operators tune."""

from shared.platform.config import EnvironmentSettings, reader


class HallsSettings(EnvironmentSettings):
    halls_table: str
    # A slot's capacity is split over this many counter items (D-160): each takes
    # at most capacity/shards bookings, so no single key is written 100 times a second.
    halls_booking_shards: int = 4
    halls_cancel_cutoff_minutes: int = 120
    halls_no_show_limit: int = 3
    halls_no_show_window_days: int = 90
    halls_suspension_days: int = 30


halls_settings = reader(HallsSettings)
