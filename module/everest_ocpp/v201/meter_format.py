"""2.0.1 MeterValue shapes (J01-J02): EVerest readings as OCPP MeterValue payloads, measurand filters.

A MeterValue here is the python ``ocpp`` package's snake_case payload: ``{"timestamp": ...,
"sampled_value": [{"value", "context", "measurand", "phase"?, "location"?, "unit_of_measure",
"signed_meter_value"?}]}``. Transaction meter values are stored in this shape too, so the filters
(TxEndedMeasurands, SignReadings, ...) work on what was sampled as well as on a fresh reading.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ..csms.metering import CURRENT_IMPORT, FREQUENCY, POWER_IMPORT, VOLTAGE, Sample, samples
from ..timestamps import normalized, rfc3339

log = logging.getLogger(__name__)

MeterValue = dict[str, Any]

LOCATIONS = frozenset({"Body", "Cable", "EV", "Inlet", "Outlet"})
# OCPP 2.0.1 limits of SignedMeterValueType; a longer signature is left out rather than cut
SIGNED_LIMITS = {"signed_meter_data": 2500, "signing_method": 50, "encoding_method": 50, "public_key": 2500}
AVERAGED = frozenset({CURRENT_IMPORT, VOLTAGE, POWER_IMPORT, FREQUENCY})

TRANSACTION_BEGIN = "Transaction.Begin"
TRANSACTION_END = "Transaction.End"
SAMPLE_PERIODIC = "Sample.Periodic"
SAMPLE_CLOCK = "Sample.Clock"
TRIGGER = "Trigger"
SAMPLED_CONTEXTS = frozenset({TRANSACTION_BEGIN, TRANSACTION_END, SAMPLE_PERIODIC, "Interruption.Begin"})


def signed_meter_value(signed: dict[str, Any], public_key: str | None) -> dict[str, Any] | None:
    """An EVerest SignedMeterValue as OCPP's; ``public_key`` None: leave the key out ("")."""
    out = {
        "signed_meter_data": str(signed.get("signed_meter_data", "")),
        "signing_method": str(signed.get("signing_method", "")),
        "encoding_method": str(signed.get("encoding_method", "")),
        "public_key": public_key or "",
    }
    too_long = [k for k, limit in SIGNED_LIMITS.items() if len(out[k]) > limit]
    if too_long:
        log.warning("signed meter value left out: %s longer than OCPP 2.0.1 allows", ", ".join(too_long))
        return None
    return out


def sampled_value(
    sample: Sample, context: str, public_key: bool = True, key_fallback: str | None = None
) -> dict[str, Any]:
    """One OCPP SampledValue; ``public_key`` False sends the signature without its key."""
    out: dict[str, Any] = {"value": sample.value, "context": context, "measurand": sample.measurand}
    if sample.phase is not None:
        out["phase"] = sample.phase
    if sample.location in LOCATIONS:
        out["location"] = sample.location
    out["unit_of_measure"] = {"unit": sample.unit}
    if sample.signed is not None:
        key = (sample.signed.get("public_key") or key_fallback) if public_key else None
        signed = signed_meter_value(sample.signed, key)
        if signed is not None:
            out["signed_meter_value"] = signed
    return out


def meter_value(
    reading: Iterable[Sample],
    context: str,
    timestamp: str | None = None,
    public_key: bool = True,
    key_fallback: str | None = None,
) -> MeterValue:
    return {
        "timestamp": timestamp or rfc3339(),
        "sampled_value": [sampled_value(s, context, public_key, key_fallback) for s in reading],
    }


def reading_samples(
    powermeter: dict[str, Any],
    soc_percent: float | None = None,
    current_offered_a: float | None = None,
    signed_energy: dict[str, Any] | None = None,
) -> list[Sample]:
    """Everything a powermeter reading (plus the EV's SoC and the offered current) can report."""
    return samples(
        powermeter, soc_percent=soc_percent, current_offered_a=current_offered_a, signed_energy=signed_energy
    )


def reading_time(powermeter: dict[str, Any] | None) -> str:
    """The reading's timestamp in OCPP's form (UTC, milliseconds), now when it has none."""
    stamp = (powermeter or {}).get("timestamp")
    return normalized(stamp) if isinstance(stamp, str) and stamp else rfc3339()


def measurand_list(value: str | None) -> list[str]:
    return [m.strip() for m in (value or "").split(",") if m.strip()]


def filtered(
    value: MeterValue,
    measurands: Iterable[str],
    include_signed: bool = True,
    registers_without_phases: bool = False,
    context: str | None = None,
) -> MeterValue | None:
    """Only the configured measurands (in the reading's order); None when nothing is left.

    ``registers_without_phases`` (SampledDataCtrlr.RegisterValuesWithoutPhases) drops the per-phase
    values of register measurands; ``context`` rewrites every value's context.
    """
    wanted = set(measurands)
    kept = []
    for item in value.get("sampled_value") or []:
        if item.get("measurand") not in wanted:
            continue
        if registers_without_phases and item.get("phase") and str(item["measurand"]).endswith(".Register"):
            continue
        item = dict(item)
        if not include_signed:
            item.pop("signed_meter_value", None)
        if context is not None:
            item["context"] = context
        kept.append(item)
    if not kept:
        return None
    return {"timestamp": value.get("timestamp") or rfc3339(), "sampled_value": kept}


def ended_values(
    stored: Iterable[MeterValue],
    sampled: list[str],
    aligned: list[str],
    sign_sampled: bool = False,
    sign_aligned: bool = False,
    registers_without_phases: bool = False,
) -> list[MeterValue] | None:
    """TransactionEvent(Ended) meter values: what the transaction collected, sampled values with
    SampledDataCtrlr.TxEndedMeasurands, clock-aligned ones with AlignedDataCtrlr.TxEndedMeasurands,
    signatures only with the controller's SignReadings (as libocpp)."""
    out = []
    for value in stored:
        items = value.get("sampled_value") or []
        context = items[0].get("context") if items else None
        if context == SAMPLE_CLOCK:
            kept = filtered(value, aligned, include_signed=sign_aligned)
        elif context in SAMPLED_CONTEXTS:
            kept = filtered(value, sampled, sign_sampled, registers_without_phases)
        else:
            kept = None
        if kept is not None:
            out.append(kept)
    return out or None


class Averager:
    """Clock-aligned values: the latest reading, with current, voltage, power and frequency averaged
    over every reading since the last :meth:`clear` (as libocpp reports aligned data)."""

    def __init__(self) -> None:
        self.latest: list[Sample] | None = None
        self._sums: dict[tuple[str, str | None, str | None], tuple[float, int]] = {}

    def add(self, reading: list[Sample]) -> None:
        self.latest = reading
        for s in reading:
            if s.measurand in AVERAGED:
                key = (s.measurand, s.phase, s.location)
                total, count = self._sums.get(key, (0.0, 0))
                self._sums[key] = (total + s.value, count + 1)

    def values(self) -> list[Sample] | None:
        if self.latest is None:
            return None
        out = []
        for s in self.latest:
            total, count = self._sums.get((s.measurand, s.phase, s.location), (0.0, 0))
            if s.measurand in AVERAGED and count:
                s = Sample(s.measurand, total / count, s.unit, s.phase, s.location, s.signed)
            out.append(s)
        return out

    def clear(self) -> None:
        self._sums.clear()
        self.latest = None
