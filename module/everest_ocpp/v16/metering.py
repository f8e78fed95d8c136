"""OCPP 1.6 MeterValue payloads from EVerest readings (no I/O).

The measurands of a configuration list (MeterValuesSampledData, MeterValuesAlignedData,
StopTxnSampledData, StopTxnAlignedData) are taken in configured order, each once, and only when
listed in SupportedMeasurands (as libocpp). A measurand brings its total and every phase the reading
holds; one the reading lacks is left out. Values are strings with two decimals, every sampled value
carries its context and format (Raw), units are 1.6 units (1.6 has none for Hz: Frequency goes without).
Signed meter data of a transaction's start and end travels as a SignedData value without measurand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..csms import metering
from ..timestamps import normalized, rfc3339

LOCATIONS = {"Inlet", "Outlet", "Body", "Cable", "EV"}
UNITS_1_6 = {"Wh", "W", "var", "A", "V", "Celsius", "Percent"}
_PHASE_ORDER = {None: 0, "L1": 1, "L1-N": 1, "L2": 2, "L2-N": 2, "L3": 3, "L3-N": 3, "N": 4}

SAMPLE_PERIODIC = "Sample.Periodic"
SAMPLE_CLOCK = "Sample.Clock"
TRIGGER = "Trigger"
TRANSACTION_BEGIN = "Transaction.Begin"
TRANSACTION_END = "Transaction.End"


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything a MeterValue can report about one EVSE at one moment."""

    powermeter: dict[str, Any]
    soc_percent: float | None = None
    current_offered_a: float = 0.0  # from enforced_limits; 0 until known, as libocpp reports it
    power_offered_w: float = 0.0

    @property
    def timestamp(self) -> str:
        value = self.powermeter.get("timestamp")
        return normalized(value) if isinstance(value, str) and value else rfc3339()


def wanted(configured: Iterable[str], supported: Iterable[str]) -> list[str]:
    """The configured measurands that are supported, each once, in configured order."""
    allowed = set(supported)
    return list(dict.fromkeys(m for m in configured if m in allowed))


def _format(value: float) -> str:
    return f"{value:.2f}"


def _samples(reading: Reading) -> list[metering.Sample]:
    return metering.samples(
        reading.powermeter,
        soc_percent=reading.soc_percent,
        current_offered_a=reading.current_offered_a,
        power_offered_w=reading.power_offered_w,
    )


def sampled_values(
    reading: Reading, measurands: Iterable[str], context: str, samples: list[metering.Sample] | None = None
) -> list[dict[str, Any]]:
    """``samples``: the reading's samples when the caller has them already."""
    if samples is None:
        samples = _samples(reading)
    out: list[dict[str, Any]] = []
    for measurand in measurands:
        picked = sorted((s for s in samples if s.measurand == measurand), key=lambda s: _PHASE_ORDER[s.phase])
        for sample in picked:
            item: dict[str, Any] = {
                "value": _format(sample.value),
                "context": context,
                "format": "Raw",
                "measurand": sample.measurand,
            }
            if sample.phase is not None:
                item["phase"] = sample.phase
            if sample.location in LOCATIONS:
                item["location"] = sample.location
            if sample.unit in UNITS_1_6:
                item["unit"] = sample.unit
            out.append(item)
    return out


def meter_value(reading: Reading, measurands: Iterable[str], context: str) -> dict[str, Any] | None:
    """One MeterValue (snake_case, as the ``ocpp`` package takes it); None when nothing to report."""
    return meter_values(reading, [measurands], context)[0]


def meter_values(
    reading: Reading, measurand_lists: list[Iterable[str]], context: str
) -> list[dict[str, Any] | None]:
    """A MeterValue for each measurand list, from one reading (its samples are taken once)."""
    samples = _samples(reading)
    out: list[dict[str, Any] | None] = []
    timestamp: str | None = None
    for measurands in measurand_lists:
        values = sampled_values(reading, measurands, context, samples)
        if not values:
            out.append(None)
            continue
        timestamp = timestamp or reading.timestamp
        out.append({"timestamp": timestamp, "sampled_value": values})
    return out


def signed_meter_value(signed: dict[str, Any] | None, context: str, timestamp: str) -> dict[str, Any] | None:
    """An EVerest SignedMeterValue as a 1.6 MeterValue with one SignedData value."""
    data = signed.get("signed_meter_data") if isinstance(signed, dict) else None
    if not isinstance(data, str) or not data:
        return None
    return {
        "timestamp": timestamp,
        "sampled_value": [{"value": data, "context": context, "format": "SignedData"}],
    }


def energy_wh(powermeter: dict[str, Any] | None) -> int | None:
    """The imported energy register total rounded to whole Wh (meterStart / meterStop)."""
    value = metering.energy_wh(powermeter)
    if value is None:
        return None
    return max(-(2**31), min(2**31 - 1, round(value)))


KEPT_FOR_STOP = 2048  # transactionData entries held per transaction; more are thinned out as they come


def keep_for_stop(data: list[Any], value: Any, limit: int = KEPT_FOR_STOP) -> None:
    """Append a StopTransaction sample, halving the middle ones (first and last kept) whenever the list
    reaches ``limit``: a long transaction sampled every second must not grow memory without bound, and
    a StopTransaction can only carry so much anyway (see :func:`fit_transaction_data`)."""
    data.append(value)
    if len(data) >= limit > 2:
        data[:] = [data[0], *data[1:-1][1::2], data[-1]]


def fit_transaction_data(payload: dict[str, Any], max_size: int) -> bool:
    """Drop every second transactionData entry (first and last kept) until the StopTransaction fits
    ``max_size`` characters of JSON, as libocpp does; True when something was dropped."""
    data = payload.get("transaction_data")
    dropped = False
    while isinstance(data, list) and len(data) > 2 and len(json.dumps(payload)) > max_size:
        payload["transaction_data"] = data = [data[0], *data[1:-1][1::2], data[-1]]
        dropped = True
    return dropped
