"""Fakes for the 1.6 session blocks: a scripted CSMS outbox, evse_managers and EVSE readings."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ocpp.v16 import call, call_result

from everest_ocpp.bridge.evse import EvseInfo
from everest_ocpp.csms.message_queue import PersistentQueue, QueueSender, RetryPolicy
from everest_ocpp.csms.outbox import NotConnected
from everest_ocpp.v16.connectors import ConnectorMap
from everest_ocpp.v16.meter_values import MeterValues16
from everest_ocpp.v16.transaction_store import TransactionStore
from everest_ocpp.v16.transactions import Transactions16

CONNECTORS = ConnectorMap.from_evses([EvseInfo(0, 1, (1,)), EvseInfo(1, 2, (1,))])


def config(**overrides: Any) -> SimpleNamespace:
    """The configuration values the session blocks read (libocpp's test config by default)."""
    values: dict[str, Any] = {
        "meter_value_sample_interval": 0,
        "clock_aligned_data_interval": 0,
        "meter_values_sampled_data": ("Energy.Active.Import.Register",),
        "meter_values_aligned_data": ("Energy.Active.Import.Register",),
        "stop_txn_sampled_data": ("Energy.Active.Import.Register",),
        "stop_txn_aligned_data": ("Energy.Active.Import.Register",),
        "supported_measurands": ("Energy.Active.Import.Register", "Power.Active.Import", "SoC"),
        "stop_transaction_on_invalid_id": True,
        "unlock_connector_on_ev_side_disconnect": True,
        "max_message_size": 65000,
        "minimum_status_duration": 0,
        "transaction_message_attempts": 3,
    }
    values.update(overrides)
    limits = values.pop("max_lengths", {})
    return SimpleNamespace(**values, max_length=lambda key: limits.get(key))


class FakeOutbox:
    """Answers by action from a script (a result, an exception, or "offline"); records what was sent."""

    def __init__(self) -> None:
        self.script: dict[str, list[Any]] = {}
        self.sent: list[Any] = []
        self.session: Any = object()

    @property
    def online(self) -> bool:
        return self.session is not None

    async def call(self, payload: Any) -> Any:
        action = type(payload).__name__
        self.sent.append(payload)
        steps = self.script.get(action)
        step = steps.pop(0) if steps else getattr(call_result, action)(**DEFAULT_ANSWERS.get(action, {}))
        if step == "offline":
            raise NotConnected("offline")
        if isinstance(step, Exception):
            raise step
        return step

    def actions(self) -> list[str]:
        return [type(p).__name__ for p in self.sent]


DEFAULT_ANSWERS: dict[str, dict[str, Any]] = {
    "StartTransaction": {"transaction_id": 42, "id_tag_info": {"status": "Accepted"}},
}


class FakeEvse:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def pause_charging(self, evse_id: int) -> bool:
        self.calls.append(("pause_charging", evse_id))
        return True

    async def stop_transaction(self, evse_id: int, reason: str, id_tag: Any = None) -> bool:
        self.calls.append(("stop_transaction", evse_id, reason))
        return True

    async def force_unlock(self, evse_id: int, connector_id: int) -> bool:
        self.calls.append(("force_unlock", evse_id, connector_id))
        return True


class FakeSessions:
    def __init__(self) -> None:
        self.readings: dict[int, dict[str, Any]] = {}
        self.values: dict[tuple[int, str], Any] = {}

    def powermeter(self, evse_id: int) -> dict[str, Any] | None:
        return self.readings.get(evse_id)

    def latest(self, evse_id: int, var: str) -> Any:
        return self.values.get((evse_id, var))


def reading(wh: float, at: str = "2026-01-01T10:00:00Z", **more: Any) -> dict[str, Any]:
    return {"timestamp": at, "energy_Wh_import": {"total": wh}, **more}


def started(uuid: str, wh: float, at: str, tag: str = "TAG", **more: Any) -> dict[str, Any]:
    details = {
        "id_tag": {"id_token": {"value": tag, "type": "ISO14443"}, "authorization_type": "RFID"},
        "meter_value": reading(wh, at),
        **more,
    }
    return {"uuid": uuid, "timestamp": at, "event": "TransactionStarted", "transaction_started": details}


def finished(uuid: str, wh: float, at: str, reason: str = "Local", **more: Any) -> dict[str, Any]:
    details = {"reason": reason, "meter_value": reading(wh, at), **more}
    return {"uuid": uuid, "timestamp": at, "event": "TransactionFinished", "transaction_finished": details}


class Rig:
    """Transactions16 + MeterValues16 on a real persistent queue, with fakes around them."""

    def __init__(self, folder: Path, **config_overrides: Any) -> None:
        self.folder = folder
        self.config = config(**config_overrides)
        self.outbox = FakeOutbox()
        self.evse = FakeEvse()
        self.sessions = FakeSessions()
        self.events: list[dict[str, Any]] = []
        self.ended: list[int] = []
        self.open()

    def open(self) -> None:
        self.sender = QueueSender(PersistentQueue(self.folder / "queue.db"), self.outbox, call)  # type: ignore[arg-type]
        self.sender.retry = RetryPolicy(
            attempts=lambda: self.config.transaction_message_attempts, interval_s=lambda: 0.01
        )
        self.meter = MeterValues16(
            self.config,
            CONNECTORS,
            self.sessions,
            self.sender,
            lambda c: self.transactions.transaction_of(c),  # type: ignore[arg-type]
        )
        self.transactions = Transactions16(
            self.config,  # type: ignore[arg-type]
            CONNECTORS,
            self.evse,  # type: ignore[arg-type]
            self.sender,
            TransactionStore(self.folder / "transactions.db"),
            self.meter,
            self.events.append,
            self.ended.append,
        )

    async def deliver(self, timeout: float = 5.0) -> None:
        """Send everything queued, then let spawned EVSE calls run."""
        self.sender.online.set()
        self.sender.start()
        try:
            async with asyncio.timeout(timeout):
                while len(self.sender.queue):
                    await asyncio.sleep(0.005)
                await asyncio.sleep(0.02)
        finally:
            await self.sender.stop()

    async def close(self) -> None:
        await self.transactions.close()
        await self.sender.stop()
        self.transactions.close_storage()
        self.sender.queue.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Any]:
    made: list[Rig] = []

    def make(**overrides: Any) -> Rig:
        r = Rig(tmp_path, **overrides)
        made.append(r)
        return r

    yield make
