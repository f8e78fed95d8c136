"""1.6 remote control: RemoteStartTransaction, RemoteStopTransaction, UnlockConnector (libocpp's rules).

RemoteStartTransaction: a connectorId outside 1..NumberOfConnectors is Rejected; otherwise at least one of
the referenced connectors (the given one, or all) must be able to start: not Unavailable or Faulted, no
transaction and not Finishing, and not Reserved for another idTag (the reservation module's
``exists_reservation``). A chargingProfile needs a connectorId and must be a valid TxProfile; it is
installed at once and cleared with the connector's next transaction. Once the Accepted answer is out the
idTag goes to the Auth module as ``provided_token``, as the C++ OCPP module builds it: type Central,
authorization type OCPP, the referenced connectors' EVSEs, ``prevalidated`` = not AuthorizeRemoteTxRequests.

RemoteStopTransaction: Accepted for a running transaction, which the evse_manager is then asked to stop
(reason Remote); Rejected for any other id. UnlockConnector: NotSupported for a connector that does not
exist; else the evse_manager's ``force_unlock`` (which ends a transaction on the connector itself, reason
UnlockCommand): Unlocked when it unlocked, NotSupported when it cannot (no connector lock), UnlockFailed
when the call fails. When NotSupported leaves a transaction running, StopTransactionIfUnlockNotSupported
has it stopped (reason UnlockCommand).
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..bridge.evse import EvseManagers
from ..bridge.services import ReservationService
from ..csms.call_state import CallState
from ..everest.errors import CmdError
from ..generic.authorization import AuthorizationEvents, IdToken, TokenRequest
from ..shared_blocks.remote_control import RemoteControlBlock
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .smart_charging import SmartCharging16
from .status import ConnectorStatus16
from .status_machine import Status
from .transactions import Transactions16

log = logging.getLogger(__name__)

NOT_STARTABLE = frozenset({Status.UNAVAILABLE, Status.FAULTED})


class RemoteControl16(RemoteControlBlock[ChargePointConfiguration]):
    def __init__(
        self,
        config: ChargePointConfiguration,
        connectors: ConnectorMap,
        evse: EvseManagers,
        status: ConnectorStatus16,
        transactions: Transactions16,
        smart_charging: SmartCharging16,
        reservation: ReservationService,
        events: AuthorizationEvents,
    ) -> None:
        super().__init__(config, evse, reservation, events)
        self._map = connectors
        self._status = status
        self._tx = transactions
        self._smart_charging = smart_charging
        self._stop_after: CallState[tuple[int, str]] = CallState()  # (connector, reason)

    # ---- RemoteStartTransaction ------------------------------------------------------------------
    async def _can_start(self, connector: int, id_tag: str) -> bool:
        state = self._status.state(connector)
        if state in NOT_STARTABLE or self._tx.running(connector) or state is Status.FINISHING:
            return False
        check = {"evse_id": self._map.evse_of(connector), "id_token": id_tag}
        return not (await self._reserved_for_other(check) and state is Status.RESERVED)

    @on(Action.remote_start_transaction)
    async def on_remote_start_transaction(
        self,
        call_unique_id: str,
        id_tag: str,
        connector_id: int | None = None,
        charging_profile: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        if connector_id is not None and connector_id not in self._map.by_ocpp:
            return _start_rejected(id_tag, f"connector {connector_id} does not exist")
        referenced = [connector_id] if connector_id is not None else sorted(self._map.by_ocpp)
        for connector in referenced:
            if await self._can_start(connector, id_tag):
                break
        else:
            return _start_rejected(id_tag, f"no connector of {referenced} can start a transaction")
        if charging_profile is not None:
            if connector_id is None:
                return _start_rejected(id_tag, "a chargingProfile needs a connectorId")
            problem = self._smart_charging.add_remote_start_profile(connector_id, charging_profile)
            if problem is not None:
                return _start_rejected(id_tag, f"its charging profile is refused ({problem})")
        authorize = self._config.authorize_remote_tx_requests
        evses = tuple(dict.fromkeys(e for e in (self._map.evse_of(c) for c in referenced) if e is not None))
        token = TokenRequest(
            id_token=IdToken(id_tag, "Central"),
            authorization_type="OCPP",
            connectors=evses,
            prevalidated=not authorize,
        )
        self._provide_after_answer(call_unique_id, token)
        log.info(
            "RemoteStartTransaction for %s on connector(s) %s: Accepted (%s)",
            id_tag,
            referenced,
            "to be authorized" if authorize else "prevalidated",
        )
        return call_result.RemoteStartTransaction(status="Accepted")

    @after(Action.remote_start_transaction)
    def after_remote_start_transaction(self, call_unique_id: str, **_: Any) -> None:
        self._answered(call_unique_id)

    # ---- RemoteStopTransaction -------------------------------------------------------------------
    @on(Action.remote_stop_transaction)
    def on_remote_stop_transaction(self, call_unique_id: str, transaction_id: int, **_: Any) -> Any:
        connector = self._tx.connector_of(transaction_id)
        if connector is None:
            log.info("RemoteStopTransaction %d: no such transaction: Rejected", transaction_id)
            return call_result.RemoteStopTransaction(status="Rejected")
        self._stop_after.put(call_unique_id, (connector, "Remote"))
        log.info("RemoteStopTransaction %d on connector %d: Accepted", transaction_id, connector)
        return call_result.RemoteStopTransaction(status="Accepted")

    @after(Action.remote_stop_transaction)
    async def after_remote_stop_transaction(self, call_unique_id: str, **_: Any) -> None:
        await self._stop_pending(call_unique_id)

    async def _stop_pending(self, call_unique_id: str) -> None:
        pending = self._stop_after.pop(call_unique_id)
        evse_id = None if pending is None else self._map.evse_of(pending[0])
        if pending is None or evse_id is None:
            return
        try:
            if not await self._evse.stop_transaction(evse_id, pending[1]):
                log.warning("EVSE %d refused to stop its transaction (%s)", evse_id, pending[1])
        except CmdError as exc:
            log.warning("evse_manager.stop_transaction on EVSE %d failed: %s", evse_id, exc)

    # ---- UnlockConnector -------------------------------------------------------------------------
    @on(Action.unlock_connector)
    async def on_unlock_connector(self, call_unique_id: str, connector_id: int, **_: Any) -> Any:
        pair = self._map.by_ocpp.get(connector_id)
        if pair is None:
            status = "NotSupported"
        else:
            try:
                status = "Unlocked" if await self._evse.force_unlock(*pair) else "NotSupported"
            except CmdError as exc:
                log.warning("evse_manager.force_unlock on EVSE %d failed: %s", pair[0], exc)
                status = "UnlockFailed"
            if (
                status == "NotSupported"
                and self._tx.running(connector_id)
                and self._config.stop_transaction_if_unlock_not_supported
            ):
                self._stop_after.put(call_unique_id, (connector_id, "UnlockCommand"))
        log.info("UnlockConnector %d: %s", connector_id, status)
        return call_result.UnlockConnector(status=status)

    @after(Action.unlock_connector)
    async def after_unlock_connector(self, call_unique_id: str, **_: Any) -> None:
        await self._stop_pending(call_unique_id)


def _start_rejected(id_tag: str, why: str) -> Any:
    log.info("RemoteStartTransaction for %s rejected: %s", id_tag, why)
    return call_result.RemoteStartTransaction(status="Rejected")
