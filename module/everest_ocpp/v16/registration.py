"""1.6 registration: the BootNotification and Heartbeat payloads and where the interval is kept."""

from __future__ import annotations

import logging
from typing import Any

from ocpp.v16 import call

from ..csms.registration import Registration, RegistrationStatus
from .configuration import ChargePointConfiguration

log = logging.getLogger(__name__)

__all__ = ["Registration16", "RegistrationStatus", "apply_charger_information", "boot_info"]


def boot_info(config: ChargePointConfiguration) -> call.BootNotification:
    return call.BootNotification(
        charge_point_vendor=config.charge_point_vendor,
        charge_point_model=config.charge_point_model,
        charge_point_serial_number=config.charge_point_serial_number,
        charge_box_serial_number=config.charge_box_serial_number or None,
        firmware_version=config.firmware_version or None,
        iccid=config.iccid,
        imsi=config.imsi,
        meter_serial_number=config.meter_serial_number,
        meter_type=config.meter_type,
    )


def apply_charger_information(config: ChargePointConfiguration, info: dict[str, Any]) -> None:
    """charger_information overrides the identity keys (libocpp persists them in the user config)."""

    def text(field: str) -> str | None:
        value = info.get(field)
        return value if isinstance(value, str) and value else None

    if not config.set_charge_point_information(
        text("vendor") or config.charge_point_vendor,
        text("model") or config.charge_point_model,
        text("chargepoint_serial"),
        text("chargebox_serial"),
        text("firmware_version"),
    ):
        log.warning("some charger_information values were not taken (see above)")


class Registration16(Registration):
    """1.6 registers on every connection; the interval from an accepted boot is stored as a key."""

    def __init__(self, config: ChargePointConfiguration, *args: Any, **kwargs: Any) -> None:
        self._config = config
        super().__init__(*args, **kwargs)

    @property
    def registration(self) -> RegistrationStatus:
        return self.status

    def boot_request(self, reason: str) -> call.BootNotification:
        return boot_info(self._config)

    def heartbeat_request(self) -> call.Heartbeat:
        return call.Heartbeat()

    def heartbeat_interval(self) -> int:
        return self._config.heartbeat_interval

    def store_heartbeat_interval(self, interval: int) -> None:
        self._config.set_heartbeat_interval(interval)
