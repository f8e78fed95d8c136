"""1.6 MeterValues.req: readings of the EVSEs, clock-aligned sampling and TriggerMessage MeterValues.

Every MeterValues.req is a transaction message: it goes through the persistent queue (kept while
offline, in order with StartTransaction/StopTransaction) and carries the transaction id of the
transaction running on the connector, if any. Clock-aligned values (ClockAlignedDataInterval seconds,
aligned to midnight UTC, MeterValuesAlignedData) are taken on every connector with a reading, with or
without a transaction, from the start of the link until ``stop``. Sampled values of transactions are
taken by the transaction block with :meth:`MeterValues16.send`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..bridge.sessions import EvseSessions
from ..csms.message_queue import QueueSender
from ..csms.metering import number
from ..tasks import log_failure
from . import metering
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap

log = logging.getLogger(__name__)

ClockListener = Callable[[int, metering.Reading], None]  # (connector, reading) at each aligned tick


def _floor(value: Any) -> float | None:
    finite = number(value)
    return None if finite is None else float(math.floor(finite))


class MeterValues16:
    def __init__(
        self,
        config: ChargePointConfiguration,
        connectors: ConnectorMap,
        sessions: EvseSessions,
        sender: QueueSender,
        transaction_of: Callable[[int], int | None],
    ) -> None:
        self._config = config
        self._map = connectors
        self._sessions = sessions
        self._sender = sender
        self._transaction_of = transaction_of  # connector -> id for MeterValues.transactionId
        self._stale_ev_info: dict[int, Any] = {}  # EVSE -> ev_info of a finished session (no SoC)
        self._offered: dict[int, tuple[float, float]] = {}  # EVSE -> (A, W) last enforced
        self._clock: asyncio.Task[None] | None = None
        self.clock_listeners: list[ClockListener] = []

    # ---- readings --------------------------------------------------------------------------------
    def session_finished(self, evse_id: int) -> None:
        """The EV left: its state of charge is no longer reported (as the C++ module forgets it)."""
        self._stale_ev_info[evse_id] = self._sessions.latest(evse_id, "ev_info")

    def _soc(self, evse_id: int) -> float | None:
        info = self._sessions.latest(evse_id, "ev_info")
        if not isinstance(info, dict) or info is self._stale_ev_info.get(evse_id):
            return None
        soc = info.get("soc")
        return float(soc) if isinstance(soc, int | float) else None

    def _offered_now(self, evse_id: int) -> tuple[float, float]:
        current, power = self._offered.get(evse_id, (0.0, 0.0))
        limits = self._sessions.latest(evse_id, "enforced_limits")
        root = limits.get("limits_root_side") if isinstance(limits, dict) else None
        if isinstance(root, dict):
            amps = _floor((root.get("ac_max_current_A") or {}).get("value"))
            watts = _floor((root.get("total_power_W") or {}).get("value"))
            current = current if amps is None else amps
            power = power if watts is None else watts
            self._offered[evse_id] = (current, power)
        return current, power

    def reading(self, connector: int) -> metering.Reading | None:
        """What connector ``connector`` measures now; None before its EVSE published a powermeter."""
        evse_id = self._map.evse_of(connector)
        if evse_id is None:
            return None
        powermeter = self._sessions.powermeter(evse_id)
        if powermeter is None:
            return None
        current, power = self._offered_now(evse_id)
        return metering.Reading(powermeter, self._soc(evse_id), current, power)

    def measurands(self, key: str) -> list[str]:
        configured = {
            "MeterValuesSampledData": self._config.meter_values_sampled_data,
            "MeterValuesAlignedData": self._config.meter_values_aligned_data,
            "StopTxnSampledData": self._config.stop_txn_sampled_data,
            "StopTxnAlignedData": self._config.stop_txn_aligned_data,
        }[key]
        wanted = metering.wanted(configured, self._config.supported_measurands)
        limit = self._config.max_length(key)  # <key>MaxLength bounds the list
        return wanted if limit is None else wanted[:limit]

    # ---- sending ---------------------------------------------------------------------------------
    def send(self, connector: int, meter_value: dict[str, Any], transaction_id: int | None = None) -> None:
        """Queue one MeterValues.req (``transaction_id``: ours or the CSMS's; the queue resolves ours)."""
        payload: dict[str, Any] = {"connector_id": connector, "meter_value": [meter_value]}
        if transaction_id is not None:
            payload["transaction_id"] = transaction_id
        self._sender.push("MeterValues", payload, transactional=True)

    def sample(
        self, connector: int, key: str, context: str
    ) -> tuple[metering.Reading, dict[str, Any]] | None:
        reading = self.reading(connector)
        if reading is None:
            return None
        value = metering.meter_value(reading, self.measurands(key), context)
        return None if value is None else (reading, value)

    # ---- clock-aligned ---------------------------------------------------------------------------
    def start_clock(self) -> None:
        self.stop_clock()
        interval = self._config.clock_aligned_data_interval
        if interval > 0:
            self._clock = asyncio.get_running_loop().create_task(self._clock_loop(interval), name="aligned")
            self._clock.add_done_callback(log_failure)

    def stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    async def close(self) -> None:
        task, self._clock = self._clock, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _clock_loop(self, interval: int) -> None:
        while True:
            now = datetime.now(UTC)
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            ticks = (now - midnight).total_seconds() // interval + 1
            await asyncio.sleep(((midnight + timedelta(seconds=ticks * interval)) - now).total_seconds())
            self.clock_tick()

    def clock_tick(self) -> None:
        """One aligned sample of every connector (1..n)."""
        for connector in self._map.by_ocpp:
            reading = self.reading(connector)
            if reading is None:
                log.debug("no clock-aligned meter value for connector %d: no reading yet", connector)
                continue
            for listener in self.clock_listeners:
                listener(connector, reading)
            value = metering.meter_value(
                reading, self.measurands("MeterValuesAlignedData"), metering.SAMPLE_CLOCK
            )
            if value is not None:
                self.send(connector, value, self._transaction_of(connector))

    # ---- TriggerMessage --------------------------------------------------------------------------
    def trigger_accepts(self, connector_id: int | None) -> bool:
        """Rejected without a reading (on the connector, or on any when none is given), as libocpp."""
        if connector_id is None:
            return any(self.reading(c) is not None for c in self._map.by_ocpp)
        return connector_id != 0 and self.reading(connector_id) is not None

    async def trigger(self, connector_id: int | None) -> None:
        """MeterValuesSampledData of one or every connector, context Trigger."""
        for connector in [connector_id] if connector_id is not None else list(self._map.by_ocpp):
            sampled = self.sample(connector, "MeterValuesSampledData", metering.TRIGGER)
            if sampled is not None:
                self.send(connector, sampled[1], self._transaction_of(connector))
