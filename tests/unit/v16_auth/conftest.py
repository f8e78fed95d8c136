"""Fakes for the 1.6 authorization blocks: configuration values, a scripted CSMS outbox, EVerest stand-ins."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ocpp.v16 import call_result

from everest_ocpp.csms.outbox import NotConnected
from everest_ocpp.everest.errors import CmdError


def config(**overrides: Any) -> SimpleNamespace:
    """The configuration values the blocks read (libocpp's test config by default)."""
    values: dict[str, Any] = {
        "local_pre_authorize": False,
        "local_authorize_offline": False,
        "allow_offline_tx_for_unknown_id": True,
        "authorization_cache_enabled": True,
        "local_auth_list_enabled": True,
        "local_auth_list_max_length": 42,
        "send_local_list_max_length": 42,
        "authorize_remote_tx_requests": True,
        "reservation_supported": True,
        "reserve_connector_zero_supported": True,
        "stop_transaction_if_unlock_not_supported": False,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


class FakeOutbox:
    """Answers Authorize from a script (an answer dict, an exception); records the idTags asked."""

    def __init__(self) -> None:
        self.script: list[Any] = []
        self.asked: list[str] = []

    async def call(self, payload: Any) -> Any:
        assert type(payload).__name__ == "Authorize"
        self.asked.append(payload.id_tag)
        step = self.script.pop(0) if self.script else {"status": "Accepted"}
        if isinstance(step, Exception):
            raise step
        return call_result.Authorize(id_tag_info=step)


OFFLINE = NotConnected("offline")


class FakeReservation:
    def __init__(self, available: bool = True) -> None:
        self.available = available
        self.calls: list[tuple[str, Any]] = []
        self.answers: dict[str, Any] = {
            "reserve_now": "Accepted",
            "cancel_reservation": True,
            "exists_reservation": "NotReserved",
        }

    async def _answer(self, cmd: str, arg: Any) -> Any:
        self.calls.append((cmd, arg))
        answer = self.answers[cmd]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def reserve_now(self, request: dict[str, Any]) -> str:
        return str(await self._answer("reserve_now", request))

    async def cancel_reservation(self, reservation_id: int) -> bool:
        return bool(await self._answer("cancel_reservation", reservation_id))

    async def exists_reservation(self, check: dict[str, Any]) -> str:
        return str(await self._answer("exists_reservation", check))


BROKEN = CmdError("HandlerException", "broken")
