"""Meter values while a 2.0.1 transaction runs (SampledDataCtrlr, AlignedDataCtrlr).

Every SampledDataCtrlr.TxUpdatedInterval (anchored at the transaction's start) the latest reading goes
out as TransactionEvent(Updated, MeterValuePeriodic) with TxUpdatedMeasurands; every TxEndedInterval
it is kept for TransactionEvent(Ended), as are clock-aligned values; a clock-aligned value is also sent
with trigger MeterValueClock (AlignedDataCtrlr.Measurands). The Ended event carries the kept values
filtered by TxEndedMeasurands / AlignedDataCtrlr.TxEndedMeasurands, signed as SignReadings say.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from ..timestamps import parse
from ..variables import VariableRef
from .device_model import DeviceModel
from .device_model import well_known as wk
from .meter_format import SAMPLE_PERIODIC, TRIGGER, MeterValue, ended_values, filtered, measurand_list
from .meter_values import Readings
from .ticks import Ticker
from .tx_store import OpenTransaction, TransactionStore

SAMPLED_SIGN_READINGS = VariableRef("SampledDataCtrlr", "SignReadings")
ALIGNED_SIGN_READINGS = VariableRef("AlignedDataCtrlr", "SignReadings")
REGISTER_WITHOUT_PHASES = VariableRef("SampledDataCtrlr", "RegisterValuesWithoutPhases")

# (transaction, event type, trigger reason, meter values): a TransactionEvent of the transaction block
SendValues = Callable[[OpenTransaction, str, str, list[MeterValue]], None]


class TransactionSampling:
    def __init__(
        self,
        dm: DeviceModel,
        readings: Readings,
        store: TransactionStore,
        open_transactions: dict[int, OpenTransaction],
        send: SendValues,
    ) -> None:
        self._dm = dm
        self._readings = readings
        self._store = store
        self._open = open_transactions  # EVSE id -> its open transaction (the transaction block's)
        self._send = send
        self._tickers: dict[int, list[Ticker]] = {}

    def start(self, tx: OpenTransaction) -> None:
        # the start as EVerest stamped it, but never ahead of our clock (an EVSE clock running ahead
        # would otherwise hold every sample back until that moment)
        anchor = min(moment(tx.started_at).timestamp(), time.time())
        evse_id = tx.evse_id
        tickers = [
            Ticker(
                f"EVSE {evse_id} TxUpdatedInterval",
                lambda: self._dm.get_int(wk.SAMPLED_DATA_TX_UPDATED_INTERVAL, default=0),
                lambda: anchor,
                lambda _tick: self.periodic(evse_id),
            ),
            Ticker(
                f"EVSE {evse_id} TxEndedInterval",
                lambda: self._dm.get_int(wk.SAMPLED_DATA_TX_ENDED_INTERVAL, default=0),
                lambda: anchor,
                lambda _tick: self.store_periodic(evse_id),
            ),
        ]
        for ticker in tickers:
            ticker.start()
        self._tickers[evse_id] = tickers

    def stop(self, evse_id: int) -> None:
        for ticker in self._tickers.pop(evse_id, []):
            ticker.stop()

    def stop_all(self) -> None:
        for evse_id in list(self._tickers):
            self.stop(evse_id)

    def intervals_changed(self) -> None:
        for tickers in self._tickers.values():
            for ticker in tickers:
                ticker.changed()

    def periodic(self, evse_id: int) -> None:
        tx, latest = self._open.get(evse_id), self._readings.latest(evse_id, SAMPLE_PERIODIC)
        if tx is None or latest is None:
            return
        value = filtered(
            latest,
            measurand_list(self._dm.value(wk.SAMPLED_DATA_TX_UPDATED_MEASURANDS)),
            registers_without_phases=self._dm.get_bool(REGISTER_WITHOUT_PHASES, default=False),
        )
        if value is not None:
            self._send(tx, "Updated", "MeterValuePeriodic", [value])

    def store_periodic(self, evse_id: int) -> None:
        tx, latest = self._open.get(evse_id), self._readings.latest(evse_id, SAMPLE_PERIODIC)
        if tx is not None and latest is not None:
            self._store.add_meter_value(tx.transaction_id, latest)

    def clock_value(self, evse_id: int, value: MeterValue) -> None:
        tx = self._open.get(evse_id)
        selected = filtered(value, measurand_list(self._dm.value(wk.ALIGNED_DATA_MEASURANDS)))
        if tx is not None and selected is not None:
            self._send(tx, "Updated", "MeterValueClock", [selected])

    def store_clock_value(self, evse_id: int, value: MeterValue) -> None:
        tx = self._open.get(evse_id)
        if tx is not None:
            self._store.add_meter_value(tx.transaction_id, value)

    def triggered(self, evse_id: int) -> list[MeterValue] | None:
        """The meter values of a triggered TransactionEvent (TxUpdatedMeasurands), None without any."""
        latest = self._readings.latest(evse_id, TRIGGER)
        measurands = measurand_list(self._dm.value(wk.SAMPLED_DATA_TX_UPDATED_MEASURANDS))
        value = filtered(latest, measurands) if latest is not None else None
        return None if value is None else [value]

    def ended_values(self, tx: OpenTransaction) -> list[MeterValue] | None:
        return ended_values(
            self._store.meter_values(tx.transaction_id),
            measurand_list(self._dm.value(wk.SAMPLED_DATA_TX_ENDED_MEASURANDS)),
            measurand_list(self._dm.value(wk.ALIGNED_DATA_TX_ENDED_MEASURANDS)),
            sign_sampled=self._dm.get_bool(SAMPLED_SIGN_READINGS, default=False),
            sign_aligned=self._dm.get_bool(ALIGNED_SIGN_READINGS, default=False),
            registers_without_phases=self._dm.get_bool(REGISTER_WITHOUT_PHASES, default=False),
        )


def moment(value: str) -> datetime:
    return parse(value) or datetime.now(UTC)
