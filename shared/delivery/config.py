"""The delivery context's settings (courier shipments, 快递送, C12)."""

from shared.platform.config import EnvironmentSettings, reader


class DeliverySettings(EnvironmentSettings):
    delivery_table: str


class CourierOutboundSettings(EnvironmentSettings):
    """The partner-outbound queue the booking worker writes bookings to."""

    courier_outbound_queue_url: str


class CourierInboundSettings(EnvironmentSettings):
    """The partner-inbound DLQ operators read through the API."""

    courier_inbound_dlq_url: str


delivery_settings = reader(DeliverySettings)
courier_outbound_settings = reader(CourierOutboundSettings)
courier_inbound_settings = reader(CourierInboundSettings)
