"""2.0.1 registration (B01-B03): the BootNotification and Heartbeat payloads.

Unlike 1.6, an accepted station does not boot again when only the websocket reconnects; a new
BootNotification follows a (re)start of the OCPP link or a TriggerMessage while not accepted.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.v201 import call

from ..csms.registration import Registration, RegistrationStatus
from ..variables import Source, VariableRef
from .device_model import DeviceModel
from .device_model import well_known as wk

log = logging.getLogger(__name__)

__all__ = ["Registration201", "RegistrationStatus", "apply_charger_information", "boot_request"]

ICCID = VariableRef("InternalCtrlr", "ICCID")
IMSI = VariableRef("InternalCtrlr", "IMSI")


def boot_request(dm: DeviceModel, reason: str) -> call.BootNotification:
    station: dict[str, Any] = {
        "model": dm.get_str(wk.CHARGE_POINT_MODEL),
        "vendor_name": dm.get_str(wk.CHARGE_POINT_VENDOR),
        "serial_number": dm.value(wk.CHARGE_BOX_SERIAL_NUMBER) or None,
        "firmware_version": dm.value(wk.FIRMWARE_VERSION) or None,
    }
    modem = {
        "iccid": dm.value(ICCID) or None,
        "imsi": dm.value(IMSI) or None,
    }
    if any(modem.values()):
        station["modem"] = {k: v for k, v in modem.items() if v}
    return call.BootNotification(
        charging_station={k: v for k, v in station.items() if v is not None}, reason=reason
    )


CHARGER_INFORMATION = {
    "vendor": wk.CHARGE_POINT_VENDOR,
    "model": wk.CHARGE_POINT_MODEL,
    "chargepoint_serial": wk.CHARGE_POINT_SERIAL_NUMBER,
    "chargebox_serial": wk.CHARGE_BOX_SERIAL_NUMBER,
    "firmware_version": wk.FIRMWARE_VERSION,
}


def apply_charger_information(dm: DeviceModel, info: dict[str, Any]) -> None:
    """charger_information overrides the station identity in the device model."""
    for field, ref in CHARGER_INFORMATION.items():
        value = info.get(field)
        if isinstance(value, str) and value and dm.variable(ref) is not None:
            dm.set(ref, value, source=Source.INTERNAL, allow_read_only=True)


class Registration201(Registration):
    def __init__(self, dm: DeviceModel, *args: Any, **kwargs: Any) -> None:
        self._dm = dm
        super().__init__(*args, **kwargs)

    def boot_request(self, reason: str) -> call.BootNotification:
        return boot_request(self._dm, reason)

    def heartbeat_request(self) -> call.Heartbeat:
        return call.Heartbeat()

    def heartbeat_interval(self) -> int:
        return self._dm.get_int(wk.HEARTBEAT_INTERVAL, default=0)

    def store_heartbeat_interval(self, interval: int) -> None:
        self._dm.set(wk.HEARTBEAT_INTERVAL, str(interval), source=Source.INTERNAL)

    def time_from_csms(self) -> bool:
        """B01.FR.06: the CSMS's time is used only when ClockCtrlr.TimeSource names Heartbeat."""
        return "Heartbeat" in (self._dm.value(wk.TIME_SOURCE) or "")

    def response_extra(self, response: Any) -> dict[str, Any]:
        if not response.status_info:
            return {}
        info = {k: v for k, v in response.status_info.items() if k in ("reason_code", "additional_info")}
        return {"status_info": info}
