"""2.0.1 Smart Charging (K01, K08-K10): Set/ClearChargingProfile, GetChargingProfiles ->
ReportChargingProfiles, GetCompositeSchedule, and the schedules for `charging_schedules`.

The profile logic is the shared engine's (``everest_ocpp.smart_charging``); EVSE ids are the
EVerest EVSE ids, 0 is the whole station.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..bridge.evse import EvseManagers
from ..csms.call_state import CallState
from ..csms.outbox import NotConnected, Outbox
from ..smart_charging import (
    ActiveTransaction,
    OcppVersion,
    ProfileCriteria,
    RateUnit,
    SqliteProfileStore,
    StationState,
    calculate_all_composite_schedules,
    composite_settings_from_variables,
    to_everest_charging_schedules,
)
from ..smart_charging import operations as ops
from ..smart_charging.settings import allowed_units_in_order, validation_limits_from_variables
from .device_model import DeviceModel

log = logging.getLogger(__name__)
V201 = OcppVersion("2.0.1")


class SmartCharging201:
    def __init__(
        self,
        dm: DeviceModel,
        store: SqliteProfileStore,
        evse: EvseManagers,
        outbox: Outbox,
        on_changed: Callable[[], None],
        transactions: Callable[[], dict[int, ActiveTransaction]] = dict,
    ) -> None:
        self._dm = dm
        self._store = store
        self._evse = evse
        self._outbox = outbox
        self._on_changed = on_changed
        self._transactions = transactions  # the running OCPP transactions by EVSE
        self._reports: CallState[list[dict[str, Any]]] = CallState()  # to send after the answer

    def station(self) -> StationState:
        # TxProfiles bind to the running transaction's id (K01.FR.09/33); its start anchors
        # Relative schedules
        transactions = self._transactions()
        return StationState(len(self._evse.evses), transactions, offline=self._outbox.session is None)

    def transaction_ended(self, evse_id: int, transaction_id: str) -> None:
        """K02.FR.05: the TxProfiles of an ended transaction are deleted."""
        removed = ops.clear_transaction_profiles_v201(self._store, transaction_id)
        if removed:
            log.info("transaction %s ended: TxProfile(s) %s removed", transaction_id, removed)
            self._on_changed()

    def add_remote_start_profile(
        self, evse_id: int, charging_profile: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The TxProfile of an accepted RequestStartTransaction (F01.FR.26); None when installed, else
        the StatusInfo to reject the request with."""
        outcome = ops.add_remote_start_profile_v201(
            self._store,
            charging_profile,
            evse_id,
            self.station(),
            validation_limits_from_variables(self._dm, V201),
        )
        log.info(
            "TxProfile %s of RequestStartTransaction on EVSE %d: %s%s",
            charging_profile.get("id"),
            evse_id,
            outcome.response["status"],
            f" ({outcome.result.reason})" if outcome.result.reason else "",
        )
        if not outcome.result.accepted:
            info: dict[str, Any] = outcome.response["status_info"]
            return info
        self._on_changed()  # nothing applies yet, but GetChargingProfiles shows it
        return None

    def bind_remote_start_profile(self, profile_id: int, transaction_id: str) -> None:
        if ops.bind_tx_profile_v201(self._store, profile_id, transaction_id):
            log.info("TxProfile %d now belongs to transaction %s", profile_id, transaction_id)
            self._on_changed()

    def drop_profiles(self, profile_ids: list[int], why: str) -> None:
        if not profile_ids:
            return
        removed = self._store.remove(ProfileCriteria(profile_ids=frozenset(profile_ids)))
        if removed:
            log.info("TxProfile(s) %s removed: %s", removed, why)
            self._on_changed()

    def drop_unbound_tx_profiles(self) -> None:
        """At start-up: a remote start from before the restart never binds its TxProfile."""
        self.drop_profiles(ops.unbound_tx_profile_ids_v201(self._store), "their remote start is gone")

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], **_: Any) -> Any:
        outcome = ops.set_charging_profile_v201(
            self._store,
            {"evse_id": evse_id, "charging_profile": charging_profile},
            self.station(),
            validation_limits_from_variables(self._dm, V201),
        )
        log.info(
            "SetChargingProfile %s on EVSE %d: %s%s",
            charging_profile.get("id"),
            evse_id,
            outcome.response["status"],
            f" ({outcome.result.reason})" if outcome.result.reason else "",
        )
        if outcome.result.accepted:
            self._on_changed()
        return call_result.SetChargingProfile(**outcome.response)

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **request: Any) -> Any:
        request.pop("custom_data", None)
        response = ops.clear_charging_profile_v201(self._store, request)
        log.info("ClearChargingProfile %s: %s", request, response["status"])
        if response["status"] == "Accepted":
            self._on_changed()
        return call_result.ClearChargingProfile(**response)

    @on(Action.get_charging_profiles)
    def on_get_charging_profiles(self, call_unique_id: str, **request: Any) -> Any:
        request.pop("custom_data", None)
        response, reports = ops.get_charging_profiles_v201(self._store, request)
        if reports:
            self._reports.put(call_unique_id, reports)
        return call_result.GetChargingProfiles(**response)

    @after(Action.get_charging_profiles)
    async def after_get_charging_profiles(self, call_unique_id: str, **_: Any) -> None:
        for report in self._reports.pop(call_unique_id) or []:
            try:
                await self._outbox.call(call.ReportChargingProfiles(**report))
            except NotConnected:
                return
            except Exception as exc:
                log.warning("ReportChargingProfiles failed: %s", exc)

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, **request: Any) -> Any:
        request.pop("custom_data", None)
        response = ops.get_composite_schedule_v201(
            request,
            self._store.profiles(),
            self.station(),
            composite_settings_from_variables(self._dm, V201),
            allowed_units_in_order(self._dm, V201),
        )
        return call_result.GetCompositeSchedule(**response)

    def all_schedules(self, duration_s: int, unit: str) -> list[dict[str, Any]]:
        """The EVerest ChargingSchedule list for EVSE 0..n (a transaction simulated on each)."""
        schedules = calculate_all_composite_schedules(
            self._store.profiles(),
            datetime.now(UTC),
            duration_s,
            RateUnit(unit),
            composite_settings_from_variables(self._dm, V201),
            self.station(),
            simulate_transaction=True,
        )
        return list(to_everest_charging_schedules(schedules)["schedules"])
