"""2.0.1 Smart Charging (K01, K08-K10): Set/ClearChargingProfile, GetChargingProfiles ->
ReportChargingProfiles, GetCompositeSchedule, and the schedules for `charging_schedules`.

The profile logic is the shared engine's (``everest_ocpp.smart_charging``), what a block does around
it :class:`..shared_blocks.smart_charging.SmartChargingBlock`'s; EVSE ids are the EVerest EVSE ids,
0 is the whole station.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..shared_blocks.smart_charging import SmartChargingBlock
from ..smart_charging import OcppVersion, ProfileCriteria
from ..smart_charging import operations as ops
from .device_model import DeviceModel

log = logging.getLogger(__name__)


class SmartCharging201(SmartChargingBlock[DeviceModel]):
    version = OcppVersion("2.0.1")

    def transaction_ended(self, evse_id: int, transaction_id: str) -> None:
        """K02.FR.05: the TxProfiles of an ended transaction are deleted."""
        removed = ops.clear_transaction_profiles_v201(self._store, transaction_id)
        self._removed(removed, f"transaction {transaction_id} ended")

    def add_remote_start_profile(
        self, evse_id: int, charging_profile: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The TxProfile of an accepted RequestStartTransaction (F01.FR.26); None when installed, else
        the StatusInfo to reject the request with."""
        outcome = ops.add_remote_start_profile_v201(
            self._store, charging_profile, evse_id, self.station(), self._limits()
        )
        # nothing applies yet once installed, but GetChargingProfiles shows it
        what = f"TxProfile {charging_profile.get('id')} of RequestStartTransaction on EVSE {evse_id}"
        response = self._set(what, outcome)
        if not outcome.result.accepted:
            info: dict[str, Any] = response["status_info"]
            return info
        return None

    def bind_remote_start_profile(self, profile_id: int, transaction_id: str) -> None:
        if ops.bind_tx_profile_v201(self._store, profile_id, transaction_id):
            log.info("TxProfile %d now belongs to transaction %s", profile_id, transaction_id)
            self._on_changed()

    def drop_profiles(self, profile_ids: list[int], why: str) -> None:
        if profile_ids:
            self._removed(self._store.remove(ProfileCriteria(profile_ids=frozenset(profile_ids))), why)

    def drop_unbound_tx_profiles(self) -> None:
        """At start-up: a remote start from before the restart never binds its TxProfile."""
        self.drop_profiles(ops.unbound_tx_profile_ids_v201(self._store), "their remote start is gone")

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], **_: Any) -> Any:
        request = {"evse_id": evse_id, "charging_profile": charging_profile}
        outcome = ops.set_charging_profile_v201(self._store, request, self.station(), self._limits())
        what = f"SetChargingProfile {charging_profile.get('id')} on EVSE {evse_id}"
        return call_result.SetChargingProfile(**self._set(what, outcome))

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **request: Any) -> Any:
        request.pop("custom_data", None)
        response = ops.clear_charging_profile_v201(self._store, request)
        return call_result.ClearChargingProfile(**self._cleared(request, response))

    @on(Action.get_charging_profiles)
    def on_get_charging_profiles(self, call_unique_id: str, **request: Any) -> Any:
        request.pop("custom_data", None)
        response, reports = ops.get_charging_profiles_v201(self._store, request)
        if reports:
            self._follow_ups.put(call_unique_id, [call.ReportChargingProfiles(**r) for r in reports])
        return call_result.GetChargingProfiles(**response)

    @after(Action.get_charging_profiles)
    async def after_get_charging_profiles(self, call_unique_id: str, **_: Any) -> None:
        await self._send_follow_ups(call_unique_id)

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, **request: Any) -> Any:
        request.pop("custom_data", None)
        response = ops.get_composite_schedule_v201(
            request, self._store.profiles(), self.station(), self._composite_settings(), self._units()
        )
        return call_result.GetCompositeSchedule(**response)
