"""2.0.1 meter values (J01/J02): the EVSEs' readings, clock-aligned data and MeterValues outside
transactions.

:class:`Readings` keeps per EVSE the latest powermeter reading (with the EV's SoC and the offered
current) and the clock-aligned averages. :class:`MeterValues201` runs the AlignedDataCtrlr clocks:
every ``Interval`` it sends a MeterValues per idle EVSE (J01.FR.14) and hands the aligned value of
an EVSE in a transaction to the transaction block (TransactionEvent MeterValueClock, J01.FR.06 -
not when ``SendDuringIdle``, J01.FR.20); every ``TxEndedInterval`` it stores an aligned value for
TransactionEvent(Ended). MeterValues go out only while registered (not queued) unless
``OCPPCommCtrlr.QueueAllMessages`` is true.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from ocpp.v201 import call

from ..bridge.sessions import EvseSessions
from ..csms.message_queue import QueueSender
from ..csms.metering import Sample
from ..csms.outbox import NotConnected, Outbox
from ..timestamps import rfc3339
from ..variables import VariableRef
from .device_model import DeviceModel
from .device_model import well_known as wk
from .meter_format import (
    SAMPLE_CLOCK,
    SAMPLE_PERIODIC,
    TRIGGER,
    Averager,
    MeterValue,
    filtered,
    measurand_list,
    meter_value,
    reading_samples,
    reading_time,
)
from .ticks import Ticker, midnight_utc

log = logging.getLogger(__name__)

ALIGNED_SEND_DURING_IDLE = VariableRef("AlignedDataCtrlr", "SendDuringIdle")
QUEUE_ALL_MESSAGES = VariableRef("OCPPCommCtrlr", "QueueAllMessages")
PUBLIC_KEY_WITH_SIGNED = VariableRef("OCPPCommCtrlr", "PublicKeyWithSignedMeterValue")


@dataclass(slots=True)
class EvseReading:
    powermeter: dict[str, Any] | None = None
    aligned: Averager = field(default_factory=Averager)  # AlignedDataCtrlr.Interval
    aligned_tx_ended: Averager = field(default_factory=Averager)  # AlignedDataCtrlr.TxEndedInterval
    stale_ev_info: object = None  # the ev_info of a finished session: its SoC no longer counts


class Readings:
    """The EVSEs' latest readings, as OCPP samples (SoC from ev_info, Current.Offered from limits)."""

    def __init__(self, sessions: EvseSessions, dm: DeviceModel) -> None:
        self._sessions = sessions
        self._dm = dm
        self.evses: dict[int, EvseReading] = {}

    def of(self, evse_id: int) -> EvseReading:
        return self.evses.setdefault(evse_id, EvseReading())

    def on_powermeter(self, evse_id: int, powermeter: dict[str, Any]) -> list[Sample]:
        reading = self.of(evse_id)
        reading.powermeter = powermeter
        samples = self.samples(evse_id, powermeter, powermeter.get("signed_meter_value"))
        reading.aligned.add(samples)
        reading.aligned_tx_ended.add(samples)
        return samples

    def session_finished(self, evse_id: int) -> None:
        # ev_info is not republished when the EV leaves: remember which one is now stale
        self.of(evse_id).stale_ev_info = self._sessions.latest(evse_id, "ev_info")

    def soc(self, evse_id: int) -> float | None:
        ev_info = self._sessions.latest(evse_id, "ev_info")
        if not isinstance(ev_info, dict) or ev_info is self.of(evse_id).stale_ev_info:
            return None
        soc = ev_info.get("soc")
        return float(soc) if isinstance(soc, int | float) else None

    def current_offered(self, evse_id: int) -> float | None:
        limits = self._sessions.latest(evse_id, "limits")
        value = limits.get("max_current") if isinstance(limits, dict) else None
        return float(value) if isinstance(value, int | float) else None

    def samples(self, evse_id: int, powermeter: dict[str, Any], signed: Any = None) -> list[Sample]:
        return reading_samples(
            powermeter,
            soc_percent=self.soc(evse_id),
            current_offered_a=self.current_offered(evse_id),
            signed_energy=signed if isinstance(signed, dict) else None,
        )

    def public_key(self, evse_id: int) -> str | None:
        key = self._sessions.latest(evse_id, "powermeter_public_key_ocmf")
        return key if isinstance(key, str) and key else None

    def include_key(self) -> bool:
        return (self._dm.value(PUBLIC_KEY_WITH_SIGNED) or "Never") != "Never"

    def event_value(self, evse_id: int, powermeter: dict[str, Any], signed: Any, context: str) -> MeterValue:
        """The reading a session event carried (Transaction.Begin / .End), as an OCPP MeterValue."""
        samples = (
            reading_samples(powermeter, signed_energy=signed if isinstance(signed, dict) else None)
            if powermeter
            else []
        )
        return meter_value(
            samples, context, reading_time(powermeter), self.include_key(), self.public_key(evse_id)
        )

    def latest(self, evse_id: int, context: str = SAMPLE_PERIODIC) -> MeterValue | None:
        """The latest powermeter reading, unfiltered; None before the first one."""
        powermeter = self.of(evse_id).powermeter
        if powermeter is None:
            return None
        samples = self.samples(evse_id, powermeter, powermeter.get("signed_meter_value"))
        return meter_value(
            samples, context, reading_time(powermeter), self.include_key(), self.public_key(evse_id)
        )

    def aligned(self, evse_id: int, tick: float, tx_ended: bool = False) -> MeterValue | None:
        """The clock-aligned value of the interval that ends at ``tick`` (None: no reading in it)."""
        reading = self.of(evse_id)
        averager = reading.aligned_tx_ended if tx_ended else reading.aligned
        samples = averager.values()
        if samples is None:
            return None
        return meter_value(samples, SAMPLE_CLOCK, _epoch(tick), self.include_key(), self.public_key(evse_id))


class TransactionView(Protocol):
    def active(self, evse_id: int) -> bool: ...

    def clock_value(self, evse_id: int, value: MeterValue) -> None:
        """An aligned value for TransactionEvent(Updated, MeterValueClock)."""

    def store_clock_value(self, evse_id: int, value: MeterValue) -> None:
        """An aligned value kept for TransactionEvent(Ended)."""


class MeterValues201:
    def __init__(
        self,
        dm: DeviceModel,
        readings: Readings,
        transactions: TransactionView,
        evse_ids: list[int],
        outbox: Outbox,
        sender: QueueSender,
        online: Callable[[], bool],
    ) -> None:
        self._dm = dm
        self.readings = readings
        self._tx = transactions
        self._evse_ids = evse_ids
        self._outbox = outbox
        self._sender = sender
        self._online = online
        self.aligned = Ticker(
            "AlignedDataCtrlr.Interval",
            lambda: self._dm.get_int(wk.ALIGNED_DATA_INTERVAL, default=0),
            midnight_utc,
            self._aligned_tick,
        )
        self.aligned_tx_ended = Ticker(
            "AlignedDataCtrlr.TxEndedInterval",
            lambda: self._dm.get_int(wk.ALIGNED_DATA_TX_ENDED_INTERVAL, default=0),
            midnight_utc,
            self._aligned_tx_ended_tick,
        )

    def start(self) -> None:
        self.aligned.start()
        self.aligned_tx_ended.start()

    def stop(self) -> None:
        self.aligned.stop()
        self.aligned_tx_ended.stop()

    def measurands(self) -> list[str]:
        return measurand_list(self._dm.value(wk.ALIGNED_DATA_MEASURANDS))

    async def _aligned_tick(self, tick: float) -> None:
        send_during_idle = self._dm.get_bool(ALIGNED_SEND_DURING_IDLE, default=False)
        if send_during_idle and any(self._tx.active(e) for e in self._evse_ids):
            for evse_id in self._evse_ids:
                self.readings.of(evse_id).aligned.clear()
            return  # J01.FR.20: clock-aligned data only while no transaction runs
        for evse_id in self._evse_ids:
            value = self.readings.aligned(evse_id, tick)
            self.readings.of(evse_id).aligned.clear()
            if value is None:
                continue
            if self._tx.active(evse_id):
                self._tx.clock_value(evse_id, value)
                continue
            selected = filtered(value, self.measurands())
            if selected is not None:
                await self.send(evse_id, selected)

    def _aligned_tx_ended_tick(self, tick: float) -> None:
        for evse_id in self._evse_ids:
            if self._tx.active(evse_id):
                value = self.readings.aligned(evse_id, tick, tx_ended=True)
                if value is None:  # no new reading in the interval: the last one (as libocpp)
                    value = self.readings.latest(evse_id, SAMPLE_CLOCK)
                if value is not None:
                    self._tx.store_clock_value(evse_id, value)
            self.readings.of(evse_id).aligned_tx_ended.clear()

    def triggered(self, evse_id: int | None) -> list[tuple[int, MeterValue]]:
        """TriggerMessage MeterValues: the latest reading of the EVSE(s), AlignedDataCtrlr.Measurands."""
        out = []
        for e in [evse_id] if evse_id is not None else self._evse_ids:
            if e not in self._evse_ids:
                continue
            latest = self.readings.latest(e, TRIGGER)
            selected = filtered(latest, self.measurands()) if latest is not None else None
            if selected is not None:
                out.append((e, selected))
        return out

    async def send(self, evse_id: int, value: MeterValue, triggered: bool = False) -> None:
        payload = {"evse_id": evse_id, "meter_value": [value]}
        if self._dm.get_bool(QUEUE_ALL_MESSAGES, default=False) and not triggered:
            self._sender.push("MeterValues", payload)
            return
        if not self._online():
            log.debug("MeterValues of EVSE %d dropped: offline", evse_id)
            return
        try:
            await self._outbox.call(call.MeterValues(**payload))
        except NotConnected:
            pass
        except Exception as exc:
            log.warning("MeterValues of EVSE %d failed: %s", evse_id, exc)


def _epoch(tick: float) -> str:
    return rfc3339(datetime.fromtimestamp(tick, UTC))
