"""Composite charging schedules (OCPP 1.6 and 2.0.1, as libocpp computes them).

For one EVSE ``e`` over the window [start, end):

* per purpose, the entries of the EVSE's own and the station-wide (EVSE 0) profiles are resolved
  by stack level (highest wins, an EVSE's own profile wins a tie);
* TxProfile wherever it has a limit, else TxDefaultProfile -- only while a transaction runs on
  ``e`` or when a transaction is simulated (publication and GetCompositeSchedule do);
* the result is the per-instant minimum of that, ChargingStationExternalConstraints (2.0.1) and
  the station maximum profile.

EVSE 0 (the station) is the sum over all EVSEs of their "Tx-or-TxDefault + external" limits, each
EVSE without a limit contributing the default limit, capped by the station maximum and by the
station-wide external constraints. The result is finally expressed in the requested unit, with
the default limit wherever nothing applies. See docs/smart-charging.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .intermediate import Segment, lowest, prefer, resolve_stack, summed, to_unit
from .periods import Entry, profile_entries
from .profile import ChargingProfile, Purpose, RateUnit
from .settings import CompositeSettings
from .station import StationState
from .timeutil import from_epoch, to_epoch

STATION_WIDE = 0


@dataclass(frozen=True, slots=True)
class CompositePeriod:
    start_period: int  # seconds from CompositeSchedule.start
    limit: float  # in CompositeSchedule.unit
    number_phases: int | None = None
    stack_level: int | None = None  # 1.6 only: stack level the limit came from (0 for sums/defaults)


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    evse_id: int
    start: datetime  # UTC, whole seconds
    duration: int  # seconds
    unit: RateUnit
    periods: tuple[CompositePeriod, ...]


class _Calculation:
    """One window, one set of profiles; caches expansions shared between EVSEs."""

    def __init__(
        self,
        profiles: Iterable[ChargingProfile],
        start: datetime,
        end: datetime,
        settings: CompositeSettings,
        station: StationState,
        simulate_transaction: bool,
    ) -> None:
        self.end = to_epoch(end)
        self.now = min(to_epoch(start), self.end)  # a window ending before it starts is empty
        self.settings = settings
        self.station = station
        self.simulate = simulate_transaction
        ignored = settings.ignored_purposes_offline if station.offline else frozenset()
        self._by_evse: dict[int, list[ChargingProfile]] = {}
        for profile in profiles:
            if profile.purpose not in ignored:
                self._by_evse.setdefault(profile.evse_id, []).append(profile)
        self._entries: dict[tuple[int, int | None], list[Entry]] = {}
        self._evse_limits: dict[int, list[Segment]] = {}

    def _session_start(self, evse_id: int) -> int | None:
        tx = self.station.transactions.get(evse_id)
        return None if tx is None else to_epoch(tx.started_at)

    def _applies(self, profile: ChargingProfile, evse_id: int) -> bool:
        if profile.purpose != Purpose.TX:
            return True
        if profile.transaction_id is None:
            return not self.settings.tx_profile_needs_transaction_id
        tx = self.station.transactions.get(evse_id)
        return tx is not None and tx.transaction_id == profile.transaction_id

    def _expand(self, profile: ChargingProfile, session: int | None) -> list[Entry]:
        key = (id(profile), session)
        cached = self._entries.get(key)
        if cached is None:
            rank = 0 if profile.evse_id == STATION_WIDE else 1
            cached = profile_entries(profile, self.now, self.end, session, rank)
            self._entries[key] = cached
        return cached

    def purpose_limits(self, evse_id: int, purpose: Purpose, session: int | None) -> list[Segment]:
        """The EVSE's own and the station-wide profiles of ``purpose``, resolved by stack level."""
        candidates = list(self._by_evse.get(evse_id, ())) if evse_id != STATION_WIDE else []
        candidates += self._by_evse.get(STATION_WIDE, ())
        entries: list[Entry] = []
        for profile in candidates:
            if profile.purpose == purpose and self._applies(profile, evse_id):
                entries.extend(self._expand(profile, session))
        return resolve_stack(entries, self.now, self.end)

    def evse_limits(self, evse_id: int) -> list[Segment]:
        """An EVSE's limits before the station maximum: min(Tx-or-TxDefault, external)."""
        cached = self._evse_limits.get(evse_id)
        if cached is not None:
            return cached
        session = self._session_start(evse_id)
        parts = [self.purpose_limits(evse_id, Purpose.EXTERNAL_CONSTRAINTS, session)]
        if session is not None or self.simulate:
            tx = self.purpose_limits(evse_id, Purpose.TX, session)
            tx_default = self.purpose_limits(evse_id, Purpose.TX_DEFAULT, session)
            parts.append(prefer(tx, tx_default))
        result = lowest(parts)
        self._evse_limits[evse_id] = result
        return result

    def schedule(self, evse_id: int, unit: RateUnit) -> CompositeSchedule:
        settings = self.settings
        if evse_id == STATION_WIDE:
            total = summed(
                [self.evse_limits(e) for e in self.station.evse_ids()],
                settings.default_limit_amps,
                settings.default_limit_watts,
            )
            segments = lowest(
                [
                    total,
                    self.purpose_limits(STATION_WIDE, Purpose.STATION_MAX, None),
                    self.purpose_limits(STATION_WIDE, Purpose.EXTERNAL_CONSTRAINTS, None),
                ]
            )
        else:
            session = self._session_start(evse_id)
            station_max = self.purpose_limits(evse_id, Purpose.STATION_MAX, session)
            segments = lowest([self.evse_limits(evse_id), station_max])
        final = to_unit(
            segments,
            unit,
            settings.default_limit(unit),
            settings.default_number_phases,
            settings.supply_voltage,
            keep_stack_levels=settings.reports_stack_level,
        )
        periods = tuple(
            CompositePeriod(
                p.start, p.limit, p.phases, p.stack_level if settings.reports_stack_level else None
            )
            for p in final
        )
        return CompositeSchedule(evse_id, from_epoch(self.now), self.end - self.now, unit, periods)


def calculate_composite_schedule(
    profiles: Iterable[ChargingProfile],
    evse_id: int,
    start: datetime,
    end: datetime,
    unit: RateUnit,
    settings: CompositeSettings,
    station: StationState,
    *,
    simulate_transaction: bool = False,
) -> CompositeSchedule:
    """The composite schedule of one EVSE (0 = station) for [start, end), floored to seconds.

    ``profiles`` are all installed profiles (any EVSE); ``station`` gives the EVSE count, the
    running transactions and whether the station is offline (then the purposes configured in
    IgnoredProfilePurposesOffline are left out). With ``simulate_transaction`` TxDefault and
    Relative profiles apply as if a transaction started at ``start`` on every idle EVSE.
    """
    return _Calculation(profiles, start, end, settings, station, simulate_transaction).schedule(evse_id, unit)


def calculate_all_composite_schedules(
    profiles: Iterable[ChargingProfile],
    start: datetime,
    duration: int,
    unit: RateUnit,
    settings: CompositeSettings,
    station: StationState,
    *,
    simulate_transaction: bool = True,
) -> list[CompositeSchedule]:
    """Composite schedules of EVSE 0 (station) and every EVSE 1..N, in that order, for the
    ``charging_schedules`` publication (a transaction is simulated by default, as upstream)."""
    calc = _Calculation(
        profiles, start, start + timedelta(seconds=duration), settings, station, simulate_transaction
    )
    return [calc.schedule(evse_id, unit) for evse_id in range(0, station.number_of_evses + 1)]
