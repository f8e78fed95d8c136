"""What an EVerest session event says for a 2.0.1 transaction, as the C++ OCPP201 module reads it:
EVerest stop reasons as OCPP reasons and the trigger of TransactionEvent(Ended), the start / stop
point fact a reason means, where an event carries its time, meter reading and authorizing token,
and :class:`SessionData`, what the next TransactionEvent of an EVSE's session will say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..timestamps import parse, rfc3339
from .tx_points import TxFact

Event = dict[str, Any]

# EVerest StopTransactionReason -> OCPP 2.0.1 ReasonEnum (unknown ones: Other)
REASONS = {
    "DeAuthorized": "DeAuthorized",
    "EmergencyStop": "EmergencyStop",
    "EnergyLimitReached": "EnergyLimitReached",
    "EVDisconnected": "EVDisconnected",
    "GroundFault": "GroundFault",
    "HardReset": "ImmediateReset",
    "Local": "Local",
    "LocalOutOfCredit": "LocalOutOfCredit",
    "MasterPass": "MasterPass",
    "Other": "Other",
    "OvercurrentFault": "OvercurrentFault",
    "PowerLoss": "PowerLoss",
    "PowerQuality": "PowerQuality",
    "Reboot": "Reboot",
    "Remote": "Remote",
    "SOCLimitReached": "SOCLimitReached",
    "StoppedByEV": "StoppedByEV",
    "TimeLimitReached": "TimeLimitReached",
    "Timeout": "Timeout",
}
# OCPP stop reason -> the trigger reason of TransactionEvent(Ended)
STOP_TRIGGERS = {
    "DeAuthorized": "Deauthorized",
    "EmergencyStop": "AbnormalCondition",
    "EnergyLimitReached": "EnergyLimitReached",
    "EVDisconnected": "EVCommunicationLost",
    "GroundFault": "AbnormalCondition",
    "ImmediateReset": "ResetCommand",
    "Local": "StopAuthorized",
    "LocalOutOfCredit": "ChargingStateChanged",
    "MasterPass": "StopAuthorized",
    "PowerQuality": "AbnormalCondition",
    "Reboot": "ResetCommand",
    "Remote": "RemoteStop",
    "SOCLimitReached": "EnergyLimitReached",
    "StoppedByEV": "StopAuthorized",
    "TimeLimitReached": "TimeLimitReached",
    "Timeout": "EVConnectTimeout",
}
DEAUTHORIZING = frozenset({"DeAuthorized", "Remote", "Local", "MasterPass", "StoppedByEV"})

# where each event carries its meter reading and signed reading
READING_PARTS = {
    "SessionStarted": "session_started",
    "SessionFinished": "session_finished",
    "TransactionStarted": "transaction_started",
    "TransactionFinished": "transaction_finished",
    "ChargingStarted": "charging_state_changed_event",
    "ChargingPausedEV": "charging_state_changed_event",
    "ChargingPausedEVSE": "charging_state_changed_event",
    "Authorized": "authorization_event",
    "Deauthorized": "authorization_event",
}
SIGNED_PARTS = frozenset({"session_started", "transaction_started", "transaction_finished"})


def fact_of_reason(reason: str) -> TxFact:
    if reason in DEAUTHORIZING:
        return TxFact.DEAUTHORIZED
    if reason == "EVDisconnected":
        return TxFact.EV_DISCONNECTED
    if reason == "ImmediateReset":
        return TxFact.IMMEDIATE_RESET
    return TxFact.NONE


def ocpp_id_token(token: dict[str, Any]) -> dict[str, Any]:
    """An EVerest IdToken as OCPP's IdTokenType (snake_case payload)."""
    out: dict[str, Any] = {"id_token": str(token.get("value", "")), "type": str(token.get("type", "Local"))}
    extra = token.get("additional_info")
    if isinstance(extra, list) and extra:
        out["additional_info"] = [
            {"additional_id_token": str(i.get("value", "")), "type": str(i.get("type", ""))}
            for i in extra
            if isinstance(i, dict)
        ]
    return out


@dataclass(slots=True)
class SessionData:
    """What the next TransactionEvent of an EVSE's session will say (libocpp's TransactionData)."""

    connector_id: int
    session_id: str
    timestamp: str
    trigger_reason: str
    charging_state: str
    started: bool = False
    stop_reason: str = "Other"
    id_token: dict[str, Any] | None = None
    reservation_id: int | None = None
    remote_start_id: int | None = None


def event_time(event: Event) -> str:
    moment = parse(event.get("timestamp"))
    return rfc3339(moment) if moment is not None else rfc3339()


def event_reading(event: Event) -> tuple[dict[str, Any], Any]:
    """The powermeter reading an event carries (and its signed reading), ``({}, None)`` if none."""
    part = READING_PARTS.get(str(event.get("event", "")))
    context = event.get(part) if part else None
    if not isinstance(context, dict):
        return {}, None
    signed = context.get("signed_meter_value") if part in SIGNED_PARTS else None
    meter = context.get("meter_value")
    return (meter if isinstance(meter, dict) else {}), (signed if isinstance(signed, dict) else None)


def authorized_token(event: Event) -> dict[str, Any] | None:
    """SessionStarted / TransactionStarted name the token that authorized the session."""
    kind = event.get("event")
    if kind == "SessionStarted":
        id_tag = (event.get("session_started") or {}).get("id_tag")
    elif kind == "TransactionStarted":
        id_tag = (event.get("transaction_started") or {}).get("id_tag")
    else:
        return None
    if not isinstance(id_tag, dict) or not isinstance(id_tag.get("id_token"), dict):
        return None
    return ocpp_id_token(id_tag["id_token"])
