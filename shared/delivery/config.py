"""The delivery context's settings (courier shipments, 快递送, C12)."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class DeliverySettings(EnvironmentSettings):
    delivery_table: str


class CourierOutboundSettings(EnvironmentSettings):
    """The partner-outbound queue the booking worker writes bookings to."""

    courier_outbound_queue_url: str


class CourierInboundSettings(EnvironmentSettings):
    """The partner-inbound DLQ operators read through the API."""

    courier_inbound_dlq_url: str


class HallPickupSettings(EnvironmentSettings):
    """大厅自取 (D-276): working days a result waits at the hall before its limit runs out
    (supervision reminds the applicant when it nears, and shows it overdue after)."""

    hall_pickup_days: int = Field(default=10, ge=1, le=60)


delivery_settings = reader(DeliverySettings)
hall_pickup_settings = reader(HallPickupSettings)
courier_outbound_settings = reader(CourierOutboundSettings)
courier_inbound_settings = reader(CourierInboundSettings)
