"""EVerest errors as OCPP 1.6 StatusNotification error fields, mapped as the C++ OCPP module does.

* ChargeX MREC errors: their ChargePointErrorCode, vendorId ``https://chargex.inl.gov`` and the
  MREC code (``CX001`` ...) as vendorErrorCode.
* ``powermeter/CommunicationFault``: PowerMeterFailure.
* ``evse_manager/Inoperative`` (the EVSE cannot charge): OtherError, and the only error that makes the
  connector Faulted; info ``caused_by:<message>``, vendorId the error's vendor id, vendorErrorCode its
  description.
* anything else: OtherError, info the origin (``module->implementation``), vendorId the message,
  vendorErrorCode the type after the interface name plus ``/<sub type>``.

Texts are cut to what 1.6 allows (info and vendorErrorCode 50, vendorId 255 characters).
"""

from __future__ import annotations

from ..bridge.errors import ActiveError
from .status_machine import ErrorInfo

CHARGEX_VENDOR_ID = "https://chargex.inl.gov"
INOPERATIVE = "evse_manager/Inoperative"

MREC: dict[str, tuple[str, str]] = {
    "connector_lock/MREC1ConnectorLockFailure": ("ConnectorLockFailure", "CX001"),
    "evse_board_support/MREC2GroundFailure": ("GroundFailure", "CX002"),
    "evse_board_support/MREC3HighTemperature": ("HighTemperature", "CX003"),
    "evse_board_support/MREC4OverCurrentFailure": ("OverCurrentFailure", "CX004"),
    "evse_board_support/MREC5OverVoltage": ("OverVoltage", "CX005"),
    "evse_board_support/MREC6UnderVoltage": ("UnderVoltage", "CX006"),
    "evse_board_support/MREC8EmergencyStop": ("OtherError", "CX008"),
    "evse_board_support/MREC10InvalidVehicleMode": ("OtherError", "CX010"),
    "evse_board_support/MREC14PilotFault": ("OtherError", "CX014"),
    "evse_board_support/MREC15PowerLoss": ("OtherError", "CX015"),
    "evse_board_support/MREC17EVSEContactorFault": ("OtherError", "CX017"),
    "evse_board_support/MREC18CableOverTempDerate": ("OtherError", "CX018"),
    "evse_board_support/MREC19CableOverTempStop": ("OtherError", "CX019"),
    "evse_board_support/MREC20PartialInsertion": ("OtherError", "CX020"),
    "evse_board_support/MREC23ProximityFault": ("OtherError", "CX023"),
    "evse_board_support/MREC24ConnectorVoltageHigh": ("OtherError", "CX024"),
    "evse_board_support/MREC25BrokenLatch": ("OtherError", "CX025"),
    "evse_board_support/MREC26CutCable": ("OtherError", "CX026"),
    "evse_manager/MREC4OverCurrentFailure": ("OverCurrentFailure", "CX004"),
    "ac_rcd/MREC2GroundFailure": ("GroundFailure", "CX002"),
    "evse_manager/MREC22ResistanceFault": ("OtherError", "CX022"),
    "evse_manager/MREC11CableCheckFault": ("OtherError", "CX011"),
    "evse_manager/MREC5OverVoltage": ("OverVoltage", "CX005"),
}
OCPP_CODES = {"powermeter/CommunicationFault": "PowerMeterFailure"}


def _cut(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


def error_info(error: ActiveError) -> ErrorInfo:
    for key, (code, vendor_code) in MREC.items():
        if key in error.type:
            return ErrorInfo(
                error.uuid, code, False, vendor_id=CHARGEX_VENDOR_ID, vendor_error_code=vendor_code
            )
    for key, code in OCPP_CODES.items():
        if key in error.type:
            return ErrorInfo(error.uuid, code, False)
    if error.type == INOPERATIVE:
        return ErrorInfo(
            error.uuid,
            "OtherError",
            True,
            _cut(f"caused_by:{error.message}", 50),
            _cut(error.vendor_id, 255),
            _cut(error.description, 50),
        )
    _interface, _slash, name = error.type.partition("/")
    origin = f"{error.origin_module}->{error.origin_implementation}"
    return ErrorInfo(
        error.uuid,
        "OtherError",
        False,
        _cut(origin, 50),
        _cut(error.message, 255),
        _cut(f"{name or error.type}/{error.sub_type}", 50),
    )
