"""In-process stand-ins for the system/security/data_transfer blocks: a runtime answering the
required modules' commands, a sender and an outbox that record what would reach the CSMS."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from everest_ocpp.csms.outbox import NotConnected


class FakeRuntime:
    """Answers ``call`` from ``answers[requirement][cmd]`` (a value, a callable(args) or an exception)."""

    module_id = "ocpp"

    def __init__(self, answers: dict[str, dict[str, Any]] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def connections(self, requirement: str) -> list[object]:
        return [object()] if requirement in self.answers else []

    async def call(
        self, requirement: str, index: int, cmd: str, args: dict[str, Any] | None = None, timeout: float = 30
    ) -> Any:
        self.calls.append((requirement, cmd, args or {}))
        answer = self.answers[requirement][cmd]
        if isinstance(answer, Exception):
            raise answer
        return answer(args or {}) if callable(answer) else answer

    def called(self, requirement: str, cmd: str) -> list[dict[str, Any]]:
        return [args for req, name, args in self.calls if (req, name) == (requirement, cmd)]


class FakeSender:
    def __init__(self) -> None:
        self.pushed: list[tuple[str, dict[str, Any]]] = []

    def push(self, action: str, payload: dict[str, Any], transactional: bool = False) -> int:
        self.pushed.append((action, payload))
        return len(self.pushed)


class FakeOutbox:
    """Records calls; answers with ``results[ClassName]`` (a call result, an exception, or a callable)."""

    def __init__(self, results: dict[str, Any] | None = None, online: bool = True) -> None:
        self.results = results or {}
        self.online = online
        self.sent: list[Any] = []

    async def call(self, payload: Any) -> Any:
        if not self.online:
            raise NotConnected("offline")
        self.sent.append(payload)
        result = self.results.get(type(payload).__name__)
        if isinstance(result, Exception):
            raise result
        return result(payload) if callable(result) else result


@dataclass
class Evse:
    id: int
    connectors: tuple[int, ...] = (1,)


@dataclass
class FakeEvse:
    """The EvseManagers surface the firmware gate uses."""

    evses: list[Evse] = field(default_factory=lambda: [Evse(1), Evse(2)])
    running: set[int] = field(default_factory=set)
    transaction_listeners: list[Callable[[int, bool], None]] = field(default_factory=list)

    def transaction_running(self, evse_id: int) -> bool:
        return evse_id in self.running

    def finish(self, evse_id: int) -> None:
        self.running.discard(evse_id)
        for listener in self.transaction_listeners:
            listener(evse_id, False)


@dataclass
class Events:
    raised: list[tuple[str, str | None, bool | None]] = field(default_factory=list)

    def __call__(self, event_type: str, info: str | None = None, critical: bool | None = None) -> None:
        self.raised.append((event_type, info, critical))


async def settle() -> None:
    """Let spawned tasks run to their next wait."""
    for _ in range(10):
        await asyncio.sleep(0)
