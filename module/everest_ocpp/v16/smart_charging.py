"""1.6 Smart Charging: Set/ClearChargingProfile, GetCompositeSchedule and the `charging_schedules` data.

The profile logic lives in the shared engine (``everest_ocpp.smart_charging``); this block turns the
1.6 messages into engine calls and tells the publisher when the schedules changed. In 1.6 the engine's
"EVSEs" are OCPP connectors (0 = the whole charge point). Running transactions (with the CSMS's
transaction id once known, and their start as the anchor of Relative profiles) come from the
transaction block; TxProfiles of a connector are cleared when its transaction ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..smart_charging import (
    ActiveTransaction,
    OcppVersion,
    RateUnit,
    SqliteProfileStore,
    StationState,
    calculate_all_composite_schedules,
    composite_settings_from_variables,
    to_everest_charging_schedules,
)
from ..smart_charging import operations as ops
from ..smart_charging.convert import ProfileFormatError, profile_from_v16
from ..smart_charging.settings import (
    allowed_units_in_order,
    max_composite_schedule_duration,
    validation_limits_from_variables,
)
from ..smart_charging.validation import ValidationContext
from ..smart_charging.validation_v16 import validate_v16
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap

log = logging.getLogger(__name__)
V16 = OcppVersion("1.6")


class SmartCharging16:
    def __init__(
        self,
        config: ChargePointConfiguration,
        store: SqliteProfileStore,
        connectors: ConnectorMap,
        transactions: Callable[[], Mapping[int, ActiveTransaction]],
        online: Callable[[], bool],
        on_changed: Callable[[], None],
    ) -> None:
        self._config = config
        self._store = store
        self._map = connectors
        self._transactions = transactions  # OCPP connector -> running transaction
        self._online = online
        self._on_changed = on_changed

    def station(self) -> StationState:
        return StationState(self._map.count, self._transactions(), offline=not self._online())

    def transaction_ended(self, connector: int) -> None:
        """TxProfiles are bound to their transaction: they go when it ends (as libocpp)."""
        removed = ops.clear_transaction_profiles_v16(self._store, connector)
        if removed:
            log.info("transaction on connector %d ended: TxProfile(s) %s cleared", connector, removed)
            self._on_changed()

    def add_remote_start_profile(self, connector: int, charging_profile: dict[str, Any]) -> str | None:
        """The chargingProfile of a RemoteStartTransaction.req: a TxProfile for the transaction about to
        start on ``connector``, installed at once (libocpp's ``add_tx_profile``) and cleared with that
        transaction. Returns why it was refused (None: installed)."""
        try:
            profile = profile_from_v16(charging_profile, connector)
        except (KeyError, ProfileFormatError) as exc:
            return f"malformed charging profile: {exc}"
        context = ValidationContext(
            self.station(), validation_limits_from_variables(self._config, V16), self._store.profiles(), None
        )
        result = validate_v16(profile, context, remote_start=True)
        if not result.accepted or result.profile is None:
            return result.reason or "invalid charging profile"
        self._store.add(result.profile, replace_same_slot=True)
        log.info("RemoteStartTransaction: TxProfile %d installed on connector %d", profile.id, connector)
        self._on_changed()
        return None

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any]) -> Any:
        outcome = ops.set_charging_profile_v16(
            self._store,
            {"connector_id": connector_id, "cs_charging_profiles": cs_charging_profiles},
            self.station(),
            validation_limits_from_variables(self._config, V16),
        )
        log.info(
            "SetChargingProfile %s on connector %d: %s%s",
            cs_charging_profiles.get("charging_profile_id"),
            connector_id,
            outcome.response["status"],
            f" ({outcome.result.reason})" if outcome.result.reason else "",
        )
        if outcome.result.accepted:
            self._on_changed()
        return call_result.SetChargingProfile(**outcome.response)

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **request: Any) -> Any:
        response = ops.clear_charging_profile_v16(self._store, request)
        log.info("ClearChargingProfile %s: %s", request, response["status"])
        if response["status"] == "Accepted":
            self._on_changed()
        return call_result.ClearChargingProfile(**response)

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, **request: Any) -> Any:
        response = ops.get_composite_schedule_v16(
            request,
            self._store.profiles(),
            self.station(),
            composite_settings_from_variables(self._config, V16),
            allowed_units_in_order(self._config, V16),
            max_composite_schedule_duration(self._config),
        )
        return call_result.GetCompositeSchedule(**response)

    def all_schedules(self, duration_s: int, unit: str) -> list[dict[str, Any]]:
        """The EVerest ChargingSchedule list for connectors 0..n (a transaction simulated on each)."""
        schedules = calculate_all_composite_schedules(
            self._store.profiles(),
            datetime.now(UTC),
            duration_s,
            RateUnit(unit),
            composite_settings_from_variables(self._config, V16),
            self.station(),
            simulate_transaction=True,
        )
        return list(to_everest_charging_schedules(schedules)["schedules"])
