"""EVerest meter readings as OCPP sampled values, version-neutral.

:func:`samples` turns an EVerest ``Powermeter`` (plus what OCPP also reports: the EV's state of
charge and the current/power offered) into :class:`Sample` items with OCPP measurand, phase, unit
and location names, which are the same strings in 1.6 and 2.0.1. :func:`select` keeps the measurands
a configuration asks for (1.6 ``MeterValuesSampledData``, 2.0.1 ``SampledDataCtrlr.TxUpdatedMeasurands``
...). Each version formats the selection into its MeterValue shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

ENERGY_IMPORT = "Energy.Active.Import.Register"
ENERGY_EXPORT = "Energy.Active.Export.Register"
POWER_IMPORT = "Power.Active.Import"
POWER_REACTIVE = "Power.Reactive.Import"
CURRENT_IMPORT = "Current.Import"
VOLTAGE = "Voltage"
FREQUENCY = "Frequency"
TEMPERATURE = "Temperature"
SOC = "SoC"
CURRENT_OFFERED = "Current.Offered"
POWER_OFFERED = "Power.Offered"

# Powermeter field -> (measurand, unit, phase names of L1/L2/L3/N/DC)
_FIELDS: tuple[tuple[str, str, str, dict[str, str | None]], ...] = (
    ("energy_Wh_import", ENERGY_IMPORT, "Wh", {"L1": "L1", "L2": "L2", "L3": "L3"}),
    ("energy_Wh_export", ENERGY_EXPORT, "Wh", {"L1": "L1", "L2": "L2", "L3": "L3"}),
    ("power_W", POWER_IMPORT, "W", {"L1": "L1", "L2": "L2", "L3": "L3"}),
    ("VAR", POWER_REACTIVE, "var", {"L1": "L1", "L2": "L2", "L3": "L3"}),
    ("current_A", CURRENT_IMPORT, "A", {"L1": "L1", "L2": "L2", "L3": "L3", "N": "N", "DC": None}),
    ("voltage_V", VOLTAGE, "V", {"L1": "L1-N", "L2": "L2-N", "L3": "L3-N", "DC": None}),
    ("frequency_Hz", FREQUENCY, "Hz", {"L1": "L1", "L2": "L2", "L3": "L3"}),
)


@dataclass(frozen=True, slots=True)
class Sample:
    measurand: str
    value: float
    unit: str  # Wh, W, var, A, V, Hz, Celsius, Percent
    phase: str | None = None  # L1, L2, L3, N, L1-N, L2-N, L3-N; None: total / DC
    location: str | None = "Outlet"
    signed: dict[str, Any] | None = None  # EVerest SignedMeterValue of this sample


def number(value: Any) -> float | None:
    """A reading's value as a finite float; None for anything else. JSON ``1e400`` decodes to
    infinity, which no OCPP message can carry (and 1.6 cannot round): such a value counts as absent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _signed_part(powermeter: dict[str, Any], field: str, part: str) -> dict[str, Any] | None:
    signed = powermeter.get(f"{field}_signed")
    value = signed.get(part) if isinstance(signed, dict) else None
    return value if isinstance(value, dict) else None


def samples(
    powermeter: dict[str, Any],
    *,
    soc_percent: float | None = None,
    current_offered_a: float | None = None,
    power_offered_w: float | None = None,
    signed_energy: dict[str, Any] | None = None,
) -> list[Sample]:
    """Everything the reading holds, totals before phases, in a stable order.

    ``signed_energy`` (e.g. the OCMF blob of a transaction start or end) signs the energy register
    total when the meter did not sign it itself, as the C++ modules do.
    """
    out: list[Sample] = []
    for field, measurand, unit, phases in _FIELDS:
        values = powermeter.get(field)
        if not isinstance(values, dict):
            continue
        total = number(values.get("total"))
        if total is not None:
            signed = _signed_part(powermeter, field, "total")
            if signed is None and field == "energy_Wh_import":
                signed = signed_energy
            out.append(Sample(measurand, total, unit, None, "Outlet", signed))
        for part, phase in phases.items():
            value = number(values.get(part))
            if value is not None:
                signed = _signed_part(powermeter, field, part)
                out.append(Sample(measurand, value, unit, phase, "Outlet", signed))
    for temperature in powermeter.get("temperatures") or []:
        celsius = number(temperature.get("temperature")) if isinstance(temperature, dict) else None
        if celsius is not None:
            location = temperature.get("location")
            out.append(
                Sample(
                    TEMPERATURE,
                    celsius,
                    "Celsius",
                    None,
                    location if isinstance(location, str) and location else None,
                )
            )
    for value, sample in (
        (number(soc_percent), lambda v: Sample(SOC, v, "Percent", None, "EV")),
        (number(current_offered_a), lambda v: Sample(CURRENT_OFFERED, v, "A")),
        (number(power_offered_w), lambda v: Sample(POWER_OFFERED, v, "W")),
    ):
        if value is not None:
            out.append(sample(value))
    return out


def measurand_list(value: str | None) -> list[str]:
    """A configured comma separated measurand list ("Energy.Active.Import.Register, Voltage")."""
    return [m.strip() for m in (value or "").split(",") if m.strip()]


def select(available: Iterable[Sample], measurands: Iterable[str], phases: bool = True) -> list[Sample]:
    """The samples of the configured measurands, in the configured order.

    ``phases`` False keeps totals only (e.g. 1.6 when no phase rotation is configured to be split).
    A measurand the meter does not deliver is simply absent.
    """
    pool = list(available)
    return [
        s
        for m in measurands
        for s in _matching(pool, m)
        if phases or s.phase is None or s.measurand == VOLTAGE
    ]


def _matching(pool: list[Sample], measurand: str) -> Iterator[Sample]:
    return (s for s in pool if s.measurand == measurand)


def energy_wh(powermeter: dict[str, Any] | None) -> float | None:
    """The imported energy register total (meterStart / meterStop), None without a reading."""
    if not isinstance(powermeter, dict):
        return None
    energy = powermeter.get("energy_Wh_import")
    return number(energy.get("total")) if isinstance(energy, dict) else None
