"""1.6 Smart Charging: Set/ClearChargingProfile, GetCompositeSchedule and the `charging_schedules` data.

The profile logic lives in the shared engine (``everest_ocpp.smart_charging``), what a block does
around it in :class:`..shared_blocks.smart_charging.SmartChargingBlock`; this block turns the 1.6
messages into engine calls. In 1.6 the engine's "EVSEs" are OCPP connectors (0 = the whole charge
point). Running transactions (with the CSMS's transaction id once known, and their start as the
anchor of Relative profiles) come from the transaction block; TxProfiles of a connector are cleared
when its transaction ends. Expired profiles are deleted whenever the profiles are read (every
request, every publication of the schedules), as libocpp's daily purge does.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..shared_blocks.smart_charging import SmartChargingBlock
from ..smart_charging import OcppVersion
from ..smart_charging import operations as ops
from ..smart_charging.convert import ProfileFormatError, profile_from_v16
from ..smart_charging.settings import max_composite_schedule_duration
from ..smart_charging.validation import ValidationContext
from ..smart_charging.validation_v16 import validate_v16
from .configuration import ChargePointConfiguration

log = logging.getLogger(__name__)


class SmartCharging16(SmartChargingBlock[ChargePointConfiguration]):
    version = OcppVersion("1.6")
    purges_expired = True

    def transaction_ended(self, connector: int) -> None:
        """TxProfiles are bound to their transaction: they go when it ends (as libocpp)."""
        removed = ops.clear_transaction_profiles_v16(self._store, connector)
        self._removed(removed, f"the transaction on connector {connector} ended")

    def add_remote_start_profile(self, connector: int, charging_profile: dict[str, Any]) -> str | None:
        """The chargingProfile of a RemoteStartTransaction.req: a TxProfile for the transaction about to
        start on ``connector``, installed at once (libocpp's ``add_tx_profile``) and cleared with that
        transaction. Returns why it was refused (None: installed)."""
        self._purge_expired()
        try:
            profile = profile_from_v16(charging_profile, connector)
        except (KeyError, ProfileFormatError) as exc:
            return f"malformed charging profile: {exc}"
        context = ValidationContext(self.station(), self._limits(), self._store.profiles(), None)
        result = validate_v16(profile, context, remote_start=True)
        if not result.accepted or result.profile is None:
            return result.reason or "invalid charging profile"
        self._store.add(result.profile, replace_same_slot=True)
        log.info("RemoteStartTransaction: TxProfile %d installed on connector %d", profile.id, connector)
        self._on_changed()
        return None

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any]) -> Any:
        self._purge_expired()  # expired ones count for MaxChargingProfilesInstalled no more
        request = {"connector_id": connector_id, "cs_charging_profiles": cs_charging_profiles}
        outcome = ops.set_charging_profile_v16(self._store, request, self.station(), self._limits())
        profile_id = cs_charging_profiles.get("charging_profile_id")
        what = f"SetChargingProfile {profile_id} on connector {connector_id}"
        return call_result.SetChargingProfile(**self._set(what, outcome))

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **request: Any) -> Any:
        self._purge_expired()
        response = ops.clear_charging_profile_v16(self._store, request)
        return call_result.ClearChargingProfile(**self._cleared(request, response))

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, **request: Any) -> Any:
        self._purge_expired()
        response = ops.get_composite_schedule_v16(
            request,
            self._store.profiles(),
            self.station(),
            self._composite_settings(),
            self._units(),
            max_composite_schedule_duration(self._config),
        )
        return call_result.GetCompositeSchedule(**response)
