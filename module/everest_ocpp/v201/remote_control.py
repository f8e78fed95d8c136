"""2.0.1 Remote Transaction Control (F01-F05): RequestStart/StopTransaction, UnlockConnector.

RequestStartTransaction is accepted, as by libocpp, only with an evseId (F01.FR.07 lets us refuse
without) of an EVSE that has no authorized transaction (F01.FR.24, F02.FR.25), at least one connector
that is neither Faulted nor Unavailable (F01.FR.23) and no reservation for another token or group
(the reservation module's ``exists_reservation``, F01.FR.21/22). Its chargingProfile, a TxProfile, is
validated and installed when SmartChargingCtrlr.Enabled (a bad one rejects the request, F01.FR.26) and
bound to the transaction the token starts. Once the answer is out, the token goes to the Auth module as
``provided_token`` exactly as the C++ OCPP201 module builds it: authorization type OCPP,
``prevalidated`` = not AuthCtrlr.AuthorizeRemoteStart, ``request_id`` = remoteStartId, the groupIdToken as
parent token and the EVSE as the only connector. The transaction it starts says RemoteStart and
carries the remoteStartId.

RequestStopTransaction asks the evse_manager of the transaction's EVSE to stop it (reason Remote);
Accepted when it agrees, Rejected for an unknown transaction (F03.FR.07/08). A transaction that was never
authorized has no EVerest transaction to stop: it ends at once (trigger RemoteStop, stoppedReason Remote).
UnlockConnector: UnknownConnector for an EVSE / connector that does not exist,
OngoingAuthorizedTransaction while an authorized transaction runs on the EVSE (F05.FR.02), else the
evse_manager's ``force_unlock`` (Unlocked / UnlockFailed); a transaction that was never authorized ends
with trigger UnlockCommand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..bridge.evse import EvseManagers
from ..bridge.services import ReservationService
from ..csms.call_state import CallState
from ..everest.errors import CmdError
from ..generic.authorization import AuthorizationEvents, TokenRequest
from ..shared_blocks.remote_control import RemoteControlBlock
from .auth_convert import plain_id_token_of
from .device_model import DeviceModel
from .device_model import well_known as wk
from .operative_state import ConnectorKey
from .smart_charging import SmartCharging201
from .transactions import Transactions201

log = logging.getLogger(__name__)

NOT_STARTABLE = frozenset({"Faulted", "Unavailable"})


class RemoteControl201(RemoteControlBlock[DeviceModel]):
    def __init__(
        self,
        dm: DeviceModel,
        evse: EvseManagers,
        transactions: Transactions201,
        connector_status: Callable[[ConnectorKey], str],
        smart_charging: SmartCharging201,
        reservation: ReservationService,
        events: AuthorizationEvents,
    ) -> None:
        super().__init__(dm, evse, reservation, events)
        self._tx = transactions
        self._status = connector_status
        self._smart_charging = smart_charging
        self._pending_profiles: dict[int, int] = {}  # EVSE id -> TxProfile id waiting for its transaction
        # (EVSE, trigger, stoppedReason): an unauthorized transaction ends after the answer
        self._end_after: CallState[tuple[int, str, str]] = CallState()
        transactions.remote_start_listeners.append(self._remote_start_began)
        transactions.remote_start_void_listeners.append(self._remote_start_void)

    # ---- RequestStartTransaction -----------------------------------------------------------------
    def _refusal(self, evse_id: int) -> str | None:
        info = self._evse.by_id(evse_id)
        if info is None:
            return f"EVSE {evse_id} does not exist"
        if self._tx.is_authorized(evse_id):
            return f"EVSE {evse_id} is occupied by an authorized transaction"
        if all(self._status((evse_id, c)) in NOT_STARTABLE for c in info.connectors):
            return f"no connector of EVSE {evse_id} is available"
        return None

    @on(Action.request_start_transaction)
    async def on_request_start_transaction(
        self,
        call_unique_id: str,
        id_token: dict[str, Any],
        remote_start_id: int,
        evse_id: int | None = None,
        group_id_token: dict[str, Any] | None = None,
        charging_profile: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        # as the C++ module: value and type only (additionalInfo is not passed on)
        token = plain_id_token_of(id_token)
        group = plain_id_token_of(group_id_token) if isinstance(group_id_token, dict) else None
        if evse_id is None:  # F01.FR.07: may be refused; libocpp always does
            return self._start_rejected(remote_start_id, "no evseId", "MissingParam")
        refused = self._refusal(evse_id)
        check: dict[str, Any] = {"evse_id": evse_id, "id_token": token.value}
        if group is not None:
            check["group_id_token"] = group.value
        if refused is None and await self._reserved_for_other(check):
            refused = f"EVSE {evse_id} is reserved for another token"
        if refused is not None:
            return self._start_rejected(remote_start_id, refused, "InvalidValue")
        if charging_profile is not None and self._config.get_bool(wk.SMART_CHARGING_ENABLED, default=False):
            problem = self._smart_charging.add_remote_start_profile(evse_id, charging_profile)
            if problem is not None:
                log.info(
                    "RequestStartTransaction %d rejected: its charging profile is invalid", remote_start_id
                )
                return call_result.RequestStartTransaction(status="Rejected", status_info=problem)
            self._replace_pending(evse_id, int(charging_profile["id"]))
        self._tx.set_remote_start_id(evse_id, token.value, remote_start_id)
        authorize = self._config.get_bool(wk.AUTHORIZE_REMOTE_START, default=False)
        request = TokenRequest(
            id_token=token,
            authorization_type="OCPP",
            parent_id_token=group,
            request_id=remote_start_id,
            connectors=(evse_id,),
            prevalidated=not authorize,
        )
        self._provide_after_answer(call_unique_id, request)
        log.info(
            "RequestStartTransaction %d for %s on EVSE %d: Accepted (%s)",
            remote_start_id,
            token.value,
            evse_id,
            "to be authorized" if authorize else "prevalidated",
        )
        return call_result.RequestStartTransaction(
            status="Accepted", transaction_id=self._tx.transaction_id(evse_id)
        )

    @after(Action.request_start_transaction)
    def after_request_start_transaction(self, call_unique_id: str, **_: Any) -> None:
        self._answered(call_unique_id)

    def _start_rejected(self, remote_start_id: int, why: str, code: str) -> Any:
        log.info("RequestStartTransaction %d rejected: %s", remote_start_id, why)
        return call_result.RequestStartTransaction(
            status="Rejected", status_info={"reason_code": code, "additional_info": why}
        )

    def _replace_pending(self, evse_id: int, profile_id: int) -> None:
        old = self._pending_profiles.get(evse_id)
        if old is not None and old != profile_id:
            self._smart_charging.drop_profiles([old], "replaced by a newer remote start")
        self._pending_profiles[evse_id] = profile_id

    def _remote_start_began(self, evse_id: int, transaction_id: str, remote_start_id: int) -> None:
        profile_id = self._pending_profiles.pop(evse_id, None)
        if profile_id is not None:
            self._smart_charging.bind_remote_start_profile(profile_id, transaction_id)

    def _remote_start_void(self, evse_id: int, _transaction_id: str, remote_start_id: int) -> None:
        profile_id = self._pending_profiles.pop(evse_id, None)
        if profile_id is not None:
            why = f"RequestStartTransaction {remote_start_id} was not used"
            self._smart_charging.drop_profiles([profile_id], why)

    # ---- RequestStopTransaction ------------------------------------------------------------------
    @on(Action.request_stop_transaction)
    async def on_request_stop_transaction(self, call_unique_id: str, transaction_id: str, **_: Any) -> Any:
        evse_id = self._tx.evse_of(transaction_id)
        accepted = False
        if evse_id is None:
            log.info("RequestStopTransaction %s: no such transaction: Rejected", transaction_id)
        elif not self._tx.is_authorized(evse_id):  # no EVerest transaction to stop: end the OCPP one
            accepted = True
            self._end_after.put(call_unique_id, (evse_id, "RemoteStop", "Remote"))
        else:
            try:
                accepted = await self._evse.stop_transaction(evse_id, "Remote")
            except CmdError as exc:
                log.warning("evse_manager.stop_transaction on EVSE %d failed: %s", evse_id, exc)
        if evse_id is not None:
            verdict = "Accepted" if accepted else "Rejected"
            log.info("RequestStopTransaction %s on EVSE %d: %s", transaction_id, evse_id, verdict)
        return call_result.RequestStopTransaction(status="Accepted" if accepted else "Rejected")

    @after(Action.request_stop_transaction)
    def after_request_stop_transaction(self, call_unique_id: str, **_: Any) -> None:
        self._end_unauthorized(call_unique_id)

    def _end_unauthorized(self, call_unique_id: str) -> None:
        pending = self._end_after.pop(call_unique_id)
        if pending is not None and self._tx.end_unauthorized(*pending):
            log.info("EVSE %d: the unauthorized transaction ended (%s)", pending[0], pending[1])

    # ---- UnlockConnector -------------------------------------------------------------------------
    @on(Action.unlock_connector)
    async def on_unlock_connector(
        self, call_unique_id: str, evse_id: int, connector_id: int, **_: Any
    ) -> Any:
        info = self._evse.by_id(evse_id)
        if info is None or connector_id not in info.connectors:
            status = "UnknownConnector"
        elif self._tx.is_authorized(evse_id):
            status = "OngoingAuthorizedTransaction"
        else:
            try:
                status = (
                    "Unlocked" if await self._evse.force_unlock(evse_id, connector_id) else "UnlockFailed"
                )
            except CmdError as exc:
                log.warning("evse_manager.force_unlock on EVSE %d failed: %s", evse_id, exc)
                status = "UnlockFailed"
            if status == "Unlocked" and self._tx.transaction_id(evse_id) is not None:
                self._end_after.put(call_unique_id, (evse_id, "UnlockCommand", "Other"))
        log.info("UnlockConnector EVSE %d connector %d: %s", evse_id, connector_id, status)
        return call_result.UnlockConnector(status=status)

    @after(Action.unlock_connector)
    def after_unlock_connector(self, call_unique_id: str, **_: Any) -> None:
        self._end_unauthorized(call_unique_id)
