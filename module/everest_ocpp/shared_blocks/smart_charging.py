"""Smart charging, both versions: what a block does around the shared engine
(``everest_ocpp.smart_charging``): logging each request's outcome, telling the schedule publisher
when the profiles changed, the station the engine sees, the version's limits and composite settings
from its configuration, and the schedules for `charging_schedules`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from ..csms.call_state import CallState
from ..csms.outbox import NotConnected, Outbox
from ..smart_charging import (
    ActiveTransaction,
    CompositeSettings,
    OcppVersion,
    ProfileCriteria,
    RateUnit,
    SqliteProfileStore,
    StationState,
    ValidationLimits,
    calculate_all_composite_schedules,
    composite_settings_from_variables,
    to_everest_charging_schedules,
    validation_limits_from_variables,
)
from ..smart_charging.operations import SetProfileOutcome, expired_profile_ids
from ..smart_charging.settings import allowed_units_in_order
from ..variables import VariableStore

log = logging.getLogger(__name__)

# the version's configuration: 1.6 keys or the 2.0.1 device model
Config = TypeVar("Config", bound=VariableStore)


class SmartChargingBlock(Generic[Config]):
    """What the smart charging blocks of both versions do; a version's subclass adds its messages."""

    version: OcppVersion
    # 1.6, as libocpp: profiles that can never apply again (validTo passed, or an Absolute schedule
    # whose duration ended) are deleted; libocpp's 2.0.1 keeps them (GetChargingProfiles reports them)
    purges_expired = False

    def __init__(
        self,
        config: Config,
        store: SqliteProfileStore,
        outbox: Outbox,
        evse_count: Callable[[], int],
        transactions: Callable[[], Mapping[int, ActiveTransaction]],
        on_changed: Callable[[], None],
    ) -> None:
        self._config = config
        self._store = store
        self._outbox = outbox
        self._evse_count = evse_count  # the engine's EVSEs (1.6: connectors), 0 being the station
        self._transactions = transactions  # the running OCPP transactions by engine EVSE
        self._on_changed = on_changed
        self._follow_ups: CallState[list[Any]] = CallState()  # calls to send once a request is answered

    def station(self) -> StationState:
        """TxProfiles bind to the running transaction's id; its start anchors Relative schedules;
        offline, the purposes IgnoredProfilePurposesOffline names do not count."""
        return StationState(self._evse_count(), self._transactions(), offline=not self._outbox.online)

    def _purge_expired(self) -> None:
        """Before the profiles are read: delete the expired ones (when the version does). The
        schedules never contained them, so nothing is republished."""
        if not self.purges_expired:
            return
        expired = expired_profile_ids(self._store.profiles(), datetime.now(UTC))
        if expired:
            removed = self._store.remove(ProfileCriteria(profile_ids=frozenset(expired)))
            log.info("expired charging profile(s) %s deleted", removed)

    # ---- what the engine needs from the configuration --------------------------------------------
    def _limits(self) -> ValidationLimits:
        return validation_limits_from_variables(self._config, self.version)

    def _composite_settings(self) -> CompositeSettings:
        return composite_settings_from_variables(self._config, self.version)

    def _units(self) -> tuple[RateUnit, ...]:
        return allowed_units_in_order(self._config, self.version)

    # ---- outcomes --------------------------------------------------------------------------------
    def _set(self, what: str, outcome: SetProfileOutcome) -> dict[str, Any]:
        """The outcome of installing a profile (``what`` names it for the log): its answer's fields;
        the publisher hears of an installed one."""
        reason = outcome.result.reason
        log.info("%s: %s%s", what, outcome.response["status"], f" ({reason})" if reason else "")
        if outcome.result.accepted:
            self._on_changed()
        return outcome.response

    def _cleared(self, request: Mapping[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        log.info("ClearChargingProfile %s: %s", dict(request), response["status"])
        if response["status"] == "Accepted":
            self._on_changed()
        return response

    def _removed(self, removed: list[int], why: str) -> None:
        if removed:
            log.info("TxProfile(s) %s removed: %s", removed, why)
            self._on_changed()

    async def _send_follow_ups(self, call_id: str) -> None:
        """From a request's ``@after``: the calls its handler left (e.g. ReportChargingProfiles)."""
        for payload in self._follow_ups.pop(call_id) or []:
            try:
                await self._outbox.call(payload)
            except NotConnected:
                return
            except Exception as exc:
                log.warning("%s failed: %s", type(payload).__name__, exc)

    # ---- charging_schedules ----------------------------------------------------------------------
    def all_schedules(self, duration_s: int, unit: str) -> list[dict[str, Any]]:
        """The EVerest ChargingSchedule list for EVSE 0..n (a transaction simulated on each)."""
        self._purge_expired()
        schedules = calculate_all_composite_schedules(
            self._store.profiles(),
            datetime.now(UTC),
            duration_s,
            RateUnit(unit),
            self._composite_settings(),
            self.station(),
            simulate_transaction=True,
        )
        return list(to_everest_charging_schedules(schedules)["schedules"])
