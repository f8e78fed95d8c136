"""Review helpers: a rig per version, session events fed as an evse_manager would, every frame the
station sent checked against the OCPP schema, the log kept."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from ocpp.messages import get_validator

from .rig import Rig, build, settle, until

NOW = "2026-01-01T10:00:00.000Z"
ANSWERS_16: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "StartTransaction": {"transactionId": 91, "idTagInfo": {"status": "Accepted"}},
    "StopTransaction": {},
    "StatusNotification": {},
    "MeterValues": {},
    "SecurityEventNotification": {},
    "Authorize": {"idTagInfo": {"status": "Accepted"}},
    "DataTransfer": {"status": "Accepted"},
}
ANSWERS_201: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "Authorize": {"idTokenInfo": {"status": "Accepted"}},
    "TransactionEvent": {},
    "StatusNotification": {},
    "MeterValues": {},
    "NotifyEvent": {},
    "SecurityEventNotification": {},
}


def meter(wh: float, ts: str = NOW, **more: Any) -> dict[str, Any]:
    return {"timestamp": ts, "energy_Wh_import": {"total": wh}, **more}


def ev(kind: str, uuid: str = "s1", ts: str = NOW, **parts: Any) -> dict[str, Any]:
    return {"uuid": uuid, "event": kind, "timestamp": ts, **parts}


TAG = {"id_token": {"value": "CARD", "type": "ISO14443"}, "authorization_type": "RFID"}


def plugged(uuid: str = "s1", wh: float = 10, ts: str = NOW) -> dict[str, Any]:
    return ev(
        "SessionStarted", uuid, ts, session_started={"reason": "EVConnected", "meter_value": meter(wh, ts)}
    )


def tx_started(uuid: str = "s1", wh: float = 10, ts: str = NOW, **more: Any) -> dict[str, Any]:
    return ev(
        "TransactionStarted",
        uuid,
        ts,
        transaction_started={"id_tag": TAG, "meter_value": meter(wh, ts), **more},
    )


def tx_finished(uuid: str = "s1", wh: float = 20, ts: str = NOW, reason: str = "EVDisconnected", **more: Any):
    return ev(
        "TransactionFinished",
        uuid,
        ts,
        transaction_finished={"meter_value": meter(wh, ts), "reason": reason, **more},
    )


def session_finished(uuid: str = "s1", wh: float = 20, ts: str = NOW) -> dict[str, Any]:
    return ev("SessionFinished", uuid, ts, session_finished={"meter_value": meter(wh, ts)})


def charging(kind: str = "ChargingStarted", uuid: str = "s1", wh: float = 10) -> dict[str, Any]:
    return ev(kind, uuid, charging_state_changed_event={"meter_value": meter(wh)})


class Probe:
    def __init__(self, rig: Rig) -> None:
        self.rig = rig

    @property
    def csms(self):
        return self.rig.csms

    def publish(self, var: str, value: Any, index: int = 0) -> None:
        self.rig.runtime.publish("evse_manager", index, var, value)

    def event(self, value: dict[str, Any], index: int = 0) -> None:
        self.publish("session_event", value, index)

    async def drain(self) -> None:
        """Until the queue has nothing left to send (or 2 s)."""
        sender = self.rig.backend.sender
        await settle()
        with contextlib.suppress(TimeoutError):
            await until(lambda: sender.queue.head() is None, 2.0)
        await settle()
        await asyncio.sleep(0.05)

    def calls(self, action: str) -> list[dict[str, Any]]:
        return self.csms.calls(action)

    def invalid_calls(self) -> list[tuple[str, str]]:
        """(action, schema error) of every call the station sent that fails the OCPP schema."""
        bad = []
        for frame in self.csms.sent:
            if frame[0] != 2:
                continue
            validator = get_validator(2, frame[2], self.rig.version, parse_float=Decimal)
            try:
                validator.validate(json.loads(json.dumps(frame[3]), parse_float=Decimal))
            except Exception as exc:  # jsonschema ValidationError
                bad.append((frame[2], str(exc).splitlines()[0]))
        return bad


async def start(tmp_path: Path, version: str, **kw: Any) -> Probe:
    answers = ANSWERS_16 if version == "1.6" else ANSWERS_201
    rig = await build(tmp_path, version, kw.pop("csms", answers), **kw)
    if version == "1.6":
        _count_transaction_ids(rig.csms)
    await rig.connect()
    return Probe(rig)


def _count_transaction_ids(csms: Any) -> None:
    """The fake CSMS gives every StartTransaction its own id: 91, 92, ..."""
    original = csms.send
    next_id = [91]

    async def send(message: str) -> None:
        frame = json.loads(message)
        if frame[0] == 2 and frame[2] == "StartTransaction":
            csms.answers["StartTransaction"] = {
                **csms.answers["StartTransaction"],
                "transactionId": next_id[0],
            }
            next_id[0] += 1
        await original(message)

    csms.send = send


def problems(caplog: Any) -> list[str]:
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}" + (" [traceback]" if r.exc_info else "")
        for r in caplog.records
        if r.levelno >= logging.WARNING
    ]
