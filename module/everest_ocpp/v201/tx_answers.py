"""What a 2.0.1 TransactionEventResponse changes (E05, E07): the ocpp_transaction_event_response var,
and an id token the CSMS did not accept.

An idTokenInfo other than Accepted for a running transaction stops it (TxCtrlr.StopTxOnInvalidId,
evse_manager ``stop_transaction`` with reason DeAuthorized), or lets it charge up to
TxCtrlr.MaxEnergyOnInvalidId Wh more before pausing, or pauses it at once (``pause_charging``), as
libocpp decides. Answers to TransactionEvent(Ended) only feed the var.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from ..bridge.evse import EvseManagers
from ..csms.message_queue import QueuedMessage
from ..csms.metering import energy_wh
from ..generic.backend import BackendEvents
from ..variables import VariableRef
from .device_model import DeviceModel
from .device_model import well_known as wk
from .tx_store import OpenTransaction

log = logging.getLogger(__name__)

MAX_ENERGY_ON_INVALID_ID = VariableRef("TxCtrlr", "MaxEnergyOnInvalidId")

Spawn = Callable[[Coroutine[Any, Any, Any]], Any]


class TransactionAnswers:
    def __init__(
        self,
        dm: DeviceModel,
        evse: EvseManagers,
        events: BackendEvents,
        open_transactions: Mapping[int, OpenTransaction],
        latest_powermeter: Callable[[int], dict[str, Any] | None],
        spawn: Spawn,
    ) -> None:
        self._dm = dm
        self._evse = evse
        self._events = events
        self._open = open_transactions
        self._latest = latest_powermeter
        self._spawn = spawn
        self._energy_checks: set[int] = set()  # EVSEs charging on an invalid id up to MaxEnergyOnInvalidId
        # an idTokenInfo for a token of a running transaction: (EVSE id or None, idToken, idTokenInfo)
        self.id_token_listeners: list[Callable[[int | None, dict[str, Any], dict[str, Any]], None]] = []

    def forget(self, evse_id: int) -> None:
        self._energy_checks.discard(evse_id)

    def on_powermeter(self, evse_id: int, powermeter: dict[str, Any]) -> None:
        if evse_id in self._energy_checks:
            self._check_max_energy(evse_id, powermeter)

    def on_response(self, item: QueuedMessage, response: Any) -> None:
        if item.action != "TransactionEvent":
            return
        var: dict[str, Any] = {"original_transaction_event": var_event(item.payload)}
        if getattr(response, "total_cost", None) is not None:
            var["total_cost"] = response.total_cost
        if getattr(response, "charging_priority", None) is not None:
            var["charging_priority"] = response.charging_priority
        message = getattr(response, "updated_personal_message", None)
        if isinstance(message, dict):
            var["personal_message"] = {
                k: message[k] for k in ("format", "language", "content") if k in message
            }
        self._events.transaction_event_response(var)
        info = getattr(response, "id_token_info", None)
        if item.payload.get("event_type") == "Ended" or not isinstance(info, dict):
            return
        if "id_token" not in item.payload:
            log.error("TransactionEvent response carries idTokenInfo but the request had no idToken")
            return
        transaction_id = item.payload["transaction_info"]["transaction_id"]
        evse_id = next((e for e, tx in self._open.items() if tx.transaction_id == transaction_id), None)
        evse = item.payload.get("evse")
        reported = evse["id"] if isinstance(evse, dict) else evse_id
        for listener in self.id_token_listeners:
            try:
                listener(reported, item.payload["id_token"], info)
            except Exception:
                log.exception("idTokenInfo listener failed")
        status = info.get("status")
        if status != "Accepted" and evse_id is not None:
            self._invalid_id(evse_id, str(status))

    def _invalid_id(self, evse_id: int, status: str) -> None:
        if self._dm.get_bool(wk.STOP_TX_ON_INVALID_ID, default=True):
            log.info("EVSE %d: id token %s: stopping the transaction (StopTxOnInvalidId)", evse_id, status)
            self._spawn(self._evse.stop_transaction(evse_id, "DeAuthorized"))
        elif self._dm.value(MAX_ENERGY_ON_INVALID_ID) is not None:
            log.info("EVSE %d: id token %s: charging on up to MaxEnergyOnInvalidId", evse_id, status)
            self._energy_checks.add(evse_id)
            powermeter = self._latest(evse_id)
            if powermeter is not None:
                self._check_max_energy(evse_id, powermeter)
        else:
            log.info("EVSE %d: id token %s: pausing charging", evse_id, status)
            self._spawn(self._evse.pause_charging(evse_id))

    def _check_max_energy(self, evse_id: int, powermeter: dict[str, Any]) -> None:
        tx = self._open.get(evse_id)
        now, start = energy_wh(powermeter), None if tx is None else tx.start_energy_wh
        limit = self._dm.get_int(MAX_ENERGY_ON_INVALID_ID, default=0)
        if now is None or start is None or round(now - start) < limit:
            return
        self._energy_checks.discard(evse_id)
        log.info("EVSE %d: MaxEnergyOnInvalidId (%d Wh) reached: pausing charging", evse_id, limit)
        self._spawn(self._evse.pause_charging(evse_id))


def var_event(payload: dict[str, Any]) -> dict[str, Any]:
    """The ocpp_transaction_event var of a TransactionEvent request (session id = transaction id)."""
    transaction_id = payload["transaction_info"]["transaction_id"]
    out: dict[str, Any] = {
        "transaction_event": payload["event_type"],
        "session_id": transaction_id,
        "transaction_id": transaction_id,
    }
    evse = payload.get("evse")
    if isinstance(evse, dict):
        out["evse"] = {
            "id": evse["id"],
            **({"connector_id": evse["connector_id"]} if "connector_id" in evse else {}),
        }
    return out
